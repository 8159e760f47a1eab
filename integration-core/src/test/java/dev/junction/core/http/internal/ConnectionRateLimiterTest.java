package dev.junction.core.http.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.core.error.ErrorContext;
import dev.junction.core.http.HttpResult;
import dev.junction.core.http.Sleeper;
import dev.junction.core.spi.RateLimitPolicy;
import dev.junction.core.spi.RateLimitPolicy.RateLimitHeaders;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The limiter against a Clio-like fixed window of 5 requests per second, with {@code X-RateLimit-*} headers and a
 * reset in whole epoch seconds. Requests are interleaved by hand on one thread (acquire now, answer later) so that
 * requests in flight and answers out of order are exact; waiting moves a manual clock on instead of sleeping.
 */
class ConnectionRateLimiterTest {

    private static final Instant START = Instant.parse("2024-03-04T09:00:00Z");
    private static final Duration NO_LIMIT = Duration.ofHours(1);

    private final ManualClock clock = new ManualClock();
    private final List<Duration> sleeps = new ArrayList<>();
    private final Sleeper advancing = duration -> {
        sleeps.add(duration);
        clock.advance(duration);
    };
    private final ConnectionRateLimiter limiter = new ConnectionRateLimiter(ErrorContext.provider("clio"),
            RateLimitPolicy.of(5, Duration.ofSeconds(1)).withHeaders(RateLimitHeaders.X_RATE_LIMIT_EPOCH_SECONDS), clock, advancing);

    @Test
    void whatTheProviderSaysRemainsIsSpentAtOnceAndThenTheCallerWaitsForTheResetPlusTheMargin() throws InterruptedException {
        // Given a first request whose answer says 4 of 5 remain until the next whole second
        answer(limiter.acquire(NO_LIMIT), 200, 4, START.plusSeconds(1));

        // When five more requests are asked for, each answered as the provider would count it
        List<ConnectionRateLimiter.Permit> permits = new ArrayList<>();
        for (int remaining = 3; remaining >= 0; remaining--) {
            ConnectionRateLimiter.Permit permit = limiter.acquire(NO_LIMIT);
            permits.add(permit);
            answer(permit, 200, remaining, START.plusSeconds(1));
        }
        ConnectionRateLimiter.Permit sixth = limiter.acquire(NO_LIMIT);

        // Then the four that remained left at once (no spacing), and the sixth waited until just after the reset
        assertThat(permits).allSatisfy(permit -> assertThat(permit.waited()).isZero());
        assertThat(sleeps).containsExactly(Duration.ofSeconds(1).plus(ConnectionRateLimiter.RESET_MARGIN));
        assertThat(sixth.afterReset()).isTrue();
    }

    @Test
    void callersQueuedAtAnExhaustedWindowGoTogetherIntoTheNextOneUpToItsLimit() throws InterruptedException {
        // Given a provider that says nothing remains until the next whole second
        answer(limiter.acquire(NO_LIMIT), 200, 0, START.plusSeconds(1));

        // When seven callers ask before any answer of the next window comes back
        for (int caller = 0; caller < 7; caller++) {
            limiter.acquire(NO_LIMIT);
        }

        // Then five went just after the reset, without waiting for the first of them to report the new window, and
        // the sixth waited for the end of that (predicted) window; the seventh, with no window known, kept the pace
        assertThat(sleeps).containsExactly(Duration.ofSeconds(1).plus(ConnectionRateLimiter.RESET_MARGIN),
                Duration.ofSeconds(1), Duration.ofMillis(200));
    }

    @Test
    void aRequestSentJustBeforeAResetAndNotYetAnsweredCountsAgainstTheNextWindow() throws InterruptedException {
        // Given a window with one request left, spent 100 ms before the reset by a request still in flight
        answer(limiter.acquire(NO_LIMIT), 200, 1, START.plusSeconds(1));
        clock.advance(Duration.ofMillis(900));
        limiter.acquire(NO_LIMIT);

        // When five more callers ask
        for (int caller = 0; caller < 5; caller++) {
            limiter.acquire(NO_LIMIT);
        }

        // Then four went into the next window (the provider may count the one in flight there) and the fifth waited
        // for the window after it
        assertThat(sleeps).containsExactly(Duration.ofMillis(100).plus(ConnectionRateLimiter.RESET_MARGIN), Duration.ofSeconds(1));
    }

    @Test
    void aRequestInFlightThatALaterRequestsAnswerShowsCountedDoesNotCountAgainstTheNextWindow() throws InterruptedException {
        // Given a window whose last two requests are in flight, and the later one's answer says it spent the window
        answer(limiter.acquire(NO_LIMIT), 200, 2, START.plusSeconds(1));
        limiter.acquire(NO_LIMIT);
        ConnectionRateLimiter.Permit last = limiter.acquire(NO_LIMIT);
        answer(last, 200, 0, START.plusSeconds(1));

        // When six callers ask while the earlier one is still unanswered
        for (int caller = 0; caller < 6; caller++) {
            limiter.acquire(NO_LIMIT);
        }

        // Then five went into the next window (the provider counted the earlier request before the later one) and
        // the sixth waited for the window after it
        assertThat(sleeps).containsExactly(Duration.ofSeconds(1).plus(ConnectionRateLimiter.RESET_MARGIN), Duration.ofSeconds(1));
    }

    @Test
    void anAnswerDoesNotCountAgainRequestsLetThroughAfterItThatAnsweredFirst() throws InterruptedException {
        // Given a window with 4 of 5 left, and two requests in flight that the provider counted in reverse order
        answer(limiter.acquire(NO_LIMIT), 200, 4, START.plusSeconds(1));
        ConnectionRateLimiter.Permit second = limiter.acquire(NO_LIMIT);
        ConnectionRateLimiter.Permit third = limiter.acquire(NO_LIMIT);
        answer(third, 200, 3, START.plusSeconds(1));
        answer(second, 200, 2, START.plusSeconds(1));

        // When three more are asked for
        limiter.acquire(NO_LIMIT);
        limiter.acquire(NO_LIMIT);
        limiter.acquire(NO_LIMIT);

        // Then the two that remained went at once and only the third waited for the reset
        assertThat(sleeps).containsExactly(Duration.ofSeconds(1).plus(ConnectionRateLimiter.RESET_MARGIN));
    }

    @Test
    void aRequestStillInFlightIsCountedAgainstWhatAnEarlierAnswerSaysRemains() throws InterruptedException {
        // Given two requests sent before any answer (the first window is unknown, so they are paced 200 ms apart)
        ConnectionRateLimiter.Permit first = limiter.acquire(NO_LIMIT);
        limiter.acquire(NO_LIMIT);

        // When the first answer says 4 remain (the provider had not counted the second yet), and four more are asked for
        answer(first, 200, 4, START.plusSeconds(1));
        for (int caller = 0; caller < 4; caller++) {
            limiter.acquire(NO_LIMIT);
        }

        // Then only three went at once: the one in flight was counted, so the fourth waited for the reset
        assertThat(sleeps).containsExactly(Duration.ofMillis(200), Duration.ofMillis(800).plus(ConnectionRateLimiter.RESET_MARGIN));
    }

    @Test
    void aTooManyRequestsAnswerToARequestSentJustAfterAResetMakesLaterResetsWaitLonger() throws InterruptedException {
        // Given an exhausted window, and a request sent just after its reset that the provider (whose clock is
        // behind) still counts in the old window
        answer(limiter.acquire(NO_LIMIT), 200, 0, START.plusSeconds(1));
        ConnectionRateLimiter.Permit early = limiter.acquire(NO_LIMIT);
        Map<String, List<String>> headers = headers(0, START.plusSeconds(1));
        headers.put("Retry-After", List.of("1"));
        limiter.recordResponse(early, new HttpResult(429, headers, null, null));

        // When the connection goes on after the pause into a window with 4 left, and spends it
        answer(limiter.acquire(NO_LIMIT), 200, 4, START.plusSeconds(3));
        for (int caller = 0; caller < 5; caller++) {
            limiter.acquire(NO_LIMIT);
        }

        // Then the margin past a reset doubled, and the next reset was waited for with it
        Duration doubled = ConnectionRateLimiter.RESET_MARGIN.multipliedBy(2);
        assertThat(limiter.resetMargin()).isEqualTo(doubled);
        assertThat(clock.instant()).isEqualTo(START.plusSeconds(3).plus(doubled));
    }

    private void answer(ConnectionRateLimiter.Permit permit, int status, int remaining, Instant reset) {
        limiter.recordResponse(permit, new HttpResult(status, headers(remaining, reset), null, null));
    }

    private static Map<String, List<String>> headers(int remaining, Instant reset) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        headers.put("X-RateLimit-Limit", List.of("5"));
        headers.put("X-RateLimit-Remaining", List.of(Integer.toString(remaining)));
        headers.put("X-RateLimit-Reset", List.of(Long.toString(reset.getEpochSecond())));
        return headers;
    }

    /** A clock that moves only when told to. Thread-safe. */
    private static final class ManualClock extends Clock {

        private final AtomicReference<Instant> now = new AtomicReference<>(START);

        void advance(Duration duration) {
            now.updateAndGet(instant -> instant.plus(duration));
        }

        @Override
        public Instant instant() {
            return now.get();
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException("tests run in UTC");
        }
    }
}
