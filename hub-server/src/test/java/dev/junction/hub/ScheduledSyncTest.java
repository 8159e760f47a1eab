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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * One node with the scheduler on, time scaled down (1 s default interval): a connection that completes OAuth is
 * synced at once and then every interval; its schedule is shown, changed and switched off over the API (bad input
 * 422, another tenant 404); deleting the connection removes its scheduled task. Both databases.
 */
class ScheduledSyncTest {

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void aConnectionIsSyncedOnItsScheduleWhichTheApiShowsChangesAndSwitchesOff(TestDatabase.Kind kind) {
        try (TestDatabase database = TestDatabase.create(kind, "ScheduledSyncTest");
                HubServer server = SchedulingSupport.start(SchedulingSupport.nodeSettings(database, SecretCipher.generateKey(), "node-a"));
                ClioSandbox clio = SchedulingSupport.sandbox(server, 30)) {
            ApiClient api = new ApiClient(server);
            String key = SchedulingSupport.tenantWithKey(api, "sched-a");
            String other = SchedulingSupport.tenantWithKey(api, "sched-b");
            String connection = SchedulingSupport.connectClio(api, key, clio);
            String path = "/v1/connections/" + connection + "/schedule";

            // Synced at once (the first pass is full), then again every second, with no manual trigger.
            await("three scheduled runs", Duration.ofSeconds(30), () -> runs(api, key, connection).stream()
                    .filter(run -> run.get("status").asText().equals("SUCCEEDED")).count() >= 3);
            assertThat(api.get("/v1/records/contact?limit=1000&connection_id=" + connection, key).json().get("items")).hasSize(30);
            JsonNode detail = api.get("/v1/connections/" + connection, key).json();
            assertThat(detail.get("schedule").get("interval_seconds").asLong()).isEqualTo(1);
            assertThat(detail.get("schedule").get("default_interval").asBoolean()).isTrue();
            assertThat(detail.get("schedule").get("enabled").asBoolean()).isTrue();
            assertThat(detail.get("schedule").get("last_run_id").asText()).isNotBlank();
            assertThat(server.scheduler().executions()).isNotEmpty()
                    .allSatisfy(execution -> assertThat(execution.node()).isEqualTo("node-a"));

            // Bad input, and another tenant's connection.
            assertThat(api.send("PUT", path, key, "{\"interval_seconds\":5}", java.util.Map.of()).status()).isEqualTo(422);
            assertThat(api.send("PUT", path, key, "{\"interval_seconds\":\"hourly\"}", java.util.Map.of()).status()).isEqualTo(422);
            assertThat(api.send("PUT", path, key, "{\"enabled\":\"yes\"}", java.util.Map.of()).status()).isEqualTo(422);
            assertThat(api.send("PUT", path, key, "{\"every\":60}", java.util.Map.of()).status()).isEqualTo(422);
            assertThat(api.send("PUT", path, key, "[]", java.util.Map.of()).status()).isIn(400, 422);
            assertThat(api.send("PUT", path, other, "{\"interval_seconds\":60}", java.util.Map.of()).status()).isEqualTo(404);
            assertThat(api.get(path, other).status()).isEqualTo(404);

            // An hour: the next sync moves an hour out (once a run in progress, if any, has ended).
            ApiClient.Response hourly = api.send("PUT", path, key, "{\"interval_seconds\":3600}", java.util.Map.of());
            assertThat(hourly.status()).as(hourly.json().toString()).isEqualTo(200);
            assertThat(hourly.json().get("interval_seconds").asLong()).isEqualTo(3600);
            assertThat(hourly.json().get("default_interval").asBoolean()).isFalse();
            await("the next run an hour out", Duration.ofSeconds(15), () -> {
                JsonNode schedule = api.get(path, key).json();
                return !schedule.get("running").asBoolean() && !schedule.get("next_run_at").isNull()
                        && Instant.parse(schedule.get("next_run_at").asText()).isAfter(Instant.now().plus(Duration.ofMinutes(50)));
            });
            int runsBefore = runs(api, key, connection).size();

            // Off: no next run, and no more runs.
            ApiClient.Response off = api.send("PUT", path, key, "{\"enabled\":false}", java.util.Map.of());
            assertThat(off.status()).isEqualTo(200);
            assertThat(off.json().get("enabled").asBoolean()).isFalse();
            assertThat(off.json().get("interval_seconds").asLong()).as("the interval is kept").isEqualTo(3600);
            assertThat(off.json().get("next_run_at").isNull()).isTrue();
            // A connection active without any schedule (activated outside the API, or before scheduling existed) is
            // scheduled by the maintenance round.
            server.hub().database().jdbi().useHandle(handle -> handle.createUpdate("DELETE FROM hub_sync_schedule WHERE connection_id = :id")
                    .bind("id", connection).execute());
            assertThat(scheduledTasks(server, connection)).isZero();
            server.scheduler().maintain();
            assertThat(scheduledTasks(server, connection)).isEqualTo(1);
            assertThat(api.get(path, key).json().get("enabled").asBoolean()).isTrue();
            // Back to the default interval and on: the next run is due within the default interval.
            ApiClient.Response on = api.send("PUT", path, key, "{\"enabled\":true,\"interval_seconds\":null}", java.util.Map.of());
            assertThat(on.json().get("default_interval").asBoolean()).isTrue();
            await("a run on the default interval again", Duration.ofSeconds(20), () -> runs(api, key, connection).size() > runsBefore);

            // Deleted: the scheduled task goes with the connection.
            assertThat(api.delete("/v1/connections/" + connection, key).status()).isEqualTo(204);
            await("the task removed", Duration.ofSeconds(15), () -> scheduledTasks(server, connection) == 0);
            assertThat(api.get(path, key).status()).isEqualTo(404);
        }
    }

    static int scheduledTasks(HubServer server, String connectionId) {
        return server.hub().database().jdbi().withHandle(handle -> handle.createQuery(
                        "SELECT COUNT(*) FROM hub_scheduled_tasks WHERE task_name = 'junction-sync' AND task_instance = :id")
                .bind("id", connectionId).mapTo(Integer.class).one());
    }
}
