package dev.junction.hub;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** The API's JSON: snake_case names, ISO-8601 instants, nulls written out. */
final class JsonSupport {

    static final ObjectMapper MAPPER = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .setSerializationInclusion(JsonInclude.Include.ALWAYS)
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private JsonSupport() {}

    /** An ordered map from alternating keys and values; values may be null. */
    static Map<String, Object> map(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    static byte[] write(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (Exception e) {
            throw new IllegalStateException("could not write JSON", e);
        }
    }

    /** A required string field: 422 when missing, not a string, blank or longer than {@code maxLength}. */
    static String requiredString(ObjectNode body, String field, int maxLength) {
        return optionalString(body, field, maxLength)
                .orElseThrow(() -> ApiException.invalid("field '" + field + "' is required"));
    }

    static Optional<String> optionalString(ObjectNode body, String field, int maxLength) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        if (!node.isTextual()) {
            throw ApiException.invalid("field '" + field + "' must be a string");
        }
        String value = node.asText();
        if (value.isBlank()) {
            throw ApiException.invalid("field '" + field + "' must not be blank");
        }
        if (value.length() > maxLength) {
            throw ApiException.invalid("field '" + field + "' must be at most " + maxLength + " characters");
        }
        return Optional.of(value);
    }

    /** A string-to-string object field (settings); empty when absent. */
    static Map<String, String> stringMap(ObjectNode body, String field) {
        JsonNode node = body.get(field);
        Map<String, String> values = new LinkedHashMap<>();
        if (node == null || node.isNull()) {
            return values;
        }
        if (!node.isObject()) {
            throw ApiException.invalid("field '" + field + "' must be an object of strings");
        }
        node.fields().forEachRemaining(entry -> {
            if (!entry.getValue().isTextual()) {
                throw ApiException.invalid("field '" + field + "." + entry.getKey() + "' must be a string");
            }
            if (entry.getValue().asText().length() > 4096) {
                throw ApiException.invalid("field '" + field + "." + entry.getKey() + "' is too long");
            }
            values.put(entry.getKey(), entry.getValue().asText());
        });
        return values;
    }
}
