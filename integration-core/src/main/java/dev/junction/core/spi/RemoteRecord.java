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
 * @param payload the provider's JSON for this record, stored verbatim as the raw record
 * @param deleted true when the provider reports the record as deleted (a tombstone)
 */
public record RemoteRecord(String entity, String externalId, Instant updatedAt, JsonNode payload, boolean deleted) {

    public RemoteRecord {
        Objects.requireNonNull(entity, "entity");
        Objects.requireNonNull(externalId, "externalId");
        Objects.requireNonNull(payload, "payload");
    }

    public static RemoteRecord of(String entity, String externalId, Instant updatedAt, JsonNode payload) {
        return new RemoteRecord(entity, externalId, updatedAt, payload, false);
    }

    public static RemoteRecord tombstone(String entity, String externalId, JsonNode payload) {
        return new RemoteRecord(entity, externalId, null, payload, true);
    }
}
