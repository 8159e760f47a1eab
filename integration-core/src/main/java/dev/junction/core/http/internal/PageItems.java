package dev.junction.core.http.internal;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import dev.junction.core.error.ErrorKind;
import dev.junction.core.error.JunctionException;
import dev.junction.core.http.HttpCall;

/** Reads what pagination strategies depend on, in a page body and in the call that fetched it, strictly. Stateless. */
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

    /**
     * The whole number in {@code sent}'s query parameter {@code name}, or {@code absent} when it has none. Anything
     * else is {@code INVALID_INPUT}: the caller's first page may have set the parameter to something else.
     */
    static long queryNumber(HttpCall sent, String name, long absent) {
        String value = sent.queryValue(name).orElse(null);
        if (value == null) {
            return absent;
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException notNumber) {
            throw new JunctionException(ErrorKind.INVALID_INPUT,
                    "query parameter '" + name + "' must be a whole number for this pagination, was '" + value + "'");
        }
    }
}
