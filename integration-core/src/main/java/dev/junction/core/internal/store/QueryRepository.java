package dev.junction.core.internal.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.Query;

/** Read side: unified records with filters and keyset paging, raw records, and the change feed. */
public final class QueryRepository {

    private final Jdbi jdbi;

    public QueryRepository(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    public record UnifiedRow(String connectionId, String unifiedType, String externalId, String entity, String data,
            boolean deleted, Instant remoteUpdatedAt, Instant updatedAt) {}

    /** Filters for {@link #unified}; null means "no filter". {@code after} is the last (connection, id) seen. */
    public record UnifiedFilter(String tenantId, String unifiedType, String connectionId, Instant updatedSince,
            String text, boolean includeDeleted, String afterConnectionId, String afterExternalId, int limit) {}

    public List<UnifiedRow> unified(UnifiedFilter filter) {
        String sql = unifiedSql(filter);
        return jdbi.withHandle(handle -> {
            Query query = handle.createQuery(sql)
                    .bind("tenant", filter.tenantId()).bind("type", filter.unifiedType()).bind("limit", filter.limit());
            if (filter.connectionId() != null) query.bind("connection", filter.connectionId());
            if (filter.updatedSince() != null) query.bind("since", Sql.timestamp(filter.updatedSince()));
            if (filter.text() != null) query.bind("text", "%" + escapeLike(filter.text().toLowerCase(java.util.Locale.ROOT)) + "%");
            if (filter.afterConnectionId() != null) {
                query.bind("afterConnection", filter.afterConnectionId()).bind("afterId", filter.afterExternalId());
            }
            return query.map((rs, ctx) -> unifiedRow(rs)).list();
        });
    }

    /**
     * The statement of {@link #unified} (binds {@code tenant, type, limit} and, as the filter asks, {@code connection,
     * since, text, afterConnection, afterId}); in the unified key's order, {@code (tenant_id, unified_type,
     * connection_id, external_id)}. Public for its plan test.
     */
    public static String unifiedSql(UnifiedFilter filter) {
        StringBuilder sql = new StringBuilder("SELECT connection_id, unified_type, external_id, entity, data, deleted, "
                + "remote_updated_at, updated_at FROM junction_unified_record WHERE tenant_id = :tenant AND unified_type = :type");
        if (filter.connectionId() != null) sql.append(" AND connection_id = :connection");
        if (filter.updatedSince() != null) sql.append(" AND updated_at >= :since");
        if (filter.text() != null) sql.append(" AND (LOWER(label) LIKE :text ESCAPE '!' OR LOWER(email) LIKE :text ESCAPE '!')");
        if (!filter.includeDeleted()) sql.append(" AND deleted = FALSE");
        if (filter.afterConnectionId() != null) {
            sql.append(" AND (connection_id > :afterConnection OR (connection_id = :afterConnection AND external_id > :afterId))");
        }
        return sql.append(" ORDER BY connection_id, external_id LIMIT :limit").toString();
    }

    public Optional<UnifiedRow> unifiedOne(String tenantId, String connectionId, String unifiedType, String externalId) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT connection_id, unified_type, external_id, entity, data, "
                        + "deleted, remote_updated_at, updated_at FROM junction_unified_record WHERE tenant_id = :tenant "
                        + "AND connection_id = :connection AND unified_type = :type AND external_id = :id")
                .bind("tenant", tenantId).bind("connection", connectionId).bind("type", unifiedType).bind("id", externalId)
                .map((rs, ctx) -> unifiedRow(rs)).findOne());
    }

    private static UnifiedRow unifiedRow(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new UnifiedRow(rs.getString("connection_id"), rs.getString("unified_type"), rs.getString("external_id"),
                rs.getString("entity"), rs.getString("data"), rs.getBoolean("deleted"), Sql.instant(rs, "remote_updated_at"),
                Sql.instant(rs, "updated_at"));
    }

    private static String escapeLike(String text) {
        return text.replace("!", "!!").replace("%", "!%").replace("_", "!_");
    }

    public Optional<RecordRepository.RawRow> raw(String tenantId, String connectionId, String entity, String externalId) {
        return jdbi.withHandle(handle -> new RecordRepository().findRaw(handle, tenantId, connectionId, entity, externalId));
    }

    public List<String> liveIds(String tenantId, String connectionId, String entity) {
        return jdbi.withHandle(handle -> new RecordRepository().liveIds(handle, tenantId, connectionId, entity));
    }

    public long countRaw(String tenantId, String connectionId, String entity, boolean includeDeleted) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT COUNT(*) FROM junction_raw_record WHERE tenant_id = :tenant "
                        + "AND connection_id = :connection AND entity = :entity" + (includeDeleted ? "" : " AND deleted = FALSE"))
                .bind("tenant", tenantId).bind("connection", connectionId).bind("entity", entity)
                .mapTo(Long.class).one());
    }

    public record ChangeRow(long seq, String connectionId, String entity, String unifiedType, String externalId,
            String operation, String source, String runId, Instant occurredAt) {}

    public List<ChangeRow> changes(String tenantId, long afterSeq, String connectionId, int limit) {
        return jdbi.withHandle(handle -> {
            Query query = handle.createQuery("SELECT * FROM junction_change_event WHERE tenant_id = :tenant AND seq > :after"
                            + (connectionId == null ? "" : " AND connection_id = :connection") + " ORDER BY seq LIMIT :limit")
                    .bind("tenant", tenantId).bind("after", afterSeq).bind("limit", limit);
            if (connectionId != null) query.bind("connection", connectionId);
            return query.map((rs, ctx) -> new ChangeRow(rs.getLong("seq"), rs.getString("connection_id"), rs.getString("entity"),
                    rs.getString("unified_type"), rs.getString("external_id"), rs.getString("operation"),
                    rs.getString("source"), rs.getString("run_id"), Sql.instant(rs, "occurred_at"))).list();
        });
    }
}
