package dev.junction.core;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * The outcome of a push, as recorded in the audit log ({@link Hub#pushLog}).
 *
 * @param decision {@code pushed} (no conflict), {@code conflict_local_won} (pushed over a remote change),
 *     {@code conflict_remote_won} (not pushed; the provider's version was stored instead), {@code remote_deleted}
 *     (the record is gone at the provider; not pushed, marked deleted), or {@code failed}
 * @param strategy the connection's strategy when a conflict was decided, else null
 * @param externalId the record's id (for a create, the id the provider gave it)
 * @param record the record as stored afterwards (the provider's payload), or null
 * @param replayed true when this is the stored outcome of an earlier push with the same idempotency key
 */
public record PushResult(long id, String connectionId, String entity, String externalId, String decision,
        ConflictStrategy strategy, JsonNode changes, JsonNode record, String error, Instant createdAt, Instant finishedAt,
        boolean replayed) {

    /** Whether the local change reached the provider. */
    public boolean pushed() {
        return "pushed".equals(decision) || "conflict_local_won".equals(decision);
    }
}
