package dev.junction.sandbox;

/**
 * Counters of a {@link FixedWindowRateLimiter}.
 *
 * @param requests every call to {@code acquire}, allowed or not
 * @param rejected calls refused because the window was full (answered with 429)
 */
public record RateLimitStatistics(long requests, long rejected) {
}
