package dev.junction.core;

import java.time.Duration;
import java.time.Instant;

/** What a run did for one entity. Counts are records; {@code rateLimitWait} is time spent waiting for budget. */
public record EntitySyncStats(String entity, SyncStatus status, long pages, long added, long updated, long unchanged,
        long deleted, long failed, Duration rateLimitWait, String error, Instant startedAt, Instant finishedAt) {

    public long records() {
        return added + updated + unchanged + failed;
    }
}
