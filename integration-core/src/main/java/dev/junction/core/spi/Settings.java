package dev.junction.core.spi;

import dev.junction.core.error.JunctionException;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Immutable string settings (provider-wide or per connection). {@link #toString()} never prints values,
 * because some of them are secrets.
 */
public final class Settings {

    public static final Settings EMPTY = new Settings(Map.of());

    private final Map<String, String> values;

    private Settings(Map<String, String> values) {
        this.values = Map.copyOf(values);
    }

    public static Settings of(Map<String, String> values) {
        if (values == null) {
            return EMPTY;
        }
        for (Map.Entry<String, String> entry : values.entrySet()) {
            if (entry.getKey() == null || entry.getValue() == null) {
                throw JunctionException.invalidInput("settings must not contain null keys or values");
            }
        }
        return new Settings(values);
    }

    public static Settings of(String... keysAndValues) {
        if (keysAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("keys and values must come in pairs");
        }
        Map<String, String> map = new TreeMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return of(map);
    }

    public Optional<String> get(String name) {
        return Optional.ofNullable(values.get(name));
    }

    /** The value, or an {@code INVALID_INPUT} error naming the missing setting. */
    public String require(String name) {
        String value = values.get(name);
        if (value == null || value.isBlank()) {
            throw JunctionException.invalidInput("setting '" + name + "' is required");
        }
        return value;
    }

    public Map<String, String> asMap() {
        return values;
    }

    public Settings with(String name, String value) {
        Map<String, String> copy = new TreeMap<>(values);
        copy.put(name, value);
        return new Settings(copy);
    }

    @Override
    public String toString() {
        return "Settings" + new TreeMap<>(values).keySet();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Settings settings && settings.values.equals(values);
    }

    @Override
    public int hashCode() {
        return values.hashCode();
    }
}
