package dev.junction.core.internal.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.RowMapper;

/** Pushes of local changes (claims, decisions, outcomes) and each connection's conflict strategy. Tenant-scoped. */
public final class PushRepository {

    public record PushRow(long id, String tenantId, String connectionId, String idempotencyKey, String entity,
            String externalId, String requestHash, String status, String decision, String strategy, String changes,
            String remoteBefore, String result, String error, Instant createdAt, Instant finishedAt) {}

    private static final RowMapper<PushRow> MAPPER = (rs, ctx) -> new PushRow(rs.getLong("id"), rs.getString("tenant_id"),
            rs.getString("connection_id"), rs.getString("idempotency_key"), rs.getString("entity"), rs.getString("external_id"),
            rs.getString("request_hash"), rs.getString("status"), rs.getString("decision"), rs.getString("strategy"),
            rs.getString("changes"), rs.getString("remote_before"), rs.getString("result"), rs.getString("error"),
            Sql.instant(rs, "created_at"), Sql.instant(rs, "finished_at"));

    private final Jdbi jdbi;

    public PushRepository(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    public Optional<String> strategy(String tenantId, String connectionId) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT conflict_strategy FROM junction_connection "
                        + "WHERE tenant_id = :tenant AND id = :id")
                .bind("tenant", tenantId).bind("id", connectionId).mapTo(String.class).findOne());
    }

    public void setStrategy(String tenantId, String connectionId, String strategy) {
        jdbi.useHandle(handle -> handle.createUpdate("UPDATE junction_connection SET conflict_strategy = :strategy "
                        + "WHERE tenant_id = :tenant AND id = :id")
                .bind("strategy", strategy).bind("tenant", tenantId).bind("id", connectionId).execute());
    }

    /** Claims an idempotency key; empty when it is taken (read it with {@link #find}). */
    public Optional<Long> claim(String tenantId, String connectionId, String key, String entity, String externalId,
            String requestHash, String changes, Instant now) {
        try {
            return Optional.of(jdbi.withHandle(handle -> handle.createUpdate("INSERT INTO junction_push (tenant_id, connection_id, "
                            + "idempotency_key, entity, external_id, request_hash, status, changes, created_at) VALUES (:tenant, "
                            + ":connection, :key, :entity, :external, :hash, 'running', :changes, :now)")
                    .bind("tenant", tenantId).bind("connection", connectionId).bind("key", key).bind("entity", entity)
                    .bind("external", externalId).bind("hash", requestHash).bind("changes", changes)
                    .bind("now", Sql.timestamp(now))
                    .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one()));
        } catch (RuntimeException e) {
            if (Database.isUniqueViolation(e)) {
                return Optional.empty();
            }
            throw e;
        }
    }

    public Optional<PushRow> find(String tenantId, String connectionId, String key) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT * FROM junction_push WHERE tenant_id = :tenant "
                        + "AND connection_id = :connection AND idempotency_key = :key")
                .bind("tenant", tenantId).bind("connection", connectionId).bind("key", key).map(MAPPER).findOne());
    }

    public PushRow get(String tenantId, long id) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT * FROM junction_push WHERE tenant_id = :tenant AND id = :id")
                .bind("tenant", tenantId).bind("id", id).map(MAPPER).one());
    }

    /** Records the decision and outcome, inside the transaction that stored the resulting record. */
    public void finish(Handle handle, String tenantId, long id, String status, String externalId, String decision,
            String strategy, String remoteBefore, String result, String error, Instant now) {
        handle.createUpdate("UPDATE junction_push SET status = :status, external_id = COALESCE(:external, external_id), "
                        + "decision = :decision, strategy = :strategy, remote_before = :before, result = :result, error = :error, "
                        + "finished_at = :now WHERE tenant_id = :tenant AND id = :id")
                .bind("status", status).bind("external", externalId).bind("decision", decision).bind("strategy", strategy)
                .bind("before", remoteBefore).bind("result", result).bind("error", error).bind("now", Sql.timestamp(now))
                .bind("tenant", tenantId).bind("id", id).execute();
    }

    /** Frees a key whose push failed before any decision, so a retry with it runs. */
    public void release(String tenantId, long id) {
        jdbi.useHandle(handle -> handle.createUpdate("DELETE FROM junction_push WHERE tenant_id = :tenant AND id = :id "
                        + "AND status = 'running'")
                .bind("tenant", tenantId).bind("id", id).execute());
    }

    public List<PushRow> log(String tenantId, String connectionId, int limit) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT * FROM junction_push WHERE tenant_id = :tenant "
                        + "AND connection_id = :connection ORDER BY id DESC LIMIT :limit")
                .bind("tenant", tenantId).bind("connection", connectionId).bind("limit", limit).map(MAPPER).list());
    }
}
