package dev.junction.sandbox;

import java.time.Instant;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * What a {@link RecordGenerator} or {@link RecordUpdater} gets to build one record's body.
 *
 * @param id the record id
 * @param createdAt when the record was created; write it into the body in the provider's format
 * @param updatedAt when the record was last changed; write it into the body too
 * @param random a generator seeded from the dataset seed and the record id (and, for changes, the
 *     change number), so one seed always yields the same data. It is confined to one call: do not
 *     keep it.
 */
public record RecordContext(long id, Instant createdAt, Instant updatedAt, SplittableRandom random) {

    /** Checks for nulls. */
    public RecordContext {
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(updatedAt, "updatedAt");
        Objects.requireNonNull(random, "random");
    }
}
