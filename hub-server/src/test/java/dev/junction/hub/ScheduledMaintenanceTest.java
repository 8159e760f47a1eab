package dev.junction.hub;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.core.Connection;
import dev.junction.core.ConnectionStatus;
import dev.junction.core.NewConnection;
import dev.junction.core.crypto.SecretCipher;
import dev.junction.provider.cliniko.ClinikoProvider;
import dev.junction.provider.cliniko.sandbox.ClinikoSandbox;
import dev.junction.testkit.TestDatabase;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The maintenance round's scheduling step across many tenants (it finds its work with two queries, however many
 * tenants and connections there are): active connections made outside the API, in every hub-server tenant, get a
 * scheduled sync once; a second round schedules nothing; a connection switched off and one of a tenant hub-server
 * does not know are left alone; a connection deleted outside the API loses its schedule. An API-only node (scheduler
 * off), so no sync runs meanwhile. Both databases.
 */
class ScheduledMaintenanceTest {

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void theMaintenanceRoundSchedulesEveryTenantsUnscheduledConnectionsAndForgetsDeletedOnes(TestDatabase.Kind kind) {
        try (TestDatabase database = TestDatabase.create(kind, "ScheduledMaintenanceTest"); ClinikoSandbox cliniko = ClinikoSandbox.builder().start()) {
            Map<String, String> settings = SchedulingSupport.nodeSettings(database, SecretCipher.generateKey(), "node-a");
            settings.put("scheduler.enabled", "false");
            settings.put("provider.cliniko.user_agent", "Junction tests (tests@example.com)");
            try (HubServer server = SchedulingSupport.start(settings)) {
                ApiClient api = new ApiClient(server);
                List<Connection> connections = new ArrayList<>();
                for (int t = 0; t < 3; t++) {
                    String tenant = "maint-" + t;
                    SchedulingSupport.tenantWithKey(api, tenant);
                    for (int c = 0; c < 3; c++) {
                        connections.add(connectOutsideTheApi(server, tenant, cliniko));
                    }
                }
                Connection stranger = connectOutsideTheApi(server, "not-a-hub-tenant", cliniko);
                assertThat(connections).allSatisfy(connection -> assertThat(connection.status()).isEqualTo(ConnectionStatus.ACTIVE));
                assertThat(connections).allSatisfy(connection -> assertThat(ScheduledSyncTest.scheduledTasks(server, connection.id())).isZero());

                // One switched off over the API before the round: it stays unscheduled.
                Connection off = connections.get(4);
                server.scheduler().update(off, null, false);

                assertThat(server.scheduler().scheduleUnscheduled()).isEqualTo(connections.size() - 1);
                for (Connection connection : connections) {
                    assertThat(ScheduledSyncTest.scheduledTasks(server, connection.id())).as(connection.id()).isEqualTo(connection == off ? 0 : 1);
                }
                assertThat(ScheduledSyncTest.scheduledTasks(server, stranger.id())).isZero();
                assertThat(server.scheduler().schedule(connections.get(0).tenantId(), connections.get(0).id()).enabled()).isTrue();
                assertThat(server.scheduler().scheduleUnscheduled()).as("nothing left to schedule").isZero();

                // Deleted outside the API: the next round forgets its schedule and its task.
                Connection deleted = connections.get(7);
                assertThat(server.hub().deleteConnection(deleted.tenantId(), deleted.id())).isTrue();
                server.scheduler().maintain();
                assertThat(ScheduledSyncTest.scheduledTasks(server, deleted.id())).isZero();
                assertThat(scheduleRows(server, deleted.id())).isZero();
                assertThat(scheduleRows(server, connections.get(6).id())).isEqualTo(1);
                assertThat(ScheduledSyncTest.scheduledTasks(server, connections.get(6).id())).isEqualTo(1);
            }
        }
    }

    private static Connection connectOutsideTheApi(HubServer server, String tenantId, ClinikoSandbox cliniko) {
        return server.hub().createConnection(NewConnection.of(tenantId, ClinikoProvider.ID)
                .withSetting("api_key", cliniko.apiKey()).withSetting("base_url", cliniko.baseUrl()));
    }

    private static int scheduleRows(HubServer server, String connectionId) {
        return server.hub().database().jdbi().withHandle(handle -> handle.createQuery(
                        "SELECT COUNT(*) FROM hub_sync_schedule WHERE connection_id = :id")
                .bind("id", connectionId).mapTo(Integer.class).one());
    }
}
