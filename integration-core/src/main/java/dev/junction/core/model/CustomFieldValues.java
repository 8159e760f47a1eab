package dev.junction.core.model;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/** Copies of the custom field values the unified records carry. */
final class CustomFieldValues {

    private CustomFieldValues() {
    }

    /**
     * An unmodifiable copy of {@code values} in their own order (the provider's), empty for null; null keys and values
     * are refused as {@link Map#copyOf} refuses them. Not {@code Map.copyOf}: its iteration order is salted per JVM, so
     * the same record's unified JSON would be written in a different order by every process.
     */
    static Map<String, String> copy(Map<String, String> values) {
        if (values == null || values.isEmpty()) {
            return Map.of();
        }
        Map<String, String> copy = new LinkedHashMap<>(values.size() * 4 / 3 + 1);
        for (Map.Entry<String, String> value : values.entrySet()) {
            copy.put(Objects.requireNonNull(value.getKey(), "custom field id"),
                    Objects.requireNonNull(value.getValue(), "custom field value"));
        }
        return Collections.unmodifiableMap(copy);
    }
}
