package dev.junction.provider.chatwoot;

import com.fasterxml.jackson.databind.JsonNode;
import dev.junction.core.error.ErrorContext;
import dev.junction.core.error.ErrorKind;
import dev.junction.core.error.JunctionException;
import dev.junction.core.model.Contact;
import dev.junction.core.model.Conversation;
import dev.junction.core.model.Message;
import dev.junction.core.model.UnifiedRecord;
import dev.junction.core.model.User;
import dev.junction.core.spi.RemoteRecord;
import dev.junction.core.spi.Timestamps;
import dev.junction.core.spi.Transformer;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Chatwoot records to the unified model: contacts to {@link Contact}, agents to {@link User}, conversations to
 * {@link Conversation}, messages to {@link Message}; inboxes are kept raw only.
 *
 * <p>Handles both shapes Chatwoot sends: REST lists (timestamps as unix seconds, {@code message_type} as
 * {@code 0..3}, {@code conversation_id} = the conversation's display id) and webhook payloads (ISO timestamps,
 * {@code message_type} as {@code "incoming"}..., the conversation nested). Unknown keys are ignored. Stateless and
 * thread-safe.
 */
final class ChatwootTransformer implements Transformer {

    /** Chatwoot's {@code Message.message_type} enum: incoming 0, outgoing 1, activity 2, template 3. */
    static final List<String> MESSAGE_TYPES = List.of("incoming", "outgoing", "activity", "template");

    @Override
    public Optional<UnifiedRecord> transform(RemoteRecord record) {
        JsonNode json = record.payload();
        if (!json.isObject()) {
            throw bad(record.entity(), "record is not an object");
        }
        return switch (record.entity()) {
            case "contacts" -> Optional.of(contact(json));
            case "agents" -> Optional.of(agent(json));
            case "conversations" -> Optional.of(conversation(json));
            case "messages" -> Optional.of(message(json));
            default -> Optional.empty();
        };
    }

    static Contact contact(JsonNode json) {
        String name = text(json, "name", "contacts");
        Map<String, String> custom = new LinkedHashMap<>();
        JsonNode attributes = json.get("custom_attributes");
        if (attributes != null && attributes.isObject()) {
            attributes.fields().forEachRemaining(field -> custom.put(field.getKey(),
                    field.getValue().isValueNode() ? field.getValue().asText() : field.getValue().toString()));
        }
        String identifier = text(json, "identifier", "contacts");
        if (identifier != null) {
            custom.put("chatwoot:identifier", identifier);
        }
        return new Contact(id(json, "contacts"), Contact.Kind.PERSON, name, null, null, text(json, "email", "contacts"),
                text(json, "phone_number", "contacts"), null, custom, instant(json, "created_at", "contacts"),
                firstInstant(json, "contacts", "updated_at", "last_activity_at"));
    }

    static User agent(JsonNode json) {
        Boolean confirmed = json.has("confirmed") && json.get("confirmed").isBoolean() ? json.get("confirmed").asBoolean() : null;
        return new User(id(json, "agents"), firstText(json, "agents", "available_name", "name"), text(json, "email", "agents"),
                confirmed, text(json, "role", "agents"), null);
    }

    static Conversation conversation(JsonNode json) {
        JsonNode meta = json.path("meta");
        String contactId = idOrNull(meta.path("sender").get("id"));
        if (contactId == null) {
            contactId = idOrNull(json.path("contact_inbox").get("contact_id"));
        }
        String assigneeId = idOrNull(meta.path("assignee").get("id"));
        if (assigneeId == null) {
            assigneeId = idOrNull(json.get("assignee_id"));
        }
        List<String> labels = new ArrayList<>();
        JsonNode labelNode = json.get("labels");
        if (labelNode != null && labelNode.isArray()) {
            labelNode.forEach(label -> labels.add(label.asText()));
        }
        String id = id(json, "conversations");
        Instant lastActivity = firstInstant(json, "conversations", "last_activity_at", "timestamp");
        return new Conversation(id, idOrNull(json.get("display_id")) != null ? idOrNull(json.get("display_id")) : id,
                idOrNull(json.get("inbox_id")), contactId, assigneeId, text(json, "status", "conversations"), labels,
                lastActivity, instant(json, "created_at", "conversations"),
                firstInstant(json, "conversations", "updated_at", "last_activity_at", "timestamp"));
    }

    static Message message(JsonNode json) {
        String conversationId = idOrNull(json.get("conversation_id"));
        if (conversationId == null) {
            conversationId = idOrNull(json.path("conversation").get("id"));
        }
        JsonNode sender = json.path("sender");
        String senderId = idOrNull(json.get("sender_id"));
        if (senderId == null) {
            senderId = idOrNull(sender.get("id"));
        }
        String senderType = text(json, "sender_type", "messages");
        if (senderType == null && sender.isObject()) {
            senderType = text(sender, "type", "messages");
        }
        JsonNode privateNode = json.get("private");
        return new Message(id(json, "messages"), conversationId, messageType(json.get("message_type")),
                text(json, "content", "messages"), privateNode != null && privateNode.asBoolean(false), senderId,
                senderType == null ? null : senderType.toLowerCase(java.util.Locale.ROOT),
                instant(json, "created_at", "messages"), firstInstant(json, "messages", "updated_at", "created_at"));
    }

    /** {@code 0..3} (REST) or {@code "incoming"}... (webhooks) to the name; null stays null. */
    static String messageType(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isIntegralNumber() && node.asInt() >= 0 && node.asInt() < MESSAGE_TYPES.size()) {
            return MESSAGE_TYPES.get(node.asInt());
        }
        if (node.isTextual()) {
            String value = node.asText();
            if (MESSAGE_TYPES.contains(value)) {
                return value;
            }
            if (value.matches("[0-3]")) {
                return MESSAGE_TYPES.get(Integer.parseInt(value));
            }
        }
        throw bad("messages", "unknown message_type " + node);
    }

    /** Unix seconds (number or digits) or ISO-8601; null and "" are null. */
    static Instant instantOrNull(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isNumber()) {
            return Instant.ofEpochSecond(node.asLong());
        }
        if (node.isTextual()) {
            String value = node.asText().trim();
            if (value.isEmpty()) {
                return null;
            }
            if (value.matches("[0-9]{1,12}")) {
                return Instant.ofEpochSecond(Long.parseLong(value));
            }
            try {
                return Timestamps.instant(value);
            } catch (DateTimeParseException e) {
                throw bad(null, "not a timestamp: " + value);
            }
        }
        throw bad(null, "not a timestamp: " + node);
    }

    private static Instant instant(JsonNode json, String field, String entity) {
        try {
            return instantOrNull(json.get(field));
        } catch (JunctionException e) {
            throw bad(entity, "field '" + field + "' is not a timestamp");
        }
    }

    private static Instant firstInstant(JsonNode json, String entity, String... fields) {
        for (String field : fields) {
            Instant value = instant(json, field, entity);
            if (value != null) {
                return value;
            }
        }
        return null;
    }

    private static String id(JsonNode json, String entity) {
        String id = idOrNull(json.get("id"));
        if (id == null) {
            throw bad(entity, "record has no id");
        }
        return id;
    }

    static String idOrNull(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isIntegralNumber() || (node.isTextual() && !node.asText().isBlank())) {
            return node.asText();
        }
        return null;
    }

    private static String text(JsonNode json, String field, String entity) {
        JsonNode node = json.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isValueNode()) {
            throw bad(entity, "field '" + field + "' is not text");
        }
        String value = node.asText();
        return value.isEmpty() ? null : value;
    }

    private static String firstText(JsonNode json, String entity, String... fields) {
        for (String field : fields) {
            String value = text(json, field, entity);
            if (value != null) {
                return value;
            }
        }
        return null;
    }

    private static JunctionException bad(String entity, String message) {
        ErrorContext context = ErrorContext.provider(ChatwootProvider.ID);
        return new JunctionException(ErrorKind.UNEXPECTED_PAYLOAD, "Chatwoot: " + message,
                entity == null ? context : context.withEntity(entity));
    }
}
