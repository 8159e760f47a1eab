package dev.junction.core.spi;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A typed write at the provider ("create a custom action", "record a payment"). Core runs it with an
 * idempotency key: a second call with the same key and the same input returns the stored result without calling
 * the provider again, and the same key with different input is refused. Implementations are stateless and
 * thread-safe.
 */
public interface Action {

    /** Lower snake case name, unique within the provider ({@code create_custom_action}). */
    String name();

    /** One line for documentation and API listings. */
    String description();

    /**
     * Performs the write and returns the provider's result as JSON.
     *
     * @throws dev.junction.core.error.JunctionException {@code INVALID_INPUT} for unusable input (checked before
     *     any request), or the HTTP layer's errors
     */
    JsonNode execute(ActionContext context);

    /** What an action runs with. */
    interface ActionContext {
        ConnectorContext connection();

        JsonNode input();

        /** The caller's idempotency key; send it to providers that support one. */
        String idempotencyKey();
    }
}
