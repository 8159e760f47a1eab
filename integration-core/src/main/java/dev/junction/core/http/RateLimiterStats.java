package dev.junction.core.http;

import java.time.Duration;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * A snapshot of one connection's rate limiter, shared by every client of that connection. The sync engine reads
 * it for progress reporting ("waiting for the provider's rate limit").
 *
 * @param requestsSent requests let through to the provider, including ones that were answered 429
 * @param rateLimitedResponses 429 answers seen
 * @param timeWaited total time callers spent waiting for the budget or for a 429 pause to end
 * @param remaining what the provider last said is left in its current window, less what was sent since; empty
 *     when the provider does not report it or its window has passed
 */
public record RateLimiterStats(long requestsSent, long rateLimitedResponses, Duration timeWaited, OptionalInt remaining) {

    public RateLimiterStats {
        Objects.requireNonNull(timeWaited, "timeWaited");
        Objects.requireNonNull(remaining, "remaining");
    }
}
