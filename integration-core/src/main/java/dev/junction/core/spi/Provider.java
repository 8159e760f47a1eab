package dev.junction.core.spi;

import dev.junction.core.error.UnsupportedCapabilityException;
import java.util.List;
import java.util.Set;

/**
 * A SaaS system Junction can sync (Clio, Cliniko, ...). Implementations are listed with
 * {@link java.util.ServiceLoader} ({@code META-INF/services/dev.junction.core.spi.Provider}); configuration
 * decides which listed providers a hub activates, and tests register instances explicitly.
 *
 * <p>A provider is a stateless description plus factories; core calls it from many threads, so it must be
 * thread-safe. It never touches JDBC, threads or retry loops.
 *
 * <p>Example, a minimal API-key provider:
 * <pre>{@code
 * public final class AcmeProvider implements Provider {
 *     public String id() { return "acme"; }
 *     public AuthMethod authMethod() { return new AuthMethod.ApiKey("api_key"); }
 *     public List<EntityType> entityTypes() { return List.of(EntityType.of("customers")); }
 *     public RateLimitPolicy rateLimitPolicy() { return RateLimitPolicy.of(100, Duration.ofMinutes(1)); }
 *     public Set<Capability> capabilities() { return Set.of(); }
 *     public List<Setting> settings() { return List.of(Setting.connectionSecret("api_key", "Acme API key")); }
 *     public Connector connect(ConnectorContext context) { return new AcmeConnector(context); }
 *     public Transformer transformer() { return new AcmeTransformer(); }
 * }
 * }</pre>
 */
public interface Provider {

    /** Lower-case id, unique across providers ({@code clio}); used in configuration, APIs and logs. */
    String id();

    default String displayName() {
        return id();
    }

    AuthMethod authMethod();

    /** OAuth endpoints for one connection. Required when {@link #authMethod()} is {@link AuthMethod.OAuth2}. */
    default AuthMethod.OAuthEndpoints oauthEndpoints(Settings connectionSettings, Settings providerSettings) {
        throw new UnsupportedCapabilityException(id(), "OAuth");
    }

    /** Entity types in dependency order (checked by core with {@link EntityType#checkOrder}). */
    List<EntityType> entityTypes();

    /** The provider's published per-connection budget; operators may override it. */
    RateLimitPolicy rateLimitPolicy();

    Set<Capability> capabilities();

    /** Every setting the provider reads; secrets are flagged so core encrypts and redacts them. */
    List<Setting> settings();

    /**
     * Checks a connection's settings before core stores them, throwing {@code INVALID_INPUT} that names the bad
     * setting. Required settings are already checked by core.
     */
    default void validateConnectionSettings(Settings connectionSettings) {
    }

    /** Binds a connector to one connection. Cheap; called per sync run, refetch or action. */
    Connector connect(ConnectorContext context);

    Transformer transformer();

    /** Requires {@link Capability#WEBHOOKS}. */
    default WebhookHandler webhookHandler() {
        throw new UnsupportedCapabilityException(id(), Capability.WEBHOOKS.name());
    }

    /**
     * Whether a full pass of {@code entity} lists every live record, so that records it did not list may be swept as
     * deleted. Called by the sync engine when a full pass reaches its last page. Most listings are complete, hence
     * the default {@code true}; a queue-style feed (Ascora's accounting queues hand out each invoice until it is
     * acknowledged, then never again) is not, and answers {@code false}: its records are never swept.
     *
     * <pre>{@code
     * public boolean listsEveryRecord(EntityType entity) { return !entity.name().equals("invoices"); }
     * }</pre>
     *
     * @since 0.1.0 (added for queue-style feeds; backwards compatible)
     */
    default boolean listsEveryRecord(EntityType entity) {
        return true;
    }

    /** Requires {@link Capability#ACTIONS} when not empty. */
    default List<Action> actions() {
        return List.of();
    }
}
