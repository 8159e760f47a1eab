package dev.junction.core.http.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.core.error.ErrorContext;
import dev.junction.core.http.HttpResult;
import dev.junction.core.http.ManualClock;
import dev.junction.core.http.Sleeper;
import dev.junction.core.spi.RateLimitPolicy;
import dev.junction.core.spi.RateLimitPolicy.RateLimitHeaders;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The limiter against a Clio-like fixed window of 5 requests per second, with {@code X-RateLimit-*} headers and a
 * reset in whole epoch seconds. Requests are interleaved by hand on one thread (acquire now, answer later) so that
 * requests in flight and answers out of order are exact; waiting moves a manual clock on instead of sleeping.
 */
class ConnectionRateLimiterTest {

    private static final Instant START = ManualClock.START;
    private static final Duration NO_LIMIT = Duration.ofHours(1);

    private final ManualClock clock = new ManualClock();
    private final List<Duration> sleeps = Collections.synchronizedList(new ArrayList<>());
    /** When set, a caller that sleeps says so and stays asleep until the test opens the gate. */
    private volatile CountDownLatch asleep;
    private volatile CountDownLatch gate;
    private final Sleeper advancing = duration -> {
        sleeps.add(duration);
        if (gate != null) {
            asleep.countDown();
            gate.await();
        }
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
        List<Instant> departures = departures(5);

        // Then four went into the next window (the provider may count the one in flight there) and the fifth waited
        // for the window after it
        Instant afterReset = START.plusSeconds(1).plus(ConnectionRateLimiter.RESET_MARGIN);
        assertThat(departures).containsExactly(afterReset, afterReset, afterReset, afterReset, afterReset.plusSeconds(1));
    }

    @Test
    void aRequestInFlightAtAResetWhoseAnswerShowsItCountedBeforeTheResetIsGivenBackToTheNextWindow() throws InterruptedException {
        // Given a request sent 100 ms before a reset and unanswered, and a first caller after the reset
        answer(limiter.acquire(NO_LIMIT), 200, 1, START.plusSeconds(1));
        clock.advance(Duration.ofMillis(900));
        ConnectionRateLimiter.Permit beforeReset = limiter.acquire(NO_LIMIT);
        limiter.acquire(NO_LIMIT);

        // When its answer says the old window counted it, and five more callers ask
        answer(beforeReset, 200, 0, START.plusSeconds(1));
        List<Instant> departures = departures(5);

        // Then four of them went with the first caller (the whole next window) and the fifth waited for the one after
        Instant afterReset = START.plusSeconds(1).plus(ConnectionRateLimiter.RESET_MARGIN);
        assertThat(departures).containsExactly(afterReset, afterReset, afterReset, afterReset, afterReset.plusSeconds(1));
    }

    @Test
    void answersThatComeBackInAnotherOrderThanTheProviderCountedThemAreNotCountedTwice() throws InterruptedException {
        // Given a window with 4 of 5 left, and two requests in flight that the provider counted in reverse order
        answer(limiter.acquire(NO_LIMIT), 200, 4, START.plusSeconds(1));
        ConnectionRateLimiter.Permit second = limiter.acquire(NO_LIMIT);
        ConnectionRateLimiter.Permit third = limiter.acquire(NO_LIMIT);
        answer(third, 200, 3, START.plusSeconds(1));
        answer(second, 200, 2, START.plusSeconds(1));

        // When three more are asked for
        List<Instant> departures = departures(3);

        // Then the two that remained went at once and only the third waited for the reset
        assertThat(departures).containsExactly(START, START, START.plusSeconds(1).plus(ConnectionRateLimiter.RESET_MARGIN));
    }

    @Test
    void aRequestStillInFlightIsCountedAgainstWhatAnEarlierAnswerSaysRemains() throws InterruptedException {
        // Given two requests sent before any answer (the first window is unknown, so they are paced 200 ms apart)
        ConnectionRateLimiter.Permit first = limiter.acquire(NO_LIMIT);
        limiter.acquire(NO_LIMIT);

        // When the first answer says 4 remain (the provider may not have counted the second yet), and four more ask
        answer(first, 200, 4, START.plusSeconds(1));
        List<Instant> departures = departures(4);

        // Then only three went at once: the one in flight was counted, so the fourth waited for the reset
        Instant paced = START.plusMillis(200);
        assertThat(departures).containsExactly(paced, paced, paced, START.plusSeconds(1).plus(ConnectionRateLimiter.RESET_MARGIN));
    }

    @Test
    void aCallerThatFindsTheWindowSpentOnlyByRequestsInFlightLeavesAsSoonAsTheirAnswersShowBudgetLeft() throws Exception {
        // Given three requests (paced 200 ms apart, no window known yet) that the provider counted last to first,
        // and the first one's answer, saying 2 are left, back before the others
        ConnectionRateLimiter.Permit first = limiter.acquire(NO_LIMIT);
        ConnectionRateLimiter.Permit second = limiter.acquire(NO_LIMIT);
        ConnectionRateLimiter.Permit third = limiter.acquire(NO_LIMIT);
        answer(first, 200, 2, START.plusSeconds(1));

        // When a caller asks, and the two in flight are answered while it waits
        asleep = new CountDownLatch(1);
        gate = new CountDownLatch(1);
        CompletableFuture<Instant> departure = CompletableFuture.supplyAsync(() -> {
            try {
                limiter.acquire(NO_LIMIT);
                return clock.instant();
            } catch (InterruptedException interrupted) {
                throw new IllegalStateException(interrupted);
            }
        });
        assertThat(asleep.await(10, TimeUnit.SECONDS)).isTrue();
        answer(second, 200, 4, START.plusSeconds(1));
        answer(third, 200, 3, START.plusSeconds(1));
        gate.countDown();

        // Then it left at its first look after the answers, long before the reset: 2 were left
        assertThat(departure.get(10, TimeUnit.SECONDS))
                .isEqualTo(START.plusMillis(400).plus(ConnectionRateLimiter.RECHECK_WHILE_ANSWERS_PENDING));
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

    @ParameterizedTest
    @ValueSource(ints = {20, 60, 120, 180})
    void aSyncWhosePagesComeBackWithinTheAllowedSpacingFillsEveryWindow(int roundTripMillis) throws InterruptedException {
        // Given a provider counting 5 requests per epoch-aligned second, and a sync that asks for the next page as
        // soon as a page comes back, each round trip taking the given time (half there, half back)
        Map<Long, Integer> countedPerWindow = new java.util.TreeMap<>();
        clock.advance(Duration.ofMillis(300));

        // When 40 pages are fetched
        for (int page = 0; page < 40; page++) {
            ConnectionRateLimiter.Permit permit = limiter.acquire(NO_LIMIT);
            clock.advance(Duration.ofMillis(roundTripMillis / 2));
            long window = Math.floorDiv(clock.millis(), 1000L);
            int counted = countedPerWindow.merge(window, 1, Integer::sum);
            clock.advance(Duration.ofMillis(roundTripMillis - roundTripMillis / 2));
            answer(permit, counted <= 5 ? 200 : 429, Math.max(0, 5 - counted), Instant.ofEpochSecond(window + 1));
        }

        // Then none was refused, and every window but the first and the last held the whole budget (the old rule,
        // spreading what remained until the reset, let the fifth request slip into the next window: 80 % at 20 ms)
        List<Integer> counts = List.copyOf(countedPerWindow.values());
        assertThat(counts).allSatisfy(count -> assertThat(count).isLessThanOrEqualTo(5));
        assertThat(counts.subList(1, counts.size() - 1)).containsOnly(5);
    }

    /** Lets {@code callers} acquire one after another, and returns when each left. */
    private List<Instant> departures(int callers) throws InterruptedException {
        List<Instant> departures = new ArrayList<>();
        for (int caller = 0; caller < callers; caller++) {
            limiter.acquire(NO_LIMIT);
            departures.add(clock.instant());
        }
        return departures;
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
}
