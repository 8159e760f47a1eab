package dev.junction.core.http;

import java.util.Map;

/**
 * Supplies a connection's authentication headers. Core's auth package implements it (bearer tokens refreshed
 * ahead of expiry, API keys, basic auth); providers pick one through their {@link HttpClientSpec}.
 *
 * <p>The stack calls {@link #headers()} before every attempt, so a token refreshed by another thread is used on
 * the next attempt. Every header name it returns is treated as secret: redacted from logs, and its value scrubbed
 * from error messages. Implementations must be thread-safe.
 *
 * <pre>{@code
 * RequestAuthenticator apiKey = () -> Map.of("Auth", settings.secret("api_key"));
 * }</pre>
 */
public interface RequestAuthenticator {

    /** The headers to add to the next attempt; may be empty, never null. */
    Map<String, String> headers();

    /**
     * Called after the provider answered 401. Return true if the credentials were refreshed and the request should
     * be sent once more (a call refreshes at most once: a second 401 fails); false (the default) makes the call
     * fail with {@link dev.junction.core.error.NeedsReauthException}. May throw that exception itself when the
     * refresh is refused, or {@link dev.junction.core.error.ProviderUnavailableException} when the token endpoint
     * cannot be reached, which is retried like any other unavailability.
     */
    default boolean onUnauthorized() {
        return false;
    }

    /** Adds no headers: for public endpoints and for calls that carry their own credentials. */
    RequestAuthenticator NONE = Map::of;
}
