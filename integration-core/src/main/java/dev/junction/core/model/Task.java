package dev.junction.core.model;

import java.time.Instant;
import java.util.Objects;

/** A to-do item, optionally attached to an engagement. */
public record Task(String externalId, String name, String description, String status, String priority,
        Instant dueAt, Instant completedAt, String engagementId, String assigneeId, Instant updatedAt)
        implements UnifiedRecord {

    public Task {
        Objects.requireNonNull(externalId, "externalId");
    }

    @Override
    public UnifiedType type() {
        return UnifiedType.TASK;
    }

    @Override
    public String label() {
        return name;
    }
}
