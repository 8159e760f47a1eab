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

    /**
     * An action from a name, a description and a function: the usual way to declare one.
     *
     * @param body performs the write; stateless and thread-safe
     */
    static Action of(String name, String description, java.util.function.Function<ActionContext, JsonNode> body) {
        java.util.Objects.requireNonNull(name, "name");
        java.util.Objects.requireNonNull(description, "description");
        java.util.Objects.requireNonNull(body, "body");
        if (!name.matches("[a-z][a-z0-9_]*")) {
            throw new IllegalArgumentException("action names are lower snake case, was '" + name + "'");
        }
        return new Action() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public String description() {
                return description;
            }

            @Override
            public JsonNode execute(ActionContext context) {
                return body.apply(context);
            }

            @Override
            public String toString() {
                return "Action[" + name + "]";
            }
        };
    }

    /** What an action runs with. */
    interface ActionContext {
        ConnectorContext connection();

        JsonNode input();

        /** The caller's idempotency key; send it to providers that support one. */
        String idempotencyKey();
    }
}
