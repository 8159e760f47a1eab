package dev.junction.core.model;

import java.time.Instant;
import java.util.Objects;

/** Something in a calendar: a Clio calendar entry, a Cliniko appointment. */
public record Appointment(String externalId, String title, Instant startsAt, Instant endsAt, Boolean allDay,
        String status, String engagementId, String contactId, String userId, Instant updatedAt)
        implements UnifiedRecord {

    public Appointment {
        Objects.requireNonNull(externalId, "externalId");
    }

    @Override
    public UnifiedType type() {
        return UnifiedType.APPOINTMENT;
    }

    @Override
    public String label() {
        return title;
    }
}
