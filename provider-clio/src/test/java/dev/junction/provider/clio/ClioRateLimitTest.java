package dev.junction.provider.clio;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.core.Connection;
import dev.junction.core.Hub;
import dev.junction.core.SyncHandle;
import dev.junction.core.SyncRequest;
import dev.junction.core.SyncRun;
import dev.junction.core.SyncStatus;
import dev.junction.core.crypto.SecretCipher;
import dev.junction.core.http.Sleeper;
import dev.junction.provider.clio.sandbox.ClioEntity;
import dev.junction.provider.clio.sandbox.ClioSandbox;
import dev.junction.sandbox.LoggedRequest;
import dev.junction.sandbox.MutableClock;
import dev.junction.testkit.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Full syncs against the sandbox's Clio rate limit scaled down to 5 requests per one-second window (epoch-aligned,
 * so Clio's whole-second {@code X-RateLimit-Reset} states each reset exactly), with the Clio policy and its headers.
 * Hub and sandbox share a {@link MutableClock} that only the limiter's waits move: a request takes no time on it,
 * so the figures below depend on the limiter alone, never on the machine's speed.
 */
class ClioRateLimitTest {

    private static final String TENANT = "firm";
    private static final int LIMIT = 5;
    private static final Duration WINDOW = Duration.ofSeconds(1);

    private final MutableClock clock = MutableClock.at(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    /** Sleeping moves the shared clock on to the end of the wait (never back, when two callers wait at once). */
    private final Sleeper advancing = duration -> {
        Instant end = clock.instant().plus(duration);
        synchronized (clock) {
            if (clock.instant().isBefore(end)) {
                clock.setInstant(end);
            }
        }
    };
    private ClioSandbox sandbox;
    private TestDatabase database;
    private Hub hub;

    @AfterEach
    void stop() {
        if (hub != null) hub.close();
        if (database != null) database.close();
        if (sandbox != null) sandbox.close();
    }

    @Test
    void oneSyncSpendsEveryWindowsWholeBudgetWithoutA429() {
        // Given 4,000 contacts (20 pages of 200) behind a budget of 5 requests a second
        Connection connection = start(Map.of(ClioEntity.CONTACTS, 4_000L));

        // When they are synced
        SyncRun run = hub.sync(TENANT, connection.id(), SyncRequest.full().only("contacts"));

        // Then no request was refused, and every window from the first request to the last was filled: the sync
        // took one window per 5 requests, as the provider allows
        assertThat(run.status()).as(run.toString()).isEqualTo(SyncStatus.SUCCEEDED);
        assertThat(sandbox.rateLimitStatistics().rejected()).as("429 answers").isZero();
        Map<Long, Long> perWindow = apiRequestsPerWindow();
        assertThat(perWindow.values().stream().mapToLong(Long::longValue).sum()).isGreaterThanOrEqualTo(20);
        assertThat(allButLast(perWindow)).as("requests per window %s", perWindow).containsOnly((long) LIMIT);
        assertThat(perWindow.keySet()).as("windows used, with none skipped").containsExactlyElementsOf(
                java.util.stream.LongStream.rangeClosed(firstKey(perWindow), firstKey(perWindow) + perWindow.size() - 1)
                        .boxed().toList());
    }

    @Test
    void twoSyncsOfOneConnectionShareOneBudgetWithoutA429() throws Exception {
        // Given contacts and matters of one connection, 2,000 each, behind a budget of 5 requests a second
        Connection connection = start(Map.of(ClioEntity.CONTACTS, 2_000L, ClioEntity.MATTERS, 2_000L));

        // When both entities sync at once
        SyncHandle contacts = hub.startSync(TENANT, connection.id(), SyncRequest.full().only("contacts"));
        SyncHandle matters = hub.startSync(TENANT, connection.id(), SyncRequest.full().only("matters"));

        // Then both finished, and together they never went past the budget: not one 429
        assertThat(contacts.await().status()).isEqualTo(SyncStatus.SUCCEEDED);
        assertThat(matters.await().status()).isEqualTo(SyncStatus.SUCCEEDED);
        assertThat(sandbox.rateLimitStatistics().rejected()).as("429 answers, requests per window %s", apiRequestsPerWindow())
                .isZero();
        assertThat(apiRequestsPerWindow().values()).allSatisfy(count -> assertThat(count).isLessThanOrEqualTo(LIMIT));
    }

    private Connection start(Map<ClioEntity, Long> counts) {
        ClioSandbox.Builder builder = ClioSandbox.builder().withClock(clock).withRateLimit(LIMIT, WINDOW)
                .withOAuthClient(ClioConformanceTest.ClioConformanceSandbox.CLIENT_ID,
                        ClioConformanceTest.ClioConformanceSandbox.CLIENT_SECRET,
                        ClioConformanceTest.ClioConformanceSandbox.REDIRECT_URI);
        for (Map.Entry<ClioEntity, Long> count : counts.entrySet()) {
            builder = builder.withRecordCount(count.getKey(), count.getValue());
        }
        sandbox = builder.start();
        ClioConformanceTest.ClioConformanceSandbox driver = new ClioConformanceTest.ClioConformanceSandbox(sandbox);
        database = TestDatabase.create(TestDatabase.Kind.EMBEDDED, "ClioRateLimitTest");
        hub = database.configure(Hub.builder())
                .withEncryptionKey("k1", SecretCipher.generateKey())
                .withClock(clock)
                .withSleeper(advancing)
                .withBackgroundInterval(Duration.ZERO)
                // Clio's own policy and headers, with the budget scaled down as the sandbox's.
                .withRateLimit(ClioProvider.ID, new ClioProvider().rateLimitPolicy().withBudget(LIMIT, WINDOW))
                .withPageSize(200)
                .withProvider(new ClioProvider(), driver.providerSettings())
                .build();
        return driver.connect(hub, TENANT);
    }

    /** API requests (the ones the rate limit counts) per sandbox window, by window index. */
    private Map<Long, Long> apiRequestsPerWindow() {
        return sandbox.requestLog().entries().stream().filter(entry -> entry.path().startsWith("/api/"))
                .map(LoggedRequest::timestamp)
                .collect(Collectors.groupingBy(at -> Math.floorDiv(at.toEpochMilli(), WINDOW.toMillis()), TreeMap::new,
                        Collectors.counting()));
    }

    private static List<Long> allButLast(Map<Long, Long> perWindow) {
        List<Long> counts = List.copyOf(perWindow.values());
        return counts.subList(0, counts.size() - 1);
    }

    private static long firstKey(Map<Long, Long> perWindow) {
        return perWindow.keySet().iterator().next();
    }
}
