package dev.junction.core;

import com.fasterxml.jackson.databind.JsonNode;
import dev.junction.core.error.JunctionException;
import java.time.Instant;

/**
 * A local change to write to the provider with {@link Hub#push}.
 *
 * @param externalId the record to update, or null to create one
 * @param changes the fields to set, in the provider's field names (a JSON object)
 * @param changedAt when the change was made locally (for {@link ConflictStrategy#NEWEST_WINS})
 * @param idempotencyKey a key per intended change: a retry with the same key and change returns the first outcome
 */
public record PushChange(String tenantId, String connectionId, String entity, String externalId, JsonNode changes,
        Instant changedAt, String idempotencyKey) {

    public PushChange {
        JunctionException.requireArgument(tenantId, "tenantId");
        JunctionException.requireArgument(connectionId, "connectionId");
        JunctionException.requireArgument(entity, "entity");
        JunctionException.requireArgument(changes, "changes");
        JunctionException.requireArgument(changedAt, "changedAt");
        JunctionException.requireArgument(idempotencyKey, "idempotencyKey");
        if (!changes.isObject() || changes.isEmpty()) {
            throw JunctionException.invalidInput("changes must be a JSON object with at least one field");
        }
        if (externalId != null && externalId.isBlank()) {
            throw JunctionException.invalidInput("externalId must not be blank (null creates a record)");
        }
        if (idempotencyKey.length() > 255) {
            throw JunctionException.invalidInput("idempotencyKey must be at most 255 characters");
        }
    }

    public static PushChange update(String tenantId, String connectionId, String entity, String externalId, JsonNode changes,
            Instant changedAt, String idempotencyKey) {
        JunctionException.requireArgument(externalId, "externalId");
        return new PushChange(tenantId, connectionId, entity, externalId, changes, changedAt, idempotencyKey);
    }

    public static PushChange create(String tenantId, String connectionId, String entity, JsonNode fields, Instant changedAt,
            String idempotencyKey) {
        return new PushChange(tenantId, connectionId, entity, null, fields, changedAt, idempotencyKey);
    }

    /** A copy for another entity. */
    public PushChange withEntity(String value) {
        return new PushChange(tenantId, connectionId, value, externalId, changes, changedAt, idempotencyKey);
    }
}
