package dev.junction.core.internal.store;

import java.sql.Statement;
import org.flywaydb.core.api.migration.Context;

/**
 * Version 10: one index each for the unified records and the change feed, where there were two.
 *
 * <p>Every stored record cost an entry in five B-trees: the raw key, the unified key, the unified query index
 * {@code (tenant_id, unified_type, external_id)}, the feed's {@code seq} key and its {@code (tenant_id, seq)} index.
 * The three keyed by external id take their entries in id order as text, which is not the order records arrive in
 * (numeric ids of growing width, or random ones like Stripe's and Ascora's): each entry is a descent to a leaf
 * anywhere in the tree. Measured with {@code COPY} of 200,000 synced contacts into empty tables (PostgreSQL 15), the
 * unified table took 2.4–3.0 s with both indexes against 0.6 s without any, and the feed 0.9–1.3 s against 0.3 s.
 *
 * <p>After this migration:
 * <ul>
 *   <li>the unified key is {@code (tenant_id, unified_type, connection_id, external_id)}. It is unique exactly when
 *       the old one was (a connection belongs to one tenant), every write names all four columns, and it serves the
 *       unified query ({@code tenant_id} and {@code unified_type} given, ordered by connection and id) in its own
 *       order, bounded by tenant and type (the old plan read the old, connection-led key across every tenant and
 *       filtered the others' rows out). The same {@code COPY}: 1.7–1.8 s.</li>
 *   <li>the feed's key is {@code (tenant_id, seq)}: the feed is only ever read by tenant from a sequence number.
 *       {@code seq} stays an identity column, so numbering is unchanged. The same {@code COPY}: 0.6–0.8 s.</li>
 * </ul>
 *
 * <p>A Java migration because the two databases drop a primary key differently: PostgreSQL by the constraint's name
 * (for tables created by V1, {@code <table>_pkey}), H2 by {@code DROP PRIMARY KEY}.
 */
public final class LeanerKeysMigration extends KeyMigration {

    LeanerKeysMigration(boolean postgres) {
        super(postgres, "10", "leaner record keys", 10_001); // the checksum changes if the statements below ever change
    }

    @Override
    public void migrate(Context context) throws Exception {
        try (Statement statement = context.getConnection().createStatement()) {
            statement.execute(dropPrimaryKey("junction_unified_record"));
            statement.execute("DROP INDEX junction_unified_record_tenant_type");
            statement.execute("ALTER TABLE junction_unified_record ADD CONSTRAINT junction_unified_record_pkey "
                    + "PRIMARY KEY (tenant_id, unified_type, connection_id, external_id)");
            statement.execute(dropPrimaryKey("junction_change_event"));
            statement.execute("DROP INDEX junction_change_event_tenant");
            statement.execute("ALTER TABLE junction_change_event ADD CONSTRAINT junction_change_event_pkey "
                    + "PRIMARY KEY (tenant_id, seq)");
        }
    }
}
