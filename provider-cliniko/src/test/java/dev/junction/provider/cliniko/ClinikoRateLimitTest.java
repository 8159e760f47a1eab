package dev.junction.provider.cliniko;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.core.Connection;
import dev.junction.core.EntitySyncStats;
import dev.junction.core.Hub;
import dev.junction.core.NewConnection;
import dev.junction.core.SyncRequest;
import dev.junction.core.SyncRun;
import dev.junction.core.SyncStatus;
import dev.junction.core.crypto.SecretCipher;
import dev.junction.core.spi.Settings;
import dev.junction.provider.cliniko.sandbox.ClinikoSandbox;
import dev.junction.provider.cliniko.sandbox.SandboxEntity;
import dev.junction.sandbox.LoggedRequest;
import dev.junction.testkit.TestDatabase;
import java.time.Duration;
import java.util.HashSet;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Full syncs against the sandbox's rate limit: at Cliniko's real budget (200 a minute, 100 records a page) the
 * proactive limiter alone keeps every request under the limit; when the budget is shared with another app (the
 * hub thinks it has more than the sandbox grants), the 429s carry {@code X-RateLimit-Reset} and the sync waits for
 * it and finishes.
 */
class ClinikoRateLimitTest {

    private static final Logger LOG = LoggerFactory.getLogger(ClinikoRateLimitTest.class);
    private static final String TENANT = "clinic";

    private ClinikoSandbox sandbox;
    private TestDatabase database;
    private Hub hub;

    @AfterEach
    void stop() {
        if (hub != null) hub.close();
        if (database != null) database.close();
        if (sandbox != null) sandbox.close();
    }

    @Test
    void aFullSyncAtClinikosRealBudgetStaysUnderTheLimitWithoutA429() {
        sandbox = ClinikoSandbox.builder()
                .withRecordCount(SandboxEntity.PATIENTS, 1_000)
                .withRecordCount(SandboxEntity.INDIVIDUAL_APPOINTMENTS, 3_000)
                .withRecordCount(SandboxEntity.INVOICES, 1_000)
                .start(); // 200 requests a minute per key, as Cliniko
        Connection connection = startHub(UnaryOperator.identity()); // the provider's own policy, the hub's default page size

        long start = System.nanoTime();
        SyncRun run = hub.sync(TENANT, connection.id(), SyncRequest.full());
        double seconds = (System.nanoTime() - start) / 1e9;

        long requests = sandbox.requestLog().totalCount();
        LOG.info("Full sync at 200/min: {} requests, {} answered 429, {} s, {} requests/s; {}", requests,
                sandbox.rateLimitStatistics().rejected(), String.format("%.1f", seconds), String.format("%.2f", requests / seconds),
                run.entities().stream().map(stats -> stats.entity() + "=" + stats.added() + " in " + stats.pages() + " pages").toList());
        assertThat(run.status()).as(run.toString()).isEqualTo(SyncStatus.SUCCEEDED);
        assertThat(new HashSet<>(hub.liveIds(TENANT, connection.id(), "individual_appointments"))).hasSize(3_000);
        assertThat(sandbox.rateLimitStatistics().rejected()).as("429 answers").isZero();
        assertThat(sandbox.requestLog().entries()).allSatisfy(request -> assertThat(request.queryParameter("per_page")).isEqualTo("100"));
        assertThat(requests / seconds).as("requests per second (Cliniko allows 3.33)").isLessThanOrEqualTo(200 / 60.0 * 1.05);
        // 1000 patients in 100-record pages plus the archived listing, and so on: far fewer than one request per record.
        assertThat(requests).isLessThan(70);
    }

    @Test
    void whenAnotherAppSharesTheKeyThe429sResetHeaderIsWaitedForAndTheSyncFinishes() {
        // The sandbox grants 5 requests per 5 s window (another app uses the rest); the hub believes it has 600 a
        // minute. Five requests take well under 5 s on any machine, so every window ends in a 429.
        sandbox = ClinikoSandbox.builder()
                .withRecordCount(SandboxEntity.PATIENTS, 1_000)
                .withRecordCount(SandboxEntity.INDIVIDUAL_APPOINTMENTS, 300)
                .withRecordCount(SandboxEntity.INVOICES, 100)
                .withRateLimit(5, Duration.ofSeconds(5))
                .start();
        Connection connection = startHub(builder -> builder.withRateLimit(ClinikoProvider.ID,
                ClinikoProvider.RATE_LIMIT.withBudget(600, Duration.ofMinutes(1))));

        long start = System.nanoTime();
        SyncRun run = hub.sync(TENANT, connection.id(), SyncRequest.full());
        double seconds = (System.nanoTime() - start) / 1e9;

        long rejected = sandbox.rateLimitStatistics().rejected();
        LOG.info("Full sync at 600/min against 5 per 5 s: {} requests, {} answered 429, {} s", sandbox.requestLog().totalCount(),
                rejected, String.format("%.1f", seconds));
        assertThat(run.status()).as(run.toString()).isEqualTo(SyncStatus.SUCCEEDED);
        assertThat(new HashSet<>(hub.liveIds(TENANT, connection.id(), "patients"))).hasSize(1_000);
        long accepted = sandbox.requestLog().totalCount() - rejected;
        // No 429 storm: the reset header is waited for, so at most one 429 per window.
        assertThat(rejected).as("429 answers for %d accepted requests", accepted).isBetween(1L, accepted / 5 + 1);
        assertThat(run.entities().stream().map(EntitySyncStats::rateLimitWait).reduce(Duration.ZERO, Duration::plus)).isPositive();
        // After each 429 the next request waited until the window the reset header named.
        LoggedRequest previous = null;
        for (LoggedRequest request : sandbox.requestLog().entries()) {
            if (previous != null && previous.status() == 429) {
                assertThat(request.timestamp().getEpochSecond() % 5).as("first request after a 429 opens a new window").isLessThan(2);
            }
            previous = request;
        }
    }

    private Connection startHub(UnaryOperator<dev.junction.core.HubBuilder> customize) {
        database = TestDatabase.create(TestDatabase.Kind.EMBEDDED, "ClinikoRateLimitTest");
        hub = customize.apply(database.configure(Hub.builder())
                .withEncryptionKey("k1", SecretCipher.generateKey())
                .withBackgroundInterval(Duration.ZERO)
                .withProvider(new ClinikoProvider(), Settings.of(ClinikoProvider.USER_AGENT, "Junction tests (ops@example.com)")))
                .build();
        return hub.createConnection(NewConnection.of(TENANT, ClinikoProvider.ID)
                .withSetting(ClinikoProvider.API_KEY, sandbox.apiKey())
                .withSetting(ClinikoProvider.BASE_URL, sandbox.baseUrl()));
    }
}
