package dev.junction.hub;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Checks a response against the OpenAPI document: the operation exists, the status is documented for it, and the
 * body matches the documented schema (required properties present, types right, nested objects and arrays followed
 * through {@code $ref}s). Small on purpose: it understands the subset of JSON Schema the document uses.
 */
final class SchemaChecker {

    private final JsonNode document;
    /** Operations seen, "METHOD template status", for the coverage test. */
    static final Map<String, Boolean> SEEN = new ConcurrentHashMap<>();

    SchemaChecker(JsonNode document) {
        this.document = document;
    }

    void check(String method, String path, int status, JsonNode body) {
        String template = template(path);
        JsonNode operation = template == null ? null : document.get("paths").get(template).get(method.toLowerCase());
        if (operation == null) {
            // no such endpoint: only "not found" and "method not allowed" are acceptable answers
            assertThat(status).as("%s %s is not documented", method, path).isIn(404, 405);
            return;
        }
        JsonNode response = operation.get("responses").get(Integer.toString(status));
        assertThat(response).as("status %s documented for %s %s (body %s)", status, method, template, body).isNotNull();
        SEEN.put(method + " " + template + " " + status, true);
        JsonNode content = response.get("content");
        if (content == null) {
            assertThat(body).as("no body documented for %s %s %s", method, template, status).isNull();
            return;
        }
        if (content.fieldNames().next().startsWith("text/")) {
            return; // a text body (GET /metrics): the status is documented, the text is the caller's to read
        }
        JsonNode schema = content.elements().next().get("schema");
        List<String> problems = new ArrayList<>();
        validate(schema, body, "$", problems);
        assertThat(problems).as("%s %s %s body %s", method, template, status, body).isEmpty();
    }

    private String template(String path) {
        Iterator<String> names = document.get("paths").fieldNames();
        String best = null;
        while (names.hasNext()) {
            String candidate = names.next();
            String regex = Pattern.quote(candidate).replaceAll("\\{[A-Za-z]+}", "\\\\E[^/]+\\\\Q");
            if (path.matches(regex)) {
                // literal segments beat parameters (/v1/oauth/callback is not /v1/connections/{id})
                if (best == null || candidate.chars().filter(c -> c == '{').count() < best.chars().filter(c -> c == '{').count()) {
                    best = candidate;
                }
            }
        }
        return best;
    }

    void validate(JsonNode schema, JsonNode value, String where, List<String> problems) {
        if (schema.has("$ref")) {
            String name = schema.get("$ref").asText().substring("#/components/schemas/".length());
            JsonNode target = document.get("components").get("schemas").get(name);
            if (target == null) {
                problems.add(where + ": unresolved " + name);
                return;
            }
            validate(target, value, where, problems);
            return;
        }
        if (schema.has("oneOf")) {
            for (JsonNode option : schema.get("oneOf")) {
                List<String> attempt = new ArrayList<>();
                validate(option, value, where, attempt);
                if (attempt.isEmpty()) {
                    return;
                }
            }
            problems.add(where + ": matches none of " + schema.get("oneOf"));
            return;
        }
        JsonNode type = schema.get("type");
        if (type == null) {
            return;
        }
        List<String> types = new ArrayList<>();
        if (type.isArray()) {
            type.forEach(node -> types.add(node.asText()));
        } else {
            types.add(type.asText());
        }
        if (value == null || value.isNull()) {
            if (!types.contains("null")) {
                problems.add(where + ": null but must be " + types);
            }
            return;
        }
        String actual = value.isObject() ? "object" : value.isArray() ? "array" : value.isTextual() ? "string"
                : value.isIntegralNumber() ? "integer" : value.isNumber() ? "number" : value.isBoolean() ? "boolean" : "?";
        boolean typeOk = types.contains(actual) || (actual.equals("integer") && types.contains("number"));
        if (!typeOk) {
            problems.add(where + ": " + actual + " but must be " + types);
            return;
        }
        if (actual.equals("object")) {
            if (schema.has("required")) {
                for (JsonNode required : schema.get("required")) {
                    if (!value.has(required.asText())) {
                        problems.add(where + ": missing required '" + required.asText() + "'");
                    }
                }
            }
            if (schema.has("properties")) {
                schema.get("properties").fields().forEachRemaining(property -> {
                    if (value.has(property.getKey())) {
                        validate(property.getValue(), value.get(property.getKey()), where + "." + property.getKey(), problems);
                    }
                });
            }
        }
        if (actual.equals("array") && schema.has("items")) {
            int index = 0;
            for (JsonNode item : value) {
                validate(schema.get("items"), item, where + "[" + index++ + "]", problems);
            }
        }
    }
}
