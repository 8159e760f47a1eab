package dev.junction.sandbox;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Changes one record of a {@link Dataset}.
 *
 * <p>Called once per change, under the dataset's write lock: keep it quick and free of I/O.
 */
@FunctionalInterface
public interface RecordUpdater {

    /**
     * Returns the new body.
     *
     * @param current a copy of the current body, which may be modified and returned
     * @param context the record id, its original creation time, the new update time and a seeded random
     */
    ObjectNode update(ObjectNode current, RecordContext context);
}
