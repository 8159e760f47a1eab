package dev.junction.core;

import java.util.List;

/** A page of the change feed and the cursor to continue from (the last sequence, or the input when empty). */
public record ChangePage(List<ChangeEvent> events, long nextCursor) {

    public ChangePage {
        events = List.copyOf(events);
    }
}
