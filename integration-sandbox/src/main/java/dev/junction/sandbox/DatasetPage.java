package dev.junction.sandbox;

import java.util.List;
import java.util.OptionalLong;

/**
 * One page of records from a {@link Dataset}, in ascending id order.
 *
 * @param records the records of this page
 * @param hasMore whether more matching records follow this page
 */
public record DatasetPage(List<DatasetRecord> records, boolean hasMore) {

    /** Copies the record list. */
    public DatasetPage {
        records = List.copyOf(records);
    }

    /** The id of the last record on the page; empty for an empty page. */
    public OptionalLong lastId() {
        return records.isEmpty() ? OptionalLong.empty() : OptionalLong.of(records.get(records.size() - 1).id());
    }
}
