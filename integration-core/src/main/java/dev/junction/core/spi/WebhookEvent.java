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
 *     handler built or changed the payload. A handler passes it only when parsing it gives {@code payload}. A handler
 *     that has read the text with a streaming parser (and so checked it is a well-formed JSON object) may pass
 *     {@code payload} null with it: {@link #payload()} then parses the text when asked, and core, which stores the
 *     text, never needs the tree on the receiving path.
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
    }

    /** The payload: as given, or parsed from {@code payloadJson} when only the text was given (each call parses). */
    @Override
    public JsonNode payload() {
        if (payload != null || payloadJson == null) {
            return payload;
        }
        try {
            return TEXT_READER.readTree(payloadJson);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("the webhook payload text is not JSON", e);
        }
    }

    private static final com.fasterxml.jackson.databind.ObjectReader TEXT_READER =
            new com.fasterxml.jackson.databind.ObjectMapper().reader();
}
