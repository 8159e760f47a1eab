package dev.junction.core.internal.store;

import dev.junction.core.internal.Json;
import dev.junction.core.model.UnifiedType;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.config.JdbiConfig;

/**
 * The record streams: a connection's raw records of one entity, or its unified records of one type. Each has a
 * 64-bit id that leads its table's key, {@code (stream_id, external_id)}, so that the B-tree compares one integer
 * and the id instead of text columns that are equal for a whole sync (see {@link StreamKeysMigration}).
 *
 * <p>The id is a function of the stream (the first eight bytes of a SHA-256 of its kind, connection and name), so that
 * every reader and writer computes it without a lookup and a rolled-back transaction can leave no id behind. Each
 * stream is also registered in {@code junction_record_stream} (tenant, connection, kind, name) before its first record
 * is written, in a transaction of its own: a connection's delete and the unified listing find a connection's streams
 * there. Registering checks the row it finds, so two streams whose ids collided (about one chance in 10^7 for a
 * million streams) fail loudly instead of sharing a key. Thread-safe.
 */
public final class Streams {

    /** The kind of a stream of raw records, by entity. */
    public static final String RAW = "raw";
    /** The kind of a stream of unified records, by unified type. */
    public static final String UNIFIED = "unified";

    /**
     * The streams this process has registered in one database (a {@link Jdbi}'s configuration is its own, and shared
     * with its handles). Registration is undone only by the connection's delete.
     */
    public static final class Registered implements JdbiConfig<Registered> {
        private final Map<Stream, Long> ids = new ConcurrentHashMap<>();

        public Registered() {
        }

        @Override
        public Registered createCopy() {
            return this; // one set per database, whichever handle asks
        }
    }

    private Streams() {
    }

    /** The id of the connection's raw records of {@code entity}. */
    public static long raw(String connectionId, String entity) {
        return id(RAW, connectionId, entity);
    }

    /** The id of the connection's unified records of {@code unifiedType}. */
    public static long unified(String connectionId, String unifiedType) {
        return id(UNIFIED, connectionId, unifiedType);
    }

    /** The connection's unified stream ids, one for each unified type, in the order of {@link UnifiedType#values()}. */
    public static long[] everyUnified(String connectionId) {
        UnifiedType[] types = UnifiedType.values();
        long[] ids = new long[types.length];
        for (int i = 0; i < types.length; i++) {
            ids[i] = unified(connectionId, types[i].name());
        }
        return ids;
    }

    static long id(String kind, String connectionId, String name) {
        // Lengths first, so that no two (kind, connection, name) triples digest the same bytes.
        byte[] digest = Json.sha256Digest((kind.length() + ":" + kind + connectionId.length() + ":" + connectionId + name)
                .getBytes(StandardCharsets.UTF_8));
        long id = 0;
        for (int i = 0; i < 8; i++) {
            id = (id << 8) | (digest[i] & 0xff);
        }
        return id;
    }

    /**
     * Makes sure the stream is registered before a record of it is written, in a transaction of its own (callers
     * register before they open the transaction that writes the records); once per stream and process.
     *
     * @throws IllegalStateException when the stream's id is registered for another stream
     */
    public static long register(Jdbi jdbi, String tenantId, String connectionId, String kind, String name) {
        // Every page asks, so a registered stream is looked up by its names, without computing its digest again.
        Stream stream = new Stream(kind, connectionId, name);
        Map<Stream, Long> registeredHere = jdbi.getConfig(Registered.class).ids;
        Long known = registeredHere.get(stream);
        if (known != null) {
            return known;
        }
        long id = id(kind, connectionId, name);
        jdbi.useHandle(handle -> {
            if (!registered(handle, id, tenantId, connectionId, kind, name)) {
                try {
                    handle.createUpdate("INSERT INTO junction_record_stream (stream_id, tenant_id, connection_id, kind, name) "
                                    + "VALUES (:id, :tenant, :connection, :kind, :name)")
                            .bind("id", id).bind("tenant", tenantId).bind("connection", connectionId).bind("kind", kind)
                            .bind("name", name).execute();
                } catch (RuntimeException e) {
                    // Registered meanwhile by another writer: then it must be this stream.
                    if (!Database.isUniqueViolation(e) || !registered(handle, id, tenantId, connectionId, kind, name)) {
                        throw e;
                    }
                }
            }
        });
        registeredHere.put(stream, id);
        return id;
    }

    /** Whether the stream is registered; throws when its id is registered for another stream. */
    private static boolean registered(Handle handle, long id, String tenantId, String connectionId, String kind, String name) {
        var row = handle.createQuery("SELECT tenant_id, connection_id, kind, name FROM junction_record_stream WHERE stream_id = :id")
                .bind("id", id).mapToMap().findOne();
        if (row.isEmpty()) {
            return false;
        }
        var found = row.get();
        if (!tenantId.equals(found.get("tenant_id")) || !connectionId.equals(found.get("connection_id"))
                || !kind.equals(found.get("kind")) || !name.equals(found.get("name"))) {
            throw new IllegalStateException("record stream id " + id + " of " + kind + " stream '" + name + "' of connection '"
                    + connectionId + "' is already registered for another stream");
        }
        return true;
    }

    /** Forgets the connection's streams in this process (its rows and registrations are being deleted). */
    static void forget(Jdbi jdbi, String connectionId) {
        jdbi.getConfig(Registered.class).ids.keySet().removeIf(stream -> stream.connectionId().equals(connectionId));
    }

    /** A stream by its names. */
    private record Stream(String kind, String connectionId, String name) {}
}
