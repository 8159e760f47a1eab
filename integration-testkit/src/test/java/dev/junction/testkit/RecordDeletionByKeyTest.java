package dev.junction.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.core.ChangeEvent;
import dev.junction.core.Connection;
import dev.junction.core.Hub;
import dev.junction.core.NewConnection;
import dev.junction.core.SyncRequest;
import dev.junction.core.internal.store.RecordRepository;
import dev.junction.core.model.Contact;
import dev.junction.sandbox.MutableClock;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A deletion names the record's connection, entity and id but not its unified type, the unified primary key's second
 * column ({@code connection_id, unified_type, external_id}). With the connection alone bounding the index scan,
 * PostgreSQL read every unified row of the connection, or scanned the table, for each deleted record (19 ms a deletion
 * at 200,000 rows, 26 ms for the lookup of a sweep chunk's unified types), and H2 read the connection's rows (a
 * 200,000-row scan each). Listing every unified type lets both find each row by its key (0.1 ms on PostgreSQL). On
 * both databases: a deletion still marks the record and its unified row deleted and its change event carries the
 * unified type.
 */
class RecordDeletionByKeyTest {

    private static final String TENANT = "tenant-d";
    private static final Instant NOW = Instant.parse("2026-03-01T00:00:00Z");

    private TestDatabase database;
    private Hub hub;

    @AfterEach
    void stop() {
        if (hub != null) hub.close();
        if (database != null) database.close();
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void aDeletedRecordIsFoundByItsKey(TestDatabase.Kind kind) throws Exception {
        database = TestDatabase.create(kind, "RecordDeletionByKeyTest");
        MutableClock clock = MutableClock.at(NOW);
        MemoryProvider provider = new MemoryProvider(clock);
        hub = provider.hubBuilder(database).build();
        Connection connection = hub.createConnection(NewConnection.of(TENANT, "memory").withSetting("api_key", "key-value"));
        LongStream.rangeClosed(1, 5).forEach(id -> provider.put(id, "Person " + id));
        hub.sync(TENANT, connection.id(), SyncRequest.full());
        provider.people.remove(2L);

        assertThat(hub.sync(TENANT, connection.id(), SyncRequest.full()).entity("people").orElseThrow().deleted()).isEqualTo(1);

        List<ChangeEvent> events = hub.changes(TENANT, 0, null, 100).events();
        assertThat(events).extracting(ChangeEvent::externalId).containsExactly("1", "2", "3", "4", "5", "2");
        assertThat(events.get(5).operation()).isEqualTo("deleted");
        assertThat(events.get(5).unifiedType()).isEqualTo("CONTACT"); // found by the sweep's lookup of unified types
        assertThat(hub.getRecord(TENANT, connection.id(), Contact.class, "2").orElseThrow().deleted()).isTrue();
        assertThat(hub.getRecord(TENANT, connection.id(), Contact.class, "3").orElseThrow().deleted()).isFalse();

        String deletion = RecordRepository.markUnifiedDeleted(kind == TestDatabase.Kind.POSTGRESQL).replace(":now", "CURRENT_TIMESTAMP")
                .replace(":connection", "'" + connection.id() + "'").replace(":entity", "'people'").replace(":id", "'3'")
                .replace(":tenant", "'" + TENANT + "'");
        if (kind == TestDatabase.Kind.POSTGRESQL) {
            // Asked of the planner with 20,000 rows and their statistics (it would rather scan a table of five).
            try (java.sql.Connection jdbc = hub.database().dataSource().getConnection(); Statement statement = jdbc.createStatement()) {
                statement.execute("INSERT INTO junction_unified_record (tenant_id, connection_id, unified_type, external_id, entity, "
                        + "label, data, deleted, updated_at) SELECT '" + TENANT + "', '" + connection.id() + "', 'CONTACT', "
                        + "'bulk-' || n, 'people', 'Bulk', '{}', FALSE, now() FROM generate_series(1, 20000) AS n");
                statement.execute("ANALYZE junction_unified_record");
            }
            String plan = plan(deletion);
            assertThat(plan).doesNotContain("seq scan");
            // The index scan is bounded by the id (the unified type listed), not by the connection or tenant alone.
            assertThat(plan.lines().filter(line -> line.trim().startsWith("index cond:")).collect(Collectors.joining()))
                    .contains("unified_type").contains("external_id");
        } else {
            // H2 looks up each (connection, type, id) key of the row-value list: two rows read, not the connection's.
            String plan = plan("ANALYZE " + deletion);
            assertThat(plan).contains("in(row (");
            assertThat(java.util.regex.Pattern.compile("scancount: (\\d+)").matcher(plan).results()
                    .map(match -> Integer.parseInt(match.group(1))).toList()).isNotEmpty().allMatch(count -> count <= 2);
        }
    }

    /** The plan the database would run {@code sql} with, lower case. */
    private String plan(String sql) throws Exception {
        try (java.sql.Connection jdbc = hub.database().dataSource().getConnection(); Statement statement = jdbc.createStatement();
                ResultSet rs = statement.executeQuery("EXPLAIN " + sql)) {
            StringBuilder plan = new StringBuilder();
            while (rs.next()) plan.append(rs.getString(1)).append('\n');
            return plan.toString().toLowerCase(Locale.ROOT);
        }
    }
}
