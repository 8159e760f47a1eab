package dev.junction.core;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** A sync run as stored: its status, error and per-entity counts. */
public record SyncRun(String id, String tenantId, String connectionId, SyncMode mode, SyncStatus status,
        List<EntitySyncStats> entities, String error, Instant startedAt, Instant finishedAt) {

    public SyncRun {
        entities = List.copyOf(entities);
    }

    public Optional<EntitySyncStats> entity(String name) {
        return entities.stream().filter(stats -> stats.entity().equals(name)).findFirst();
    }

    public long total(java.util.function.ToLongFunction<EntitySyncStats> count) {
        return entities.stream().mapToLong(count).sum();
    }
}
