package dev.junction.sandbox;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Objects;

/**
 * One record of a {@link Dataset}: its id, timestamps and JSON body.
 *
 * <p>Immutable: the body is kept as given (hand over a body nothing else modifies afterwards; {@link Dataset}
 * copies what it did not build itself) and {@link #body()} returns a copy.
 *
 * @param id the record id, 1 or more
 * @param createdAt when the record was created
 * @param updatedAt when the record last changed
 * @param body the provider's JSON representation
 */
public record DatasetRecord(long id, Instant createdAt, Instant updatedAt, ObjectNode body) {

    /**
     * Checks for nulls. The body is not copied: a list page generates 200 records and serialises each once, and a copy
     * per record was a fifth of the sandbox's work.
     */
    public DatasetRecord {
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(updatedAt, "updatedAt");
        Objects.requireNonNull(body, "body");
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
