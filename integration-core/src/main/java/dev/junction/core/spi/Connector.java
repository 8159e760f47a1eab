package dev.junction.core.spi;

import dev.junction.core.error.UnsupportedCapabilityException;
import java.util.Optional;

/**
 * A provider bound to one connection's credentials and base URL. Created by {@link Provider#connect} for a
 * sync run, a webhook refetch or an action, and used by one thread at a time (the engine never calls one
 * connector concurrently), then dropped. It does no JDBC, threading or retry loops: the HTTP client from
 * {@link ConnectorContext#http} already retries and rate-limits, and the engine owns paging state.
 *
 * <p>Errors are thrown as {@link dev.junction.core.error.JunctionException}s; the HTTP client already maps
 * HTTP failures. A body that cannot be understood is {@code UNEXPECTED_PAYLOAD}.
 */
public interface Connector {

    /**
     * Fetches one page. Called by the sync engine, page after page, passing back the cursor of the previous
     * page (possibly after a process restart).
     */
    Page fetch(FetchRequest request);

    /**
     * Fetches one record by id, or empty if the provider says it does not exist. Called after a webhook that
     * only names a record. Requires {@link Capability#FETCH_ONE}.
     */
    default Optional<RemoteRecord> fetchOne(EntityType entity, String externalId) {
        throw new UnsupportedCapabilityException(providerId(), Capability.FETCH_ONE.name());
    }

    /**
     * Writes a local change to the provider: creates a record ({@link PushRequest#externalId()} empty) or updates the
     * given fields of one, and returns the record as the provider holds it afterwards. Called by core's two-way sync
     * after its conflict check, once per idempotency key; pass the key on to providers that accept one. Requires
     * {@link Capability#PUSH}.
     *
     * @throws dev.junction.core.error.JunctionException {@code INVALID_INPUT} for changes the provider cannot take
     *     (checked before any request), or the HTTP layer's errors
     */
    default RemoteRecord push(PushRequest request) {
        throw new UnsupportedCapabilityException(providerId(), Capability.PUSH.name());
    }

    /** Registration of webhooks at the provider. Requires {@link Capability#WEBHOOK_REGISTRATION}. */
    default WebhookSubscriptions webhooks() {
        throw new UnsupportedCapabilityException(providerId(), Capability.WEBHOOK_REGISTRATION.name());
    }

    /** The id of the provider this connector belongs to, for error messages. */
    String providerId();
}
