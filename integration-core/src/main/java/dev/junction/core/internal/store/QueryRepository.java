package dev.junction.core.internal.store;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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

    /**
     * The tenant's unified records of a type in {@code (connection_id, external_id)} order, after the filter's cursor.
     * Each connection's records of a type are one stream, a range of the unified key (see {@link Streams}): the
     * connections that have such records are read from the stream registry in order, then one key range each until
     * the page is full (one query per connection the page spans, or that the filters leave empty).
     */
    public List<UnifiedRow> unified(UnifiedFilter filter) {
        return jdbi.withHandle(handle -> {
            Query streams = handle.createQuery("SELECT connection_id, stream_id FROM junction_record_stream WHERE tenant_id = :tenant "
                            + "AND kind = :kind AND name = :type" + (filter.connectionId() != null ? " AND connection_id = :connection" : "")
                            + (filter.afterConnectionId() != null ? " AND connection_id >= :afterConnection" : "") + " ORDER BY connection_id")
                    .bind("tenant", filter.tenantId()).bind("kind", Streams.UNIFIED).bind("type", filter.unifiedType());
            if (filter.connectionId() != null) streams.bind("connection", filter.connectionId());
            if (filter.afterConnectionId() != null) streams.bind("afterConnection", filter.afterConnectionId());
            List<Map.Entry<String, Long>> connections = streams.map((rs, ctx) -> Map.entry(rs.getString(1), rs.getLong(2))).list();
            List<UnifiedRow> rows = new ArrayList<>();
            for (Map.Entry<String, Long> connection : connections) {
                boolean after = connection.getKey().equals(filter.afterConnectionId());
                Query query = handle.createQuery(unifiedSql(filter, after))
                        .bind("stream", connection.getValue()).bind("tenant", filter.tenantId())
                        .bind("limit", filter.limit() - rows.size());
                if (filter.updatedSince() != null) query.bind("since", Sql.timestamp(filter.updatedSince()));
                if (filter.text() != null) query.bind("text", "%" + escapeLike(filter.text().toLowerCase(java.util.Locale.ROOT)) + "%");
                if (after) query.bind("afterId", filter.afterExternalId());
                rows.addAll(query.map((rs, ctx) -> unifiedRow(rs)).list());
                if (rows.size() >= filter.limit()) {
                    break;
                }
            }
            return rows;
        });
    }

    /**
     * The statement of {@link #unified} for one connection's stream (binds {@code stream, tenant, limit} and, as the
     * filter asks, {@code since, text} and, {@code after} the cursor's id in this connection, {@code afterId}); in the
     * key's order. The stream names the connection and type (the registry was asked by them); naming them again
     * would only make the planner expect fewer rows (it takes the columns as independent) and sort instead of
     * reading the key in order. Public for its plan test.
     */
    public static String unifiedSql(UnifiedFilter filter, boolean after) {
        StringBuilder sql = new StringBuilder("SELECT connection_id, unified_type, external_id, entity, data, deleted, "
                + "remote_updated_at, updated_at FROM junction_unified_record WHERE stream_id = :stream AND tenant_id = :tenant");
        if (filter.updatedSince() != null) sql.append(" AND updated_at >= :since");
        if (filter.text() != null) sql.append(" AND (LOWER(label) LIKE :text ESCAPE '!' OR LOWER(email) LIKE :text ESCAPE '!')");
        if (!filter.includeDeleted()) sql.append(" AND deleted = FALSE");
        if (after) sql.append(" AND external_id > :afterId");
        return sql.append(" ORDER BY stream_id, external_id LIMIT :limit").toString();
    }

    public Optional<UnifiedRow> unifiedOne(String tenantId, String connectionId, String unifiedType, String externalId) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT connection_id, unified_type, external_id, entity, data, "
                        + "deleted, remote_updated_at, updated_at FROM junction_unified_record WHERE stream_id = :stream "
                        + "AND external_id = :id AND tenant_id = :tenant AND connection_id = :connection AND unified_type = :type")
                .bind("stream", Streams.unified(connectionId, unifiedType)).bind("id", externalId).bind("tenant", tenantId)
                .bind("connection", connectionId).bind("type", unifiedType)
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
        return jdbi.withHandle(handle -> handle.createQuery("SELECT COUNT(*) FROM junction_raw_record WHERE stream_id = :stream "
                        + "AND tenant_id = :tenant AND connection_id = :connection AND entity = :entity"
                        + (includeDeleted ? "" : " AND deleted = FALSE"))
                .bind("stream", Streams.raw(connectionId, entity)).bind("tenant", tenantId).bind("connection", connectionId)
                .bind("entity", entity)
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
