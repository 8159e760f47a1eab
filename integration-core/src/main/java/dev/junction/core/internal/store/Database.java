package dev.junction.core.internal.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;

/**
 * Junction's database: a {@link DataSource} (PostgreSQL, or the embedded H2 file database in PostgreSQL mode),
 * migrated by Flyway into its own history table, accessed with Jdbi. The SQL is written once and runs on both.
 * Thread-safe.
 */
public final class Database implements AutoCloseable {

    public enum Kind { POSTGRESQL, H2 }

    private final DataSource dataSource;
    private final Jdbi jdbi;
    private final Kind kind;
    private final AutoCloseable ownedPool;

    private Database(DataSource dataSource, AutoCloseable ownedPool) {
        this.dataSource = dataSource;
        this.ownedPool = ownedPool;
        this.kind = detect(dataSource);
        this.jdbi = Jdbi.create(dataSource);
    }

    /** Wraps a caller's data source; the caller keeps ownership of it. */
    public static Database of(DataSource dataSource) {
        return new Database(dataSource, null);
    }

    /**
     * An embedded H2 file database in {@code directory}, created when missing, with a small pool we own.
     * {@code WRITE_DELAY=0} hands every commit to the operating system at once: H2's default keeps commits in memory
     * for up to a second, and a killed process then loses pages the sync engine had already checkpointed (found by
     * ClioKillMidSyncTest, which SIGKILLs a syncing process). {@code QUERY_CACHE_SIZE=0} makes H2 plan each query
     * afresh: it otherwise keeps the plan it made when the record table was empty and scans the table on every page of
     * a first large sync.
     */
    public static Database embedded(Path directory) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl("jdbc:h2:file:" + directory.toAbsolutePath().resolve("junction")
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;LOCK_TIMEOUT=10000;WRITE_DELAY=0;QUERY_CACHE_SIZE=0");
        config.setUsername("sa");
        config.setPassword("");
        config.setMaximumPoolSize(8);
        config.setPoolName("junction-embedded");
        HikariDataSource pool = new HikariDataSource(config);
        return new Database(pool, pool);
    }

    /** Applies Junction's migrations (idempotent). */
    public Database migrate() {
        return migrateTo(null);
    }

    /**
     * Applies Junction's migrations up to {@code version} ({@code null}: all of them); for a test of a migration on a
     * database left at an earlier version.
     */
    public Database migrateTo(String version) {
        var flyway = Flyway.configure()
                .dataSource(dataSource)
                .locations("classpath:db/junction")
                .javaMigrations(new LeanerKeysMigration(kind == Kind.POSTGRESQL), new StreamKeysMigration(kind == Kind.POSTGRESQL))
                .table("junction_schema_history")
                .baselineOnMigrate(true)
                .baselineVersion("0");
        if (version != null) {
            flyway.target(version);
        }
        flyway.load().migrate();
        return this;
    }

    public Jdbi jdbi() {
        return jdbi;
    }

    public DataSource dataSource() {
        return dataSource;
    }

    public Kind kind() {
        return kind;
    }

    private static Kind detect(DataSource dataSource) {
        try (Connection connection = dataSource.getConnection()) {
            String product = connection.getMetaData().getDatabaseProductName().toLowerCase(java.util.Locale.ROOT);
            return product.contains("h2") ? Kind.H2 : Kind.POSTGRESQL;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot connect to the database: " + e.getMessage(), e);
        }
    }

    /**
     * Refreshes the planner's statistics of the record tables (PostgreSQL only; a no-op on H2). Called while a large
     * first sync grows them: with statistics from the empty table, PostgreSQL chose a tenant-index scan for the
     * per-page hash lookup and a 100,000-record sync ran 10 times slower. What the plans need is the tables' size and
     * that ids are distinct, which a sample of {@link #ANALYZE_SAMPLE_TARGET} × 300 rows tells: with the server's
     * default target (100, a 30,000-row sample) the two statements read nearly every page of a 200,000-record sync's
     * tables, 0.54 s at its end, against 0.04 s. Only these statements use the smaller sample; autovacuum's analyses
     * keep the server's.
     */
    public void analyzeRecordTables() {
        if (kind == Kind.POSTGRESQL) {
            jdbi.useTransaction(handle -> {
                handle.execute("SET LOCAL default_statistics_target = " + ANALYZE_SAMPLE_TARGET);
                // The columns queries filter and join on: statistics of the wide payload and data columns cost
                // most of a full ANALYZE and help no plan.
                handle.execute("ANALYZE junction_raw_record (stream_id, tenant_id, connection_id, entity, external_id, deleted, seen_pass, "
                        + "remote_updated_at)");
                handle.execute("ANALYZE junction_unified_record (stream_id, tenant_id, connection_id, unified_type, external_id, entity, label, "
                        + "email, status, remote_updated_at, deleted, updated_at)");
            });
        }
    }

    /** The statistics target of {@link #analyzeRecordTables} (PostgreSQL samples 300 rows per unit). */
    public static final int ANALYZE_SAMPLE_TARGET = 10;

    /**
     * Whether {@code e} is the database ending a transaction to resolve a conflict with another one: a deadlock
     * (PostgreSQL's {@code 40P01}) or a serialization failure ({@code 40001}, also H2's deadlock). The transaction was
     * rolled back and may simply be run again.
     */
    public static boolean isTransactionConflict(Throwable e) {
        return hasSqlState(e, "40P01", "40001");
    }

    /** Whether {@code e} (or a cause) is a unique-key violation, SQLSTATE 23505 on both databases. */
    public static boolean isUniqueViolation(Throwable e) {
        return hasSqlState(e, "23505");
    }

    /** Whether {@code e} or one of its causes is an {@link SQLException} with one of {@code states}. */
    private static boolean hasSqlState(Throwable e, String... states) {
        for (Throwable current = e; current != null; current = current.getCause()) {
            if (current instanceof SQLException sql && java.util.Arrays.asList(states).contains(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() {
        if (ownedPool != null) {
            try {
                ownedPool.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
