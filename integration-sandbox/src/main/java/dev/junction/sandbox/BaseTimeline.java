package dev.junction.sandbox;

import java.time.Instant;

/**
 * Creation and update times of a dataset's base records, spread evenly over a time span so that
 * both grow with the id: {@code createdAt(i) <= updatedAt(i) < createdAt(i + 1)} (or equal, when
 * there are more records than seconds). That order lets a time-filtered listing start at the first
 * matching id instead of scanning every record.
 *
 * <p>Immutable and thread-safe.
 */
final class BaseTimeline {

    private final long startSecond;
    private final long spanSeconds;
    private final long size;
    private final long seed;

    BaseTimeline(Instant start, Instant end, long size, long seed) {
        if (end.isBefore(start)) {
            throw new IllegalArgumentException("Timeline end " + end + " is before its start " + start);
        }
        this.startSecond = start.getEpochSecond();
        this.spanSeconds = end.getEpochSecond() - startSecond;
        this.size = size;
        this.seed = seed;
    }

    Instant createdAt(long id) {
        return Instant.ofEpochSecond(createdSecond(id));
    }

    Instant updatedAt(long id) {
        long created = createdSecond(id);
        long gap = createdSecond(id + 1) - created;
        long jitter = gap == 0 ? 0 : Math.floorMod(Dataset.mix(seed, id), gap);
        return Instant.ofEpochSecond(created + jitter);
    }

    /** The first base id the filter keeps, or {@code size + 1} when it keeps none. */
    long firstIdMatching(DatasetFilter filter) {
        long first = 1;
        if (filter.updatedSince() != null) {
            first = Math.max(first, firstId(filter.updatedSince(), true));
        }
        if (filter.createdSince() != null) {
            first = Math.max(first, firstId(filter.createdSince(), false));
        }
        return first;
    }

    private long firstId(Instant bound, boolean byUpdate) {
        long low = 1;
        long high = size + 1;
        while (low < high) {
            long middle = low + (high - low) / 2;
            Instant value = byUpdate ? updatedAt(middle) : createdAt(middle);
            if (value.isBefore(bound)) {
                low = middle + 1;
            } else {
                high = middle;
            }
        }
        return low;
    }

    private long createdSecond(long id) {
        return size == 0 ? startSecond : startSecond + Math.multiplyExact(spanSeconds, id - 1) / size;
    }
}
