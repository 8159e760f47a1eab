package dev.junction.hub;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.junction.core.crypto.SecretCipher;
import dev.junction.provider.clio.sandbox.ClioSandbox;
import dev.junction.sandbox.Fault;
import dev.junction.testkit.TestDatabase;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Two nodes on one PostgreSQL: a sync started through node A is cancelled through node B, which does not run it. The
 * request is kept in the database and read by A at its next page commit, so the run stops there and ends CANCELLED.
 */
class ClusterCancelTest {

    @Test
    void aRunStartedOnOneNodeIsCancelledThroughTheOther() {
        String encryptionKey = SecretCipher.generateKey();
        try (TestDatabase database = TestDatabase.postgres("ClusterCancelTest")) {
            Map<String, String> settingsA = SchedulingSupport.nodeSettings(database, encryptionKey, "node-a");
            Map<String, String> settingsB = SchedulingSupport.nodeSettings(database, encryptionKey, "node-b");
            settingsA.put("scheduler.enabled", "false"); // the test starts the run itself
            settingsB.put("scheduler.enabled", "false");
            try (HubServer nodeA = SchedulingSupport.start(settingsA);
                 HubServer nodeB = SchedulingSupport.start(settingsB);
                 ClioSandbox clio = SchedulingSupport.sandbox(nodeA, 400)) {
                ApiClient apiA = new ApiClient(nodeA);
                ApiClient apiB = new ApiClient(nodeB);
                String key = SchedulingSupport.tenantWithKey(apiA, "cancel-tenant");
                String connection = SchedulingSupport.connectClio(apiA, key, clio);

                // slow pages, so the run is certainly still going when the cancel arrives
                clio.faults().always().onPath("/api/v4/contacts*").respondWith(Fault.delay(Duration.ofMillis(400)));
                try {
                    ApiClient.Response started = apiA.post("/v1/connections/" + connection + "/syncs", key,
                            "{\"mode\":\"full\",\"entities\":[\"contacts\"]}");
                    assertThat(started.status()).isEqualTo(202);
                    String run = "/v1/syncs/" + started.json().get("run_id").asText();
                    SchedulingSupport.await("the first page", Duration.ofSeconds(30),
                            () -> apiB.get(run, key).json().get("entities").get(0).get("pages").asLong() >= 1);

                    ApiClient.Response cancelled = apiB.post(run + "/cancel", key, null);
                    assertThat(cancelled.status()).as(String.valueOf(cancelled.json())).isEqualTo(202);
                    SchedulingSupport.await("the run to stop", Duration.ofSeconds(30),
                            () -> !List.of("PENDING", "RUNNING").contains(apiB.get(run, key).json().get("status").asText()));
                    JsonNode stopped = apiB.get(run, key).json();
                    assertThat(stopped.get("status").asText()).isEqualTo("CANCELLED");
                    assertThat(stopped.get("entities").get(0).get("added").asLong()).as("stopped mid-pass").isLessThan(400);

                    // an ended run cannot be cancelled, and another tenant's run is not found
                    assertThat(apiB.post(run + "/cancel", key, null).status()).isEqualTo(409);
                    String other = SchedulingSupport.tenantWithKey(apiB, "other-tenant");
                    assertThat(apiB.post(run + "/cancel", other, null).status()).isEqualTo(404);
                } finally {
                    clio.faults().clear();
                }
            }
        }
    }
}
