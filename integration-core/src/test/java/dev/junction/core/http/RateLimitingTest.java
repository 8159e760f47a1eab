package dev.junction.core.http;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import dev.junction.core.error.ErrorContext;
import dev.junction.core.error.RateLimitedException;
import dev.junction.core.spi.RateLimitPolicy;
import dev.junction.core.spi.RateLimitPolicy.RateLimitHeaders;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class RateLimitingTest {

    /** How long the limiter waits past a provider's reset (ConnectionRateLimiter.RESET_MARGIN). */
    private static final Duration RESET_MARGIN = Duration.ofMillis(25);

    @RegisterExtension
    static WireMockExtension provider = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

    @RegisterExtension
    final HttpStackExtension http = new HttpStackExtension();

    private HttpClientSpec spec(String connectionId) {
        return HttpClientSpec.of("clio", connectionId, provider.baseUrl())
                .withRetry(RetrySettings.defaults().withMaxAttempts(1));
    }

    private static long epochSecondsAfter(Duration duration) {
        return ManualClock.START.plus(duration).getEpochSecond();
    }

    @Test
    void proactiveLimitingSpendsAtMostTheBudgetInAnyWindow() {
        // Given a budget of 5 requests per 10 seconds, and an authenticator that notes when each request leaves
        List<Instant> sentAt = new ArrayList<>();
        RequestAuthenticator noteDeparture = () -> {
            sentAt.add(http.clock().instant());
            return Map.of();
        };
        ProviderHttpClient client = http.client(spec("connection-1")
                .withRateLimit(RateLimitPolicy.of(5, Duration.ofSeconds(10)))
                .withAuthenticator(noteDeparture));
        provider.stubFor(get("/matters").willReturn(ok("{}")));

        // When 15 requests are sent back to back
        for (int request = 0; request < 15; request++) {
            client.execute(HttpCall.get("matters"));
        }

        // Then no 10-second window holds more than 5 of them, and they ran evenly at the allowed rate
        for (int index = 0; index + 5 < sentAt.size(); index++) {
            assertThat(Duration.between(sentAt.get(index), sentAt.get(index + 5))).isGreaterThanOrEqualTo(Duration.ofSeconds(10));
        }
        assertThat(http.sleeps()).hasSize(14).containsOnly(Duration.ofSeconds(2));
        assertThat(client.rateLimitStats().requestsSent()).isEqualTo(15);
    }

    @Test
    void adaptiveLimitingSpendsWhatRemainsAtOnceAndWaitsForTheReset() {
        // Given a provider whose headers say 2, then 1, then 0 requests remain until a reset 10 seconds away
        ProviderHttpClient client = http.client(spec("connection-1")
                .withRateLimit(RateLimitPolicy.UNLIMITED.withHeaders(RateLimitHeaders.X_RATE_LIMIT_EPOCH_SECONDS)));
        long reset = epochSecondsAfter(Duration.ofSeconds(10));
        ProviderStubs.inSequence(provider, "/contacts",
                ok("{}").withHeader("X-RateLimit-Remaining", "2").withHeader("X-RateLimit-Reset", Long.toString(reset)),
                ok("{}").withHeader("X-RateLimit-Remaining", "1").withHeader("X-RateLimit-Reset", Long.toString(reset)),
                ok("{}").withHeader("X-RateLimit-Remaining", "0").withHeader("X-RateLimit-Reset", Long.toString(reset)),
                ok("{}").withHeader("X-RateLimit-Remaining", "49").withHeader("X-RateLimit-Reset",
                        Long.toString(epochSecondsAfter(Duration.ofSeconds(70)))));

        // When four requests are sent back to back
        for (int request = 0; request < 4; request++) {
            client.execute(HttpCall.get("contacts"));
        }

        // Then the two that remained went at once (a fixed window's budget left at its reset is lost), and the
        // fourth waited until just after the reset, not before it
        assertThat(http.sleeps()).containsExactly(Duration.ofSeconds(10).plus(RESET_MARGIN));
        assertThat(http.clock().instant()).isEqualTo(ManualClock.START.plusSeconds(10).plus(RESET_MARGIN));
        assertThat(client.rateLimitStats().remaining()).isEqualTo(OptionalInt.of(49));
    }

    @Test
    void adaptiveLimitingWaitsForTheResetWhenNothingRemains() {
        // Given a provider that says nothing remains until a reset 30 seconds away
        ProviderHttpClient client = http.client(spec("connection-1")
                .withRateLimit(RateLimitPolicy.of(50, Duration.ofMinutes(1)).withHeaders(RateLimitHeaders.X_RATE_LIMIT_EPOCH_SECONDS)));
        ProviderStubs.inSequence(provider, "/contacts",
                ok("{}").withHeader("X-RateLimit-Remaining", "0")
                        .withHeader("X-RateLimit-Reset", Long.toString(epochSecondsAfter(Duration.ofSeconds(30)))),
                ok("{}"));

        // When two requests are sent
        client.execute(HttpCall.get("contacts"));
        client.execute(HttpCall.get("contacts"));

        // Then the second waited for the reset (and the margin past it) instead of hitting the wall
        assertThat(http.sleeps()).containsExactly(Duration.ofSeconds(30).plus(RESET_MARGIN));
        assertThat(client.rateLimitStats().rateLimitedResponses()).isZero();
    }

    @Test
    void tooManyRequestsWithRetryAfterPausesAndRetriesWithoutSpendingRetryAttempts() {
        // Given a client allowed a single attempt, and a provider that answers 429 twice before serving
        ProviderHttpClient client = http.client(spec("connection-1"));
        ProviderStubs.inSequence(provider, "/activities",
                aResponse().withStatus(429).withHeader("Retry-After", "7"),
                aResponse().withStatus(429).withHeader("Retry-After", "7"),
                ok("{\"data\":[]}"));

        // When the call is made
        HttpResult result = client.execute(HttpCall.get("activities"));

        // Then it waited as asked each time and succeeded on the third request
        assertThat(result.status()).isEqualTo(200);
        assertThat(http.sleeps()).containsExactly(Duration.ofSeconds(7), Duration.ofSeconds(7));
        provider.verify(3, getRequestedFor(urlPathEqualTo("/activities")));
        RateLimiterStats stats = client.rateLimitStats();
        assertThat(stats.requestsSent()).isEqualTo(3);
        assertThat(stats.rateLimitedResponses()).isEqualTo(2);
        assertThat(stats.timeWaited()).isEqualTo(Duration.ofSeconds(14));
    }

    @Test
    void tooManyRequestsWithAnHttpDateWaitsUntilThatDate() {
        // Given a 429 whose Retry-After is an HTTP date 20 seconds ahead
        ProviderHttpClient client = http.client(spec("connection-1"));
        String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(ManualClock.START.plusSeconds(20).atOffset(ZoneOffset.UTC));
        ProviderStubs.inSequence(provider, "/users", aResponse().withStatus(429).withHeader("Retry-After", date), ok("{}"));

        // When the call is made
        client.execute(HttpCall.get("users"));

        // Then it waited until that date
        assertThat(http.sleeps()).containsExactly(Duration.ofSeconds(20));
    }

    @Test
    void tooManyRequestsWithOnlyAResetHeaderWaitsUntilTheReset() {
        // Given a Cliniko-style 429 that carries only X-RateLimit-Reset, 12 seconds ahead
        ProviderHttpClient client = http.client(spec("connection-1")
                .withRateLimit(RateLimitPolicy.of(200, Duration.ofMinutes(1)).withHeaders(RateLimitHeaders.X_RATE_LIMIT_EPOCH_SECONDS)));
        ProviderStubs.inSequence(provider, "/patients",
                aResponse().withStatus(429).withHeader("X-RateLimit-Reset", Long.toString(epochSecondsAfter(Duration.ofSeconds(12)))),
                ok("{}"));

        // When the call is made
        client.execute(HttpCall.get("patients"));

        // Then it slept until the reset
        assertThat(http.sleeps()).containsExactly(Duration.ofSeconds(12));
    }

    @Test
    void tooManyRequestsBeyondTheCallsWaitBudgetThrowsRateLimited() {
        // Given a call that may wait at most a minute, and a provider asking for ten
        ProviderHttpClient client = http.client(spec("connection-1")
                .withRetry(RetrySettings.defaults().withMaxRateLimitWait(Duration.ofMinutes(1))));
        provider.stubFor(get("/bills").willReturn(aResponse().withStatus(429).withHeader("Retry-After", "600")
                .withHeader("X-Request-Id", "req-429")));

        // When the call is made
        RateLimitedException failure = catchThrowableOfType(() -> client.execute(HttpCall.get("bills").withEntity("bills")),
                RateLimitedException.class);

        // Then it fails at once, saying how long to wait and where it happened
        assertThat(failure.retryAfter()).isEqualTo(Duration.ofMinutes(10));
        assertThat(failure.context()).isEqualTo(new ErrorContext("clio", "connection-1", "bills", 429, "req-429"));
        assertThat(http.sleeps()).isEmpty();
        provider.verify(1, getRequestedFor(urlPathEqualTo("/bills")));
    }

    @Test
    void tooManyRequestsPausesEveryCallerOfTheConnection() {
        // Given two clients of one connection, the first of which may not wait at all
        ProviderHttpClient impatient = http.client(spec("connection-1")
                .withRetry(RetrySettings.defaults().withMaxAttempts(1).withMaxRateLimitWait(Duration.ZERO)));
        ProviderHttpClient patient = http.client(spec("connection-1"));
        ProviderHttpClient otherConnection = http.client(spec("connection-2"));
        ProviderStubs.inSequence(provider, "/tasks", aResponse().withStatus(429).withHeader("Retry-After", "30"), ok("{}"), ok("{}"));

        // When the first is answered 429, and then both the other client of the connection and another connection call
        catchThrowableOfType(() -> impatient.execute(HttpCall.get("tasks")), RateLimitedException.class);
        otherConnection.execute(HttpCall.get("tasks"));
        List<Duration> otherConnectionSleeps = http.sleeps();
        patient.execute(HttpCall.get("tasks"));

        // Then the other connection went at once, while the connection's other client waited out the pause
        assertThat(otherConnectionSleeps).isEmpty();
        assertThat(http.sleeps()).containsExactly(Duration.ofSeconds(30));
    }

    @Test
    void twoThreadsOnOneConnectionShareOneBudget() throws Exception {
        // Given two clients of one connection with a budget of 10 requests per 10 seconds, on a clock that stands
        // still so that every wait is exactly the distance to the slot the limiter handed out
        RecordingSleeper frozen = RecordingSleeper.frozen();
        http.restartWith(frozen);
        HttpClientSpec shared = spec("connection-1").withRateLimit(RateLimitPolicy.of(10, Duration.ofSeconds(10)));
        List<ProviderHttpClient> clients = List.of(http.client(shared), http.client(shared));
        provider.stubFor(get("/matters").willReturn(ok("{}")));

        // When each client sends 10 requests from its own thread
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            List<Future<?>> runs = new ArrayList<>();
            for (ProviderHttpClient client : clients) {
                runs.add(threads.submit(() -> IntStream.range(0, 10).forEach(request -> client.execute(HttpCall.get("matters")))));
            }
            for (Future<?> run : runs) {
                run.get(10, TimeUnit.SECONDS);
            }
        } finally {
            threads.shutdownNow();
        }

        // Then the 20 requests took 20 distinct slots one second apart, as one budget would hand them out
        List<Duration> waits = new ArrayList<>(frozen.sleeps());
        Collections.sort(waits);
        assertThat(waits).containsExactlyElementsOf(IntStream.rangeClosed(1, 19).mapToObj(Duration::ofSeconds).toList());
        assertThat(clients.get(0).rateLimitStats().requestsSent()).isEqualTo(20);
    }

    @Test
    void statisticsCountRequestsRateLimitsWaitingAndWhatRemains() {
        // Given a provider that reports its budget, and answers 429 once
        ProviderHttpClient client = http.client(spec("connection-1")
                .withRateLimit(RateLimitPolicy.UNLIMITED.withHeaders(RateLimitHeaders.X_RATE_LIMIT_EPOCH_SECONDS)));
        ProviderStubs.inSequence(provider, "/users",
                aResponse().withStatus(429).withHeader("Retry-After", "3"),
                ok("{}").withHeader("X-RateLimit-Limit", "50").withHeader("X-RateLimit-Remaining", "42")
                        .withHeader("X-RateLimit-Reset", Long.toString(epochSecondsAfter(Duration.ofSeconds(60)))));

        // When a call goes through, and then the provider's window passes
        client.execute(HttpCall.get("users"));
        RateLimiterStats during = client.rateLimitStats();
        http.clock().advance(Duration.ofMinutes(2));

        // Then the counters say what happened, and what remains is only known while the window is open
        assertThat(during).isEqualTo(new RateLimiterStats(2, 1, Duration.ofSeconds(3), OptionalInt.of(42)));
        assertThat(client.rateLimitStats().remaining()).isEmpty();
    }
}
