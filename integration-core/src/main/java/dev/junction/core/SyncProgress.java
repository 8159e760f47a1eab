package dev.junction.core;

import java.time.Duration;

/**
 * A live snapshot of a running sync, cheap to read from any thread.
 *
 * @param currentEntity the entity being fetched now, or null between entities
 * @param records records processed so far (all entities)
 * @param recordsPerSecond average rate since the run started
 * @param rateLimitWait time spent waiting for the provider's budget so far
 */
public record SyncProgress(String runId, SyncStatus status, String currentEntity, long pages, long records,
        double recordsPerSecond, Duration rateLimitWait, Duration elapsed) {}
