package dev.junction.core.model;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/** A support conversation: a Chatwoot conversation. {@code status} is open, resolved, pending or snoozed. */
public record Conversation(String externalId, String displayId, String inboxId, String contactId, String assigneeId,
        String status, List<String> labels, Instant lastActivityAt, Instant createdAt, Instant updatedAt)
        implements UnifiedRecord {

    public Conversation {
        Objects.requireNonNull(externalId, "externalId");
        labels = labels == null ? List.of() : List.copyOf(labels);
    }

    @Override
    public UnifiedType type() {
        return UnifiedType.CONVERSATION;
    }

    @Override
    public String label() {
        return displayId != null ? displayId : externalId;
    }
}
