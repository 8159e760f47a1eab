package dev.junction.sandbox;

import java.time.Instant;

/**
 * Which records of a {@link Dataset} a listing returns, by timestamp. Both bounds are inclusive.
 *
 * @param updatedSince keep records updated at or after this instant; {@code null} for no bound
 * @param createdSince keep records created at or after this instant; {@code null} for no bound
 */
public record DatasetFilter(Instant updatedSince, Instant createdSince) {

    private static final DatasetFilter NONE = new DatasetFilter(null, null);

    /** The filter that keeps every record. */
    public static DatasetFilter none() {
        return NONE;
    }

    /** Returns a copy with another {@code updatedSince} bound ({@code null} removes it). */
    public DatasetFilter withUpdatedSince(Instant instant) {
        return new DatasetFilter(instant, createdSince);
    }

    /** Returns a copy with another {@code createdSince} bound ({@code null} removes it). */
    public DatasetFilter withCreatedSince(Instant instant) {
        return new DatasetFilter(updatedSince, instant);
    }

    /** Whether this filter keeps every record. */
    public boolean isNone() {
        return updatedSince == null && createdSince == null;
    }

    boolean matches(DatasetRecord record) {
        return (updatedSince == null || !record.updatedAt().isBefore(updatedSince))
                && (createdSince == null || !record.createdAt().isBefore(createdSince));
    }
}
