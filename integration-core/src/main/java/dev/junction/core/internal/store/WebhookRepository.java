package dev.junction.core.internal.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.RowMapper;

/**
 * Webhook subscriptions registered at providers, and the inbox of verified incoming events. Every query is scoped
 * by tenant and connection, except the worker's scan for due inbox entries. Secrets arrive here already encrypted.
 */
public final class WebhookRepository {

    /** A stored subscription; {@code encryptedSecret} is null until the provider gave one. */
    public record SubscriptionRow(String tenantId, String connectionId, String subscriptionId, String entity,
            String encryptedSecret, String status, Instant expiresAt, Instant createdAt, Instant updatedAt) {}

    /** A stored inbox entry. */
    public record InboxRow(long id, String tenantId, String connectionId, String dedupeKey, String entity, String externalId,
            String kind, String payload, String status, int attempts, String lastError, Instant receivedAt,
            Instant nextAttemptAt, Instant processedAt) {}

    private static final RowMapper<SubscriptionRow> SUBSCRIPTION = (rs, ctx) -> new SubscriptionRow(rs.getString("tenant_id"),
            rs.getString("connection_id"), rs.getString("subscription_id"), rs.getString("entity"), rs.getString("secret"),
            rs.getString("status"), Sql.instant(rs, "expires_at"), Sql.instant(rs, "created_at"), Sql.instant(rs, "updated_at"));

    private static final RowMapper<InboxRow> INBOX = (rs, ctx) -> new InboxRow(rs.getLong("id"), rs.getString("tenant_id"),
            rs.getString("connection_id"), rs.getString("dedupe_key"), rs.getString("entity"), rs.getString("external_id"),
            rs.getString("kind"), rs.getString("payload"), rs.getString("status"), rs.getInt("attempts"),
            rs.getString("last_error"), Sql.instant(rs, "received_at"), Sql.instant(rs, "next_attempt_at"),
            Sql.instant(rs, "processed_at"));

    private final Jdbi jdbi;

    public WebhookRepository(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    // ---- registration window ------------------------------------------------------------------------------

    public void setHandshakeWindow(String tenantId, String connectionId, Instant until) {
        jdbi.useHandle(handle -> handle.createUpdate("UPDATE junction_connection SET webhook_handshake_until = :until "
                        + "WHERE tenant_id = :tenant AND id = :id")
                .bind("until", Sql.timestamp(until)).bind("tenant", tenantId).bind("id", connectionId).execute());
    }

    public Optional<Instant> handshakeWindow(String tenantId, String connectionId) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT webhook_handshake_until FROM junction_connection "
                        + "WHERE tenant_id = :tenant AND id = :id")
                .bind("tenant", tenantId).bind("id", connectionId)
                .map((rs, ctx) -> Optional.ofNullable(Sql.instant(rs, "webhook_handshake_until")))
                .findOne().flatMap(value -> value));
    }

    // ---- subscriptions --------------------------------------------------------------------------------------

    public Optional<SubscriptionRow> findSubscription(String tenantId, String connectionId, String subscriptionId) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT * FROM junction_webhook_subscription WHERE tenant_id = :tenant "
                        + "AND connection_id = :connection AND subscription_id = :id")
                .bind("tenant", tenantId).bind("connection", connectionId).bind("id", subscriptionId)
                .map(SUBSCRIPTION).findOne());
    }

    public List<SubscriptionRow> subscriptions(String tenantId, String connectionId) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT * FROM junction_webhook_subscription WHERE tenant_id = :tenant "
                        + "AND connection_id = :connection ORDER BY entity, subscription_id")
                .bind("tenant", tenantId).bind("connection", connectionId).map(SUBSCRIPTION).list());
    }

    /** Subscriptions of every tenant that need care before {@code horizon}: expiring, or pending with a secret. */
    public List<SubscriptionRow> subscriptionsNeedingCare(Instant horizon, int limit) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT * FROM junction_webhook_subscription WHERE "
                        + "(expires_at IS NOT NULL AND expires_at < :horizon) OR (status = 'pending' AND secret IS NOT NULL) "
                        + "ORDER BY expires_at LIMIT :limit")
                .bind("horizon", Sql.timestamp(horizon)).bind("limit", limit).map(SUBSCRIPTION).list());
    }

    /**
     * Records what the provider said about a subscription. A secret or status already stored is kept when the new
     * value is null, and an {@code enabled} status (set when core answered the handshake) is not downgraded to
     * {@code pending} by a registration response that raced with the handshake.
     */
    public void saveSubscription(SubscriptionRow row) {
        try {
            saveSubscriptionOnce(row);
        } catch (RuntimeException e) {
            if (!Database.isUniqueViolation(e)) {
                throw e;
            }
            // The handshake and the registration response raced to insert the row; now it exists, so update it.
            saveSubscriptionOnce(row);
        }
    }

    private void saveSubscriptionOnce(SubscriptionRow row) {
        jdbi.useTransaction(handle -> {
            Optional<SubscriptionRow> existing = handle.createQuery("SELECT * FROM junction_webhook_subscription WHERE "
                            + "tenant_id = :tenant AND connection_id = :connection AND subscription_id = :id FOR UPDATE")
                    .bind("tenant", row.tenantId()).bind("connection", row.connectionId()).bind("id", row.subscriptionId())
                    .map(SUBSCRIPTION).findOne();
            if (existing.isEmpty()) {
                insertSubscription(handle, row);
                return;
            }
            SubscriptionRow old = existing.get();
            String secret = row.encryptedSecret() != null ? row.encryptedSecret() : old.encryptedSecret();
            String status = "pending".equals(row.status()) && "enabled".equals(old.status()) ? old.status()
                    : row.status() != null ? row.status() : old.status();
            String entity = row.entity().isEmpty() ? old.entity() : row.entity();
            Instant expiresAt = row.expiresAt() != null ? row.expiresAt() : old.expiresAt();
            handle.createUpdate("UPDATE junction_webhook_subscription SET entity = :entity, secret = :secret, status = :status, "
                            + "expires_at = :expires, updated_at = :now WHERE tenant_id = :tenant AND connection_id = :connection "
                            + "AND subscription_id = :id")
                    .bind("entity", entity).bind("secret", secret).bind("status", status)
                    .bind("expires", Sql.timestamp(expiresAt)).bind("now", Sql.timestamp(row.updatedAt()))
                    .bind("tenant", row.tenantId()).bind("connection", row.connectionId()).bind("id", row.subscriptionId())
                    .execute();
        });
    }

    private static void insertSubscription(Handle handle, SubscriptionRow row) {
        handle.createUpdate("INSERT INTO junction_webhook_subscription (connection_id, subscription_id, tenant_id, entity, secret, "
                        + "status, expires_at, created_at, updated_at) VALUES (:connection, :id, :tenant, :entity, :secret, "
                        + ":status, :expires, :created, :updated)")
                .bind("connection", row.connectionId()).bind("id", row.subscriptionId()).bind("tenant", row.tenantId())
                .bind("entity", row.entity()).bind("secret", row.encryptedSecret()).bind("status", row.status())
                .bind("expires", Sql.timestamp(row.expiresAt())).bind("created", Sql.timestamp(row.createdAt()))
                .bind("updated", Sql.timestamp(row.updatedAt())).execute();
    }

    public boolean deleteSubscription(String tenantId, String connectionId, String subscriptionId) {
        return jdbi.withHandle(handle -> handle.createUpdate("DELETE FROM junction_webhook_subscription WHERE tenant_id = :tenant "
                        + "AND connection_id = :connection AND subscription_id = :id")
                .bind("tenant", tenantId).bind("connection", connectionId).bind("id", subscriptionId).execute() == 1);
    }

    // ---- inbox ----------------------------------------------------------------------------------------------

    /** One verified event waiting to be stored in the inbox. */
    public record NewInboxRow(String tenantId, String connectionId, String dedupeKey, String entity, String externalId,
            String kind, String payload, Instant receivedAt) {
    }

    /**
     * Stores {@code rows} in one transaction (a JDBC batch of {@code INSERT ... ON CONFLICT DO NOTHING}, one round
     * trip) and returns, per row, whether it was new; a row whose dedupe key the inbox already holds, or which repeats
     * an earlier row of the same batch, is {@code false}. Either every row is durable when this returns or it throws
     * and none is. The same SQL runs on PostgreSQL and on H2 in PostgreSQL mode (both report 0 rows for a skipped one).
     */
    public boolean[] insertInboxBatch(List<NewInboxRow> rows) {
        if (rows.isEmpty()) return new boolean[0];
        return jdbi.inTransaction(handle -> {
            // Plain JDBC with positional parameters: Jdbi's named binding cost more CPU per row than the insert itself,
            // and this runs once per webhook on the group-commit writer's single thread.
            int[] counts;
            try (java.sql.PreparedStatement insert = handle.getConnection().prepareStatement(INSERT_INBOX)) {
                for (NewInboxRow row : rows) {
                    insert.setString(1, row.tenantId());
                    insert.setString(2, row.connectionId());
                    insert.setString(3, row.dedupeKey());
                    insert.setString(4, row.entity());
                    insert.setString(5, row.externalId());
                    insert.setString(6, row.kind());
                    insert.setString(7, row.payload());
                    // As ISO text the database casts: the driver's OffsetDateTime binding (TimestampUtils, a calendar
                    // per statement) cost the writer's single thread more than the rest of the row.
                    String received = dev.junction.core.internal.Json.iso(row.receivedAt());
                    insert.setString(8, received);
                    insert.setString(9, received);
                    insert.addBatch();
                }
                counts = insert.executeBatch();
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException("storing " + rows.size() + " webhook events failed (SQL state " + e.getSQLState() + ")", e);
            }
            if (counts.length != rows.size()) {
                throw new IllegalStateException("inbox batch reported " + counts.length + " counts for " + rows.size() + " rows");
            }
            boolean[] stored = new boolean[counts.length];
            for (int i = 0; i < counts.length; i++) {
                if (counts[i] == java.sql.Statement.SUCCESS_NO_INFO) {
                    throw new IllegalStateException("the driver did not report which inbox rows were new");
                }
                stored[i] = counts[i] > 0;
            }
            return stored;
        });
    }

    private static final String INSERT_INBOX = "INSERT INTO junction_webhook_inbox (tenant_id, connection_id, dedupe_key, entity, "
            + "external_id, kind, payload, status, attempts, received_at, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', 0, "
            + "CAST(? AS TIMESTAMP WITH TIME ZONE), CAST(? AS TIMESTAMP WITH TIME ZONE)) "
            + "ON CONFLICT DO NOTHING";

    /** Ids of entries due for processing (pending and due, or claimed by a worker whose lease ran out), earliest due first. */
    public List<Long> dueInbox(Instant now, int limit) {
        // A status at a time, each an index scan of (status, next_attempt_at, id) that stops at the limit.
        return jdbi.withHandle(handle -> handle.createQuery("SELECT id FROM ("
                        + "(SELECT id, next_attempt_at FROM junction_webhook_inbox WHERE status = 'pending' AND next_attempt_at <= :now "
                        + "ORDER BY next_attempt_at, id LIMIT :limit) UNION ALL "
                        + "(SELECT id, next_attempt_at FROM junction_webhook_inbox WHERE status = 'processing' AND next_attempt_at <= :now "
                        + "ORDER BY next_attempt_at, id LIMIT :limit)) due ORDER BY next_attempt_at, id LIMIT :limit")
                .bind("now", Sql.timestamp(now)).bind("limit", limit).mapTo(Long.class).list());
    }

    /** Claims an entry for one worker until {@code leaseUntil}; empty when another worker has it. */
    public Optional<InboxRow> claim(long id, Instant now, Instant leaseUntil) {
        return jdbi.inTransaction(handle -> {
            int claimed = handle.createUpdate("UPDATE junction_webhook_inbox SET status = 'processing', claimed_at = :now, "
                            + "next_attempt_at = :lease WHERE id = :id AND status IN ('pending', 'processing') AND next_attempt_at <= :now")
                    .bind("now", Sql.timestamp(now)).bind("lease", Sql.timestamp(leaseUntil)).bind("id", id).execute();
            if (claimed == 0) {
                return Optional.empty();
            }
            return handle.createQuery("SELECT * FROM junction_webhook_inbox WHERE id = :id").bind("id", id).map(INBOX).findOne();
        });
    }

    /**
     * Claims, in one transaction, those of {@code ids} that are still due (each exactly as {@link #claim} would,
     * so of workers racing for an entry one gets it) and returns them in id order; the others are left alone. One
     * JDBC batch of updates, then one select of the claimed rows: the worker's claims cost one commit per chunk
     * instead of one per entry.
     */
    public List<InboxRow> claimAll(List<Long> ids, Instant now, Instant leaseUntil) {
        if (ids.isEmpty()) return List.of();
        return jdbi.inTransaction(handle -> {
            List<Long> claimed = new java.util.ArrayList<>(ids.size());
            try (java.sql.PreparedStatement update = handle.getConnection().prepareStatement(CLAIM)) {
                java.time.OffsetDateTime at = Sql.timestamp(now);
                java.time.OffsetDateTime lease = Sql.timestamp(leaseUntil);
                for (long id : ids) {
                    update.setObject(1, at);
                    update.setObject(2, lease);
                    update.setLong(3, id);
                    update.setObject(4, at);
                    update.addBatch();
                }
                int[] counts = update.executeBatch();
                for (int i = 0; i < counts.length; i++) {
                    if (counts[i] == java.sql.Statement.SUCCESS_NO_INFO) {
                        throw new IllegalStateException("the driver did not report which inbox entries were claimed");
                    }
                    if (counts[i] > 0) claimed.add(ids.get(i));
                }
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException("claiming " + ids.size() + " webhook inbox entries failed (SQL state " + e.getSQLState() + ")", e);
            }
            if (claimed.isEmpty()) return List.of();
            return handle.createQuery("SELECT i.* FROM UNNEST(:ids) AS u(id) JOIN junction_webhook_inbox i ON i.id = u.id ORDER BY i.id")
                    .bindArray("ids", Long.class, claimed).map(INBOX).list();
        });
    }

    private static final String CLAIM = "UPDATE junction_webhook_inbox SET status = 'processing', claimed_at = ?, next_attempt_at = ? "
            + "WHERE id = ? AND status IN ('pending', 'processing') AND next_attempt_at <= ?";

    /**
     * Gives back entries this worker claimed (with {@code leaseUntil}) but did not process, so that they are due at
     * {@code now} instead of when the lease runs out; an entry claimed since by another worker is left alone.
     */
    public void release(List<InboxRow> rows, Instant now, Instant leaseUntil) {
        if (rows.isEmpty()) return;
        jdbi.useHandle(handle -> {
            org.jdbi.v3.core.statement.PreparedBatch batch = handle.prepareBatch("UPDATE junction_webhook_inbox SET status = 'pending', "
                    + "next_attempt_at = :now WHERE id = :id AND tenant_id = :tenant AND status = 'processing' AND next_attempt_at = :lease");
            for (InboxRow row : rows) {
                batch.bind("now", Sql.timestamp(now)).bind("id", row.id()).bind("tenant", row.tenantId())
                        .bind("lease", Sql.timestamp(leaseUntil)).add();
            }
            batch.execute();
        });
    }

    /** Marks an entry processed inside the caller's transaction (the one that wrote its record). */
    public void markProcessed(Handle handle, InboxRow row, Instant now) {
        handle.createUpdate("UPDATE junction_webhook_inbox SET status = 'processed', attempts = attempts + 1, last_error = NULL, "
                        + "processed_at = :now WHERE id = :id AND tenant_id = :tenant")
                .bind("now", Sql.timestamp(now)).bind("id", row.id()).bind("tenant", row.tenantId()).execute();
    }

    /** Records a failed attempt: back to pending at {@code nextAttempt}, or dead. */
    public void markFailed(Handle handle, InboxRow row, String error, boolean dead, Instant nextAttempt) {
        handle.createUpdate("UPDATE junction_webhook_inbox SET status = :status, attempts = attempts + 1, last_error = :error, "
                        + "next_attempt_at = :next WHERE id = :id AND tenant_id = :tenant")
                .bind("status", dead ? "dead" : "pending").bind("error", error).bind("next", Sql.timestamp(nextAttempt))
                .bind("id", row.id()).bind("tenant", row.tenantId()).execute();
    }

    public List<InboxRow> inbox(String tenantId, String connectionId, String status, int limit) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT * FROM junction_webhook_inbox WHERE tenant_id = :tenant "
                        + "AND connection_id = :connection" + (status == null ? "" : " AND status = :status")
                        + " ORDER BY id DESC LIMIT :limit")
                .bind("tenant", tenantId).bind("connection", connectionId).bind("status", status).bind("limit", limit)
                .map(INBOX).list());
    }

    /** Puts a dead entry back in the queue. Returns false when there is no dead entry with that id. */
    public boolean replay(String tenantId, String connectionId, long id, Instant now) {
        return jdbi.withHandle(handle -> handle.createUpdate("UPDATE junction_webhook_inbox SET status = 'pending', attempts = 0, "
                        + "next_attempt_at = :now WHERE id = :id AND tenant_id = :tenant AND connection_id = :connection "
                        + "AND status = 'dead'")
                .bind("now", Sql.timestamp(now)).bind("id", id).bind("tenant", tenantId).bind("connection", connectionId)
                .execute() == 1);
    }
}
