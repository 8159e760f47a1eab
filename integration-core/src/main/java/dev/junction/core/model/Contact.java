package dev.junction.core.model;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * A person or company: a Clio contact, a Cliniko patient, a Stripe customer.
 *
 * @param customFields custom field values by field name or id, as strings
 */
public record Contact(String externalId, Kind kind, String name, String firstName, String lastName, String email,
        String phone, Boolean client, Map<String, String> customFields, Instant createdAt, Instant updatedAt)
        implements UnifiedRecord {

    public enum Kind { PERSON, COMPANY }

    public Contact {
        Objects.requireNonNull(externalId, "externalId");
        customFields = CustomFieldValues.copy(customFields);
    }

    @Override
    public UnifiedType type() {
        return UnifiedType.CONTACT;
    }

    @Override
    public String label() {
        return name;
    }
}
