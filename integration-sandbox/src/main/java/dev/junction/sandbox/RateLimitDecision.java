package dev.junction.sandbox;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The outcome of one {@link FixedWindowRateLimiter#acquire(String)}.
 *
 * @param allowed whether the request may proceed
 * @param limit requests allowed per window
 * @param remaining requests left in the current window after this one
 * @param resetAt when the current window ends
 * @param retryAfter how long to wait before retrying: at least one second when refused, zero when allowed
 */
public record RateLimitDecision(boolean allowed, int limit, int remaining, Instant resetAt, Duration retryAfter) {

    /** Checks for nulls. */
    public RateLimitDecision {
        Objects.requireNonNull(resetAt, "resetAt");
        Objects.requireNonNull(retryAfter, "retryAfter");
    }

    /**
     * The headers to send: {@code X-RateLimit-Limit}, {@code X-RateLimit-Remaining}, {@code
     * X-RateLimit-Reset} (unix seconds) and, when refused, {@code Retry-After} (whole seconds).
     */
    public Map<String, String> headers() {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("X-RateLimit-Limit", Integer.toString(limit));
        headers.put("X-RateLimit-Remaining", Integer.toString(remaining));
        long resetSecond = resetAt.getEpochSecond() + (resetAt.getNano() > 0 ? 1 : 0);
        headers.put("X-RateLimit-Reset", Long.toString(resetSecond));
        if (!allowed) {
            headers.put("Retry-After", Long.toString(retryAfterSeconds()));
        }
        return headers;
    }

    /** {@link #retryAfter()} in whole seconds, rounded up. */
    public long retryAfterSeconds() {
        return SandboxServer.ceilingSeconds(retryAfter);
    }
}
