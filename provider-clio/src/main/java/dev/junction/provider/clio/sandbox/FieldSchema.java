package dev.junction.provider.clio.sandbox;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The fields one Clio resource offers; a nested resource (a {@code client} on a matter, the {@code
 * email_addresses} of a contact) has a schema of its own. Immutable and thread-safe.
 */
final class FieldSchema {

    /** The schema of a plain value field: it has no fields of its own. */
    static final FieldSchema VALUE = new FieldSchema(Map.of());

    private final Map<String, FieldSchema> fields;

    private FieldSchema(Map<String, FieldSchema> fields) {
        this.fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    }

    static Builder builder() {
        return new Builder();
    }

    /** The schema of one field, if the resource has it. */
    Optional<FieldSchema> field(String name) {
        return Optional.ofNullable(fields.get(name));
    }

    /** Whether the field holds a nested resource (or a list of them) rather than a value. */
    boolean isNested(String name) {
        FieldSchema field = fields.get(name);
        return field != null && field != VALUE;
    }

    /** Every field name, in declaration order. */
    Set<String> names() {
        return fields.keySet();
    }

    static final class Builder {

        private final Map<String, FieldSchema> fields = new LinkedHashMap<>();

        Builder values(String... names) {
            for (String name : names) {
                fields.put(name, VALUE);
            }
            return this;
        }

        Builder nested(String name, FieldSchema schema) {
            fields.put(name, schema);
            return this;
        }

        FieldSchema build() {
            return new FieldSchema(fields);
        }
    }
}
