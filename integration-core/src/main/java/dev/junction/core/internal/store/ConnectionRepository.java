package dev.junction.core.internal.store;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.RowMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Connections and OAuth states. Every query is scoped by tenant, except lookups by unguessable token or state. */
public final class ConnectionRepository {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionRepository.class);

    private static final String COLUMNS = "id, tenant_id, provider_id, display_name, status, settings, secret_settings, "
            + "credentials, access_expires_at, webhook_token, last_error, created_at, updated_at";

    private static final RowMapper<ConnectionRow> MAPPER = (rs, ctx) -> new ConnectionRow(
            rs.getString("id"), rs.getString("tenant_id"), rs.getString("provider_id"), rs.getString("display_name"),
            rs.getString("status"), rs.getString("settings"), rs.getString("secret_settings"),
            rs.getString("credentials"), Sql.instant(rs, "access_expires_at"), rs.getString("webhook_token"),
            rs.getString("last_error"), Sql.instant(rs, "created_at"), Sql.instant(rs, "updated_at"));

    private final Jdbi jdbi;

    public ConnectionRepository(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    public void insert(ConnectionRow row) {
        RecordRepository.ensureFeedLock(jdbi, row.tenantId());
        jdbi.useHandle(handle -> handle.createUpdate("INSERT INTO junction_connection (" + COLUMNS + ") VALUES "
                        + "(:id, :tenant, :provider, :name, :status, :settings, :secrets, :credentials, :expires, :token, "
                        + ":error, :created, :updated)")
                .bind("id", row.id()).bind("tenant", row.tenantId()).bind("provider", row.providerId())
                .bind("name", row.displayName()).bind("status", row.status()).bind("settings", row.settingsJson())
                .bind("secrets", row.encryptedSecretSettings()).bind("credentials", row.encryptedCredentials())
                .bind("expires", Sql.timestamp(row.accessExpiresAt())).bind("token", row.webhookToken())
                .bind("error", row.lastError()).bind("created", Sql.timestamp(row.createdAt()))
                .bind("updated", Sql.timestamp(row.updatedAt()))
                .execute());
    }

    public Optional<ConnectionRow> find(String tenantId, String connectionId) {
        return jdbi.withHandle(handle -> find(handle, tenantId, connectionId, false));
    }

    /** Reads the row inside {@code handle}'s transaction, locking it when {@code forUpdate}. */
    public Optional<ConnectionRow> find(Handle handle, String tenantId, String connectionId, boolean forUpdate) {
        return handle.createQuery("SELECT " + COLUMNS + " FROM junction_connection WHERE tenant_id = :tenant AND id = :id"
                        + (forUpdate ? " FOR UPDATE" : ""))
                .bind("tenant", tenantId).bind("id", connectionId)
                .map(MAPPER).findOne();
    }

    public Optional<ConnectionRow> findByWebhookToken(String token) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT " + COLUMNS + " FROM junction_connection WHERE webhook_token = :token")
                .bind("token", token).map(MAPPER).findOne());
    }

    public List<ConnectionRow> list(String tenantId) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT " + COLUMNS
                        + " FROM junction_connection WHERE tenant_id = :tenant ORDER BY created_at, id")
                .bind("tenant", tenantId).map(MAPPER).list());
    }

    /**
     * Every tenant's active connections whose access token expires before {@code before} (the maintenance sweep;
     * callers act per row and keep the tenant).
     */
    public List<ConnectionRow> expiringBefore(Instant before) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT " + COLUMNS + " FROM junction_connection "
                        + "WHERE status = 'ACTIVE' AND access_expires_at IS NOT NULL AND access_expires_at < :before "
                        + "ORDER BY access_expires_at, id")
                .bind("before", Sql.timestamp(before)).map(MAPPER).list());
    }

    public void updateCredentials(Handle handle, String tenantId, String connectionId, String encryptedCredentials,
            Instant accessExpiresAt, String status, Instant now) {
        handle.createUpdate("UPDATE junction_connection SET credentials = :credentials, access_expires_at = :expires, "
                        + "status = :status, last_error = NULL, updated_at = :now WHERE tenant_id = :tenant AND id = :id")
                .bind("credentials", encryptedCredentials).bind("expires", Sql.timestamp(accessExpiresAt))
                .bind("status", status).bind("now", Sql.timestamp(now))
                .bind("tenant", tenantId).bind("id", connectionId).execute();
    }

    public void updateStatus(String tenantId, String connectionId, String status, String lastError, Instant now) {
        jdbi.useHandle(handle -> handle.createUpdate("UPDATE junction_connection SET status = :status, last_error = :error, "
                        + "updated_at = :now WHERE tenant_id = :tenant AND id = :id")
                .bind("status", status).bind("error", lastError).bind("now", Sql.timestamp(now))
                .bind("tenant", tenantId).bind("id", connectionId).execute());
    }

    /** A deletion that lost a deadlock is run again this many times in all before its error is reported. */
    private static final int DELETE_ATTEMPTS = 5;

    /**
     * Deletes the connection and everything synced for it: records, change events, runs, webhooks, actions. One
     * transaction over many tables, so a sync of the connection still running (its entity's start and end touch the
     * same run, checkpoint and lease rows in another order) can deadlock with it; the database then rolls one of the
     * two back, and a deletion it rolled back is run again instead of failing the caller's request.
     */
    public boolean delete(String tenantId, String connectionId) {
        for (int attempt = 1; ; attempt++) {
            try {
                return deleteOnce(tenantId, connectionId);
            } catch (RuntimeException e) {
                if (attempt == DELETE_ATTEMPTS || !Database.isTransactionConflict(e)) {
                    throw e;
                }
                LOG.debug("deleting connection {} lost a deadlock (attempt {}); running it again", connectionId, attempt);
            }
        }
    }

    private boolean deleteOnce(String tenantId, String connectionId) {
        boolean deleted = jdbi.inTransaction(handle -> {
            handle.createUpdate("DELETE FROM junction_sync_run_entity WHERE tenant_id = :tenant AND run_id IN "
                            + "(SELECT id FROM junction_sync_run WHERE tenant_id = :tenant AND connection_id = :id)")
                    .bind("tenant", tenantId).bind("id", connectionId).execute();
            // The records, a key range of each of the connection's streams (see Streams).
            handle.createQuery("SELECT stream_id, kind FROM junction_record_stream WHERE tenant_id = :tenant AND connection_id = :id")
                    .bind("tenant", tenantId).bind("id", connectionId)
                    .map((rs, ctx) -> Map.entry(rs.getLong(1), rs.getString(2))).list()
                    .forEach(stream -> {
                        handle.createUpdate("DELETE FROM " + (stream.getValue().equals(Streams.RAW) ? "junction_raw_record"
                                        : "junction_unified_record") + " WHERE stream_id = :stream AND tenant_id = :tenant "
                                        + "AND connection_id = :id")
                                .bind("stream", stream.getKey()).bind("tenant", tenantId).bind("id", connectionId).execute();
                    });
            for (String table : List.of("junction_push", "junction_record_stream", "junction_sync_checkpoint",
                    "junction_change_event", "junction_sync_run",
                    "junction_sync_lease", "junction_webhook_subscription", "junction_webhook_inbox",
                    "junction_dead_letter", "junction_action_execution", "junction_oauth_state", "junction_token_refresh_error",
                    "junction_pass_seen")) {
                handle.createUpdate("DELETE FROM " + table + " WHERE tenant_id = :tenant AND connection_id = :id")
                        .bind("tenant", tenantId).bind("id", connectionId).execute();
            }
            return handle.createUpdate("DELETE FROM junction_connection WHERE tenant_id = :tenant AND id = :id")
                    .bind("tenant", tenantId).bind("id", connectionId).execute() == 1;
        });
        Streams.forget(jdbi, connectionId);
        return deleted;
    }

    public void insertOAuthState(String state, String tenantId, String connectionId, String encryptedVerifier,
            String redirectUri, Instant expiresAt) {
        jdbi.useHandle(handle -> handle.createUpdate("INSERT INTO junction_oauth_state (state, tenant_id, connection_id, "
                        + "code_verifier, redirect_uri, expires_at) VALUES (:state, :tenant, :connection, :verifier, :redirect, :expires)")
                .bind("state", state).bind("tenant", tenantId).bind("connection", connectionId)
                .bind("verifier", encryptedVerifier).bind("redirect", redirectUri)
                .bind("expires", Sql.timestamp(expiresAt)).execute());
    }

    /** A stored OAuth state. */
    public record OAuthStateRow(String state, String tenantId, String connectionId, String encryptedVerifier,
            String redirectUri, Instant expiresAt) {}

    /** Removes and returns the state: each state can be used once. */
    public Optional<OAuthStateRow> takeOAuthState(String state) {
        return jdbi.inTransaction(handle -> {
            Optional<OAuthStateRow> row = handle.createQuery("SELECT state, tenant_id, connection_id, code_verifier, "
                            + "redirect_uri, expires_at FROM junction_oauth_state WHERE state = :state FOR UPDATE")
                    .bind("state", state)
                    .map((rs, ctx) -> new OAuthStateRow(rs.getString("state"), rs.getString("tenant_id"),
                            rs.getString("connection_id"), rs.getString("code_verifier"), rs.getString("redirect_uri"),
                            Sql.instant(rs, "expires_at")))
                    .findOne();
            row.ifPresent(found -> handle.createUpdate("DELETE FROM junction_oauth_state WHERE state = :state")
                    .bind("state", state).execute());
            return row;
        });
    }
}
