package dev.junction.core.spi;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One page returned by {@link Connector#fetch}.
 *
 * @param records the page's records, possibly empty; records that cannot even be identified (no id) must be
 *     reported as {@link #unreadable()} rather than dropped
 * @param nextCursor the opaque position of the next page, empty on the last page. The engine stores it in the
 *     checkpoint in the same transaction as the page, so it must stay valid across process restarts
 * @param unreadable raw fragments the connector could not turn into a {@link RemoteRecord}; each goes to the
 *     dead-letter table and the page still commits
 */
public record Page(List<RemoteRecord> records, Optional<String> nextCursor, List<String> unreadable) {

    public Page {
        records = List.copyOf(records);
        Objects.requireNonNull(nextCursor, "nextCursor");
        unreadable = List.copyOf(unreadable);
    }

    public static Page of(List<RemoteRecord> records, Optional<String> nextCursor) {
        return new Page(records, nextCursor, List.of());
    }

    public static Page last(List<RemoteRecord> records) {
        return new Page(records, Optional.empty(), List.of());
    }
}
