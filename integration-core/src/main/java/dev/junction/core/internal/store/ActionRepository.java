package dev.junction.core.internal.store;

import java.time.Instant;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/** Executions of provider actions by idempotency key, scoped by tenant and connection. */
public final class ActionRepository {

    /** A stored execution: {@code running} while the provider call is under way, then {@code succeeded}. */
    public record ExecutionRow(String requestHash, String status, String result, Instant createdAt) {}

    private final Jdbi jdbi;

    public ActionRepository(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    public Optional<ExecutionRow> find(String tenantId, String connectionId, String action, String key) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT request_hash, status, result, created_at FROM "
                        + "junction_action_execution WHERE tenant_id = :tenant AND connection_id = :connection "
                        + "AND action_name = :action AND idempotency_key = :key")
                .bind("tenant", tenantId).bind("connection", connectionId).bind("action", action).bind("key", key)
                .map((rs, ctx) -> new ExecutionRow(rs.getString("request_hash"), rs.getString("status"), rs.getString("result"),
                        Sql.instant(rs, "created_at")))
                .findOne());
    }

    /** Claims the key; returns false when it is already taken (then read it with {@link #find}). */
    public boolean start(String tenantId, String connectionId, String action, String key, String requestHash, Instant now) {
        try {
            jdbi.useHandle(handle -> handle.createUpdate("INSERT INTO junction_action_execution (connection_id, action_name, "
                            + "idempotency_key, tenant_id, request_hash, status, created_at) VALUES (:connection, :action, :key, "
                            + ":tenant, :hash, 'running', :now)")
                    .bind("connection", connectionId).bind("action", action).bind("key", key).bind("tenant", tenantId)
                    .bind("hash", requestHash).bind("now", Sql.timestamp(now)).execute());
            return true;
        } catch (RuntimeException e) {
            if (Database.isUniqueViolation(e)) {
                return false;
            }
            throw e;
        }
    }

    public void succeed(String tenantId, String connectionId, String action, String key, String result) {
        jdbi.useHandle(handle -> handle.createUpdate("UPDATE junction_action_execution SET status = 'succeeded', result = :result "
                        + "WHERE tenant_id = :tenant AND connection_id = :connection AND action_name = :action AND idempotency_key = :key")
                .bind("result", result).bind("tenant", tenantId).bind("connection", connectionId).bind("action", action)
                .bind("key", key).execute());
    }

    /** Frees the key after a failed attempt so the caller may retry with it. */
    public void release(String tenantId, String connectionId, String action, String key) {
        jdbi.useHandle(handle -> handle.createUpdate("DELETE FROM junction_action_execution WHERE tenant_id = :tenant "
                        + "AND connection_id = :connection AND action_name = :action AND idempotency_key = :key AND status = 'running'")
                .bind("tenant", tenantId).bind("connection", connectionId).bind("action", action).bind("key", key).execute());
    }
}
