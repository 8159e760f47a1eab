package dev.junction.core.internal.sync;

import java.time.Duration;

/**
 * Tuning of the sync engine.
 *
 * @param pageSize the page size asked of connectors
 * @param lookback how far before the previous upper bound an incremental window starts (covers clock skew and
 *     records committed late at the provider)
 * @param leaseDuration how long a (connection, entity) lease lives without renewal; renewed every page
 * @param maxSweepShare the largest share of an entity's live records one mark-and-sweep may delete (0..1)
 */
public record SyncSettings(int pageSize, Duration lookback, Duration leaseDuration, double maxSweepShare) {

    public static SyncSettings defaults() {
        return new SyncSettings(200, Duration.ofMinutes(5), Duration.ofMinutes(2), 0.5);
    }

    public SyncSettings {
        if (pageSize < 1) throw new IllegalArgumentException("pageSize must be positive");
        if (maxSweepShare < 0 || maxSweepShare > 1) throw new IllegalArgumentException("maxSweepShare must be within 0..1");
    }
}
