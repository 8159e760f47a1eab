package dev.junction.core.model;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.time.Instant;

/**
 * A record in Junction's unified model: the same shape whichever provider it came from. Implementations are
 * immutable records. References to other records ({@code clientId} on an engagement) hold the provider's
 * external id of the referenced record in the same connection.
 */
public interface UnifiedRecord {

    @JsonIgnore
    UnifiedType type();

    /** The provider's id of the record. */
    String externalId();

    /** A human-readable label, used for text search ({@code name} of a contact, {@code title} of a task). */
    @JsonIgnore
    String label();

    /** The provider's last-modified time, or null when unknown. */
    Instant updatedAt();

    /**
     * The record's e-mail address when it has one, for filtering. Not {@code @JsonIgnore}: Jackson would inherit
     * the ignoral into records whose {@code email} component implements this, and drop it from the stored JSON.
     */
    default String email() {
        return null;
    }

    /** The record's status when it has one ({@code Open}, {@code complete}), for filtering (see {@link #email()}). */
    default String status() {
        return null;
    }
}
