package dev.junction.core.http;

import java.time.Duration;
import java.util.Objects;

/**
 * How a client retries failed attempts and how long one call may wait for the rate limit.
 *
 * <p>Attempts are retried with jittered exponential backoff on 5xx, 408, timeouts and I/O errors, and only for
 * calls that are safe to repeat (see {@link ProviderHttpClient}). Waiting for the rate-limit budget or after a 429
 * is not a failed attempt: it never uses up {@code maxAttempts} and is bounded by {@code maxRateLimitWait} alone.
 *
 * @param maxAttempts attempts in total, the first included (1 disables retries)
 * @param initialDelay the delay before the first retry
 * @param maxDelay the longest delay between attempts; a 503 whose {@code Retry-After} asks for more ends the
 *     retries at once, so the caller can reschedule rather than block a thread
 * @param jitter the fraction (0 to 1) by which each delay is randomly lengthened or shortened
 * @param maxRateLimitWait the longest one call waits in total for the rate limit, after which it fails with
 *     {@link dev.junction.core.error.RateLimitedException}
 * @param adviceHeader a response header by which the provider says whether a failed request may be retried
 *     ({@code Stripe-Should-Retry: true|false}), or null. {@code false} stops retries of a 5xx; {@code true} makes
 *     any failure retryable (a 409 lock timeout, say), but only for calls that are safe to repeat (reads, and writes
 *     carrying an idempotency key).
 */
public record RetrySettings(int maxAttempts, Duration initialDelay, Duration maxDelay, double jitter,
                            Duration maxRateLimitWait, String adviceHeader) {

    /** Settings without a provider advice header. */
    public RetrySettings(int maxAttempts, Duration initialDelay, Duration maxDelay, double jitter, Duration maxRateLimitWait) {
        this(maxAttempts, initialDelay, maxDelay, jitter, maxRateLimitWait, null);
    }

    public RetrySettings {
        Objects.requireNonNull(initialDelay, "initialDelay");
        Objects.requireNonNull(maxDelay, "maxDelay");
        Objects.requireNonNull(maxRateLimitWait, "maxRateLimitWait");
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1, was " + maxAttempts);
        }
        if (initialDelay.isNegative() || initialDelay.isZero()) {
            throw new IllegalArgumentException("initialDelay must be positive, was " + initialDelay);
        }
        if (maxDelay.compareTo(initialDelay) < 0) {
            throw new IllegalArgumentException("maxDelay " + maxDelay + " is shorter than initialDelay " + initialDelay);
        }
        if (!(jitter >= 0 && jitter <= 1)) {
            throw new IllegalArgumentException("jitter must be between 0 and 1, was " + jitter);
        }
        if (maxRateLimitWait.isNegative()) {
            throw new IllegalArgumentException("maxRateLimitWait must not be negative, was " + maxRateLimitWait);
        }
        if (adviceHeader != null && adviceHeader.isBlank()) {
            throw new IllegalArgumentException("adviceHeader must not be blank");
        }
    }

    /** Four attempts, 0.5 s doubling up to 30 s, 25% jitter, at most two minutes waiting for the rate limit. */
    public static RetrySettings defaults() {
        return new RetrySettings(4, Duration.ofMillis(500), Duration.ofSeconds(30), 0.25, Duration.ofMinutes(2));
    }

    public RetrySettings withMaxAttempts(int value) {
        return new RetrySettings(value, initialDelay, maxDelay, jitter, maxRateLimitWait, adviceHeader);
    }

    public RetrySettings withBackoff(Duration initial, Duration max) {
        return new RetrySettings(maxAttempts, initial, max, jitter, maxRateLimitWait, adviceHeader);
    }

    public RetrySettings withJitter(double value) {
        return new RetrySettings(maxAttempts, initialDelay, maxDelay, value, maxRateLimitWait, adviceHeader);
    }

    public RetrySettings withMaxRateLimitWait(Duration value) {
        return new RetrySettings(maxAttempts, initialDelay, maxDelay, jitter, value, adviceHeader);
    }

    /** The same settings, honouring the provider's retry advice in {@code header}. */
    public RetrySettings withAdviceHeader(String header) {
        return new RetrySettings(maxAttempts, initialDelay, maxDelay, jitter, maxRateLimitWait, header);
    }
}
