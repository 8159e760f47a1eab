package dev.junction.sandbox;

import java.util.Objects;

/**
 * The two states of a record changed by {@link Dataset#update(long, RecordUpdater)}.
 *
 * @param before the record before the change
 * @param after the record after the change
 */
public record DatasetChange(DatasetRecord before, DatasetRecord after) {

    /** Checks for nulls. */
    public DatasetChange {
        Objects.requireNonNull(before, "before");
        Objects.requireNonNull(after, "after");
    }
}
