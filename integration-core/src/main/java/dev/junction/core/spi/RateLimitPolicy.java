package dev.junction.core.spi;

import java.time.Duration;
import java.util.Objects;

/**
 * A provider's published request budget for one connection, and how its responses report the budget.
 * Core turns this into a per-connection limiter that is proactive (spaces requests {@code window / requests} apart
 * while the provider's window is unknown), adaptive (while the headers named here report a window, spends what they
 * say remains and then waits until just after the reset; after a reset it expects {@code requests}, or the limit
 * header's value, for the next {@code window}) and reactive (429 with {@code Retry-After} or the reset header
 * pauses every caller of the connection).
 *
 * <p>Example (Clio, 50 requests a minute, headers with an epoch-seconds reset):
 * <pre>{@code
 * RateLimitPolicy.of(50, Duration.ofMinutes(1))
 *     .withHeaders(RateLimitHeaders.X_RATE_LIMIT_EPOCH_SECONDS)
 * }</pre>
 *
 * @param requests how many requests the provider allows per window, per connection (at least 1)
 * @param window the length of the provider's window
 * @param headers how the provider reports remaining budget, or {@link RateLimitHeaders#NONE}
 */
public record RateLimitPolicy(int requests, Duration window, RateLimitHeaders headers) {

    /** No published limit: the limiter only reacts to 429s. */
    public static final RateLimitPolicy UNLIMITED = new RateLimitPolicy(Integer.MAX_VALUE, Duration.ofSeconds(1), RateLimitHeaders.NONE);

    public RateLimitPolicy {
        Objects.requireNonNull(window, "window");
        Objects.requireNonNull(headers, "headers");
        if (requests < 1) {
            throw new IllegalArgumentException("requests must be at least 1, was " + requests);
        }
        if (window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("window must be positive, was " + window);
        }
    }

    public static RateLimitPolicy of(int requests, Duration window) {
        return new RateLimitPolicy(requests, window, RateLimitHeaders.NONE);
    }

    public RateLimitPolicy withHeaders(RateLimitHeaders value) {
        return new RateLimitPolicy(requests, window, value);
    }

    /** A copy with another budget, same headers: used to scale time down in tests and benchmarks. */
    public RateLimitPolicy withBudget(int newRequests, Duration newWindow) {
        return new RateLimitPolicy(newRequests, newWindow, headers);
    }

    public boolean unlimited() {
        return requests == Integer.MAX_VALUE;
    }

    /**
     * The response headers a provider uses to report its budget. Any name may be null when the provider does
     * not send that header.
     *
     * @param limit header with the window's total budget
     * @param remaining header with what is left in the current window
     * @param reset header saying when the window resets
     * @param resetIsEpochSeconds true when {@code reset} is a unix timestamp, false when it is seconds from now
     */
    public record RateLimitHeaders(String limit, String remaining, String reset, boolean resetIsEpochSeconds) {
        public static final RateLimitHeaders NONE = new RateLimitHeaders(null, null, null, true);
        /** {@code X-RateLimit-Limit}, {@code X-RateLimit-Remaining}, {@code X-RateLimit-Reset} (unix seconds): Clio, Cliniko. */
        public static final RateLimitHeaders X_RATE_LIMIT_EPOCH_SECONDS =
                new RateLimitHeaders("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", true);
    }
}
