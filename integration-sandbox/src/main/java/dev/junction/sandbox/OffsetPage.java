package dev.junction.sandbox;

import java.util.Optional;

/**
 * A window of an ordered listing for offset or page-number paging.
 *
 * @param offset how many records to skip, 0 or more
 * @param limit how many records to return, 1 or more
 */
public record OffsetPage(long offset, int limit) {

    /** Checks the bounds. */
    public OffsetPage {
        if (offset < 0) {
            throw new IllegalArgumentException("offset must not be negative: " + offset);
        }
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be positive: " + limit);
        }
    }

    /**
     * The window for a 1-based page number, as in {@code ?page=3&per_page=50}.
     *
     * @throws IllegalArgumentException when {@code pageNumber} is below 1
     */
    public static OffsetPage ofPageNumber(long pageNumber, int pageSize) {
        if (pageNumber < 1) {
            throw new IllegalArgumentException("page numbers start at 1: " + pageNumber);
        }
        return new OffsetPage(Math.multiplyExact(pageNumber - 1, (long) pageSize), pageSize);
    }

    /** The 1-based page number of this window, when the offset is a multiple of the limit. */
    public long pageNumber() {
        return offset / limit + 1;
    }

    /** The offset just past this window. */
    public long end() {
        return offset + limit;
    }

    /** The following window of the same size. */
    public OffsetPage next() {
        return new OffsetPage(end(), limit);
    }

    /** The preceding window of the same size, clipped at 0; empty for the first window. */
    public Optional<OffsetPage> previous() {
        return offset == 0 ? Optional.empty() : Optional.of(new OffsetPage(Math.max(0, offset - limit), limit));
    }

    /** Whether this window reaches past the first {@code maximumRecords} records. */
    public boolean exceeds(long maximumRecords) {
        return end() > maximumRecords;
    }
}
