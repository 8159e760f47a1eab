package dev.junction.provider.clio;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.core.ChangeEvent;
import dev.junction.core.ChangePage;
import dev.junction.core.Connection;
import dev.junction.core.Hub;
import dev.junction.core.SyncRequest;
import dev.junction.core.SyncRun;
import dev.junction.core.SyncStatus;
import dev.junction.core.crypto.SecretCipher;
import dev.junction.core.spi.RateLimitPolicy;
import dev.junction.core.spi.Settings;
import dev.junction.provider.clio.sandbox.ClioEntity;
import dev.junction.provider.clio.sandbox.ClioSandbox;
import dev.junction.sandbox.Fault;
import dev.junction.testkit.ConformanceSandbox;
import dev.junction.testkit.TestDatabase;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Kills a real process (SIGKILL, no shutdown hooks, no finally blocks) in the middle of a Clio full sync, then resumes
 * in this process on the same database and proves the result is exactly the sandbox's records, each created once.
 */
class ClioKillMidSyncTest {

    static final int PAGE_SIZE = 20;
    static final Duration LEASE = Duration.ofSeconds(2);
    static final String CLIENT_ID = ClioConformanceTest.ClioConformanceSandbox.CLIENT_ID;
    static final String CLIENT_SECRET = ClioConformanceTest.ClioConformanceSandbox.CLIENT_SECRET;
    private static final String TENANT = "kill-test";
    private static final int CONTACTS = 600;

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void aKilledProcessLeavesNothingLostOrDuplicatedAfterTheResume(TestDatabase.Kind kind) throws Exception {
        try (ConformanceSandbox driver = new ClioConformanceTest.ClioConformanceSandbox(ConformanceSandbox.Spec.records(CONTACTS));
                TestDatabase database = TestDatabase.create(kind, "ClioKillMidSyncTest")) {
            String key = SecretCipher.generateKey();
            Connection connection;
            try (Hub setup = hub(database, key)) {
                connection = driver.connect(setup, TENANT);
            }
            // Slow pages so that the kill lands mid-run.
            driver.faults().always().onPath(driver.apiPathPattern()).respondWith(Fault.delay(Duration.ofMillis(60)));

            Process child = startChild(database, key, connection.id());
            long pagesAtKill = awaitPages(child, 4);
            child.destroyForcibly(); // SIGKILL
            assertThat(child.waitFor(10, TimeUnit.SECONDS)).isTrue();
            driver.faults().clear();

            Thread.sleep(LEASE.toMillis() + 200); // the dead process's lease runs out
            try (Hub resumed = hub(database, key)) {
                Set<String> landed = new HashSet<>(resumed.liveIds(TENANT, connection.id(), "contacts"));
                assertThat(landed.size()).as("records landed before the kill (killed after %d pages)", pagesAtKill)
                        .isBetween(PAGE_SIZE * 4, CONTACTS - 1);

                SyncRun run = resumed.sync(TENANT, connection.id(), SyncRequest.full().only("contacts"));

                assertThat(run.status()).isEqualTo(SyncStatus.SUCCEEDED);
                assertThat(new HashSet<>(resumed.liveIds(TENANT, connection.id(), "contacts"))).isEqualTo(driver.liveIds("contacts"));
                assertThat(run.entity("contacts").orElseThrow().added()).isEqualTo(CONTACTS - landed.size());
                List<ChangeEvent> created = changes(resumed, connection.id()).stream()
                        .filter(event -> event.operation().equals("created")).toList();
                assertThat(created).hasSize(CONTACTS);
                assertThat(created.stream().map(ChangeEvent::externalId).collect(Collectors.toSet())).hasSize(CONTACTS);
            }
        }
    }

    private static Hub hub(TestDatabase database, String key) {
        return database.configure(Hub.builder())
                .withEncryptionKey("k1", key)
                .withBackgroundInterval(Duration.ZERO)
                .withPageSize(PAGE_SIZE)
                .withLeaseDuration(LEASE)
                .withRateLimit(ClioProvider.ID, RateLimitPolicy.UNLIMITED)
                .withProvider(new ClioProvider(), Settings.of(Map.of(ClioProvider.CLIENT_ID, CLIENT_ID,
                        ClioProvider.CLIENT_SECRET, CLIENT_SECRET)))
                .build();
    }

    private static Process startChild(TestDatabase database, String key, String connectionId) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String target = database.jdbcUrl().orElseGet(() -> database.dataDirectory().toString());
        List<String> command = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
                KillableSyncProcess.class.getName(), target, key, TENANT, connectionId, "contacts"));
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    /** Reads the child's output until it reports {@code pages} pages; returns the count it reported. */
    private static long awaitPages(Process child, int pages) throws Exception {
        BufferedReader reader = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
        StringBuilder output = new StringBuilder();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String line;
        while (System.nanoTime() < deadline && (line = reader.readLine()) != null) {
            output.append(line).append('\n');
            if (line.startsWith("pages=") && Long.parseLong(line.substring(6)) >= pages) {
                return Long.parseLong(line.substring(6));
            }
            if (line.startsWith("finished")) {
                break;
            }
        }
        child.destroyForcibly();
        throw new AssertionError("the sync process did not reach " + pages + " pages:\n" + output);
    }

    private static List<ChangeEvent> changes(Hub hub, String connectionId) {
        List<ChangeEvent> all = new ArrayList<>();
        long cursor = 0;
        while (true) {
            ChangePage page = hub.changes(TENANT, cursor, connectionId, 1000);
            if (page.events().isEmpty()) return all;
            all.addAll(page.events());
            cursor = page.nextCursor();
        }
    }
}
