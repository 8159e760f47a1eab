package dev.junction.sandbox;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Objects;

/**
 * One record of a {@link Dataset}: its id, timestamps and JSON body.
 *
 * <p>Immutable: the body is copied on the way in and {@link #body()} returns a copy.
 *
 * @param id the record id, 1 or more
 * @param createdAt when the record was created
 * @param updatedAt when the record last changed
 * @param body the provider's JSON representation
 */
public record DatasetRecord(long id, Instant createdAt, Instant updatedAt, ObjectNode body) {

    /** Checks for nulls and copies the body. */
    public DatasetRecord {
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(updatedAt, "updatedAt");
        body = Objects.requireNonNull(body, "body").deepCopy();
    }

    /** A copy of the body, free to modify. */
    @Override
    public ObjectNode body() {
        return body.deepCopy();
    }

    /**
     * The body itself, without the copy {@link #body()} makes: for reading, projecting or serialising it at once
     * (a list page of 200 records copied each body only to throw the copy away). Never modify it.
     */
    public ObjectNode bodyView() {
        return body;
    }
}
