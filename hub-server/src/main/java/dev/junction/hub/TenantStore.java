package dev.junction.hub;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;

/**
 * Tenants and their API keys, in hub-server's own tables (migrated from {@code classpath:db/hub} with the history
 * table {@code hub_schema_history}, next to the library's). Keys are random, shown once, and stored as SHA-256
 * hashes: a database dump does not give access.
 *
 * <p>Thread-safe.
 */
public final class TenantStore {

    public record Tenant(String id, String name, Instant createdAt) {}

    public record ApiKey(String id, String tenantId, String name, String prefix, Instant createdAt, Instant revokedAt) {}

    /** A key as created: the secret is in {@code key} and is never shown again. */
    public record CreatedKey(ApiKey apiKey, String key) {}

    private static final SecureRandom RANDOM = new SecureRandom();
    static final String KEY_PREFIX = "jk_";

    private final Jdbi jdbi;
    private final Clock clock;

    public TenantStore(Jdbi jdbi, Clock clock) {
        this.jdbi = jdbi;
        this.clock = clock;
    }

    /** Applies hub-server's migrations; the library's tables must already exist (or not: they are independent). */
    public static int migrate(DataSource dataSource) {
        return Flyway.configure()
                .dataSource(dataSource)
                .locations("classpath:db/hub")
                .table("hub_schema_history")
                .baselineOnMigrate(true)
                .baselineVersion("0")
                .load()
                .migrate()
                .migrationsExecuted;
    }

    /** Creates a tenant; empty when the id is taken. */
    public Optional<Tenant> createTenant(String id, String name) {
        Instant now = clock.instant();
        return jdbi.inTransaction(handle -> {
            boolean exists = handle.createQuery("SELECT COUNT(*) FROM hub_tenant WHERE id = :id").bind("id", id)
                    .mapTo(Integer.class).one() > 0;
            if (exists) {
                return Optional.empty();
            }
            handle.createUpdate("INSERT INTO hub_tenant (id, name, created_at) VALUES (:id, :name, :at)")
                    .bind("id", id).bind("name", name).bind("at", Timestamp.from(now)).execute();
            return Optional.of(new Tenant(id, name, now));
        });
    }

    public List<Tenant> listTenants() {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT id, name, created_at FROM hub_tenant ORDER BY id")
                .map((rs, ctx) -> new Tenant(rs.getString("id"), rs.getString("name"), rs.getTimestamp("created_at").toInstant()))
                .list());
    }

    public Optional<Tenant> tenant(String id) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT id, name, created_at FROM hub_tenant WHERE id = :id")
                .bind("id", id)
                .map((rs, ctx) -> new Tenant(rs.getString("id"), rs.getString("name"), rs.getTimestamp("created_at").toInstant()))
                .findOne());
    }

    public CreatedKey createKey(String tenantId, String name) {
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        String key = KEY_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        ApiKey apiKey = new ApiKey(UUID.randomUUID().toString(), tenantId, name, key.substring(0, 10), clock.instant(), null);
        jdbi.useHandle(handle -> handle.createUpdate("INSERT INTO hub_api_key (id, tenant_id, name, prefix, key_hash, created_at) "
                        + "VALUES (:id, :tenant, :name, :prefix, :hash, :at)")
                .bind("id", apiKey.id()).bind("tenant", tenantId).bind("name", name).bind("prefix", apiKey.prefix())
                .bind("hash", sha256(key)).bind("at", Timestamp.from(apiKey.createdAt())).execute());
        return new CreatedKey(apiKey, key);
    }

    public List<ApiKey> listKeys(String tenantId) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT * FROM hub_api_key WHERE tenant_id = :tenant ORDER BY created_at, id")
                .bind("tenant", tenantId).map((rs, ctx) -> new ApiKey(rs.getString("id"), rs.getString("tenant_id"), rs.getString("name"),
                        rs.getString("prefix"), rs.getTimestamp("created_at").toInstant(),
                        rs.getTimestamp("revoked_at") == null ? null : rs.getTimestamp("revoked_at").toInstant()))
                .list());
    }

    /** Revokes a key of the tenant; false when the tenant has no such key. Revoking twice is harmless. */
    public boolean revokeKey(String tenantId, String keyId) {
        Instant now = clock.instant();
        return jdbi.withHandle(handle -> {
            int found = handle.createQuery("SELECT COUNT(*) FROM hub_api_key WHERE tenant_id = :tenant AND id = :id")
                    .bind("tenant", tenantId).bind("id", keyId).mapTo(Integer.class).one();
            handle.createUpdate("UPDATE hub_api_key SET revoked_at = :at WHERE tenant_id = :tenant AND id = :id AND revoked_at IS NULL")
                    .bind("tenant", tenantId).bind("id", keyId).bind("at", Timestamp.from(now)).execute();
            return found > 0;
        });
    }

    /** The tenant a live key belongs to. */
    public Optional<String> tenantForKey(String key) {
        if (key == null || !key.startsWith(KEY_PREFIX) || key.length() > 100) {
            return Optional.empty();
        }
        return jdbi.withHandle(handle -> handle.createQuery("SELECT tenant_id FROM hub_api_key WHERE key_hash = :hash AND revoked_at IS NULL")
                .bind("hash", sha256(key)).mapTo(String.class).findOne());
    }

    /** Fails when the database does not answer (readiness). */
    public void ping() {
        jdbi.useHandle(handle -> handle.createQuery("SELECT 1").setQueryTimeout(2).mapTo(Integer.class).one());
    }

    static String sha256(String value) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
