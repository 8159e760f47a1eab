package dev.junction.core.http;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

/**
 * One element of a list page: parsed, and as the JSON text it was parsed from (its exact slice of the body), so the
 * record can be stored and hashed without being serialised again.
 *
 * @param node the parsed element; do not modify it
 * @param json the element's text as the provider sent it, or null when it could not be cut out of the body (then
 *     {@code node} is serialised when stored)
 */
public record PageItem(JsonNode node, String json) {

    public PageItem {
        Objects.requireNonNull(node, "node");
    }
}
