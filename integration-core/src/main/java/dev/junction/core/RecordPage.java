package dev.junction.core;

import java.util.List;
import java.util.Optional;

/** One page of a query; {@link #nextCursor()} is empty on the last page. */
public record RecordPage<T>(List<T> items, Optional<String> nextCursor) {

    public RecordPage {
        items = List.copyOf(items);
    }
}
