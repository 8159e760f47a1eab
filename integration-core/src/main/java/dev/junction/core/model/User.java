package dev.junction.core.model;

import java.time.Instant;
import java.util.Objects;

/** Someone who works in the provider's account: a Clio user, a Cliniko practitioner, a Chatwoot agent. */
public record User(String externalId, String name, String email, Boolean enabled, String role, Instant updatedAt)
        implements UnifiedRecord {

    public User {
        Objects.requireNonNull(externalId, "externalId");
    }

    @Override
    public UnifiedType type() {
        return UnifiedType.USER;
    }

    @Override
    public String label() {
        return name;
    }
}
