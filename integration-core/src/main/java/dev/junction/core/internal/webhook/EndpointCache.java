package dev.junction.core.internal.webhook;

import dev.junction.core.internal.store.ConnectionRow;
import dev.junction.core.spi.Settings;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What the receiving path of one node looked up for a webhook token: the connection, and lazily each subscription's
 * entity and decrypted secret, the list of all decrypted subscription secrets, and the connection's settings. An
 * entry lives for {@code ttl} after it was loaded; {@link #forget} drops a connection's entry at once (this node
 * changed its subscriptions or deleted it). Nothing negative is remembered: an unknown token or subscription is
 * looked up again on the next request, so a connection or webhook registered meanwhile works at once.
 *
 * <p>An entry that is dropped while a request still holds it stays consistent for that request and is never put
 * back: a load that overlaps a {@link #forget} is not stored, so a value read before a change cannot outlive it.
 * Secrets stay in memory only; no {@code toString} here shows them.
 *
 * <p>Thread-safe.
 */
final class EndpointCache {

    private static final int MAX_ENTRIES = 10_000;

    private final long ttlNanos;
    private final ConcurrentHashMap<String, Endpoint> byToken = new ConcurrentHashMap<>();
    private final AtomicLong forgets = new AtomicLong();

    EndpointCache(Duration ttl) {
        this.ttlNanos = ttl.toNanos();
    }

    /** One connection's webhook endpoint as looked up; {@code fromCache} says whether this request reused it. */
    static final class Endpoint {
        final ConnectionRow row;
        final boolean fromCache;
        private final long loadedAt;
        private final ConcurrentHashMap<String, Subscription> subscriptions;
        private final Memo<List<String>> allSecrets;
        private final Memo<Settings> settings;

        private Endpoint(ConnectionRow row, long loadedAt) {
            this(row, false, loadedAt, new ConcurrentHashMap<>(), new Memo<>(), new Memo<>());
        }

        private Endpoint(ConnectionRow row, boolean fromCache, long loadedAt, ConcurrentHashMap<String, Subscription> subscriptions,
                Memo<List<String>> allSecrets, Memo<Settings> settings) {
            this.row = row;
            this.fromCache = fromCache;
            this.loadedAt = loadedAt;
            this.subscriptions = subscriptions;
            this.allSecrets = allSecrets;
            this.settings = settings;
        }

        private Endpoint reused() {
            return new Endpoint(row, true, loadedAt, subscriptions, allSecrets, settings);
        }

        /** The subscription, from memory or {@code loader}; an absent one is not remembered. */
        Optional<Subscription> subscription(String subscriptionId, Function<String, Optional<Subscription>> loader) {
            Subscription known = subscriptions.get(subscriptionId);
            if (known != null) return Optional.of(known);
            Optional<Subscription> loaded = loader.apply(subscriptionId);
            loaded.ifPresent(subscription -> subscriptions.putIfAbsent(subscriptionId, subscription));
            return loaded;
        }

        List<String> allSecrets(Supplier<List<String>> loader) {
            return allSecrets.get(loader);
        }

        Settings settings(Supplier<Settings> loader) {
            return settings.get(loader);
        }

        @Override
        public String toString() {
            return "Endpoint[connection=" + row.id() + ", subscriptions=" + subscriptions.keySet() + "]";
        }
    }

    /** A stored subscription's entity and its secret, decrypted on first use ({@code decrypt} is not called before). */
    static final class Subscription {
        private final String entity;
        private final Memo<Optional<String>> secret = new Memo<>();
        private final Supplier<Optional<String>> decrypt;

        Subscription(String entity, Supplier<Optional<String>> decrypt) {
            this.entity = entity;
            this.decrypt = decrypt;
        }

        String entity() {
            return entity;
        }

        Optional<String> secret() {
            return secret.get(decrypt);
        }

        @Override
        public String toString() {
            return "Subscription[entity=" + entity + ", secret=***]";
        }
    }

    /** A value computed once (racing callers may both compute it; either result is kept). */
    private static final class Memo<T> {
        private volatile T value;

        T get(Supplier<T> loader) {
            T known = value;
            if (known == null) {
                known = loader.get();
                value = known;
            }
            return known;
        }
    }

    /**
     * The endpoint of {@code token}: remembered and younger than the time to live, or loaded with {@code loader} (and
     * remembered unless a {@link #forget} overlapped the load). Empty when {@code loader} finds no connection.
     */
    Optional<Endpoint> lookup(String token, Function<String, Optional<ConnectionRow>> loader) {
        long now = System.nanoTime();
        Endpoint known = byToken.get(token);
        if (known != null) {
            if (now - known.loadedAt < ttlNanos) return Optional.of(known.reused());
            byToken.remove(token, known);
        }
        return load(token, loader);
    }

    /** Loads {@code token}'s endpoint afresh, replacing whatever was remembered. */
    Optional<Endpoint> reload(String token, Function<String, Optional<ConnectionRow>> loader) {
        byToken.remove(token);
        return load(token, loader);
    }

    private Optional<Endpoint> load(String token, Function<String, Optional<ConnectionRow>> loader) {
        long before = forgets.get();
        Optional<Endpoint> loaded = loader.apply(token).map(row -> new Endpoint(row, System.nanoTime()));
        if (loaded.isPresent() && ttlNanos > 0) {
            if (byToken.size() >= MAX_ENTRIES) {
                byToken.clear(); // rare: more live webhook endpoints than this node keeps; they load again
            }
            Endpoint endpoint = loaded.get();
            byToken.put(token, endpoint);
            // Put, then check: a forget that ran since the load began may have missed the entry, so drop it here.
            if (forgets.get() != before) {
                byToken.remove(token, endpoint);
            }
        }
        return loaded;
    }

    /** Drops what this node remembers of the connection (its subscriptions changed, or it was deleted). */
    void forget(String tenantId, String connectionId) {
        forgets.incrementAndGet();
        byToken.values().removeIf(endpoint -> endpoint.row.id().equals(connectionId) && endpoint.row.tenantId().equals(tenantId));
    }
}
