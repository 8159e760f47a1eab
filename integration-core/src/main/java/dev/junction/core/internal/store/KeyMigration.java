package dev.junction.core.internal.store;

import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.migration.JavaMigration;

/**
 * A Java migration that re-keys tables, on PostgreSQL or H2 (which drop a primary key differently: PostgreSQL by the
 * constraint's name, for tables created by V1 {@code <table>_pkey}, H2 by {@code DROP PRIMARY KEY}). Runs in a
 * transaction; its checksum is fixed by the subclass and changes whenever its statements do.
 */
abstract class KeyMigration implements JavaMigration {

    /** Whether the database is PostgreSQL (otherwise H2), as {@link Database#kind()} tells. */
    final boolean postgres;
    private final String version;
    private final String description;
    private final int checksum;

    KeyMigration(boolean postgres, String version, String description, int checksum) {
        this.postgres = postgres;
        this.version = version;
        this.description = description;
        this.checksum = checksum;
    }

    @Override
    public final MigrationVersion getVersion() {
        return MigrationVersion.fromVersion(version);
    }

    @Override
    public final String getDescription() {
        return description;
    }

    @Override
    public final Integer getChecksum() {
        return checksum;
    }

    @Override
    public final boolean canExecuteInTransaction() {
        return true;
    }

    /** The statement that drops the table's primary key. */
    final String dropPrimaryKey(String table) {
        return postgres ? "ALTER TABLE " + table + " DROP CONSTRAINT " + table + "_pkey" : "ALTER TABLE " + table + " DROP PRIMARY KEY";
    }
}
