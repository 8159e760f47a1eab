package dev.junction.core.internal.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.flywaydb.core.api.migration.Context;

/**
 * Version 11: the raw and unified records are keyed by {@code (stream_id, external_id)}, a 64-bit stream id (see
 * {@link Streams}) where the keys led with text columns that never vary within a sync: {@code (connection_id, entity,
 * external_id)} and {@code (tenant_id, unified_type, connection_id, external_id)}.
 *
 * <p>Every comparison in a B-tree descent walked those equal text columns before it reached the id (and, past the
 * first variable-width column, could not use cached column offsets): about 18 % of PostgreSQL's CPU in a bulk sync
 * (issue 6, measured with {@code perf}). Inserting the keys of 200,000 synced contacts alone took 0.68 s for the old
 * unified key and 0.35 s for an integer and the id; in a whole 200,000-record sync the backends' CPU fell from
 * 3.00–3.23 s to 2.55–2.63 s. The other columns stay, and every statement still names the tenant.
 *
 * <p>The migration registers each stream that has rows in {@code junction_record_stream}, sets each row's id, and
 * swaps the keys. A Java migration because the id is computed in Java and the two databases drop a primary key
 * differently.
 */
public final class StreamKeysMigration extends KeyMigration {

    StreamKeysMigration(boolean postgres) {
        // The checksum changes if the statements below ever change.
        super(postgres, "11", "record keys led by stream ids", 11_001);
    }

    @Override
    public void migrate(Context context) throws Exception {
        Connection connection = context.getConnection();
        try (Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE junction_record_stream (stream_id BIGINT NOT NULL PRIMARY KEY, "
                    + "tenant_id VARCHAR(128) NOT NULL, connection_id VARCHAR(64) NOT NULL, kind VARCHAR(16) NOT NULL, "
                    + "name VARCHAR(64) NOT NULL)");
            // The unified listing reads a tenant's streams of a type in connection order; a connection's delete reads its own.
            statement.execute("CREATE INDEX junction_record_stream_tenant ON junction_record_stream (tenant_id, kind, name, connection_id)");
            statement.execute("ALTER TABLE junction_raw_record ADD COLUMN stream_id BIGINT");
            statement.execute("ALTER TABLE junction_unified_record ADD COLUMN stream_id BIGINT");
        }
        rekey(connection, "junction_raw_record", Streams.RAW, "entity");
        rekey(connection, "junction_unified_record", Streams.UNIFIED, "unified_type");
    }

    /** Registers the table's streams, sets each row's stream id, and makes {@code (stream_id, external_id)} its key. */
    private void rekey(Connection connection, String table, String kind, String nameColumn) throws Exception {
        List<String[]> streams = new ArrayList<>();
        try (Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery("SELECT DISTINCT tenant_id, connection_id, " + nameColumn + " FROM " + table)) {
            while (rs.next()) {
                streams.add(new String[] {rs.getString(1), rs.getString(2), rs.getString(3)});
            }
        }
        try (PreparedStatement register = connection.prepareStatement("INSERT INTO junction_record_stream "
                        + "(stream_id, tenant_id, connection_id, kind, name) VALUES (?, ?, ?, ?, ?)");
                PreparedStatement update = connection.prepareStatement("UPDATE " + table + " SET stream_id = ? "
                        + "WHERE tenant_id = ? AND connection_id = ? AND " + nameColumn + " = ?")) {
            for (String[] stream : streams) {
                long id = Streams.id(kind, stream[1], stream[2]);
                register.setLong(1, id);
                register.setString(2, stream[0]);
                register.setString(3, stream[1]);
                register.setString(4, kind);
                register.setString(5, stream[2]);
                register.executeUpdate(); // a collision of two streams' ids fails the migration on the key
                update.setLong(1, id);
                update.setString(2, stream[0]);
                update.setString(3, stream[1]);
                update.setString(4, stream[2]);
                update.executeUpdate();
            }
        }
        try (Statement statement = connection.createStatement()) {
            statement.execute("ALTER TABLE " + table + " ALTER COLUMN stream_id SET NOT NULL");
            statement.execute(dropPrimaryKey(table));
            statement.execute("ALTER TABLE " + table + " ADD CONSTRAINT " + table + "_pkey PRIMARY KEY (stream_id, external_id)");
        }
    }
}
