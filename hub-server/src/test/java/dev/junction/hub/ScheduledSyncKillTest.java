package dev.junction.hub;

import static dev.junction.hub.SchedulingSupport.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.core.ChangeEvent;
import dev.junction.core.ChangePage;
import dev.junction.core.EntitySyncStats;
import dev.junction.core.Hub;
import dev.junction.core.SyncRun;
import dev.junction.core.SyncStatus;
import dev.junction.core.crypto.SecretCipher;
import dev.junction.provider.clio.sandbox.ClioEntity;
import dev.junction.provider.clio.sandbox.ClioSandbox;
import dev.junction.sandbox.Fault;
import dev.junction.testkit.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * A hub-server node in a child JVM runs a connection's scheduled sync and is killed (SIGKILL: no shutdown hook, no
 * finally) in the middle of it, while a second node is up. The second node's scheduler finds the dead execution by
 * its stale heartbeat, runs it, takes over the expired entity lease and resumes the pass from its checkpoint: every
 * sandbox record ends up stored, each created exactly once.
 */
class ScheduledSyncKillTest {

    private static final String TENANT = "kill-sched";
    private static final int CONTACTS = 400;

    @Test
    void whenTheNodeRunningAScheduledSyncIsKilledTheOtherNodeFinishesIt() throws Exception {
        Path log = Files.createTempFile("doomed-node", ".log");
        try (TestDatabase database = TestDatabase.create(TestDatabase.Kind.POSTGRESQL, "ScheduledSyncKillTest")) {
            String encryptionKey = SecretCipher.generateKey();
            // An API-only node: it connects the tenant and writes the schedule, but runs nothing.
            Map<String, String> apiOnly = SchedulingSupport.nodeSettings(database, encryptionKey, "api-node");
            apiOnly.put("scheduler.enabled", "false");
            try (HubServer api = SchedulingSupport.start(apiOnly); ClioSandbox clio = SchedulingSupport.sandbox(api, CONTACTS)) {
                ApiClient client = new ApiClient(api);
                String key = SchedulingSupport.tenantWithKey(client, TENANT);
                String connection = SchedulingSupport.connectClio(client, key, clio);
                Hub hub = api.hub();
                // Slow pages, so that the kill lands mid-pass.
                clio.faults().always().onPath("/api/v4/**").respondWith(Fault.delay(Duration.ofMillis(60)));

                Process doomed = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp", System.getProperty("java.class.path"), ScheduledNodeProcess.class.getName(),
                        database.jdbcUrl().orElseThrow(), encryptionKey, "doomed-node")
                        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
                HubServer survivor = null;
                try {
                    await("the doomed node's scheduled sync to store 4 pages of contacts", Duration.ofSeconds(60),
                            () -> hub.liveIds(TENANT, connection, "contacts").size() >= 4 * SchedulingSupport.PAGE_SIZE);
                    // Slower still while the second node starts, so the pass is surely not finished at the kill (a
                    // loaded machine may take seconds to start a node). It joins while the first runs the sync: the
                    // execution is picked, so it has nothing to run.
                    clio.faults().clear();
                    clio.faults().always().onPath("/api/v4/**").respondWith(Fault.delay(Duration.ofSeconds(1)));
                    survivor = SchedulingSupport.start(SchedulingSupport.nodeSettings(database, encryptionKey, "survivor"));
                    doomed.destroyForcibly(); // SIGKILL
                    assertThat(doomed.waitFor(10, TimeUnit.SECONDS)).isTrue();
                    clio.faults().clear();
                    int landed = hub.liveIds(TENANT, connection, "contacts").size();
                    assertThat(landed).as("killed mid-pass").isBetween(4 * SchedulingSupport.PAGE_SIZE, CONTACTS - 1);
                    assertThat(survivor.scheduler().executions()).as("nothing to pick while the other node held it").isEmpty();

                    HubServer node = survivor;
                    await("the survivor to finish the sync", Duration.ofSeconds(40), () -> node.scheduler().executions().stream()
                            .map(execution -> hub.getSyncRun(TENANT, execution.runId()))
                            .anyMatch(run -> run.status() == SyncStatus.SUCCEEDED));

                    List<SyncRun> survivorRuns = survivor.scheduler().executions().stream()
                            .map(execution -> hub.getSyncRun(TENANT, execution.runId())).toList();
                    assertThat(survivor.scheduler().executions()).allSatisfy(execution -> assertThat(execution.connectionId()).isEqualTo(connection));
                    long addedBySurvivor = survivorRuns.stream().flatMap(run -> run.entity("contacts").stream())
                            .mapToLong(EntitySyncStats::added).sum();
                    assertThat(addedBySurvivor).as("the survivor added only what the killed node had not").isEqualTo(CONTACTS - landed);
                    assertThat(new HashSet<>(hub.liveIds(TENANT, connection, "contacts")))
                            .isEqualTo(clio.liveIds(ClioEntity.CONTACTS).stream().map(String::valueOf).collect(Collectors.toSet()));
                    List<ChangeEvent> created = changes(hub, connection).stream().filter(event -> event.operation().equals("created")).toList();
                    assertThat(created.stream().filter(event -> event.entity().equals("contacts"))).hasSize(CONTACTS);
                    Set<String> distinct = created.stream().map(event -> event.entity() + "/" + event.externalId()).collect(Collectors.toSet());
                    assertThat(distinct).as("each record created once").hasSize(created.size());
                    // The killed node's run does not show RUNNING forever: the take-over closed it as abandoned.
                    Set<String> survivorRunIds = survivorRuns.stream().map(SyncRun::id).collect(Collectors.toSet());
                    List<SyncRun> killed = hub.listSyncRuns(TENANT, connection, 100).stream()
                            .filter(run -> !survivorRunIds.contains(run.id())).toList();
                    assertThat(killed).singleElement().satisfies(run -> {
                        assertThat(run.status()).isEqualTo(SyncStatus.FAILED);
                        assertThat(run.error()).startsWith("abandoned");
                        assertThat(run.finishedAt()).isNotNull();
                    });
                } finally {
                    doomed.destroyForcibly();
                    if (survivor != null) {
                        survivor.close();
                    }
                }
            }
        } catch (AssertionError | RuntimeException e) {
            System.err.println("doomed node's output:\n" + Files.readString(log, StandardCharsets.UTF_8));
            throw e;
        } finally {
            Files.deleteIfExists(log);
        }
    }

    private static List<ChangeEvent> changes(Hub hub, String connectionId) {
        List<ChangeEvent> all = new ArrayList<>();
        long cursor = 0;
        while (true) {
            ChangePage page = hub.changes(TENANT, cursor, connectionId, 1000);
            if (page.events().isEmpty()) {
                return all;
            }
            all.addAll(page.events());
            cursor = page.nextCursor();
        }
    }
}
