package dev.junction.core;

import dev.junction.core.model.UnifiedRecord;
import java.time.Instant;

/**
 * A unified record as stored, with where it came from.
 *
 * @param entity the provider entity it was built from
 * @param updatedAt when Junction last wrote it
 */
public record StoredRecord<T extends UnifiedRecord>(String connectionId, String entity, T record, boolean deleted,
        Instant remoteUpdatedAt, Instant updatedAt) {}
