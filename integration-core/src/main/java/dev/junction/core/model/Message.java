package dev.junction.core.model;

import java.time.Instant;
import java.util.Objects;

/**
 * A message in a conversation: a Chatwoot message.
 *
 * @param direction {@code incoming}, {@code outgoing}, {@code activity} or {@code template}
 */
public record Message(String externalId, String conversationId, String direction, String content, boolean privateNote,
        String senderId, String senderType, Instant createdAt, Instant updatedAt) implements UnifiedRecord {

    public Message {
        Objects.requireNonNull(externalId, "externalId");
    }

    @Override
    public UnifiedType type() {
        return UnifiedType.MESSAGE;
    }

    @Override
    public String label() {
        return content;
    }
}
