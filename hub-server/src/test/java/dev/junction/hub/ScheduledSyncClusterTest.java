package dev.junction.hub;

import static dev.junction.hub.SchedulingSupport.await;
import static dev.junction.hub.SchedulingSupport.runs;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.junction.core.crypto.SecretCipher;
import dev.junction.provider.clio.sandbox.ClioSandbox;
import dev.junction.testkit.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Two hub-server nodes on one PostgreSQL database share the scheduled syncs of five Clio connections (1 s interval):
 * both run some, no scheduled execution runs twice, no connection ever has two overlapping runs, and no entity was
 * ever skipped for a lease held by the other node.
 */
class ScheduledSyncClusterTest {

    private static final int CONNECTIONS = 5;

    @Test
    void twoNodesShareTheScheduledSyncsAndNoExecutionRunsTwice() {
        try (TestDatabase database = TestDatabase.create(TestDatabase.Kind.POSTGRESQL, "ScheduledSyncClusterTest")) {
            String encryptionKey = SecretCipher.generateKey();
            List<String> connections = new ArrayList<>();
            List<SyncScheduler.Execution> executions = new ArrayList<>();
            Map<String, String> reader = SchedulingSupport.nodeSettings(database, encryptionKey, "reader");
            reader.put("scheduler.enabled", "false");
            String key;
            HubServer a = SchedulingSupport.start(SchedulingSupport.nodeSettings(database, encryptionKey, "node-a"));
            HubServer b = SchedulingSupport.start(SchedulingSupport.nodeSettings(database, encryptionKey, "node-b"));
            try (ClioSandbox clio = SchedulingSupport.sandbox(a, 40)) {
                ApiClient api = new ApiClient(a);
                key = SchedulingSupport.tenantWithKey(api, "cluster");
                for (int i = 0; i < CONNECTIONS; i++) {
                    connections.add(SchedulingSupport.connectClio(api, key, clio));
                }
                ApiClient viaB = new ApiClient(b);
                // Which node polls first is up to timing: on a loaded machine one node can take every execution of
                // the first seconds, so the wait lasts until each node has run some (the test's point) as well.
                await("three successful scheduled runs per connection, some on each node", Duration.ofSeconds(50),
                        () -> !a.scheduler().executions().isEmpty() && !b.scheduler().executions().isEmpty()
                                && connections.stream().allMatch(id -> runs(viaB, key, id).stream()
                                        .filter(run -> run.get("status").asText().equals("SUCCEEDED")).count() >= 3));
            } finally {
                // Stopping cancels what runs (it stops after its page); read everything afterwards.
                a.close();
                b.close();
            }
            executions.addAll(a.scheduler().executions());
            executions.addAll(b.scheduler().executions());

            assertThat(a.scheduler().executions()).as("node-a ran some").isNotEmpty();
            assertThat(b.scheduler().executions()).as("node-b ran some").isNotEmpty();
            Set<String> dueKeys = executions.stream().map(e -> e.connectionId() + "@" + e.dueAt()).collect(Collectors.toSet());
            assertThat(dueKeys).as("no scheduled execution ran twice").hasSize(executions.size());

            try (HubServer readOnly = SchedulingSupport.start(reader)) {
                ApiClient api = new ApiClient(readOnly);
                Set<String> runIds = new HashSet<>();
                for (String connection : connections) {
                    List<JsonNode> runs = new ArrayList<>(runs(api, key, connection));
                    runs.sort(Comparator.comparing(run -> Instant.parse(run.get("started_at").asText())));
                    for (int i = 0; i < runs.size(); i++) {
                        JsonNode run = runs.get(i);
                        runIds.add(run.get("id").asText());
                        assertThat(run.get("finished_at").isNull()).as("run %s ended", run.get("id")).isFalse();
                        assertThat(run.get("status").asText()).isIn("SUCCEEDED", "CANCELLED");
                        run.get("entities").forEach(entity -> assertThat(entity.get("status").asText())
                                .as("no entity skipped for a lease held elsewhere").isNotEqualTo("SKIPPED"));
                        if (i > 0) {
                            Instant previousEnd = Instant.parse(runs.get(i - 1).get("finished_at").asText());
                            assertThat(Instant.parse(run.get("started_at").asText()))
                                    .as("run %s starts after the previous one of its connection ended", run.get("id"))
                                    .isAfterOrEqualTo(previousEnd);
                        }
                    }
                }
                // Every run was started by exactly one scheduled execution, on one of the two nodes.
                assertThat(executions.stream().map(SyncScheduler.Execution::runId).collect(Collectors.toSet()))
                        .hasSize(executions.size()).isEqualTo(runIds);
            }
        }
    }
}
