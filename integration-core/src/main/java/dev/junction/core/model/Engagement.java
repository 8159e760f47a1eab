package dev.junction.core.model;

import java.time.Instant;
import java.time.LocalDate;
import java.util.Map;
import java.util.Objects;

/**
 * A unit of work for a client: a Clio matter, an Ascora job.
 *
 * @param clientId external id of the client {@link Contact}
 * @param responsibleUserId external id of the responsible {@link User}
 */
public record Engagement(String externalId, String number, String title, String status, String clientId,
        String responsibleUserId, LocalDate openedOn, LocalDate closedOn, Map<String, String> customFields,
        Instant createdAt, Instant updatedAt) implements UnifiedRecord {

    public Engagement {
        Objects.requireNonNull(externalId, "externalId");
        customFields = CustomFieldValues.copy(customFields);
    }

    @Override
    public UnifiedType type() {
        return UnifiedType.ENGAGEMENT;
    }

    @Override
    public String label() {
        return number == null ? title : title == null ? number : number + " " + title;
    }
}
