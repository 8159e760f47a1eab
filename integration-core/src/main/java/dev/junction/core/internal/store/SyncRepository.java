package dev.junction.core.internal.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/** Sync runs and their per-entity counts, checkpoints, leases and dead letters. */
public final class SyncRepository {

    private final Jdbi jdbi;

    public SyncRepository(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    // ---- runs -------------------------------------------------------------------------------------------

    public record RunRow(String id, String tenantId, String connectionId, String mode, String status, String entities,
            String error, Instant startedAt, Instant finishedAt) {}

    public record EntityRow(String runId, String entity, String status, long pages, long added, long updated,
            long unchanged, long deleted, long failed, long rateLimitWaitMillis, String error, Instant startedAt,
            Instant finishedAt) {}

    public void insertRun(RunRow run, List<String> entities) {
        jdbi.useTransaction(handle -> {
            handle.createUpdate("INSERT INTO junction_sync_run (id, tenant_id, connection_id, mode, status, entities, error, "
                            + "started_at) VALUES (:id, :tenant, :connection, :mode, :status, :entities, NULL, :started)")
                    .bind("id", run.id()).bind("tenant", run.tenantId()).bind("connection", run.connectionId())
                    .bind("mode", run.mode()).bind("status", run.status()).bind("entities", run.entities())
                    .bind("started", Sql.timestamp(run.startedAt())).execute();
            for (String entity : entities) {
                handle.createUpdate("INSERT INTO junction_sync_run_entity (run_id, tenant_id, entity, status, pages, added, updated, "
                                + "unchanged, deleted, failed, rate_limit_wait_ms) VALUES (:run, :tenant, :entity, 'pending', 0, 0, 0, 0, 0, 0, 0)")
                        .bind("run", run.id()).bind("tenant", run.tenantId()).bind("entity", entity).execute();
            }
        });
    }

    private static void closeAbandoned(Handle handle, String tenantId, String abandonedRunId, String entity, String takenOverBy, Instant now) {
        String error = "abandoned: its process stopped renewing the lease of '" + entity + "'; run " + takenOverBy + " took over";
        handle.createUpdate("UPDATE junction_sync_run_entity SET status = 'failed', error = :error, finished_at = :now "
                        + "WHERE run_id = :run AND tenant_id = :tenant AND entity = :entity AND status = 'running'")
                .bind("error", error).bind("now", Sql.timestamp(now)).bind("run", abandonedRunId).bind("tenant", tenantId)
                .bind("entity", entity).execute();
        handle.createUpdate("UPDATE junction_sync_run_entity SET status = 'cancelled', error = :error, finished_at = :now "
                        + "WHERE run_id = :run AND tenant_id = :tenant AND status = 'pending'")
                .bind("error", "abandoned before it started: the run's process stopped").bind("now", Sql.timestamp(now))
                .bind("run", abandonedRunId).bind("tenant", tenantId).execute();
        handle.createUpdate("UPDATE junction_sync_run SET status = 'FAILED', error = :error, finished_at = :now "
                        + "WHERE id = :run AND tenant_id = :tenant AND status = 'RUNNING'")
                .bind("error", error).bind("now", Sql.timestamp(now)).bind("run", abandonedRunId).bind("tenant", tenantId).execute();
    }

    /** Asks a running run to stop (any process); false when the run is not running any more. */
    public boolean requestCancel(String tenantId, String runId) {
        return jdbi.withHandle(handle -> handle.createUpdate("UPDATE junction_sync_run SET cancel_requested = TRUE "
                        + "WHERE id = :id AND tenant_id = :tenant AND status = 'RUNNING'")
                .bind("id", runId).bind("tenant", tenantId).execute()) == 1;
    }

    /** Whether someone asked the run to stop (read inside the page's transaction). */
    public boolean cancelRequested(Handle handle, String tenantId, String runId) {
        return handle.createQuery("SELECT cancel_requested FROM junction_sync_run WHERE id = :id AND tenant_id = :tenant")
                .bind("id", runId).bind("tenant", tenantId).mapTo(Boolean.class).findOne().orElse(false);
    }

    public void finishRun(String tenantId, String runId, String status, String error, Instant now) {
        jdbi.useHandle(handle -> handle.createUpdate("UPDATE junction_sync_run SET status = :status, error = :error, "
                        + "finished_at = :now WHERE id = :id AND tenant_id = :tenant")
                .bind("status", status).bind("error", error).bind("now", Sql.timestamp(now))
                .bind("id", runId).bind("tenant", tenantId).execute());
    }

    public void updateEntity(Handle handle, String tenantId, EntityRow row) {
        handle.createUpdate("UPDATE junction_sync_run_entity SET status = :status, pages = :pages, added = :added, updated = :updated, "
                        + "unchanged = :unchanged, deleted = :deleted, failed = :failed, rate_limit_wait_ms = :wait, error = :error, "
                        + "started_at = :started, finished_at = :finished WHERE run_id = :run AND entity = :entity AND tenant_id = :tenant")
                .bind("status", row.status()).bind("pages", row.pages()).bind("added", row.added()).bind("updated", row.updated())
                .bind("unchanged", row.unchanged()).bind("deleted", row.deleted()).bind("failed", row.failed())
                .bind("wait", row.rateLimitWaitMillis()).bind("error", row.error())
                .bind("started", Sql.timestamp(row.startedAt())).bind("finished", Sql.timestamp(row.finishedAt()))
                .bind("run", row.runId()).bind("entity", row.entity()).bind("tenant", tenantId).execute();
    }

    public void updateEntity(String tenantId, EntityRow row) {
        jdbi.useHandle(handle -> updateEntity(handle, tenantId, row));
    }

    public Optional<RunRow> findRun(String tenantId, String runId) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT * FROM junction_sync_run WHERE id = :id AND tenant_id = :tenant")
                .bind("id", runId).bind("tenant", tenantId).map((rs, ctx) -> runRow(rs)).findOne());
    }

    public List<RunRow> listRuns(String tenantId, String connectionId, int limit) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT * FROM junction_sync_run WHERE tenant_id = :tenant "
                        + "AND connection_id = :connection ORDER BY started_at DESC, id DESC LIMIT :limit")
                .bind("tenant", tenantId).bind("connection", connectionId).bind("limit", limit)
                .map((rs, ctx) -> runRow(rs)).list());
    }

    public List<EntityRow> listEntities(String tenantId, String runId) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT * FROM junction_sync_run_entity WHERE run_id = :run "
                        + "AND tenant_id = :tenant ORDER BY started_at, entity")
                .bind("run", runId).bind("tenant", tenantId)
                .map((rs, ctx) -> new EntityRow(rs.getString("run_id"), rs.getString("entity"), rs.getString("status"),
                        rs.getLong("pages"), rs.getLong("added"), rs.getLong("updated"), rs.getLong("unchanged"),
                        rs.getLong("deleted"), rs.getLong("failed"), rs.getLong("rate_limit_wait_ms"), rs.getString("error"),
                        Sql.instant(rs, "started_at"), Sql.instant(rs, "finished_at")))
                .list());
    }

    private static RunRow runRow(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new RunRow(rs.getString("id"), rs.getString("tenant_id"), rs.getString("connection_id"), rs.getString("mode"),
                rs.getString("status"), rs.getString("entities"), rs.getString("error"), Sql.instant(rs, "started_at"),
                Sql.instant(rs, "finished_at"));
    }

    // ---- checkpoints ------------------------------------------------------------------------------------

    /** Sync state of one (connection, entity). A pass is unfinished while {@code passMode} is set. */
    public record Checkpoint(String connectionId, String entity, long passId, String passMode, String passCursor,
            Instant passSince, Instant passUntil, Instant highWaterMark, Instant lastFullAt) {

        public static Checkpoint initial(String connectionId, String entity) {
            return new Checkpoint(connectionId, entity, 0, null, null, null, null, null, null);
        }

        public boolean passInProgress() {
            return passMode != null;
        }
    }

    public Checkpoint checkpoint(Handle handle, String tenantId, String connectionId, String entity) {
        return handle.createQuery("SELECT * FROM junction_sync_checkpoint WHERE tenant_id = :tenant AND connection_id = :connection "
                        + "AND entity = :entity")
                .bind("tenant", tenantId).bind("connection", connectionId).bind("entity", entity)
                .map((rs, ctx) -> new Checkpoint(rs.getString("connection_id"), rs.getString("entity"), rs.getLong("pass_id"),
                        rs.getString("pass_mode"), rs.getString("pass_cursor"), Sql.instant(rs, "pass_since"),
                        Sql.instant(rs, "pass_until"), Sql.instant(rs, "high_water_mark"), Sql.instant(rs, "last_full_at")))
                .findOne().orElse(Checkpoint.initial(connectionId, entity));
    }

    public Checkpoint checkpoint(String tenantId, String connectionId, String entity) {
        return jdbi.withHandle(handle -> checkpoint(handle, tenantId, connectionId, entity));
    }

    public void saveCheckpoint(Handle handle, String tenantId, Checkpoint checkpoint, Instant now) {
        int updated = handle.createUpdate("UPDATE junction_sync_checkpoint SET pass_id = :pass, pass_mode = :mode, pass_cursor = :cursor, "
                        + "pass_since = :since, pass_until = :until, high_water_mark = :hwm, last_full_at = :full, updated_at = :now "
                        + "WHERE tenant_id = :tenant AND connection_id = :connection AND entity = :entity")
                .bind("pass", checkpoint.passId()).bind("mode", checkpoint.passMode()).bind("cursor", checkpoint.passCursor())
                .bind("since", Sql.timestamp(checkpoint.passSince())).bind("until", Sql.timestamp(checkpoint.passUntil()))
                .bind("hwm", Sql.timestamp(checkpoint.highWaterMark())).bind("full", Sql.timestamp(checkpoint.lastFullAt()))
                .bind("now", Sql.timestamp(now)).bind("tenant", tenantId).bind("connection", checkpoint.connectionId())
                .bind("entity", checkpoint.entity()).execute();
        if (updated == 0) {
            handle.createUpdate("INSERT INTO junction_sync_checkpoint (connection_id, entity, tenant_id, pass_id, pass_mode, pass_cursor, "
                            + "pass_since, pass_until, high_water_mark, last_full_at, updated_at) VALUES (:connection, :entity, :tenant, "
                            + ":pass, :mode, :cursor, :since, :until, :hwm, :full, :now)")
                    .bind("pass", checkpoint.passId()).bind("mode", checkpoint.passMode()).bind("cursor", checkpoint.passCursor())
                    .bind("since", Sql.timestamp(checkpoint.passSince())).bind("until", Sql.timestamp(checkpoint.passUntil()))
                    .bind("hwm", Sql.timestamp(checkpoint.highWaterMark())).bind("full", Sql.timestamp(checkpoint.lastFullAt()))
                    .bind("now", Sql.timestamp(now)).bind("tenant", tenantId).bind("connection", checkpoint.connectionId())
                    .bind("entity", checkpoint.entity()).execute();
        }
    }

    /** What the end of a page found: whether the run still holds its lease, and whether it was asked to stop. */
    public record PageDone(boolean leaseHeld, boolean cancelRequested) {}

    /**
     * The bookkeeping that commits with each page, inside its transaction: the checkpoint after the page, the entity's
     * progress row, the renewed lease, and whether a cancel was asked for. On PostgreSQL one statement (data-modifying
     * common table expressions, one round trip) instead of four; elsewhere the four.
     */
    public PageDone pageDone(Handle handle, String tenantId, Checkpoint checkpoint, EntityRow progress, Instant leaseExpires,
            Instant now, boolean postgres) {
        if (!postgres) {
            saveCheckpoint(handle, tenantId, checkpoint, now);
            updateEntity(handle, tenantId, progress);
            boolean held = renewLease(handle, tenantId, checkpoint.connectionId(), checkpoint.entity(), progress.runId(), leaseExpires);
            return new PageDone(held, cancelRequested(handle, tenantId, progress.runId()));
        }
        String sql = "WITH checkpoint AS (UPDATE junction_sync_checkpoint SET pass_id = ?, pass_mode = ?, pass_cursor = ?, "
                // Timestamps go as ISO text (see Sql.isoText).
                + "pass_since = ?::timestamptz, pass_until = ?::timestamptz, high_water_mark = ?::timestamptz, "
                + "last_full_at = ?::timestamptz, updated_at = ?::timestamptz "
                + "WHERE tenant_id = ? AND connection_id = ? AND entity = ? RETURNING 1), "
                + "progress AS (UPDATE junction_sync_run_entity SET status = ?, pages = ?, added = ?, updated = ?, unchanged = ?, "
                + "deleted = ?, failed = ?, rate_limit_wait_ms = ?, error = ?, started_at = ?::timestamptz, finished_at = ?::timestamptz "
                + "WHERE run_id = ? AND entity = ? AND tenant_id = ? RETURNING 1), "
                + "lease AS (UPDATE junction_sync_lease SET expires_at = ?::timestamptz WHERE connection_id = ? AND entity = ? "
                + "AND tenant_id = ? AND run_id = ? RETURNING 1) "
                + "SELECT (SELECT COUNT(*) FROM checkpoint), (SELECT COUNT(*) FROM lease), "
                + "(SELECT cancel_requested FROM junction_sync_run WHERE id = ? AND tenant_id = ?)";
        boolean checkpointSaved;
        PageDone done;
        try (java.sql.PreparedStatement statement = handle.getConnection().prepareStatement(sql)) {
            int i = 0;
            statement.setLong(++i, checkpoint.passId());
            statement.setString(++i, checkpoint.passMode());
            statement.setString(++i, checkpoint.passCursor());
            statement.setString(++i, Sql.isoText(checkpoint.passSince()));
            statement.setString(++i, Sql.isoText(checkpoint.passUntil()));
            statement.setString(++i, Sql.isoText(checkpoint.highWaterMark()));
            statement.setString(++i, Sql.isoText(checkpoint.lastFullAt()));
            statement.setString(++i, Sql.isoText(now));
            statement.setString(++i, tenantId);
            statement.setString(++i, checkpoint.connectionId());
            statement.setString(++i, checkpoint.entity());
            statement.setString(++i, progress.status());
            statement.setLong(++i, progress.pages());
            statement.setLong(++i, progress.added());
            statement.setLong(++i, progress.updated());
            statement.setLong(++i, progress.unchanged());
            statement.setLong(++i, progress.deleted());
            statement.setLong(++i, progress.failed());
            statement.setLong(++i, progress.rateLimitWaitMillis());
            statement.setString(++i, progress.error());
            statement.setString(++i, Sql.isoText(progress.startedAt()));
            statement.setString(++i, Sql.isoText(progress.finishedAt()));
            statement.setString(++i, progress.runId());
            statement.setString(++i, progress.entity());
            statement.setString(++i, tenantId);
            statement.setString(++i, Sql.isoText(leaseExpires));
            statement.setString(++i, checkpoint.connectionId());
            statement.setString(++i, checkpoint.entity());
            statement.setString(++i, tenantId);
            statement.setString(++i, progress.runId());
            statement.setString(++i, progress.runId());
            statement.setString(++i, tenantId);
            try (java.sql.ResultSet rs = statement.executeQuery()) {
                rs.next();
                checkpointSaved = rs.getLong(1) == 1;
                done = new PageDone(rs.getLong(2) == 1, rs.getBoolean(3));
            }
        } catch (java.sql.SQLException e) {
            throw new org.jdbi.v3.core.statement.UnableToExecuteStatementException("page bookkeeping failed", e, null);
        }
        if (!checkpointSaved) {
            saveCheckpoint(handle, tenantId, checkpoint, now); // no row yet: inserts it
        }
        return done;
    }

    // ---- leases -----------------------------------------------------------------------------------------

    /**
     * Takes the lease on (connection, entity) for {@code runId} unless another live run holds it. Works across
     * processes: the primary key admits one row, and an expired row (its holder died) is taken over. Runs in the
     * caller's transaction: a failed insert is rolled back to a savepoint, and the rest of the transaction stands.
     */
    public boolean acquireLease(Handle handle, String tenantId, String connectionId, String entity, String runId, String owner,
            Instant now, Instant expiresAt) {
        // A run whose lease ran out stopped renewing it: its process died (or stalled, and then fails on its next
        // renewal). When this run takes the lease over, that run is closed as abandoned instead of showing RUNNING
        // forever.
        Optional<String> abandoned = handle.createQuery("SELECT run_id FROM junction_sync_lease WHERE connection_id = :connection "
                        + "AND entity = :entity AND tenant_id = :tenant AND expires_at < :now AND run_id <> :run")
                .bind("connection", connectionId).bind("entity", entity).bind("tenant", tenantId)
                .bind("now", Sql.timestamp(now)).bind("run", runId).mapTo(String.class).findOne();
        int taken = handle.createUpdate("UPDATE junction_sync_lease SET run_id = :run, owner = :owner, expires_at = :expires "
                        + "WHERE connection_id = :connection AND entity = :entity AND tenant_id = :tenant "
                        + "AND (expires_at < :now OR run_id = :run)")
                .bind("run", runId).bind("owner", owner).bind("expires", Sql.timestamp(expiresAt))
                .bind("connection", connectionId).bind("entity", entity).bind("tenant", tenantId)
                .bind("now", Sql.timestamp(now)).execute();
        if (taken == 1) {
            abandoned.ifPresent(previous -> closeAbandoned(handle, tenantId, previous, entity, runId, now));
            return true;
        }
        try {
            handle.execute("SAVEPOINT lease_insert");
            handle.createUpdate("INSERT INTO junction_sync_lease (connection_id, entity, tenant_id, run_id, owner, expires_at) "
                            + "VALUES (:connection, :entity, :tenant, :run, :owner, :expires)")
                    .bind("connection", connectionId).bind("entity", entity).bind("tenant", tenantId)
                    .bind("run", runId).bind("owner", owner).bind("expires", Sql.timestamp(expiresAt)).execute();
            return true;
        } catch (RuntimeException e) {
            if (Database.isUniqueViolation(e)) {
                handle.execute("ROLLBACK TO SAVEPOINT lease_insert");
                return false;
            }
            throw e;
        }
    }

    /** Extends a held lease; returns false when the lease was lost (expired and taken over). */
    public boolean renewLease(Handle handle, String tenantId, String connectionId, String entity, String runId, Instant expiresAt) {
        return handle.createUpdate("UPDATE junction_sync_lease SET expires_at = :expires WHERE connection_id = :connection "
                        + "AND entity = :entity AND tenant_id = :tenant AND run_id = :run")
                .bind("expires", Sql.timestamp(expiresAt)).bind("connection", connectionId).bind("entity", entity)
                .bind("tenant", tenantId).bind("run", runId).execute() == 1;
    }

    public void releaseLease(String tenantId, String connectionId, String entity, String runId) {
        jdbi.useHandle(handle -> releaseLease(handle, tenantId, connectionId, entity, runId));
    }

    public void releaseLease(Handle handle, String tenantId, String connectionId, String entity, String runId) {
        handle.createUpdate("DELETE FROM junction_sync_lease WHERE connection_id = :connection "
                        + "AND entity = :entity AND tenant_id = :tenant AND run_id = :run")
                .bind("connection", connectionId).bind("entity", entity).bind("tenant", tenantId).bind("run", runId).execute();
    }

    // ---- dead letters -----------------------------------------------------------------------------------

    public record DeadLetterRow(long id, String connectionId, String entity, String externalId, String runId,
            String source, String error, String payload, Instant createdAt) {}

    public void insertDeadLetter(Handle handle, String tenantId, String connectionId, String entity, String externalId,
            String runId, String source, String error, String payload, Instant now) {
        handle.createUpdate("INSERT INTO junction_dead_letter (tenant_id, connection_id, entity, external_id, run_id, source, "
                        + "error, payload, created_at) VALUES (:tenant, :connection, :entity, :id, :run, :source, :error, :payload, :now)")
                .bind("tenant", tenantId).bind("connection", connectionId).bind("entity", entity).bind("id", externalId)
                .bind("run", runId).bind("source", source).bind("error", error).bind("payload", payload)
                .bind("now", Sql.timestamp(now)).execute();
    }

    public List<DeadLetterRow> deadLetters(String tenantId, String connectionId, int limit) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT * FROM junction_dead_letter WHERE tenant_id = :tenant "
                        + "AND connection_id = :connection ORDER BY id LIMIT :limit")
                .bind("tenant", tenantId).bind("connection", connectionId).bind("limit", limit)
                .map((rs, ctx) -> new DeadLetterRow(rs.getLong("id"), rs.getString("connection_id"), rs.getString("entity"),
                        rs.getString("external_id"), rs.getString("run_id"), rs.getString("source"), rs.getString("error"),
                        rs.getString("payload"), Sql.instant(rs, "created_at")))
                .list());
    }
}
