package dev.junction.core.internal.store;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
    public record Scope(String tenantId, String connectionId, String entity, String runId, long passId, Source source) {
        /** The id of the stream of raw records this scope writes (see {@link Streams}). */
        public long rawStream() {
            return Streams.raw(connectionId, entity);
        }
    }

    /** A page's records with the streams they go to, registered (see {@link #registerStreams}). */
    public record RegisteredPage(List<PreparedRecord> records, long rawStream, Map<String, Long> unifiedStreams) {}

    /**
     * Registers the streams a page's records go to (see {@link Streams#register}), before the transaction that writes
     * them opens: a stream's first registration commits on a connection of its own, and is a lookup in memory after.
     */
    public static RegisteredPage registerStreams(org.jdbi.v3.core.Jdbi jdbi, Scope scope, List<PreparedRecord> records) {
        if (records.isEmpty()) {
            return new RegisteredPage(records, scope.rawStream(), Map.of()); // nothing to write: nothing to register
        }
        long raw = Streams.register(jdbi, scope.tenantId(), scope.connectionId(), Streams.RAW, scope.entity());
        return new RegisteredPage(records, raw, unifiedStreams(jdbi, scope, records));
    }

    /** The unified stream of each unified type among the records, registered. */
    private static Map<String, Long> unifiedStreams(org.jdbi.v3.core.Jdbi jdbi, Scope scope, List<PreparedRecord> records) {
        Map<String, Long> streams = new HashMap<>(4);
        for (PreparedRecord record : records) {
            String type = record.unifiedType();
            if (type != null && !streams.containsKey(type)) {
                streams.put(type, Streams.register(jdbi, scope.tenantId(), scope.connectionId(), Streams.UNIFIED, type));
            }
        }
        return streams;
    }

    private record Existing(String hash, boolean deleted) {}

    /**
     * Stores a page. Records whose hash matches the stored one are only marked as seen in this pass; new ones are
     * inserted, changed ones updated, tombstones mark the stored record deleted. Returns the counts.
     *
     * @param markSeen whether this write belongs to a full pass (only full passes feed mark-and-sweep)
     */
    public PageOutcome writePage(Handle handle, Scope scope, RegisteredPage records, boolean markSeen, Instant now) {
        return writePage(handle, scope, records, markSeen, false, now);
    }

    /**
     * The same; with {@code assumeNew}, the stored hashes are not looked up: every record is inserted as new. For
     * the pages of a first sync into an entity with nothing stored. Should a record exist after all (another page of
     * the pass or a webhook stored it meanwhile), the insert fails with a unique violation, which rolls back the
     * page's transaction: the caller then writes the page again without the assumption (see {@link Database#isUniqueViolation}).
     */
    public PageOutcome writePage(Handle handle, Scope scope, RegisteredPage registered, boolean markSeen, boolean assumeNew,
            Instant now) {
        List<PreparedRecord> records = registered.records();
        if (records.isEmpty()) {
            return PageOutcome.NONE;
        }
        // The loops over a page's records live in small methods of their own (see Classified): this method runs once
        // a page and is never hot enough for the optimising compiler, which would otherwise compile it, with all it
        // calls, once for its loops and again for its calls.
        Map<String, PreparedRecord> byId = lastById(records);
        boolean postgres = isPostgres(handle);
        long stream = registered.rawStream();
        Map<String, Long> unifiedStreams = registered.unifiedStreams();
        Map<String, Existing> existing = assumeNew ? Map.of() : loadExisting(handle, scope, stream, byId.keySet(), postgres);
        Classified page = Classified.of(byId.values(), existing);

        insertRaw(handle, scope, stream, page.inserts, now);
        updateRaw(handle, scope, stream, page.updates, now);
        if (markSeen && !page.unchanged.isEmpty() && postgres) {
            // One narrow row for the page's unchanged records instead of rewriting each (see V8__pass_seen_pages).
            handle.createUpdate("INSERT INTO junction_pass_seen (tenant_id, connection_id, entity, pass_id, ids) "
                            + "VALUES (:tenant, :connection, :entity, :pass, :ids)")
                    .bind("tenant", scope.tenantId()).bind("connection", scope.connectionId()).bind("entity", scope.entity())
                    .bind("pass", scope.passId()).bindArray("ids", String.class, page.unchanged).execute();
        } else if (markSeen && !page.unchanged.isEmpty()) {
            markSeenOneByOne(handle, scope, stream, page.unchanged);
        }
        upsertUnified(handle, scope, unifiedStreams, withUnified(page.inserts), withUnified(page.updates), now);
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
    private static void markSeenOneByOne(Handle handle, Scope scope, long stream, List<String> unchanged) {
        PreparedBatch seen = handle.prepareBatch("UPDATE junction_raw_record SET seen_pass = :pass WHERE stream_id = :stream "
                + "AND external_id = :id AND connection_id = :connection AND entity = :entity AND tenant_id = :tenant");
        for (String id : unchanged) {
            seen.bind("pass", scope.passId()).bind("stream", stream).bind("connection", scope.connectionId())
                    .bind("entity", scope.entity()).bind("id", id).bind("tenant", scope.tenantId()).add();
        }
        seen.execute();
    }

    /** Whether an entity of a connection has no records stored at all (then a first pass may assume every record new). */
    public boolean nothingStored(Handle handle, Scope scope) {
        return handle.createQuery("SELECT COUNT(*) FROM (SELECT 1 FROM junction_raw_record WHERE stream_id = :stream "
                        + "AND connection_id = :connection AND entity = :entity AND tenant_id = :tenant LIMIT 1) stored")
                .bind("stream", scope.rawStream()).bind("connection", scope.connectionId()).bind("entity", scope.entity())
                .bind("tenant", scope.tenantId())
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
     * {@code ANY} only on an index's first column (here the second of the primary key), and scanned the whole stream
     * on every page.
     */
    private Map<String, Existing> loadExisting(Handle handle, Scope scope, long stream, java.util.Collection<String> ids,
            boolean postgres) {
        // Plain JDBC: this runs once a page, and the statement machinery around it cost more than the query.
        Map<String, Existing> existing = new HashMap<>();
        java.sql.Connection connection = handle.getConnection();
        try (java.sql.PreparedStatement statement = connection.prepareStatement(postgres
                // One scan of the primary key for all the ids; planned in a fraction of the join's time.
                ? "SELECT r.external_id, r.content_hash, r.deleted FROM junction_raw_record r WHERE r.stream_id = ? "
                        + "AND r.external_id = ANY(?) AND r.connection_id = ? AND r.entity = ? AND r.tenant_id = ?"
                : "SELECT r.external_id, r.content_hash, r.deleted FROM UNNEST(?) AS u(id) JOIN junction_raw_record r "
                        + "ON r.stream_id = ? AND r.external_id = u.id "
                        + "WHERE r.connection_id = ? AND r.entity = ? AND r.tenant_id = ?")) {
            java.sql.Array array = connection.createArrayOf("varchar", ids.toArray());
            statement.setLong(postgres ? 1 : 2, stream);
            statement.setArray(postgres ? 2 : 1, array);
            statement.setString(3, scope.connectionId());
            statement.setString(4, scope.entity());
            statement.setString(5, scope.tenantId());
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

    private void insertRaw(Handle handle, Scope scope, long stream, List<PreparedRecord> records, Instant now) {
        MultiRowInsert.insert(handle, "junction_raw_record", "stream_id, tenant_id, connection_id, entity, external_id, payload, "
                + "content_hash, remote_updated_at, deleted, seen_pass, created_at, updated_at", "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                records, new RawRows(scope, stream, now));
    }

    // The binders of the three tables' rows are classes, not lambdas: a lambda's body is compiled once as its own
    // method and again inside the generated class that calls it, and these run for every record (nor do they
    // implement a generic interface: see MultiRowInsert.Binder).

    private record RawRows(Scope scope, long stream, Instant now) implements MultiRowInsert.Binder {
        @Override
        public void bind(MultiRowInsert.Row row, Object item) throws java.sql.SQLException {
            PreparedRecord record = (PreparedRecord) item;
            row.number(stream).text(scope.tenantId()).text(scope.connectionId()).text(scope.entity()).text(record.externalId())
                    .utf8(record.payloadUtf8()).text(record.contentHash()).timestamp(record.remoteUpdatedAt())
                    .flag(false).number(scope.passId()).timestamp(now).timestamp(now);
        }
    }

    private record UnifiedRows(Scope scope, Map<String, Long> streams, Instant now) implements MultiRowInsert.Binder {
        @Override
        public void bind(MultiRowInsert.Row row, Object item) throws java.sql.SQLException {
            PreparedRecord record = (PreparedRecord) item;
            row.number(streams.get(record.unifiedType())).text(scope.tenantId()).text(scope.connectionId()).text(record.unifiedType())
                    .text(record.externalId()).text(scope.entity()).text(truncate(record.label(), 1000))
                    .text(truncate(record.email(), 320)).text(truncate(record.status(), 64)).utf8(record.unifiedDataUtf8())
                    .timestamp(record.remoteUpdatedAt()).flag(false).timestamp(now);
        }
    }

    private record ChangeRows(Scope scope, String source, Instant now) implements MultiRowInsert.Binder {
        @Override
        public void bind(MultiRowInsert.Row row, Object item) throws java.sql.SQLException {
            ChangeRow change = (ChangeRow) item;
            row.text(scope.tenantId()).text(scope.connectionId()).text(scope.entity())
                    .text(change.unifiedType()).text(change.externalId()).text(change.operation())
                    .text(source).text(scope.runId()).timestamp(now);
        }
    }

    private void updateRaw(Handle handle, Scope scope, long stream, List<PreparedRecord> records, Instant now) {
        if (records.isEmpty()) return;
        PreparedBatch batch = handle.prepareBatch("UPDATE junction_raw_record SET payload = :payload, content_hash = :hash, "
                + "remote_updated_at = :remote, deleted = FALSE, seen_pass = :pass, updated_at = :now WHERE stream_id = :stream "
                + "AND external_id = :id AND connection_id = :connection AND entity = :entity AND tenant_id = :tenant");
        for (PreparedRecord record : records) {
            batch.bind("stream", stream).bind("tenant", scope.tenantId()).bind("connection", scope.connectionId()).bind("entity", scope.entity())
                    .bind("id", record.externalId()).bind("payload", record.payload()).bind("hash", record.contentHash())
                    .bind("remote", Sql.timestamp(record.remoteUpdatedAt())).bind("pass", scope.passId())
                    .bind("now", Sql.timestamp(now)).add();
        }
        batch.execute();
    }

    private void upsertUnified(Handle handle, Scope scope, Map<String, Long> streams, List<PreparedRecord> inserts,
            List<PreparedRecord> updates, Instant now) {
        List<PreparedRecord> toInsert = new ArrayList<>(inserts);
        if (!updates.isEmpty()) {
            PreparedBatch batch = handle.prepareBatch("UPDATE junction_unified_record SET entity = :entity, label = :label, "
                    + "email = :email, status = :status, data = :data, remote_updated_at = :remote, deleted = FALSE, "
                    + "updated_at = :now WHERE stream_id = :stream AND external_id = :id AND connection_id = :connection "
                    + "AND unified_type = :type AND tenant_id = :tenant");
            for (PreparedRecord record : updates) {
                bindUnified(batch, scope, record, now).bind("stream", streams.get(record.unifiedType())).add();
            }
            int[] counts = batch.execute();
            for (int i = 0; i < counts.length; i++) {
                if (counts[i] == 0) {
                    toInsert.add(updates.get(i)); // the unified row was never written (e.g. an earlier transform failure)
                }
            }
        }
        MultiRowInsert.insert(handle, "junction_unified_record", "stream_id, tenant_id, connection_id, unified_type, external_id, "
                + "entity, label, email, status, data, remote_updated_at, deleted, updated_at", "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                toInsert, new UnifiedRows(scope, streams, now));
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
     * A deletion knows the record's connection, entity and id but not its unified type, and so not its unified stream
     * (see {@link Streams}); without it, each deleted record's row would be looked for among all the tenant's or
     * connection's unified rows. Naming the connection's stream of every unified type (a stored row's type is always one
     * of them: it is written from the enum) lets each database find the row by its key. PostgreSQL probes the key for
     * each stream of an IN list; H2 looks up each key of a row-value IN list. The ids are the connection's, written as
     * numbers (they are computed, never input).
     */
    private static String unifiedKeys(boolean postgres, String connectionId) {
        return postgres ? "stream_id IN " + unifiedStreamList(connectionId, "") + " AND external_id = :id"
                : "(stream_id, external_id) IN " + unifiedStreamList(connectionId, ", :id");
    }

    /** The connection's unified stream ids as an SQL list, each followed by {@code withEach} in a row value if given. */
    private static String unifiedStreamList(String connectionId, String withEach) {
        StringBuilder list = new StringBuilder("(");
        for (long stream : Streams.everyUnified(connectionId)) {
            list.append(list.length() == 1 ? "" : ", ").append(withEach.isEmpty() ? Long.toString(stream) : "(" + stream + withEach + ")");
        }
        return list.append(')').toString();
    }

    /**
     * The statement that marks a record's unified row deleted on PostgreSQL or H2 (binds {@code now, connection, entity,
     * id, tenant}); public for its plan test.
     */
    public static String markUnifiedDeleted(boolean postgres, String connectionId) {
        return "UPDATE junction_unified_record SET deleted = TRUE, updated_at = :now WHERE " + unifiedKeys(postgres, connectionId)
                + " AND connection_id = :connection AND entity = :entity AND tenant_id = :tenant";
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
        // The streams' ids are digests: computed once for all the ids, not once a record.
        long rawStream = scope.rawStream();
        String unifiedDeletion = markUnifiedDeleted(postgres, scope.connectionId());
        for (String id : externalIds) {
            if (markOneDeleted(handle, scope, rawStream, unifiedDeletion, id, now)) {
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
    private boolean markOneDeleted(Handle handle, Scope scope, long rawStream, String unifiedDeletion, String externalId,
            Instant now) {
        int raw = handle.createUpdate("UPDATE junction_raw_record SET deleted = TRUE, updated_at = :now WHERE stream_id = :stream "
                        + "AND external_id = :id AND connection_id = :connection AND entity = :entity AND tenant_id = :tenant "
                        + "AND deleted = FALSE")
                .bind("now", Sql.timestamp(now)).bind("stream", rawStream).bind("connection", scope.connectionId())
                .bind("entity", scope.entity()).bind("id", externalId).bind("tenant", scope.tenantId()).execute();
        handle.createUpdate(unifiedDeletion)
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
                            + "ON r.stream_id IN " + unifiedStreamList(scope.connectionId(), "") + " AND r.external_id = u.id "
                            + "WHERE r.tenant_id = :tenant "
                            + "AND r.connection_id = :connection AND r.entity = :entity")
                    .bind("connection", scope.connectionId()).bind("entity", scope.entity()).bind("tenant", scope.tenantId())
                    .bindArray("ids", String.class, externalIds)
                    .map((rs, ctx) -> Map.entry(rs.getString("external_id"), rs.getString("unified_type")))
                    .forEach(entry -> unifiedTypes.put(entry.getKey(), entry.getValue()));
        } else {
            // One key lookup per id (in process): H2 joined the ids by scanning the connection's rows once for each.
            String byKey = "SELECT unified_type FROM junction_unified_record WHERE " + unifiedKeys(false, scope.connectionId())
                    + " AND tenant_id = :tenant AND connection_id = :connection AND entity = :entity";
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
        long live = handle.createQuery("SELECT COUNT(*) FROM junction_raw_record WHERE stream_id = :stream "
                        + "AND connection_id = :connection AND entity = :entity AND tenant_id = :tenant AND deleted = FALSE")
                .bind("stream", scope.rawStream()).bind("connection", scope.connectionId()).bind("entity", scope.entity())
                .bind("tenant", scope.tenantId())
                .mapTo(Long.class).one();
        long unseen = handle.createQuery("SELECT COUNT(*) FROM junction_raw_record r WHERE " + unseen(handle))
                .bind("stream", scope.rawStream()).bind("pass", scope.passId()).bind("connection", scope.connectionId()).bind("entity", scope.entity())
                .bind("tenant", scope.tenantId()).mapTo(Long.class).one();
        return new SweepCounts(live, unseen);
    }

    /** Up to {@code limit} ids of live records not seen in the scope's pass. */
    public List<String> unseenIds(Handle handle, Scope scope, int limit) {
        return handle.createQuery("SELECT r.external_id FROM junction_raw_record r WHERE " + unseen(handle)
                        + " ORDER BY r.stream_id, r.external_id LIMIT :limit")
                .bind("stream", scope.rawStream()).bind("connection", scope.connectionId()).bind("entity", scope.entity())
                .bind("tenant", scope.tenantId())
                .bind("pass", scope.passId()).bind("limit", limit).mapTo(String.class).list();
    }

    /**
     * The condition for a live record of the scope's entity that its pass did not see: not marked with the pass (new,
     * changed and webhook-written records are) and, on PostgreSQL, not among the ids the pass listed unchanged
     * (an anti-join on the unnested page rows, which PostgreSQL runs as one hash anti-join however many there are).
     */
    private static String unseen(Handle handle) {
        String marked = "r.stream_id = :stream AND r.connection_id = :connection AND r.entity = :entity AND r.tenant_id = :tenant "
                + "AND r.deleted = FALSE AND r.seen_pass < :pass";
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
                        + "FROM junction_raw_record WHERE stream_id = :stream AND external_id = :id AND tenant_id = :tenant "
                        + "AND connection_id = :connection AND entity = :entity")
                .bind("stream", Streams.raw(connectionId, entity)).bind("id", externalId).bind("tenant", tenantId)
                .bind("connection", connectionId).bind("entity", entity)
                .map((rs, ctx) -> new RawRow(rs.getString("connection_id"), rs.getString("entity"), rs.getString("external_id"),
                        rs.getString("payload"), rs.getString("content_hash"), Sql.instant(rs, "remote_updated_at"),
                        rs.getBoolean("deleted"), Sql.instant(rs, "updated_at")))
                .findOne();
    }

    /** Live external ids of one entity, for tests and reconciliation. */
    public List<String> liveIds(Handle handle, String tenantId, String connectionId, String entity) {
        return handle.createQuery("SELECT external_id FROM junction_raw_record WHERE stream_id = :stream AND tenant_id = :tenant "
                        + "AND connection_id = :connection AND entity = :entity AND deleted = FALSE")
                .bind("stream", Streams.raw(connectionId, entity)).bind("tenant", tenantId).bind("connection", connectionId).bind("entity", entity)
                .mapTo(String.class).list();
    }
}
