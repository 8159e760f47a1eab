package dev.junction.core;

import java.time.Instant;

/**
 * One entry of a tenant's change feed.
 *
 * @param sequence position in the feed; pass the last one seen to {@link Hub#changes} to continue
 * @param operation {@code created}, {@code updated} or {@code deleted}
 * @param source {@code sync} or {@code webhook}
 * @param unifiedType the unified type of the record, or null for raw-only entities
 */
public record ChangeEvent(long sequence, String connectionId, String entity, String unifiedType, String externalId,
        String operation, String source, String runId, Instant occurredAt) {}
