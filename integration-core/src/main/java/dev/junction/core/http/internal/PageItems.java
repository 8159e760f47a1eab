package dev.junction.core.http.internal;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import dev.junction.core.error.ErrorKind;
import dev.junction.core.error.JunctionException;

/** Reads the parts of a page body that pagination strategies depend on, strictly. Stateless. */
final class PageItems {

    private PageItems() {
    }

    /** The items array at {@code pointer}; anything else is {@code UNEXPECTED_PAYLOAD}. */
    static JsonNode array(JsonNode body, JsonPointer pointer) {
        JsonNode items = body.at(pointer);
        if (!items.isArray()) {
            throw new JunctionException(ErrorKind.UNEXPECTED_PAYLOAD,
                    "expected an array of items at '" + pointer + "' in the page, found " + items.getNodeType());
        }
        return items;
    }

    /** The whole number in query parameter {@code name}; the caller's first page may have set something else. */
    static long number(String value, String name) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException notNumber) {
            throw new JunctionException(ErrorKind.INVALID_INPUT,
                    "query parameter '" + name + "' must be a whole number for this pagination, was '" + value + "'");
        }
    }
}
