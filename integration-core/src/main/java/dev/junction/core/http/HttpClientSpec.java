package dev.junction.core.http;

import dev.junction.core.spi.RateLimitPolicy;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import okhttp3.HttpUrl;

/**
 * Who a {@link ProviderHttpClient} talks to, for whom, and under which limits. Core prepares one per connection
 * (provider, connection and rate limit filled in) and the provider adjusts it with the {@code withX} methods:
 *
 * <pre>{@code
 * HttpClientSpec.of("clio", connectionId, "https://app.clio.com/api/v4")
 *     .withRateLimit(RateLimitPolicy.of(50, Duration.ofMinutes(1)).withHeaders(RateLimitHeaders.X_RATE_LIMIT_EPOCH_SECONDS))
 *     .withAuthenticator(bearerTokens)
 *     .withDefaultHeader("X-API-VERSION", "4.0.9");
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 *
 * @param providerId the provider's id, as in errors and logs ({@code clio})
 * @param connectionId the connection; clients with the same provider and connection share one rate-limit budget
 * @param baseUrl absolute http or https URL that relative call paths are appended to; absolute URLs (next-page
 *     links) must have the same scheme, host and port, so credentials never leave it
 * @param rateLimit the provider's published budget for one connection
 * @param authenticator supplies the authentication headers before each attempt
 * @param defaultHeaders headers sent with every request ({@code User-Agent}, {@code X-API-VERSION})
 * @param secretHeaders header names to redact from logs besides the standard ones and the authenticator's
 * @param idempotencyHeader the header that carries a call's idempotency key ({@code Idempotency-Key}), or null when
 *     the provider has none; POST and PATCH are retried only when it is set and the call has a key
 * @param retry how failed attempts are retried and how long a call may wait for the rate limit
 * @param timeout the longest one attempt may take, from connecting to the last byte of the response
 */
public record HttpClientSpec(String providerId, String connectionId, String baseUrl, RateLimitPolicy rateLimit,
                             RequestAuthenticator authenticator, Map<String, String> defaultHeaders,
                             Set<String> secretHeaders, String idempotencyHeader, RetrySettings retry,
                             Duration timeout) {

    /** Thirty seconds per attempt. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    public HttpClientSpec {
        requireText(providerId, "providerId");
        requireText(connectionId, "connectionId");
        requireText(baseUrl, "baseUrl");
        HttpUrl parsed = HttpUrl.parse(baseUrl);
        if (parsed == null) {
            throw new IllegalArgumentException(
                    "provider '" + providerId + "': baseUrl must be an absolute http or https URL, was " + baseUrl);
        }
        Objects.requireNonNull(rateLimit, "rateLimit");
        Objects.requireNonNull(authenticator, "authenticator");
        defaultHeaders = Collections.unmodifiableMap(new LinkedHashMap<>(defaultHeaders));
        secretHeaders = Set.copyOf(secretHeaders);
        if (idempotencyHeader != null) {
            requireText(idempotencyHeader, "idempotencyHeader");
        }
        Objects.requireNonNull(retry, "retry");
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("provider '" + providerId + "': timeout must be positive, was " + timeout);
        }
    }

    /**
     * A spec with no rate limit (the limiter only reacts to 429s), no authentication, no extra headers, no
     * idempotency header, {@link RetrySettings#defaults()} and {@link #DEFAULT_TIMEOUT}.
     */
    public static HttpClientSpec of(String providerId, String connectionId, String baseUrl) {
        return new HttpClientSpec(providerId, connectionId, baseUrl, RateLimitPolicy.UNLIMITED, RequestAuthenticator.NONE,
                Map.of(), Set.of(), null, RetrySettings.defaults(), DEFAULT_TIMEOUT);
    }

    public HttpClientSpec withBaseUrl(String value) {
        return new HttpClientSpec(providerId, connectionId, value, rateLimit, authenticator, defaultHeaders,
                secretHeaders, idempotencyHeader, retry, timeout);
    }

    public HttpClientSpec withRateLimit(RateLimitPolicy value) {
        return new HttpClientSpec(providerId, connectionId, baseUrl, value, authenticator, defaultHeaders,
                secretHeaders, idempotencyHeader, retry, timeout);
    }

    public HttpClientSpec withAuthenticator(RequestAuthenticator value) {
        return new HttpClientSpec(providerId, connectionId, baseUrl, rateLimit, value, defaultHeaders,
                secretHeaders, idempotencyHeader, retry, timeout);
    }

    /** Replaces all default headers. */
    public HttpClientSpec withDefaultHeaders(Map<String, String> value) {
        return new HttpClientSpec(providerId, connectionId, baseUrl, rateLimit, authenticator, value,
                secretHeaders, idempotencyHeader, retry, timeout);
    }

    /** Adds or replaces one default header. */
    public HttpClientSpec withDefaultHeader(String name, String value) {
        Map<String, String> headers = new LinkedHashMap<>(defaultHeaders);
        headers.put(requireText(name, "name"), Objects.requireNonNull(value, "value"));
        return withDefaultHeaders(headers);
    }

    public HttpClientSpec withSecretHeaders(Set<String> value) {
        return new HttpClientSpec(providerId, connectionId, baseUrl, rateLimit, authenticator, defaultHeaders,
                value, idempotencyHeader, retry, timeout);
    }

    public HttpClientSpec withIdempotencyHeader(String value) {
        return new HttpClientSpec(providerId, connectionId, baseUrl, rateLimit, authenticator, defaultHeaders,
                secretHeaders, value, retry, timeout);
    }

    public HttpClientSpec withRetry(RetrySettings value) {
        return new HttpClientSpec(providerId, connectionId, baseUrl, rateLimit, authenticator, defaultHeaders,
                secretHeaders, idempotencyHeader, value, timeout);
    }

    public HttpClientSpec withTimeout(Duration value) {
        return new HttpClientSpec(providerId, connectionId, baseUrl, rateLimit, authenticator, defaultHeaders,
                secretHeaders, idempotencyHeader, retry, value);
    }

    private static String requireText(String value, String name) {
        Objects.requireNonNull(value, name);
        if (value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be blank");
        }
        return value;
    }
}
