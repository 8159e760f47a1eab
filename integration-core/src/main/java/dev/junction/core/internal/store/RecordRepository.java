package dev.junction.core.internal.store;

import dev.junction.core.model.UnifiedType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * Raw and unified records and the change events their writes produce. Writes happen inside a caller's
 * transaction (one page, one transaction) so that records, events and the checkpoint commit together.
 */
public final class RecordRepository {

    /** Where a write came from, recorded on its change events. */
    public enum Source { SYNC, WEBHOOK, PUSH }

    /** The identity of a write: whose records, which entity, from which run or pass. */
    public record Scope(String tenantId, String connectionId, String entity, String runId, long passId, Source source) {}

    private record Existing(String hash, boolean deleted) {}

    /**
     * Stores a page. Records whose hash matches the stored one are only marked as seen in this pass; new ones are
     * inserted, changed ones updated, tombstones mark the stored record deleted. Returns the counts.
     *
     * @param markSeen whether this write belongs to a full pass (only full passes feed mark-and-sweep)
     */
    public PageOutcome writePage(Handle handle, Scope scope, List<PreparedRecord> records, boolean markSeen, Instant now) {
        return writePage(handle, scope, records, markSeen, false, now);
    }

    /**
     * The same; with {@code assumeNew}, the stored hashes are not looked up: every record is inserted as new. For
     * the pages of a first sync into an entity with nothing stored. Should a record exist after all (another page of
     * the pass or a webhook stored it meanwhile), the insert fails with a unique violation, which rolls back the
     * page's transaction: the caller then writes the page again without the assumption (see {@link Database#isUniqueViolation}).
     */
    public PageOutcome writePage(Handle handle, Scope scope, List<PreparedRecord> records, boolean markSeen, boolean assumeNew,
            Instant now) {
        if (records.isEmpty()) {
            return PageOutcome.NONE;
        }
        // The loops over a page's records live in small methods of their own (see Classified): this method runs once
        // a page and is never hot enough for the optimising compiler, which would otherwise compile it, with all it
        // calls, once for its loops and again for its calls.
        Map<String, PreparedRecord> byId = lastById(records);
        boolean postgres = isPostgres(handle);
        Map<String, Existing> existing = assumeNew ? Map.of() : loadExisting(handle, scope, byId.keySet(), postgres);
        Classified page = Classified.of(byId.values(), existing);

        insertRaw(handle, scope, page.inserts, now);
        updateRaw(handle, scope, page.updates, now);
        if (markSeen && !page.unchanged.isEmpty() && postgres) {
            // One narrow row for the page's unchanged records instead of rewriting each (see V8__pass_seen_pages).
            handle.createUpdate("INSERT INTO junction_pass_seen (tenant_id, connection_id, entity, pass_id, ids) "
                            + "VALUES (:tenant, :connection, :entity, :pass, :ids)")
                    .bind("tenant", scope.tenantId()).bind("connection", scope.connectionId()).bind("entity", scope.entity())
                    .bind("pass", scope.passId()).bindArray("ids", String.class, page.unchanged).execute();
        } else if (markSeen && !page.unchanged.isEmpty()) {
            markSeenOneByOne(handle, scope, page.unchanged);
        }
        upsertUnified(handle, scope, withUnified(page.inserts), withUnified(page.updates), now);
        // Tombstones go the way of every deletion (a tombstone carries no unified record: the event names the stored type).
        List<ChangeRow> deleted = markDeleted(handle, scope, page.deletedIds(), now, postgres);

        List<ChangeRow> changes = new ArrayList<>(page.inserts.size() + page.updates.size() + deleted.size());
        addChanges(changes, page.inserts, "created");
        addChanges(changes, page.updates, "updated");
        changes.addAll(deleted);
        appendChanges(handle, scope, changes, now);
        return new PageOutcome(page.inserts.size(), page.updates.size(), page.unchanged.size(), deleted.size());
    }

    /** The page's records by id, in page order; the last one wins when a page carries the same id twice. */
    private static Map<String, PreparedRecord> lastById(List<PreparedRecord> records) {
        Map<String, PreparedRecord> byId = new java.util.LinkedHashMap<>();
        for (PreparedRecord record : records) {
            byId.put(record.externalId(), record);
        }
        return byId;
    }

    /** A page's records sorted by what storing them takes, against what is stored. */
    private static final class Classified {
        final List<PreparedRecord> inserts = new ArrayList<>();
        final List<PreparedRecord> updates = new ArrayList<>();
        final List<PreparedRecord> deletions = new ArrayList<>();
        final List<String> unchanged = new ArrayList<>();

        static Classified of(java.util.Collection<PreparedRecord> records, Map<String, Existing> existing) {
            Classified page = new Classified();
            for (PreparedRecord record : records) {
                Existing stored = existing.get(record.externalId());
                if (record.deleted()) {
                    if (stored != null && !stored.deleted()) {
                        page.deletions.add(record);
                    }
                } else if (stored == null) {
                    page.inserts.add(record);
                } else if (stored.deleted() || !stored.hash().equals(record.contentHash())) {
                    page.updates.add(record);
                } else {
                    page.unchanged.add(record.externalId());
                }
            }
            return page;
        }

        List<String> deletedIds() {
            List<String> ids = new ArrayList<>(deletions.size());
            for (PreparedRecord record : deletions) {
                ids.add(record.externalId());
            }
            return ids;
        }
    }

    private static List<PreparedRecord> withUnified(List<PreparedRecord> records) {
        List<PreparedRecord> result = new ArrayList<>(records.size());
        for (PreparedRecord record : records) {
            if (record.hasUnified()) result.add(record);
        }
        return result;
    }

    private static void addChanges(List<ChangeRow> changes, List<PreparedRecord> records, String operation) {
        for (PreparedRecord record : records) {
            changes.add(new ChangeRow(record.externalId(), record.unifiedType(), operation));
        }
    }

    /** Marks unchanged records seen in the pass one row at a time (H2, which has no array rows for them). */
    private static void markSeenOneByOne(Handle handle, Scope scope, List<String> unchanged) {
        PreparedBatch seen = handle.prepareBatch("UPDATE junction_raw_record SET seen_pass = :pass WHERE connection_id = "
                + ":connection AND entity = :entity AND external_id = :id AND tenant_id = :tenant");
        for (String id : unchanged) {
            seen.bind("pass", scope.passId()).bind("connection", scope.connectionId()).bind("entity", scope.entity())
                    .bind("id", id).bind("tenant", scope.tenantId()).add();
        }
        seen.execute();
    }

    /** Whether an entity of a connection has no records stored at all (then a first pass may assume every record new). */
    public boolean nothingStored(Handle handle, Scope scope) {
        return handle.createQuery("SELECT COUNT(*) FROM (SELECT 1 FROM junction_raw_record WHERE connection_id = :connection "
                        + "AND entity = :entity AND tenant_id = :tenant LIMIT 1) stored")
                .bind("connection", scope.connectionId()).bind("entity", scope.entity()).bind("tenant", scope.tenantId())
                .mapTo(Long.class).one() == 0;
    }

    private static boolean isPostgres(Handle handle) {
        try {
            return handle.getConnection().getMetaData().getDatabaseProductName().equals("PostgreSQL");
        } catch (java.sql.SQLException e) {
            return false;
        }
    }

    /**
     * The stored hash and deleted flag of each id, by one array parameter. PostgreSQL takes {@code = ANY(array)} as one
     * primary-key scan for all of them. H2 joins on {@code UNNEST}: it uses an index for an {@code IN} list or
     * {@code ANY} only on an index's first column (here the third of the primary key), and scanned the whole entity
     * on every page.
     */
    private Map<String, Existing> loadExisting(Handle handle, Scope scope, java.util.Collection<String> ids, boolean postgres) {
        // Plain JDBC: this runs once a page, and the statement machinery around it cost more than the query.
        Map<String, Existing> existing = new HashMap<>();
        java.sql.Connection connection = handle.getConnection();
        try (java.sql.PreparedStatement statement = connection.prepareStatement(postgres
                // One scan of the primary key for all the ids; planned in a fraction of the join's time.
                ? "SELECT r.external_id, r.content_hash, r.deleted FROM junction_raw_record r WHERE r.external_id = ANY(?) "
                        + "AND r.connection_id = ? AND r.entity = ? AND r.tenant_id = ?"
                : "SELECT r.external_id, r.content_hash, r.deleted FROM UNNEST(?) AS u(id) JOIN junction_raw_record r "
                        + "ON r.connection_id = ? AND r.entity = ? AND r.external_id = u.id WHERE r.tenant_id = ?")) {
            java.sql.Array array = connection.createArrayOf("varchar", ids.toArray());
            statement.setArray(1, array);
            statement.setString(2, scope.connectionId());
            statement.setString(3, scope.entity());
            statement.setString(4, scope.tenantId());
            try (java.sql.ResultSet rs = statement.executeQuery()) {
                while (rs.next()) {
                    existing.put(rs.getString(1), new Existing(rs.getString(2), rs.getBoolean(3)));
                }
            }
            array.free();
        } catch (java.sql.SQLException e) {
            throw new org.jdbi.v3.core.statement.UnableToExecuteStatementException("reading the page's stored records failed", e, null);
        }
        return existing;
    }

    private void insertRaw(Handle handle, Scope scope, List<PreparedRecord> records, Instant now) {
        MultiRowInsert.insert(handle, "junction_raw_record", "tenant_id, connection_id, entity, external_id, payload, content_hash, "
                + "remote_updated_at, deleted, seen_pass, created_at, updated_at", "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", records,
                new RawRows(scope, now));
    }

    // The binders of the three tables' rows are classes, not lambdas: a lambda's body is compiled once as its own
    // method and again inside the generated class that calls it, and these run for every record.

    private record RawRows(Scope scope, Instant now) implements MultiRowInsert.Binder<PreparedRecord> {
        @Override
        public void bind(MultiRowInsert.Row row, PreparedRecord record) throws java.sql.SQLException {
            row.text(scope.tenantId()).text(scope.connectionId()).text(scope.entity()).text(record.externalId())
                    .utf8(record.payloadUtf8()).text(record.contentHash()).timestamp(record.remoteUpdatedAt())
                    .flag(false).number(scope.passId()).timestamp(now).timestamp(now);
        }
    }

    private record UnifiedRows(Scope scope, Instant now) implements MultiRowInsert.Binder<PreparedRecord> {
        @Override
        public void bind(MultiRowInsert.Row row, PreparedRecord record) throws java.sql.SQLException {
            row.text(scope.tenantId()).text(scope.connectionId()).text(record.unifiedType())
                    .text(record.externalId()).text(scope.entity()).text(truncate(record.label(), 1000))
                    .text(truncate(record.email(), 320)).text(truncate(record.status(), 64)).utf8(record.unifiedDataUtf8())
                    .timestamp(record.remoteUpdatedAt()).flag(false).timestamp(now);
        }
    }

    private record ChangeRows(Scope scope, String source, Instant now) implements MultiRowInsert.Binder<ChangeRow> {
        @Override
        public void bind(MultiRowInsert.Row row, ChangeRow change) throws java.sql.SQLException {
            row.text(scope.tenantId()).text(scope.connectionId()).text(scope.entity())
                    .text(change.unifiedType()).text(change.externalId()).text(change.operation())
                    .text(source).text(scope.runId()).timestamp(now);
        }
    }

    private void updateRaw(Handle handle, Scope scope, List<PreparedRecord> records, Instant now) {
        if (records.isEmpty()) return;
        PreparedBatch batch = handle.prepareBatch("UPDATE junction_raw_record SET payload = :payload, content_hash = :hash, "
                + "remote_updated_at = :remote, deleted = FALSE, seen_pass = :pass, updated_at = :now "
                + "WHERE connection_id = :connection AND entity = :entity AND external_id = :id AND tenant_id = :tenant");
        for (PreparedRecord record : records) {
            batch.bind("tenant", scope.tenantId()).bind("connection", scope.connectionId()).bind("entity", scope.entity())
                    .bind("id", record.externalId()).bind("payload", record.payload()).bind("hash", record.contentHash())
                    .bind("remote", Sql.timestamp(record.remoteUpdatedAt())).bind("pass", scope.passId())
                    .bind("now", Sql.timestamp(now)).add();
        }
        batch.execute();
    }

    private void upsertUnified(Handle handle, Scope scope, List<PreparedRecord> inserts, List<PreparedRecord> updates, Instant now) {
        List<PreparedRecord> toInsert = new ArrayList<>(inserts);
        if (!updates.isEmpty()) {
            PreparedBatch batch = handle.prepareBatch("UPDATE junction_unified_record SET entity = :entity, label = :label, "
                    + "email = :email, status = :status, data = :data, remote_updated_at = :remote, deleted = FALSE, "
                    + "updated_at = :now WHERE connection_id = :connection AND unified_type = :type AND external_id = :id "
                    + "AND tenant_id = :tenant");
            for (PreparedRecord record : updates) {
                bindUnified(batch, scope, record, now).add();
            }
            int[] counts = batch.execute();
            for (int i = 0; i < counts.length; i++) {
                if (counts[i] == 0) {
                    toInsert.add(updates.get(i)); // the unified row was never written (e.g. an earlier transform failure)
                }
            }
        }
        MultiRowInsert.insert(handle, "junction_unified_record", "tenant_id, connection_id, unified_type, external_id, entity, label, "
                + "email, status, data, remote_updated_at, deleted, updated_at", "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", toInsert,
                new UnifiedRows(scope, now));
    }

    private static PreparedBatch bindUnified(PreparedBatch batch, Scope scope, PreparedRecord record, Instant now) {
        return batch.bind("tenant", scope.tenantId()).bind("connection", scope.connectionId())
                .bind("type", record.unifiedType()).bind("id", record.externalId()).bind("entity", scope.entity())
                .bind("label", truncate(record.label(), 1000)).bind("email", truncate(record.email(), 320))
                .bind("status", truncate(record.status(), 64)).bind("data", record.unifiedData())
                .bind("remote", Sql.timestamp(record.remoteUpdatedAt())).bind("now", Sql.timestamp(now));
    }

    private static String truncate(String value, int length) {
        return value == null || value.length() <= length ? value : value.substring(0, length);
    }

    /**
     * A deletion knows the record's connection, entity and id but not its unified type, the unified key's second column
     * (see {@link LeanerKeysMigration}); without it, the index scan would read every unified row of the tenant (or the
     * planner would scan the table) for each deleted record: 19 ms a record at 200,000 rows on PostgreSQL, a
     * 200,000-row scan on H2. Naming every unified type lets each database find the row by its key. PostgreSQL probes
     * the key for each type of an IN list ({@link #ANY_UNIFIED_TYPE}); H2 uses such a list only on an index's first
     * column, but looks up each key of a row-value IN list ({@link #unifiedKeys()}).
     */
    private static final String ANY_UNIFIED_TYPE = Arrays.stream(UnifiedType.values())
            .map(type -> "'" + type.name() + "'").collect(Collectors.joining(", ", "(", ")"));

    /**
     * {@code (tenant_id, unified_type, connection_id, external_id) IN ((:tenant, 'CONTACT', :connection, :id), ...)},
     * every unified type (a stored row's type is always one of them: it is written from the enum).
     */
    private static String unifiedKeys() {
        return "(tenant_id, unified_type, connection_id, external_id) IN " + Arrays.stream(UnifiedType.values())
                .map(type -> "(:tenant, '" + type.name() + "', :connection, :id)").collect(Collectors.joining(", ", "(", ")"));
    }

    /**
     * The statement that marks a record's unified row deleted on PostgreSQL or H2 (binds {@code now, connection, entity,
     * id, tenant}); public for its plan test.
     */
    public static String markUnifiedDeleted(boolean postgres) {
        return "UPDATE junction_unified_record SET deleted = TRUE, updated_at = :now WHERE "
                + (postgres ? "tenant_id = :tenant AND unified_type IN " + ANY_UNIFIED_TYPE
                        + " AND connection_id = :connection AND external_id = :id" : unifiedKeys())
                + " AND entity = :entity";
    }

    /**
     * Marks records deleted (raw and unified) and appends a deletion event for each one that was live; returns those
     * ids. Every record's lock is taken first and the tenant's feed lock (taken by the events) last: see
     * V4__ordered_change_feed.
     */
    public List<String> deleteRecords(Handle handle, Scope scope, List<String> externalIds, Instant now) {
        List<ChangeRow> deleted = markDeleted(handle, scope, externalIds, now, isPostgres(handle));
        appendChanges(handle, scope, deleted, now);
        return deleted.stream().map(ChangeRow::externalId).toList();
    }

    /**
     * Marks records deleted (raw and unified); returns the deletion event of each one that was live, naming its stored
     * unified type (one lookup for them all). Takes only record locks: the caller appends the events.
     */
    private List<ChangeRow> markDeleted(Handle handle, Scope scope, List<String> externalIds, Instant now, boolean postgres) {
        if (externalIds.isEmpty()) return List.of();
        List<String> live = new ArrayList<>();
        for (String id : externalIds) {
            if (markOneDeleted(handle, scope, id, now, postgres)) {
                live.add(id);
            }
        }
        Map<String, String> unifiedTypes = live.isEmpty() ? Map.of() : unifiedTypes(handle, scope, live, postgres);
        List<ChangeRow> events = new ArrayList<>(live.size());
        for (String id : live) {
            events.add(new ChangeRow(id, unifiedTypes.get(id), "deleted"));
        }
        return events;
    }

    /** Marks one record deleted (raw and unified). Returns whether a live record was found. */
    private boolean markOneDeleted(Handle handle, Scope scope, String externalId, Instant now, boolean postgres) {
        int raw = handle.createUpdate("UPDATE junction_raw_record SET deleted = TRUE, updated_at = :now WHERE connection_id = :connection "
                        + "AND entity = :entity AND external_id = :id AND tenant_id = :tenant AND deleted = FALSE")
                .bind("now", Sql.timestamp(now)).bind("connection", scope.connectionId()).bind("entity", scope.entity())
                .bind("id", externalId).bind("tenant", scope.tenantId()).execute();
        handle.createUpdate(markUnifiedDeleted(postgres))
                .bind("now", Sql.timestamp(now)).bind("connection", scope.connectionId()).bind("entity", scope.entity())
                .bind("id", externalId).bind("tenant", scope.tenantId()).execute();
        return raw == 1;
    }

    /** A change event to append: the record, its unified type (null when it has none) and what happened to it. */
    private record ChangeRow(String externalId, String unifiedType, String operation) {}

    private void appendChanges(Handle handle, Scope scope, List<ChangeRow> changes, Instant now) {
        if (changes.isEmpty()) return;
        lockFeed(handle, scope.tenantId());
        // One statement: PostgreSQL numbers the rows of a VALUES list or a COPY in order, so seq follows the page's order.
        String source = scope.source().name().toLowerCase(java.util.Locale.ROOT);
        MultiRowInsert.insert(handle, "junction_change_event", "tenant_id, connection_id, entity, unified_type, external_id, "
                + "operation, source, run_id, occurred_at", "(?, ?, ?, ?, ?, ?, ?, ?, ?)", changes,
                new ChangeRows(scope, source, now));
    }

    /**
     * Takes the tenant's feed lock for the rest of the caller's transaction (see V4__ordered_change_feed.sql). The row
     * is created with the tenant's first connection; should it be missing, it is created in a transaction of its own.
     */
    private static void lockFeed(Handle handle, String tenantId) {
        if (takeFeedLock(handle, tenantId) == 0) {
            ensureFeedLock(handle.getJdbi(), tenantId);
            takeFeedLock(handle, tenantId);
        }
    }

    private static int takeFeedLock(Handle handle, String tenantId) {
        try (java.sql.PreparedStatement statement = handle.getConnection()
                .prepareStatement("UPDATE junction_feed_lock SET appends = appends + 1 WHERE tenant_id = ?")) {
            statement.setString(1, tenantId);
            return statement.executeUpdate();
        } catch (java.sql.SQLException e) {
            throw new org.jdbi.v3.core.statement.UnableToExecuteStatementException("taking the change feed's lock failed", e, null);
        }
    }

    /** Creates the tenant's feed lock row if it is missing (in its own transaction). */
    public static void ensureFeedLock(org.jdbi.v3.core.Jdbi jdbi, String tenantId) {
        try {
            jdbi.useHandle(other -> {
                if (other.createQuery("SELECT COUNT(*) FROM junction_feed_lock WHERE tenant_id = :tenant")
                        .bind("tenant", tenantId).mapTo(Long.class).one() == 0) {
                    other.createUpdate("INSERT INTO junction_feed_lock (tenant_id, appends) VALUES (:tenant, 0)")
                            .bind("tenant", tenantId).execute();
                }
            });
        } catch (RuntimeException e) {
            if (!Database.isUniqueViolation(e)) {
                throw e;
            }
        }
    }

    /** The stored unified type of each record that has a unified row, by external id. */
    private static Map<String, String> unifiedTypes(Handle handle, Scope scope, List<String> externalIds, boolean postgres) {
        Map<String, String> unifiedTypes = new HashMap<>();
        if (postgres) {
            handle.createQuery("SELECT r.external_id, r.unified_type FROM UNNEST(:ids) AS u(id) JOIN junction_unified_record r "
                            + "ON r.tenant_id = :tenant AND r.unified_type IN " + ANY_UNIFIED_TYPE + " AND r.connection_id = :connection "
                            + "AND r.external_id = u.id WHERE r.entity = :entity")
                    .bind("connection", scope.connectionId()).bind("entity", scope.entity()).bind("tenant", scope.tenantId())
                    .bindArray("ids", String.class, externalIds)
                    .map((rs, ctx) -> Map.entry(rs.getString("external_id"), rs.getString("unified_type")))
                    .forEach(entry -> unifiedTypes.put(entry.getKey(), entry.getValue()));
        } else {
            // One key lookup per id (in process): H2 joined the ids by scanning the connection's rows once for each.
            String byKey = "SELECT unified_type FROM junction_unified_record WHERE " + unifiedKeys() + " AND entity = :entity";
            for (String id : externalIds) {
                handle.createQuery(byKey).bind("connection", scope.connectionId()).bind("id", id).bind("entity", scope.entity())
                        .bind("tenant", scope.tenantId()).mapTo(String.class).findFirst()
                        .ifPresent(type -> unifiedTypes.put(id, type));
            }
        }
        return unifiedTypes;
    }

    /** How many live records of the entity exist, and how many were not seen in {@code passId}. */
    public record SweepCounts(long live, long unseen) {}

    public SweepCounts sweepCounts(Handle handle, Scope scope) {
        long live = handle.createQuery("SELECT COUNT(*) FROM junction_raw_record WHERE connection_id = :connection "
                        + "AND entity = :entity AND tenant_id = :tenant AND deleted = FALSE")
                .bind("connection", scope.connectionId()).bind("entity", scope.entity()).bind("tenant", scope.tenantId())
                .mapTo(Long.class).one();
        long unseen = handle.createQuery("SELECT COUNT(*) FROM junction_raw_record r WHERE " + unseen(handle))
                .bind("pass", scope.passId()).bind("connection", scope.connectionId()).bind("entity", scope.entity())
                .bind("tenant", scope.tenantId()).mapTo(Long.class).one();
        return new SweepCounts(live, unseen);
    }

    /** Up to {@code limit} ids of live records not seen in the scope's pass. */
    public List<String> unseenIds(Handle handle, Scope scope, int limit) {
        return handle.createQuery("SELECT r.external_id FROM junction_raw_record r WHERE " + unseen(handle)
                        + " ORDER BY r.external_id LIMIT :limit")
                .bind("connection", scope.connectionId()).bind("entity", scope.entity()).bind("tenant", scope.tenantId())
                .bind("pass", scope.passId()).bind("limit", limit).mapTo(String.class).list();
    }

    /**
     * The condition for a live record of the scope's entity that its pass did not see: not marked with the pass (new,
     * changed and webhook-written records are) and, on PostgreSQL, not among the ids the pass listed unchanged
     * (an anti-join on the unnested page rows, which PostgreSQL runs as one hash anti-join however many there are).
     */
    private static String unseen(Handle handle) {
        String marked = "r.connection_id = :connection AND r.entity = :entity AND r.tenant_id = :tenant AND r.deleted = FALSE "
                + "AND r.seen_pass < :pass";
        return !isPostgres(handle) ? marked : marked + " AND NOT EXISTS (SELECT 1 FROM (SELECT unnest(s.ids) AS id "
                + "FROM junction_pass_seen s WHERE s.connection_id = :connection AND s.entity = :entity AND s.tenant_id = :tenant "
                + "AND s.pass_id = :pass) listed WHERE listed.id = r.external_id)";
    }

    /** Forgets what passes up to {@code passId} listed (the pass has finished: its sweep is done or not wanted). */
    public void forgetListed(Handle handle, Scope scope) {
        handle.createUpdate("DELETE FROM junction_pass_seen WHERE connection_id = :connection AND entity = :entity "
                        + "AND tenant_id = :tenant AND pass_id <= :pass")
                .bind("connection", scope.connectionId()).bind("entity", scope.entity()).bind("tenant", scope.tenantId())
                .bind("pass", scope.passId()).execute();
    }

    /** A stored raw record. */
    public record RawRow(String connectionId, String entity, String externalId, String payload, String contentHash,
            Instant remoteUpdatedAt, boolean deleted, Instant updatedAt) {}

    public Optional<RawRow> findRaw(Handle handle, String tenantId, String connectionId, String entity, String externalId) {
        return handle.createQuery("SELECT connection_id, entity, external_id, payload, content_hash, remote_updated_at, deleted, updated_at "
                        + "FROM junction_raw_record WHERE tenant_id = :tenant AND connection_id = :connection AND entity = :entity "
                        + "AND external_id = :id")
                .bind("tenant", tenantId).bind("connection", connectionId).bind("entity", entity).bind("id", externalId)
                .map((rs, ctx) -> new RawRow(rs.getString("connection_id"), rs.getString("entity"), rs.getString("external_id"),
                        rs.getString("payload"), rs.getString("content_hash"), Sql.instant(rs, "remote_updated_at"),
                        rs.getBoolean("deleted"), Sql.instant(rs, "updated_at")))
                .findOne();
    }

    /** Live external ids of one entity, for tests and reconciliation. */
    public List<String> liveIds(Handle handle, String tenantId, String connectionId, String entity) {
        return handle.createQuery("SELECT external_id FROM junction_raw_record WHERE tenant_id = :tenant AND connection_id = :connection "
                        + "AND entity = :entity AND deleted = FALSE")
                .bind("tenant", tenantId).bind("connection", connectionId).bind("entity", entity)
                .mapTo(String.class).list();
    }
}
