package dev.junction.core;

import java.time.Instant;
import java.util.Objects;

/**
 * How fresh one entity's synced data is for one connection: the upper bound of its last completed pass (full or
 * incremental), i.e. the provider's changes up to {@code syncedUpTo} are in the store. Webhooks may have brought later
 * changes; this says what a pass guarantees.
 */
public record EntityFreshness(String tenantId, String connectionId, String providerId, String entity, Instant syncedUpTo) {

    public EntityFreshness {
        Objects.requireNonNull(tenantId, "tenantId");
        Objects.requireNonNull(connectionId, "connectionId");
        Objects.requireNonNull(providerId, "providerId");
        Objects.requireNonNull(entity, "entity");
        Objects.requireNonNull(syncedUpTo, "syncedUpTo");
    }
}
