package dev.junction.core.spi;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

/**
 * What a verified webhook says changed.
 *
 * @param dedupeKey the provider's delivery or event id, or a key derived from the content when the provider has
 *     none; the inbox stores each key once per connection, so redeliveries are ignored
 * @param entity the entity name
 * @param externalId the record's id
 * @param kind what to do
 * @param payload the record as sent, when {@code kind} is {@link Kind#UPSERT}; otherwise the event body
 * @param payloadJson optional: {@code payload} exactly as the JSON text it was parsed from (typically the request
 *     body), which core then stores as received instead of serialising {@code payload} again; {@code null} when the
 *     handler built or changed the payload. A handler passes it only when parsing it gives {@code payload}.
 */
public record WebhookEvent(String dedupeKey, String entity, String externalId, Kind kind, JsonNode payload, String payloadJson) {

    /** An event whose payload core serialises itself. */
    public WebhookEvent(String dedupeKey, String entity, String externalId, Kind kind, JsonNode payload) {
        this(dedupeKey, entity, externalId, kind, payload, null);
    }

    public enum Kind {
        /** The payload is the full record: store it. */
        UPSERT,
        /** The payload is partial: fetch the record and store what the provider returns. */
        REFETCH,
        /** The record was deleted at the provider. */
        DELETE
    }

    public WebhookEvent {
        Objects.requireNonNull(dedupeKey, "dedupeKey");
        Objects.requireNonNull(entity, "entity");
        Objects.requireNonNull(externalId, "externalId");
        Objects.requireNonNull(kind, "kind");
        if (payloadJson != null && payload == null) {
            throw new IllegalArgumentException("payloadJson is the text of payload, so payload must be given too");
        }
    }
}
