package dev.junction.sandbox;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The JSON mapper every sandbox shares, with small helpers around it.
 *
 * <p>Thread-safe: the mapper is configured once and only read afterwards.
 */
public final class SandboxJson {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private SandboxJson() {
    }

    /** Returns the shared mapper. Do not reconfigure it. */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /** Returns a new empty JSON object. */
    public static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    /** Returns a new empty JSON array. */
    public static ArrayNode array() {
        return MAPPER.createArrayNode();
    }

    /** Serialises a value (a {@link JsonNode}, a map, a record...) to compact UTF-8 JSON. */
    public static byte[] toBytes(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException exception) {
            throw new IllegalArgumentException("Value cannot be written as JSON: " + value.getClass(), exception);
        }
    }

    /**
     * Parses JSON text.
     *
     * @throws UncheckedIOException when the text is not valid JSON
     */
    public static JsonNode parse(byte[] json) {
        try {
            return MAPPER.readTree(json);
        } catch (IOException exception) {
            throw new UncheckedIOException("Malformed JSON", exception);
        }
    }

    /**
     * Parses JSON text.
     *
     * @throws UncheckedIOException when the text is not valid JSON
     */
    public static JsonNode parse(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (IOException exception) {
            throw new UncheckedIOException("Malformed JSON", exception);
        }
    }
}
