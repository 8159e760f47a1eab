package dev.junction.core.spi;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Objects;

/**
 * One record as the provider sent it.
 *
 * @param entity the entity name
 * @param externalId the provider's id, as a string (Clio calendar entries have string ids, Ascora GUIDs)
 * @param updatedAt the provider's last-modified time, or null when the provider does not say
 * @param payload the provider's JSON for this record, parsed
 * @param deleted true when the provider reports the record as deleted (a tombstone)
 * @param json the provider's JSON text of this record exactly as it arrived (for example its slice of a list page,
 *     from {@link dev.junction.core.http.PageResponse#items}), stored verbatim as the raw record and hashed for change
 *     detection; null when the connector does not have it, and then {@code payload} is serialised instead. It must be
 *     the text {@code payload} was parsed from.
 */
public record RemoteRecord(String entity, String externalId, Instant updatedAt, JsonNode payload, boolean deleted, String json) {

    public RemoteRecord {
        Objects.requireNonNull(entity, "entity");
        Objects.requireNonNull(externalId, "externalId");
        Objects.requireNonNull(payload, "payload");
    }

    /** A record without its JSON text: the payload is serialised when it is stored. */
    public RemoteRecord(String entity, String externalId, Instant updatedAt, JsonNode payload, boolean deleted) {
        this(entity, externalId, updatedAt, payload, deleted, null);
    }

    public static RemoteRecord of(String entity, String externalId, Instant updatedAt, JsonNode payload) {
        return new RemoteRecord(entity, externalId, updatedAt, payload, false, null);
    }

    /** A record with the JSON text it was parsed from, stored as it is (no re-serialisation). */
    public static RemoteRecord of(String entity, String externalId, Instant updatedAt, JsonNode payload, String json) {
        return new RemoteRecord(entity, externalId, updatedAt, payload, false, json);
    }

    public static RemoteRecord tombstone(String entity, String externalId, JsonNode payload) {
        return new RemoteRecord(entity, externalId, null, payload, true, null);
    }
}
