package dev.junction.core.model;

import java.time.Instant;
import java.util.Objects;

/** The definition of a custom field; its values live on the records ({@link Contact#customFields()}). */
public record CustomField(String externalId, String name, String parentType, String fieldType, boolean deleted,
        Instant updatedAt) implements UnifiedRecord {

    public CustomField {
        Objects.requireNonNull(externalId, "externalId");
    }

    @Override
    public UnifiedType type() {
        return UnifiedType.CUSTOM_FIELD;
    }

    @Override
    public String label() {
        return name;
    }
}
