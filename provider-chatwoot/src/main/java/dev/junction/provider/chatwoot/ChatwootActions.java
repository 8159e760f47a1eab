package dev.junction.provider.chatwoot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.junction.core.error.ErrorContext;
import dev.junction.core.error.ErrorKind;
import dev.junction.core.error.JunctionException;
import dev.junction.core.http.HttpCall;
import dev.junction.core.http.ProviderHttpClient;
import dev.junction.core.spi.Action;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Chatwoot's typed writes, run through {@code Hub.runAction} with an idempotency key (Chatwoot has none of its own,
 * so POSTs are never retried by the HTTP layer; the Hub's key makes a caller's retry safe). Input is checked before
 * any request; a bad value is {@code INVALID_INPUT} naming the field.
 * <ul>
 *   <li>{@value #SEND_MESSAGE}: {@code conversation_id} (the display id), {@code content}, optional {@code private}
 *       (a private note) → {@code POST /conversations/{id}/messages} as an outgoing message;</li>
 *   <li>{@value #UPSERT_CONTACT}: without {@code contact_id} creates a contact ({@code POST /contacts}, optionally in
 *       {@code inbox_id}); with it updates that contact ({@code PUT /contacts/{id}}). Fields: {@code name},
 *       {@code email}, {@code phone_number} (E.164), {@code identifier}.</li>
 * </ul>
 * Stateless and thread-safe.
 */
public final class ChatwootActions {

    public static final String SEND_MESSAGE = "send_message";
    public static final String UPSERT_CONTACT = "upsert_contact";

    private static final Set<String> MESSAGE_FIELDS = Set.of("conversation_id", "content", "private");
    private static final Set<String> CONTACT_FIELDS = Set.of("contact_id", "inbox_id", "name", "email", "phone_number", "identifier");
    private static final Pattern EMAIL = Pattern.compile("[^\\s@]+@[^\\s@]+\\.[^\\s@]+");
    private static final Pattern E164 = Pattern.compile("\\+[1-9][0-9]{6,14}");
    private static final int LONGEST_MESSAGE = 150_000;
    private static final int LONGEST_FIELD = 255;

    private ChatwootActions() {
    }

    public static List<Action> all() {
        return List.of(
                Action.of(SEND_MESSAGE, "Sends an outgoing message (or private note) to a conversation", ChatwootActions::sendMessage),
                Action.of(UPSERT_CONTACT, "Creates a contact, or updates one when contact_id is given", ChatwootActions::upsertContact));
    }

    private static JsonNode sendMessage(Action.ActionContext context) {
        ObjectNode input = input(context, MESSAGE_FIELDS);
        long conversation = id(input, "conversation_id", true);
        String content = text(input, "content", LONGEST_MESSAGE, true);
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("content", content);
        body.put("message_type", "outgoing");
        JsonNode isPrivate = input.get("private");
        if (isPrivate != null && !isPrivate.isNull()) {
            if (!isPrivate.isBoolean()) {
                throw invalid("'private' must be true or false");
            }
            body.put("private", isPrivate.asBoolean());
        } else {
            body.put("private", false);
        }
        ProviderHttpClient http = ChatwootConnector.httpClient(context.connection());
        return http.executeJson(post("conversations/" + conversation + "/messages", body, "messages"));
    }

    private static JsonNode upsertContact(Action.ActionContext context) {
        ObjectNode input = input(context, CONTACT_FIELDS);
        Long contactId = input.has("contact_id") ? id(input, "contact_id", true) : null;
        Long inboxId = input.has("inbox_id") ? id(input, "inbox_id", true) : null;
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        String name = text(input, "name", LONGEST_FIELD, contactId == null);
        String email = text(input, "email", LONGEST_FIELD, false);
        String phone = text(input, "phone_number", 16, false);
        String identifier = text(input, "identifier", LONGEST_FIELD, false);
        if (email != null && !EMAIL.matcher(email).matches()) {
            throw invalid("'email' is not an e-mail address");
        }
        if (phone != null && !E164.matcher(phone).matches()) {
            throw invalid("'phone_number' must be E.164, such as +15551234567");
        }
        if (name != null) body.put("name", name);
        if (email != null) body.put("email", email);
        if (phone != null) body.put("phone_number", phone);
        if (identifier != null) body.put("identifier", identifier);
        if (contactId != null && body.isEmpty()) {
            throw invalid("nothing to update: give name, email, phone_number or identifier");
        }
        if (inboxId != null) {
            if (contactId != null) {
                throw invalid("'inbox_id' applies to new contacts only");
            }
            body.put("inbox_id", inboxId);
        }
        ProviderHttpClient http = ChatwootConnector.httpClient(context.connection());
        if (contactId == null) {
            return http.executeJson(post("contacts", body, "contacts"));
        }
        return http.executeJson(HttpCall.put("contacts/" + contactId, "application/json", bytes(body)).withEntity("contacts"));
    }

    private static ObjectNode input(Action.ActionContext context, Set<String> allowed) {
        JsonNode input = context.input();
        if (input == null || !input.isObject()) {
            throw invalid("input must be a JSON object");
        }
        for (Iterator<String> names = input.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!allowed.contains(name)) {
                throw invalid("unknown field '" + name + "'; allowed: " + new java.util.TreeSet<>(allowed));
            }
        }
        return (ObjectNode) input;
    }

    private static long id(JsonNode input, String field, boolean required) {
        JsonNode node = input.get(field);
        if (node == null || node.isNull()) {
            if (required) {
                throw invalid("'" + field + "' is required");
            }
            return 0;
        }
        if ((node.isIntegralNumber() && node.canConvertToLong() && node.asLong() > 0)
                || (node.isTextual() && node.asText().matches("[1-9][0-9]{0,17}"))) {
            return node.asLong();
        }
        throw invalid("'" + field + "' must be a positive integer");
    }

    private static String text(JsonNode input, String field, int longest, boolean required) {
        JsonNode node = input.get(field);
        if (node == null || node.isNull()) {
            if (required) {
                throw invalid("'" + field + "' is required");
            }
            return null;
        }
        if (!node.isTextual() || node.asText().isBlank()) {
            throw invalid("'" + field + "' must be non-blank text");
        }
        String value = node.asText().strip();
        if (value.length() > longest) {
            throw invalid("'" + field + "' is longer than " + longest + " characters");
        }
        return value;
    }

    private static HttpCall post(String path, ObjectNode body, String entity) {
        return HttpCall.post(path, "application/json", bytes(body)).withEntity(entity);
    }

    private static byte[] bytes(ObjectNode body) {
        return body.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static JunctionException invalid(String message) {
        return new JunctionException(ErrorKind.INVALID_INPUT, "Chatwoot action input: " + message, ErrorContext.provider(ChatwootProvider.ID));
    }
}
