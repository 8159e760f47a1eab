package dev.junction.provider.chatwoot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.junction.core.ActionResult;
import dev.junction.core.Connection;
import dev.junction.core.Hub;
import dev.junction.core.NewConnection;
import dev.junction.core.RecordQuery;
import dev.junction.core.StoredRecord;
import dev.junction.core.SyncRequest;
import dev.junction.core.SyncRun;
import dev.junction.core.SyncStatus;
import dev.junction.core.crypto.SecretCipher;
import dev.junction.core.error.ErrorKind;
import dev.junction.core.error.JunctionException;
import dev.junction.core.model.Contact;
import dev.junction.core.model.Message;
import dev.junction.core.model.UnifiedType;
import dev.junction.core.spi.RateLimitPolicy;
import dev.junction.core.spi.Settings;
import dev.junction.core.spi.WebhookRequest;
import dev.junction.provider.chatwoot.sandbox.ChatwootSandbox;
import dev.junction.sandbox.MutableClock;
import dev.junction.testkit.TestDatabase;
import dev.junction.testkit.WebhookTestReceiver;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Chatwoot through the Hub against ChatwootSandbox: webhooks registered, signed, applied once; the unsigned
 * old-installation option; the reports; actions once per idempotency key; bad settings refused.
 */
class ChatwootThroughHubTest {

    private static final String TENANT = "support";

    private ChatwootSandbox sandbox;
    private TestDatabase database;
    private Hub hub;
    private Connection connection;
    private WebhookTestReceiver receiver;

    void start(TestDatabase.Kind kind, ChatwootSandbox.Builder builder, boolean acceptUnsigned) {
        sandbox = builder.withRateLimit(1_000_000, Duration.ofMinutes(1)).start();
        database = TestDatabase.create(kind, "ChatwootThroughHubTest");
        hub = database.configure(Hub.builder())
                .withEncryptionKey("k1", SecretCipher.generateKey())
                .withBackgroundInterval(Duration.ZERO)
                .withPageSize(50)
                .withRateLimit(ChatwootProvider.ID, RateLimitPolicy.UNLIMITED)
                .withProvider(new ChatwootProvider(), Settings.EMPTY)
                .build();
        connection = hub.createConnection(newConnection().withSetting(ChatwootProvider.ACCEPT_UNSIGNED_WEBHOOKS, Boolean.toString(acceptUnsigned)));
    }

    private NewConnection newConnection() {
        return NewConnection.of(TENANT, ChatwootProvider.ID)
                .withSetting(ChatwootProvider.BASE_URL, sandbox.baseUrl())
                .withSetting(ChatwootProvider.ACCOUNT_ID, Long.toString(sandbox.accountId()))
                .withSetting(ChatwootProvider.API_ACCESS_TOKEN, sandbox.apiAccessToken());
    }

    @AfterEach
    void stop() {
        if (receiver != null) receiver.close();
        if (hub != null) hub.close();
        if (database != null) database.close();
        if (sandbox != null) sandbox.close();
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void signedWebhooksAreAppliedOnceAndTamperedOrUnsignedOnesRejected(TestDatabase.Kind kind) {
        start(kind, ChatwootSandbox.builder().withContacts(20).withConversations(5), false);
        assertThat(sync(SyncRequest.full()).status()).isEqualTo(SyncStatus.SUCCEEDED);
        receiver = WebhookTestReceiver.start(hub, Clock.systemUTC());

        // Given a webhook registered through the API
        assertThat(hub.enableWebhooks(TENANT, connection.id(), receiver.baseUrl())).singleElement()
                .satisfies(subscription -> assertThat(subscription.status()).isEqualTo("enabled"));

        // When a contact changes and a customer writes in
        sandbox.updateContact(3, JsonNodeFactory.instance.objectNode().put("name", "Renamed Three"));
        ObjectNode message = sandbox.addMessage(2, 0, "Is anyone there?", false, null);
        String messageId = message.path("id").asText();
        awaitProcessed("3");
        awaitProcessed(messageId);

        // Then the contact was refetched and the message stored from its payload (message_type as a string)
        assertThat(stored(UnifiedType.CONTACT, Contact.class, "3").name()).isEqualTo("Renamed Three");
        Message stored = stored(UnifiedType.MESSAGE, Message.class, messageId);
        assertThat(stored.direction()).isEqualTo("incoming");
        assertThat(stored.conversationId()).isEqualTo("2");
        assertThat(hub.getRawRecord(TENANT, connection.id(), "messages", messageId).orElseThrow().payload())
                .contains("\"message_type\":\"incoming\"");

        WebhookTestReceiver.Received delivery = receiver.received().stream().filter(received -> received.status() == 200)
                .reduce((first, second) -> second).orElseThrow();
        assertThat(delivery.request().header("X-Chatwoot-Signature")).get().asString().startsWith("sha256=");
        int inbox = hub.webhookInbox(TENANT, connection.id(), null, 1000).size();
        assertThat(hub.receiveWebhook(delivery.token(), delivery.request()).accepted()).as("redelivery").isZero();
        byte[] tampered = delivery.request().body().clone();
        tampered[tampered.length / 2] ^= 1;
        assertRejected(() -> hub.receiveWebhook(delivery.token(), new WebhookRequest(delivery.request().headers(), tampered, Instant.now())));
        assertRejected(() -> hub.receiveWebhook(delivery.token(),
                new WebhookRequest(Map.of("Content-Type", List.of("application/json")), delivery.request().body(), Instant.now())));
        assertRejected(() -> hub.receiveWebhook(delivery.token(),
                new WebhookRequest(delivery.request().headers(), delivery.request().body(), Instant.now().plus(Duration.ofMinutes(6)))));
        assertThat(hub.webhookInbox(TENANT, connection.id(), null, 1000)).hasSize(inbox);

        assertThat(hub.disableWebhooks(TENANT, connection.id())).isEqualTo(1);
        assertThat(sandbox.webhookCount()).isZero();
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void anOldInstallationsUnsignedWebhooksAreAcceptedOnlyWhenTheConnectionSaysSo(TestDatabase.Kind kind) {
        start(kind, ChatwootSandbox.builder().withContacts(10).withConversations(2).withOldInstallation(true), false);
        receiver = WebhookTestReceiver.start(hub, Clock.systemUTC());

        assertThatThrownBy(() -> hub.enableWebhooks(TENANT, connection.id(), receiver.baseUrl()))
                .isInstanceOf(JunctionException.class).extracting("kind").isEqualTo(ErrorKind.INVALID_INPUT);
        assertThat(sandbox.webhookCount()).as("the unusable webhook was removed again").isZero();

        Connection lenient = hub.createConnection(newConnection().withSetting(ChatwootProvider.ACCEPT_UNSIGNED_WEBHOOKS, "true"));
        hub.enableWebhooks(TENANT, lenient.id(), receiver.baseUrl());
        sandbox.updateContact(4, JsonNodeFactory.instance.objectNode().put("name", "Unsigned Four"));
        await(() -> {
            hub.processWebhooks();
            return hub.webhookInbox(TENANT, lenient.id(), null, 100).stream()
                    .anyMatch(entry -> entry.externalId().equals("4") && entry.status().equals("processed"));
        }, "unsigned webhook processed");
        assertThat(receiver.received()).allSatisfy(received -> assertThat(received.request().header("X-Chatwoot-Signature")).isEmpty());
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void reportsComputeFirstResponseResolutionAndDailyVolumeFromSyncedRecords(TestDatabase.Kind kind) {
        Instant day = Instant.parse("2026-03-02T09:00:00Z");
        MutableClock clock = MutableClock.at(day);
        start(kind, ChatwootSandbox.builder().withClock(clock).withContacts(3).withConversations(0), false);
        // Conversation A, inbox 1, agent 2: asked at +10 min, answered at +40 min, resolved at +2 h.
        long a = sandbox.createConversation(1, 1, 2L);
        clock.advance(Duration.ofMinutes(10));
        sandbox.addMessage(a, 0, "Hello?", false, null);
        clock.advance(Duration.ofMinutes(30));
        sandbox.addMessage(a, 1, "Hi, Alan here", false, 2L);
        sandbox.addMessage(a, 1, "internal note", true, 2L);
        clock.advance(Duration.ofMinutes(80));
        sandbox.setConversationStatus(a, "resolved");
        // Conversation B, inbox 2, agent 3, the next day: answered after 10 min, still open.
        clock.setInstant(day.plus(Duration.ofDays(1)));
        long b = sandbox.createConversation(2, 2, 3L);
        sandbox.addMessage(b, 0, "Order status?", false, null);
        clock.advance(Duration.ofMinutes(10));
        sandbox.addMessage(b, 1, "Shipped", false, 3L);

        assertThat(sync(SyncRequest.full()).status()).isEqualTo(SyncStatus.SUCCEEDED);
        ChatwootReports reports = new ChatwootReports(hub);

        assertThat(reports.agentPerformance(TENANT, connection.id()))
                .filteredOn(row -> row.firstResponses() > 0 || row.resolvedConversations() > 0)
                .containsExactly(
                        new ChatwootReports.AgentPerformance("2", "Alan", 1, Duration.ofMinutes(30), 1, Duration.ofMinutes(120)),
                        new ChatwootReports.AgentPerformance("3", "Edsger", 1, Duration.ofMinutes(10), 0, null));
        LocalDate first = LocalDate.of(2026, 3, 2);
        assertThat(reports.dailyMessageVolume(TENANT, connection.id(), ZoneOffset.UTC)).containsExactly(
                new ChatwootReports.DailyInboxVolume("1", first, 1, 1),
                new ChatwootReports.DailyInboxVolume("2", first.plusDays(1), 1, 1));
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void actionsRunOncePerIdempotencyKeyAndBadInputSendsNothing(TestDatabase.Kind kind) {
        start(kind, ChatwootSandbox.builder().withContacts(5).withConversations(2), false);
        ObjectNode send = JsonNodeFactory.instance.objectNode().put("conversation_id", 1).put("content", "We are on it");

        ActionResult first = hub.runAction(TENANT, connection.id(), ChatwootActions.SEND_MESSAGE, send, "reply-1");
        ActionResult again = hub.runAction(TENANT, connection.id(), ChatwootActions.SEND_MESSAGE, send, "reply-1");

        assertThat(again.replayed()).isTrue();
        assertThat(again.result()).isEqualTo(first.result());
        assertThat(sandbox.requestLog().entries().stream().filter(entry -> entry.method().equals("POST"))).hasSize(1);
        JsonNode sent = sandbox.record("messages", first.result().path("id").asLong()).orElseThrow();
        assertThat(sent.path("content").asText()).isEqualTo("We are on it");
        assertThat(sent.path("message_type").asInt()).isEqualTo(1);
        assertThatThrownBy(() -> hub.runAction(TENANT, connection.id(), ChatwootActions.SEND_MESSAGE,
                send.deepCopy().put("content", "other"), "reply-1"))
                .isInstanceOf(JunctionException.class).extracting("kind").isEqualTo(ErrorKind.CONFLICT);

        ActionResult created = hub.runAction(TENANT, connection.id(), ChatwootActions.UPSERT_CONTACT,
                JsonNodeFactory.instance.objectNode().put("name", "Lin").put("email", "lin@example.com").put("phone_number", "+15551234567"), "c-1");
        long contactId = created.result().at("/payload/contact/id").asLong();
        hub.runAction(TENANT, connection.id(), ChatwootActions.UPSERT_CONTACT,
                JsonNodeFactory.instance.objectNode().put("contact_id", contactId).put("name", "Lin Wu"), "c-2");
        assertThat(sandbox.record("contacts", contactId).orElseThrow().path("name").asText()).isEqualTo("Lin Wu");

        long requests = sandbox.requestLog().totalCount();
        for (ObjectNode bad : List.of(
                JsonNodeFactory.instance.objectNode().put("conversation_id", -1).put("content", "x"),
                JsonNodeFactory.instance.objectNode().put("conversation_id", 1).put("content", "  "),
                JsonNodeFactory.instance.objectNode().put("conversation_id", 1).put("content", "x").put("sneaky", true))) {
            assertThatThrownBy(() -> hub.runAction(TENANT, connection.id(), ChatwootActions.SEND_MESSAGE, bad, "bad-" + bad.hashCode()))
                    .isInstanceOf(JunctionException.class).extracting("kind").isEqualTo(ErrorKind.INVALID_INPUT);
        }
        assertThatThrownBy(() -> hub.runAction(TENANT, connection.id(), ChatwootActions.UPSERT_CONTACT,
                JsonNodeFactory.instance.objectNode().put("name", "X").put("email", "not-an-email"), "bad-email"))
                .isInstanceOf(JunctionException.class).extracting("kind").isEqualTo(ErrorKind.INVALID_INPUT);
        assertThat(sandbox.requestLog().totalCount()).as("requests sent for bad input").isEqualTo(requests);
    }

    @Test
    void badSettingsAndAWrongTokenGetTypedErrors() {
        start(TestDatabase.Kind.EMBEDDED, ChatwootSandbox.builder().withContacts(2).withConversations(0), false);
        for (NewConnection bad : List.of(
                newConnection().withSetting(ChatwootProvider.BASE_URL, "ftp://chat.example.com"),
                newConnection().withSetting(ChatwootProvider.BASE_URL, "not a url"),
                newConnection().withSetting(ChatwootProvider.ACCOUNT_ID, "0"),
                newConnection().withSetting(ChatwootProvider.ACCOUNT_ID, "abc"),
                newConnection().withSetting(ChatwootProvider.ACCEPT_UNSIGNED_WEBHOOKS, "maybe"))) {
            assertThatThrownBy(() -> hub.createConnection(bad))
                    .isInstanceOf(JunctionException.class).extracting("kind").isEqualTo(ErrorKind.INVALID_INPUT);
        }
        Connection wrongToken = hub.createConnection(newConnection().withSetting(ChatwootProvider.API_ACCESS_TOKEN, "wrong-token"));
        SyncRun run = hub.sync(TENANT, wrongToken.id(), SyncRequest.full());
        assertThat(run.status()).isEqualTo(SyncStatus.FAILED);
        assertThatThrownBy(() -> hub.sync(TENANT, wrongToken.id(), SyncRequest.full()))
                .isInstanceOf(JunctionException.class).extracting("kind").isEqualTo(ErrorKind.NEEDS_REAUTH);
    }

    private SyncRun sync(SyncRequest request) {
        return hub.sync(TENANT, connection.id(), request);
    }

    private <T extends dev.junction.core.model.UnifiedRecord> T stored(UnifiedType type, Class<T> javaType, String id) {
        return hub.query(RecordQuery.of(TENANT, type).withConnection(connection.id()).withLimit(1000), javaType).items().stream()
                .map(StoredRecord::record).filter(record -> record.externalId().equals(id)).findFirst()
                .orElseThrow(() -> new AssertionError("no stored " + type + " " + id));
    }

    private void awaitProcessed(String externalId) {
        await(() -> {
            hub.processWebhooks();
            return hub.webhookInbox(TENANT, connection.id(), null, 1000).stream()
                    .anyMatch(entry -> entry.externalId().equals(externalId) && entry.status().equals("processed"));
        }, "webhook for " + externalId + " processed: " + hub.webhookInbox(TENANT, connection.id(), null, 20));
    }

    private static void assertRejected(org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
        assertThatThrownBy(call).isInstanceOf(JunctionException.class).extracting("kind").isEqualTo(ErrorKind.WEBHOOK_REJECTED);
    }

    private static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for: " + what);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    static byte[] utf8(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
    }
}
