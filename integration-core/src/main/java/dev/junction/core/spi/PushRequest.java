package dev.junction.core.spi;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;
import java.util.Optional;

/**
 * A local change for {@link Connector#push}.
 *
 * @param entity the entity written
 * @param externalId the record to update, or empty to create one
 * @param changes the fields to set, in the provider's own field names (a JSON object)
 * @param idempotencyKey the caller's key; providers that accept one get it, so a retried push cannot write twice
 */
public record PushRequest(EntityType entity, Optional<String> externalId, JsonNode changes, String idempotencyKey) {

    public PushRequest {
        Objects.requireNonNull(entity, "entity");
        Objects.requireNonNull(externalId, "externalId");
        Objects.requireNonNull(changes, "changes");
        Objects.requireNonNull(idempotencyKey, "idempotencyKey");
    }

    public boolean create() {
        return externalId.isEmpty();
    }
}
