package dev.junction.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class FixedWindowRateLimiterTest {

    private final MutableClock clock = MutableClock.at(Instant.parse("2024-05-01T12:00:00.250Z"));
    private final FixedWindowRateLimiter limiter = new FixedWindowRateLimiter(3, Duration.ofSeconds(1), clock);

    @Test
    void requestsWithinTheLimitAreAllowedWithDecreasingRemaining() {
        assertThat(limiter.acquire("token").remaining()).isEqualTo(2);
        assertThat(limiter.acquire("token").remaining()).isEqualTo(1);
        RateLimitDecision third = limiter.acquire("token");

        assertThat(third.allowed()).isTrue();
        assertThat(third.headers())
                .containsEntry("X-RateLimit-Limit", "3")
                .containsEntry("X-RateLimit-Remaining", "0")
                .containsEntry("X-RateLimit-Reset", Long.toString(Instant.parse("2024-05-01T12:00:01Z").getEpochSecond()))
                .doesNotContainKey("Retry-After");
    }

    @Test
    void requestOverTheLimitIsRefusedWithRetryAfterOfAtLeastOneSecond() {
        for (int request = 0; request < 3; request++) {
            limiter.acquire("token");
        }

        RateLimitDecision refused = limiter.acquire("token");

        assertThat(refused.allowed()).isFalse();
        assertThat(refused.remaining()).isZero();
        assertThat(refused.retryAfterSeconds()).isEqualTo(1);
        assertThat(refused.headers()).containsEntry("Retry-After", "1");
        assertThat(limiter.statistics()).isEqualTo(new RateLimitStatistics(4, 1));
    }

    @Test
    void retryAfterCoversTheRestOfALongWindow() {
        FixedWindowRateLimiter perMinute = new FixedWindowRateLimiter(1, Duration.ofSeconds(60), clock);
        perMinute.acquire("token");

        assertThat(perMinute.acquire("token").retryAfterSeconds()).isEqualTo(60);
    }

    @Test
    void nextWindowStartsAFreshCount() {
        for (int request = 0; request < 4; request++) {
            limiter.acquire("token");
        }

        clock.advance(Duration.ofMillis(750));

        assertThat(limiter.acquire("token").allowed()).isTrue();
    }

    @Test
    void eachCredentialHasItsOwnBudget() {
        for (int request = 0; request < 3; request++) {
            limiter.acquire("first");
        }

        assertThat(limiter.acquire("first").allowed()).isFalse();
        assertThat(limiter.acquire("second").allowed()).isTrue();
    }

    @Test
    void resetForgetsCountsAndWindows() {
        for (int request = 0; request < 4; request++) {
            limiter.acquire("token");
        }

        limiter.reset();

        assertThat(limiter.statistics()).isEqualTo(new RateLimitStatistics(0, 0));
        assertThat(limiter.acquire("token").allowed()).isTrue();
    }
}
