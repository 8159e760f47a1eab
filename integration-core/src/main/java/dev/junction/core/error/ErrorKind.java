package dev.junction.core.error;

/**
 * What went wrong, sorted by what the caller does next. Every {@link JunctionException} carries one.
 *
 * <p>The first six kinds describe a provider's answer; the rest describe a call into Junction itself.
 */
public enum ErrorKind {
    /** The provider rejected the credentials (revoked or expired beyond refresh): the connection needs re-authorisation. */
    NEEDS_REAUTH(false),
    /** The provider's rate limit was hit; wait {@link RateLimitedException#retryAfter()} and try again. */
    RATE_LIMITED(true),
    /** The provider says the record or endpoint does not exist. */
    NOT_FOUND(false),
    /** The provider rejected the request as invalid (a 4xx that will not succeed by repeating it). */
    INVALID_REQUEST(false),
    /** The provider failed or could not be reached (5xx, timeout, connection reset); a later attempt may succeed. */
    PROVIDER_UNAVAILABLE(true),
    /** The provider answered with a body Junction cannot understand (malformed JSON, a missing or mistyped field). */
    UNEXPECTED_PAYLOAD(false),
    /** A caller handed Junction bad input: null, an unknown provider or connection, malformed credentials. */
    INVALID_INPUT(false),
    /** The provider does not offer the requested capability (for example webhooks on a provider without them). */
    UNSUPPORTED(false),
    /** The request conflicts with current state (a sync already running, an idempotency key reused with another body). */
    CONFLICT(false),
    /** An incoming webhook failed verification (bad or missing signature, stale timestamp, unknown endpoint). */
    WEBHOOK_REJECTED(false);

    private final boolean retryable;

    ErrorKind(boolean retryable) {
        this.retryable = retryable;
    }

    /** Whether repeating the same call later may succeed. */
    public boolean retryable() {
        return retryable;
    }
}
