package dev.junction.provider.clio.sandbox;

import dev.junction.sandbox.DatasetRecord;
import java.util.Objects;

/**
 * A record created, updated or deleted in a {@link ClioRecordStore}, through the API or a control
 * method.
 *
 * @param entity the record's resource
 * @param event {@code created}, {@code updated} or {@code deleted}, as in Clio webhook payloads
 * @param before the record before the change; {@code null} for {@code created}
 * @param after the record after the change; {@code null} for {@code deleted}
 */
record RecordChange(ClioEntity entity, String event, DatasetRecord before, DatasetRecord after) {

    static final String CREATED = "created";
    static final String UPDATED = "updated";
    static final String DELETED = "deleted";

    RecordChange {
        Objects.requireNonNull(entity, "entity");
        Objects.requireNonNull(event, "event");
        if (before == null && after == null) {
            throw new IllegalArgumentException("A change needs a before or an after state");
        }
    }

    /** The newest state: the record after the change, or as it was when deleted. */
    DatasetRecord latest() {
        return after != null ? after : before;
    }
}
