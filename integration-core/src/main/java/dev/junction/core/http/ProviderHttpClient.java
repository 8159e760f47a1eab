package dev.junction.core.http;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;

/**
 * A connection's way to its provider: every request a connector, webhook registration or action sends goes
 * through one. Obtained from {@link HttpStack#client(HttpClientSpec)} (in practice from the connector context).
 *
 * <p>Each call, in order: waits for the connection's rate-limit budget (shared with every other client of the
 * connection), adds default headers, the idempotency header and the authenticator's headers, sends, reads the
 * response's rate-limit headers, and then:
 * <ul>
 *   <li>2xx (and 304 to a conditional request) is returned;</li>
 *   <li>429 pauses every caller of the connection until {@code Retry-After} or the reset header, then sends again;
 *       this waiting never counts as a failed attempt and is bounded by {@link RetrySettings#maxRateLimitWait()};</li>
 *   <li>401 asks {@link RequestAuthenticator#onUnauthorized()} once and sends again if it refreshed the
 *       credentials, otherwise fails with {@link dev.junction.core.error.NeedsReauthException};</li>
 *   <li>5xx, 408, timeouts and I/O errors are retried with jittered exponential backoff when the call is safe to
 *       repeat: GET, HEAD, OPTIONS, PUT and DELETE always, POST and PATCH only with an idempotency key and an
 *       idempotency header in the spec;</li>
 *   <li>everything else is thrown at once.</li>
 * </ul>
 * Errors are {@link dev.junction.core.error.JunctionException}s carrying provider, connection, entity, HTTP status
 * and request id, and never a credential: 404 is {@code NOT_FOUND}, other 4xx {@code INVALID_REQUEST}, 429 past
 * the wait budget {@link dev.junction.core.error.RateLimitedException}, 5xx and I/O
 * {@link dev.junction.core.error.ProviderUnavailableException}, unreadable JSON {@code UNEXPECTED_PAYLOAD}.
 *
 * <p>Thread-safe: one client may serve many threads.
 *
 * <pre>{@code
 * JsonNode matter = client.executeJson(HttpCall.get("matters/" + id + ".json").withEntity("matters"));
 * }</pre>
 */
public interface ProviderHttpClient {

    /** Sends {@code call} and returns the provider's successful answer; any other answer is thrown. */
    HttpResult execute(HttpCall call);

    /**
     * Like {@link #execute} and parses the body as JSON. An empty, malformed or truncated body fails with
     * {@code UNEXPECTED_PAYLOAD}; use {@link #execute} for calls that answer with no content.
     */
    JsonNode executeJson(HttpCall call);

    /**
     * Fetches one page of a list: builds the request with {@code strategy} (the first page when {@code cursor} is
     * empty), executes it, parses the body and asks the strategy for the next cursor. A provider that hands back
     * the cursor it was given fails with {@code UNEXPECTED_PAYLOAD} rather than looping forever.
     */
    PageResponse fetchPage(HttpCall firstPage, PaginationStrategy strategy, Optional<String> cursor);

    /**
     * A Feign client for {@code api} on the base URL, going through this same stack: Feign's OkHttp client on the
     * provider's connection pool, Jackson encoding and decoding, the rate limiter, authentication, retries (Feign's
     * own retryer is off) and the error mapping above; a body Jackson cannot decode is {@code UNEXPECTED_PAYLOAD}.
     * POST and PATCH methods are retried only when they send the spec's idempotency header.
     */
    <T> T feign(Class<T> api);

    /** The connection's rate limiter counters, shared by every client of the connection. */
    RateLimiterStats rateLimitStats();
}
