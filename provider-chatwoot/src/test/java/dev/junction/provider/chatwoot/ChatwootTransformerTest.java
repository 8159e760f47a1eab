package dev.junction.provider.chatwoot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.junction.core.error.ErrorKind;
import dev.junction.core.error.JunctionException;
import dev.junction.core.model.Contact;
import dev.junction.core.model.Conversation;
import dev.junction.core.model.Message;
import dev.junction.core.model.User;
import dev.junction.core.spi.RemoteRecord;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The transformer on Chatwoot's published webhook samples (fixtures/SOURCES.md) and REST-shaped records. */
class ChatwootTransformerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final ChatwootTransformer transformer = new ChatwootTransformer();

    static JsonNode fixture(String name) {
        try (InputStream in = ChatwootTransformerTest.class.getResourceAsStream("/fixtures/" + name)) {
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private <T> T transform(String entity, JsonNode json, Class<T> type) {
        return type.cast(transformer.transform(RemoteRecord.of(entity, json.path("id").asText(), null, json)).orElseThrow());
    }

    @Test
    void aMessageCreatedWebhookReadsTheStringMessageTypeAndTheNestedConversation() {
        Message message = transform("messages", fixture("webhook_message_created.json"), Message.class);

        assertThat(message.externalId()).isEqualTo("118");
        assertThat(message.direction()).isEqualTo("incoming");
        assertThat(message.content()).isEqualTo("hi");
        assertThat(message.conversationId()).isEqualTo("10");
        assertThat(message.senderId()).isEqualTo("14");
        assertThat(message.senderType()).isEqualTo("contact");
        assertThat(message.privateNote()).isFalse();
        assertThat(message.createdAt()).isEqualTo(Instant.parse("2021-07-23T18:02:48Z"));
    }

    @Test
    void aRestShapedMessageReadsTheIntegerMessageTypeAndUnixSeconds() {
        JsonNode rest = fixture("webhook_message_created.json").at("/conversation/messages/0");

        Message message = transform("messages", rest, Message.class);

        assertThat(message.externalId()).isEqualTo("120");
        assertThat(message.direction()).isEqualTo("template"); // message_type 3
        assertThat(message.conversationId()).isEqualTo("10");
        assertThat(message.createdAt()).isEqualTo(Instant.ofEpochSecond(1627063369));
        assertThat(message.updatedAt()).isEqualTo(Instant.parse("2021-07-23T18:02:49Z"));
    }

    @Test
    void everyMessageTypeIsReadAsIntegerAndAsString() {
        for (int i = 0; i < 4; i++) {
            String name = ChatwootTransformer.MESSAGE_TYPES.get(i);
            assertThat(ChatwootTransformer.messageType(JSON.getNodeFactory().numberNode(i))).isEqualTo(name);
            assertThat(ChatwootTransformer.messageType(JSON.getNodeFactory().textNode(name))).isEqualTo(name);
        }
        assertThatThrownBy(() -> ChatwootTransformer.messageType(JSON.getNodeFactory().numberNode(7)))
                .isInstanceOf(JunctionException.class).extracting("kind").isEqualTo(ErrorKind.UNEXPECTED_PAYLOAD);
        assertThatThrownBy(() -> ChatwootTransformer.messageType(JSON.getNodeFactory().textNode("shouting")))
                .isInstanceOf(JunctionException.class).extracting("kind").isEqualTo(ErrorKind.UNEXPECTED_PAYLOAD);
    }

    @Test
    void aConversationWebhookGivesContactAssigneeStatusAndActivity() {
        Conversation conversation = transform("conversations", fixture("webhook_conversation_status_changed.json"), Conversation.class);

        assertThat(conversation.externalId()).isEqualTo("10");
        assertThat(conversation.inboxId()).isEqualTo("1");
        assertThat(conversation.contactId()).isEqualTo("12");
        assertThat(conversation.status()).isNotBlank();
        assertThat(conversation.lastActivityAt()).isNotNull();
        // The published samples carry the status as captured, not the event's name: "conversation_resolved" says
        // "open" and "conversation_opened" says "pending". One reason conversation events are refetched, not upserted.
        Conversation resolved = transform("conversations", fixture("webhook_conversation_resolved.json"), Conversation.class);
        assertThat(resolved.status()).isEqualTo("open");
        Conversation opened = transform("conversations", fixture("webhook_conversation_opened.json"), Conversation.class);
        assertThat(opened.status()).isEqualTo("pending");
    }

    @Test
    void theContactInAConversationMetaReadsAsAContact() {
        JsonNode sender = fixture("webhook_conversation_status_changed.json").at("/meta/sender");

        Contact contact = transform("contacts", sender, Contact.class);

        assertThat(contact.externalId()).isEqualTo("12");
        assertThat(contact.name()).isEqualTo("jane");
        assertThat(contact.email()).isEqualTo("jane@acme.inc");
        assertThat(contact.phone()).isNull();
    }

    @Test
    void theAssigneeReadsAsAUser() {
        JsonNode assignee = fixture("webhook_message_created.json").at("/conversation/meta/assignee");

        User user = transform("agents", assignee, User.class);

        assertThat(user.externalId()).isEqualTo("1");
        assertThat(user.name()).isEqualTo("John");
    }

    @Test
    void inboxesAreKeptRawOnlyAndAWrongTypeIsAnUnexpectedPayload() {
        assertThat(transformer.transform(RemoteRecord.of("inboxes", "1", null, fixture("webhook_message_created.json").get("inbox")))).isEmpty();
        JsonNode bad = JSON.createObjectNode().put("id", 5).set("name", JSON.createObjectNode().put("unexpected", true));
        assertThatThrownBy(() -> transformer.transform(RemoteRecord.of("contacts", "5", null, bad)))
                .isInstanceOf(JunctionException.class).extracting("kind").isEqualTo(ErrorKind.UNEXPECTED_PAYLOAD);
        JsonNode badTime = JSON.createObjectNode().put("id", 6).put("created_at", "yesterday-ish");
        assertThatThrownBy(() -> transformer.transform(RemoteRecord.of("messages", "6", null, badTime)))
                .isInstanceOf(JunctionException.class).extracting("kind").isEqualTo(ErrorKind.UNEXPECTED_PAYLOAD);
    }
}
