package dev.junction.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.junction.core.ChangeEvent;
import dev.junction.core.Connection;
import dev.junction.core.Hub;
import dev.junction.core.NewConnection;
import dev.junction.core.RecordQuery;
import dev.junction.core.StoredRecord;
import dev.junction.core.SyncRequest;
import dev.junction.core.internal.Json;
import dev.junction.core.internal.store.Database;
import dev.junction.core.internal.store.QueryRepository;
import dev.junction.core.internal.store.Streams;
import dev.junction.core.model.Contact;
import dev.junction.core.model.UnifiedType;
import dev.junction.sandbox.MutableClock;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Versions 10 ({@code LeanerKeysMigration}: the unified records and the change feed) and 11
 * ({@code StreamKeysMigration}: raw and unified records keyed by stream) re-key a database that already holds records:
 * nothing is lost, the keys still refuse duplicates, the feed numbers on from where it was, and the queries read in
 * the keys' order. On PostgreSQL and on the embedded database.
 */
class RecordKeysMigrationTest {

    private static final String TENANT = "tenant-a";
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private TestDatabase database;
    private Hub hub;

    @AfterEach
    void stop() {
        if (hub != null) hub.close();
        if (database != null) database.close();
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void aVersion9DatabaseKeepsItsRecordsAndItsFeedNumbering(TestDatabase.Kind kind) throws Exception {
        database = TestDatabase.create(kind, "RecordKeysMigrationTest");
        Database store = kind == TestDatabase.Kind.POSTGRESQL ? Database.of(database.dataSource())
                : Database.embedded(database.dataDirectory());
        try (store) {
            DataSource source = store.dataSource();
            store.migrateTo("9");
            // Two connections of the tenant with the same ids, stored before the migration, and their feed.
            try (java.sql.Connection jdbc = source.getConnection()) {
                for (String connection : List.of("old-b", "old-a")) {
                    for (String id : List.of("10", "9")) {
                        insertRaw(jdbc, connection, id);
                        insertUnified(jdbc, connection, id, null);
                        insertEvent(jdbc, connection, id);
                    }
                }
                assertThat(maxSeq(jdbc)).isEqualTo(4);
            }

            store.migrateTo("10");

            try (java.sql.Connection jdbc = source.getConnection()) {
                assertThat(keyColumns(jdbc, kind, "junction_unified_record"))
                        .containsExactly("tenant_id", "unified_type", "connection_id", "external_id");
                assertThat(keyColumns(jdbc, kind, "junction_change_event")).containsExactly("tenant_id", "seq");
                // The key still refuses a second row for a connection's record.
                assertThatThrownBy(() -> insertUnified(jdbc, "old-a", "9", null)).satisfies(e -> assertThat(Database.isUniqueViolation(e)).isTrue());
            }

            store.migrate();

            try (java.sql.Connection jdbc = source.getConnection()) {
                assertThat(keyColumns(jdbc, kind, "junction_raw_record")).containsExactly("stream_id", "external_id");
                assertThat(keyColumns(jdbc, kind, "junction_unified_record")).containsExactly("stream_id", "external_id");
                // Each stream registered under the id readers compute, and every row carries it.
                assertThat(rows(jdbc, "SELECT stream_id, tenant_id, connection_id, kind, name FROM junction_record_stream "
                        + "ORDER BY connection_id, kind")).containsExactly(
                        Streams.raw("old-a", "people") + " " + TENANT + " old-a raw people",
                        Streams.unified("old-a", "CONTACT") + " " + TENANT + " old-a unified CONTACT",
                        Streams.raw("old-b", "people") + " " + TENANT + " old-b raw people",
                        Streams.unified("old-b", "CONTACT") + " " + TENANT + " old-b unified CONTACT");
                assertThat(rows(jdbc, "SELECT stream_id, connection_id, external_id FROM junction_raw_record ORDER BY connection_id, external_id"))
                        .containsExactly(Streams.raw("old-a", "people") + " old-a 10", Streams.raw("old-a", "people") + " old-a 9",
                                Streams.raw("old-b", "people") + " old-b 10", Streams.raw("old-b", "people") + " old-b 9");
                // The keys still refuse a second row for a connection's record, and take one of another connection.
                long oldA = Streams.unified("old-a", "CONTACT");
                assertThatThrownBy(() -> insertUnified(jdbc, "old-a", "9", oldA)).satisfies(e -> assertThat(Database.isUniqueViolation(e)).isTrue());
                assertThatThrownBy(() -> insertRaw(jdbc, "old-a", "9")).satisfies(e -> assertThat(Database.isUniqueViolation(e)).isTrue());
            }
        }

        MutableClock clock = MutableClock.at(T0);
        MemoryProvider provider = new MemoryProvider(clock);
        provider.put(1, "Person 1");
        provider.put(2, "Person 2");
        hub = provider.hubBuilder(database).build();
        Connection connection = hub.createConnection(NewConnection.of(TENANT, "memory").withSetting("api_key", "secret-value"));

        assertThat(hub.sync(TENANT, connection.id(), SyncRequest.full()).entity("people").orElseThrow().added()).isEqualTo(2);

        // The feed numbers on after the migrated events, in order.
        List<ChangeEvent> events = hub.changes(TENANT, 0, null, 100).events();
        assertThat(events).extracting(ChangeEvent::sequence).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
        assertThat(events.subList(4, 6)).extracting(ChangeEvent::connectionId).containsOnly(connection.id());
        assertThat(hub.changes(TENANT, 4, connection.id(), 100).events()).extracting(ChangeEvent::externalId).containsExactly("1", "2");
        // The migrated and the new records, in (connection, id) order, paged through the key.
        List<String> read = new ArrayList<>();
        String cursor = null;
        do {
            var page = hub.query(new RecordQuery(TENANT, UnifiedType.CONTACT, null, null, null, false, cursor, 2), Contact.class);
            page.items().forEach(item -> read.add(item.connectionId() + "/" + item.record().externalId()));
            cursor = page.nextCursor().orElse(null);
        } while (cursor != null);
        List<String> expected = new ArrayList<>(List.of("old-a/10", "old-a/9", "old-b/10", "old-b/9",
                connection.id() + "/1", connection.id() + "/2"));
        expected.sort(null);
        assertThat(read).containsExactlyElementsOf(expected);
        StoredRecord<Contact> migrated = hub.getRecord(TENANT, "old-b", Contact.class, "9").orElseThrow();
        assertThat(migrated.record().name()).isEqualTo("Old old-b 9");
        assertThat(hub.getRawRecord(TENANT, "old-a", "people", "10").orElseThrow().payload()).isEqualTo("{\"name\":\"Raw old-a 10\"}");
        assertThat(hub.getRawRecord(TENANT, "old-b", "people", "9")).isPresent();
        // One connection's page.
        assertThat(hub.query(new RecordQuery(TENANT, UnifiedType.CONTACT, connection.id(), null, null, false, null, 10), Contact.class)
                .items()).extracting(item -> item.record().externalId()).containsExactly("1", "2");

        // Deleting a connection deletes its streams' records and registrations, and no other connection's.
        assertThat(hub.deleteConnection(TENANT, connection.id())).isTrue();
        assertThat(hub.getRawRecord(TENANT, "old-a", "people", "9")).isPresent();
        try (java.sql.Connection jdbc = hub.database().dataSource().getConnection()) {
            assertThat(rows(jdbc, "SELECT COUNT(*) FROM junction_record_stream WHERE connection_id = '" + connection.id() + "'"))
                    .containsExactly("0");
            assertThat(rows(jdbc, "SELECT COUNT(*) FROM junction_unified_record")).containsExactly("4");
            assertThat(rows(jdbc, "SELECT COUNT(*) FROM junction_raw_record")).containsExactly("4");
        }

        if (kind == TestDatabase.Kind.EMBEDDED) {
            // H2 reads a stream's page from the key, bounded by the stream and the cursor, in the key's order (no sort:
            // it recognises the order only when the ORDER BY names the key's columns from the first).
            try (java.sql.Connection jdbc = hub.database().dataSource().getConnection(); Statement statement = jdbc.createStatement()) {
                var filter = new QueryRepository.UnifiedFilter(TENANT, "CONTACT", null, null, null, false, "old-a", "1", 101);
                String sql = QueryRepository.unifiedSql(filter, true).replace(":stream", Long.toString(Streams.unified("old-a", "CONTACT")))
                        .replace(":tenant", "'" + TENANT + "'").replace(":limit", "101").replace(":afterId", "'1'");
                assertThat(plan(statement, sql)).contains("primary_key").contains("stream_id = ").contains("external_id > '1'")
                        .contains("index sorted");
            }
        }
        if (kind == TestDatabase.Kind.POSTGRESQL) {
            // With 20,000 rows and their statistics, the unified query of one connection's stream, from its start or after
            // a cursor, reads the stream's part of the key in its order: no sort, no scan of the table. So does the feed's.
            try (java.sql.Connection jdbc = database.dataSource().getConnection(); Statement statement = jdbc.createStatement()) {
                for (int c = 0; c < 4; c++) {
                    statement.execute("INSERT INTO junction_unified_record (stream_id, tenant_id, connection_id, unified_type, "
                            + "external_id, entity, label, data, deleted, updated_at) SELECT " + Streams.unified("bulk-" + c, "CONTACT")
                            + ", '" + TENANT + "', 'bulk-" + c + "', 'CONTACT', n::text, 'people', 'Bulk', '{}', FALSE, now() "
                            + "FROM generate_series(1, 5000) AS n");
                }
                statement.execute("INSERT INTO junction_change_event (tenant_id, connection_id, entity, unified_type, external_id, "
                        + "operation, source, occurred_at) SELECT '" + TENANT + "', 'bulk-1', 'people', 'CONTACT', n::text, 'created', "
                        + "'sync', now() FROM generate_series(1, 20000) AS n");
                statement.execute("ANALYZE junction_unified_record");
                statement.execute("ANALYZE junction_change_event");
                var filter = new QueryRepository.UnifiedFilter(TENANT, "CONTACT", null, null, null, false, "bulk-1", "500", 101);
                for (boolean after : List.of(false, true)) {
                    String sql = QueryRepository.unifiedSql(filter, after).replace(":stream", Long.toString(Streams.unified("bulk-1", "CONTACT")))
                            .replace(":tenant", "'" + TENANT + "'").replace(":type", "'CONTACT'").replace(":limit", "101")
                            .replace(":connection", "'bulk-1'").replace(":afterId", "'500'");
                    String plan = plan(statement, sql);
                    assertThat(plan).as(sql).contains("index scan using junction_unified_record_pkey").doesNotContain("sort")
                            .doesNotContain("seq scan");
                    assertThat(plan.lines().filter(line -> line.trim().startsWith("index cond:")).toList()).as(sql)
                            .singleElement().asString().contains("stream_id").contains(after ? "external_id" : "stream_id");
                }
                assertThat(plan(statement, "SELECT * FROM junction_change_event WHERE tenant_id = '" + TENANT + "' AND seq > 2 "
                        + "ORDER BY seq LIMIT 100")).contains("junction_change_event_pkey").doesNotContain("sort");
            }
        }
    }

    private static String plan(Statement statement, String sql) throws Exception {
        StringBuilder plan = new StringBuilder();
        try (ResultSet rs = statement.executeQuery("EXPLAIN " + sql)) {
            while (rs.next()) plan.append(rs.getString(1)).append('\n');
        }
        return plan.toString().toLowerCase(Locale.ROOT);
    }

    /** Inserts a unified row as a version's schema has it: without a stream id before version 11. */
    private static void insertUnified(java.sql.Connection jdbc, String connection, String id, Long stream) throws Exception {
        Contact contact = new Contact(id, Contact.Kind.PERSON, "Old " + connection + " " + id, null, null, null, null, null,
                Map.of(), T0, T0);
        try (PreparedStatement statement = jdbc.prepareStatement("INSERT INTO junction_unified_record (tenant_id, connection_id, "
                + "unified_type, external_id, entity, label, data, deleted, updated_at" + (stream == null ? "" : ", stream_id")
                + ") VALUES (?, ?, 'CONTACT', ?, 'people', ?, ?, FALSE, ?" + (stream == null ? "" : ", " + stream) + ")")) {
            statement.setString(1, TENANT);
            statement.setString(2, connection);
            statement.setString(3, id);
            statement.setString(4, contact.name());
            statement.setString(5, Json.write(contact));
            statement.setObject(6, T0.atOffset(java.time.ZoneOffset.UTC));
            statement.executeUpdate();
        }
    }

    /** Inserts a raw row as version 9 has it (after version 11, the stream id of the connection's people). */
    private static void insertRaw(java.sql.Connection jdbc, String connection, String id) throws Exception {
        boolean streams = columnExists(jdbc, "junction_raw_record", "stream_id");
        try (PreparedStatement statement = jdbc.prepareStatement("INSERT INTO junction_raw_record (tenant_id, connection_id, entity, "
                + "external_id, payload, content_hash, deleted, seen_pass, created_at, updated_at" + (streams ? ", stream_id" : "")
                + ") VALUES (?, ?, 'people', ?, ?, 'hash', FALSE, 0, ?, ?" + (streams ? ", " + Streams.raw(connection, "people") : "") + ")")) {
            statement.setString(1, TENANT);
            statement.setString(2, connection);
            statement.setString(3, id);
            statement.setString(4, "{\"name\":\"Raw " + connection + " " + id + "\"}");
            statement.setObject(5, T0.atOffset(java.time.ZoneOffset.UTC));
            statement.setObject(6, T0.atOffset(java.time.ZoneOffset.UTC));
            statement.executeUpdate();
        }
    }

    private static boolean columnExists(java.sql.Connection jdbc, String table, String column) throws Exception {
        try (ResultSet rs = jdbc.getMetaData().getColumns(null, jdbc.getSchema(), table, null)) {
            while (rs.next()) {
                if (rs.getString("COLUMN_NAME").equalsIgnoreCase(column)) return true;
            }
        }
        return false;
    }

    /** Each row of the query as its columns joined by spaces. */
    private static List<String> rows(java.sql.Connection jdbc, String sql) throws Exception {
        List<String> rows = new ArrayList<>();
        try (Statement statement = jdbc.createStatement(); ResultSet rs = statement.executeQuery(sql)) {
            while (rs.next()) {
                List<String> columns = new ArrayList<>();
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) columns.add(rs.getString(i));
                rows.add(String.join(" ", columns));
            }
        }
        return rows;
    }

    private static void insertEvent(java.sql.Connection jdbc, String connection, String id) throws Exception {
        try (PreparedStatement statement = jdbc.prepareStatement("INSERT INTO junction_change_event (tenant_id, connection_id, "
                + "entity, unified_type, external_id, operation, source, occurred_at) VALUES (?, ?, 'people', 'CONTACT', ?, 'created', 'sync', ?)")) {
            statement.setString(1, TENANT);
            statement.setString(2, connection);
            statement.setString(3, id);
            statement.setObject(4, T0.atOffset(java.time.ZoneOffset.UTC));
            statement.executeUpdate();
        }
    }

    private static long maxSeq(java.sql.Connection jdbc) throws Exception {
        try (Statement statement = jdbc.createStatement(); ResultSet rs = statement.executeQuery("SELECT MAX(seq) FROM junction_change_event")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** The primary key's columns in key order; asserts it is the table's only index. */
    private static List<String> keyColumns(java.sql.Connection jdbc, TestDatabase.Kind kind, String table) throws Exception {
        List<String> columns = new ArrayList<>();
        String schema = jdbc.getSchema();
        try (ResultSet rs = jdbc.getMetaData().getPrimaryKeys(null, schema, table)) {
            java.util.SortedMap<Integer, String> byPosition = new java.util.TreeMap<>();
            while (rs.next()) byPosition.put(rs.getInt("KEY_SEQ"), rs.getString("COLUMN_NAME").toLowerCase(Locale.ROOT));
            columns.addAll(byPosition.values());
        }
        try (ResultSet rs = jdbc.getMetaData().getIndexInfo(null, schema, table, false, false)) {
            java.util.Set<String> indexes = new java.util.HashSet<>();
            while (rs.next()) {
                if (rs.getString("INDEX_NAME") != null) indexes.add(rs.getString("INDEX_NAME").toLowerCase(Locale.ROOT));
            }
            assertThat(indexes).as("indexes of %s on %s", table, kind).hasSize(1);
        }
        return columns;
    }
}
