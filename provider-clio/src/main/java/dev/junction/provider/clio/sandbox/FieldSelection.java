package dev.junction.provider.clio.sandbox;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonSerializable;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.junction.sandbox.SandboxJson;
import java.io.IOException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The fields a request asked for with Clio's {@code fields} parameter, such as {@code
 * id,etag,client{id,name}}, checked against a resource's {@link FieldSchema}.
 *
 * <p>Clio's rules (docs.developers.clio.com/api-docs/fields): without {@code fields} only {@code id}
 * and {@code etag} come back; an unknown field is a {@code 400}; a nested resource asked for
 * without braces returns its default fields ({@code id}, {@code etag}); fields of a second-level
 * nested resource cannot be chosen ({@code 400}). Immutable and thread-safe.
 */
final class FieldSelection {

    private final FieldSchema schema;
    /** Selected field name to the selection inside it; {@code null} for values and default nested fields. */
    private final Map<String, FieldSelection> selected;

    private FieldSelection(FieldSchema schema, Map<String, FieldSelection> selected) {
        this.schema = schema;
        this.selected = Collections.unmodifiableMap(selected);
    }

    /** The selection used when a request has no {@code fields}: {@code id} and {@code etag}. */
    static FieldSelection defaults(FieldSchema schema) {
        Map<String, FieldSelection> selected = new LinkedHashMap<>();
        selected.put("id", null);
        if (schema.field("etag").isPresent()) {
            selected.put("etag", null);
        }
        return new FieldSelection(schema, selected);
    }

    /**
     * Parses a {@code fields} value; {@code null} or blank gives {@link #defaults(FieldSchema)}.
     *
     * @throws InvalidFieldsException when a field is unknown, misplaced or the text is malformed
     */
    static FieldSelection parse(String text, FieldSchema schema) {
        if (text == null || text.isBlank()) {
            return defaults(schema);
        }
        Parser parser = new Parser(text);
        FieldSelection selection = parser.list(schema, 0);
        if (!parser.atEnd()) {
            throw new InvalidFieldsException("Malformed fields parameter near position " + parser.position);
        }
        return selection;
    }

    /** Returns a new object with only the selected fields of {@code record}. */
    ObjectNode project(ObjectNode record) {
        ObjectNode projected = SandboxJson.object();
        selected.forEach((name, inner) -> {
            JsonNode value = record.get(name);
            if (value == null || value.isNull()) {
                projected.set(name, NullNode.getInstance());
            } else if (schema.isNested(name) && (value.isObject() || value.isArray())) {
                FieldSchema nestedSchema = schema.field(name).orElseThrow();
                FieldSelection nested = inner != null ? inner : defaults(nestedSchema);
                projected.set(name, nested.projectNested(value));
            } else {
                projected.set(name, value.deepCopy());
            }
        });
        return projected;
    }

    /**
     * Writes the same object {@link #project(ObjectNode)} returns straight to {@code json}, without building it: a
     * list page streams its records this way (projecting 200 bodies into new trees only to serialise and drop them
     * cost the sandbox about as much CPU as generating them).
     */
    void write(JsonGenerator json, ObjectNode record) throws IOException {
        write(json, record, SandboxJson.mapper().getSerializerProviderInstance());
    }

    /** Writes one record with a serializer provider shared by its values (the mapper makes one per call). */
    private void write(JsonGenerator json, ObjectNode record, SerializerProvider provider) throws IOException {
        json.writeStartObject();
        for (Map.Entry<String, FieldSelection> entry : selected.entrySet()) {
            String name = entry.getKey();
            JsonNode value = record.get(name);
            json.writeFieldName(name);
            if (value == null || value.isNull()) {
                json.writeNull();
            } else if (schema.isNested(name) && (value.isObject() || value.isArray())) {
                FieldSelection inner = entry.getValue();
                FieldSelection nested = inner != null ? inner : defaults(schema.field(name).orElseThrow());
                nested.writeNested(json, value, provider);
            } else {
                ((JsonSerializable) value).serialize(json, provider);
            }
        }
        json.writeEndObject();
    }

    private void writeNested(JsonGenerator json, JsonNode value, SerializerProvider provider) throws IOException {
        if (value.isObject()) {
            write(json, (ObjectNode) value, provider);
            return;
        }
        json.writeStartArray();
        for (JsonNode element : value) {
            if (element.isObject()) {
                write(json, (ObjectNode) element, provider);
            } else {
                ((JsonSerializable) element).serialize(json, provider);
            }
        }
        json.writeEndArray();
    }

    private JsonNode projectNested(JsonNode value) {
        if (value.isObject()) {
            return project((ObjectNode) value);
        }
        ArrayNode projected = SandboxJson.array();
        value.forEach(element ->
                projected.add(element.isObject() ? project((ObjectNode) element) : element.deepCopy()));
        return projected;
    }

    /** A {@code fields} value Clio would refuse. */
    static final class InvalidFieldsException extends IllegalArgumentException {

        private static final long serialVersionUID = 1L;

        InvalidFieldsException(String message) {
            super(message);
        }
    }

    /** A recursive-descent parser for {@code name(,name)*} lists with optional {@code {...}} per name. */
    private static final class Parser {

        private final String text;
        private int position;

        Parser(String text) {
            this.text = text.trim();
        }

        boolean atEnd() {
            return position >= text.length();
        }

        FieldSelection list(FieldSchema schema, int depth) {
            Map<String, FieldSelection> selected = new LinkedHashMap<>();
            do {
                String name = name();
                FieldSchema field = schema.field(name)
                        .orElseThrow(() -> new InvalidFieldsException("Invalid field: " + name));
                FieldSelection inner = null;
                if (peek('{')) {
                    if (!schema.isNested(name)) {
                        throw new InvalidFieldsException("Field " + name + " has no nested fields");
                    }
                    if (depth > 0) {
                        throw new InvalidFieldsException(
                                "Fields of second-level nested resources cannot be requested: " + name);
                    }
                    position++;
                    inner = list(field, depth + 1);
                    expect('}');
                }
                selected.put(name, inner);
            } while (consume(','));
            return new FieldSelection(schema, selected);
        }

        private String name() {
            int start = position;
            while (position < text.length() && isNameCharacter(text.charAt(position))) {
                position++;
            }
            if (start == position) {
                throw new InvalidFieldsException("Malformed fields parameter near position " + position);
            }
            return text.substring(start, position);
        }

        private static boolean isNameCharacter(char character) {
            return Character.isLetterOrDigit(character) || character == '_';
        }

        private boolean peek(char expected) {
            return position < text.length() && text.charAt(position) == expected;
        }

        private boolean consume(char expected) {
            if (peek(expected)) {
                position++;
                return true;
            }
            return false;
        }

        private void expect(char expected) {
            if (!consume(expected)) {
                throw new InvalidFieldsException("Malformed fields parameter: expected '" + expected
                        + "' at position " + position);
            }
        }
    }
}
