package dev.junction.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.junction.core.ActionResult;
import dev.junction.core.ChangeEvent;
import dev.junction.core.Connection;
import dev.junction.core.Hub;
import dev.junction.core.NewConnection;
import dev.junction.core.WebhookInboxEntry;
import dev.junction.core.WebhookResponse;
import dev.junction.core.error.ErrorKind;
import dev.junction.core.error.JunctionException;
import dev.junction.core.model.Contact;
import dev.junction.core.spi.WebhookRequest;
import dev.junction.sandbox.MutableClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Core's webhook inbox and idempotent actions against a fake provider, on PostgreSQL and on the embedded database. */
class WebhooksAndActionsTest {

    private static final String TENANT = "tenant-w";
    private static final String SECRET = "whsec-test-value";

    private MutableClock clock;
    private MemoryProvider provider;
    private TestDatabase database;
    private Hub hub;
    private Connection connection;

    void start(TestDatabase.Kind kind) {
        clock = MutableClock.at(Instant.parse("2026-03-01T00:00:00Z"));
        provider = new MemoryProvider(clock);
        database = TestDatabase.create(kind, "WebhooksAndActionsTest");
        hub = provider.hubBuilder(database).build();
        connection = hub.createConnection(NewConnection.of(TENANT, "memory")
                .withSetting("api_key", "key-value").withSetting("webhook_secret", SECRET));
    }

    @AfterEach
    void stop() {
        if (hub != null) hub.close();
        if (database != null) database.close();
    }

    private WebhookRequest signed(String body) {
        return signed(body, MemoryProvider.sign(SECRET, body.getBytes(StandardCharsets.UTF_8)));
    }

    private WebhookRequest signed(String body, String signature) {
        return new WebhookRequest(Map.of("x-memory-signature", List.of(signature)), body.getBytes(StandardCharsets.UTF_8),
                clock.instant());
    }

    private static String event(String delivery, String kind, long id, String name) {
        return "{\"delivery\":\"" + delivery + "\",\"event\":\"" + kind + "\",\"person\":{\"id\":" + id + ",\"name\":\"" + name
                + "\",\"updated_at\":\"2026-03-01T00:00:00Z\"}}";
    }

    private void drain() {
        // The hub's worker processes asynchronously; processing here as well is safe (entries are claimed once).
        hub.processWebhooks();
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void verifiedEventsAreStoredOnceThenApplied(TestDatabase.Kind kind) {
        start(kind);
        provider.put(7, "Ada Lovelace");

        WebhookResponse upsert = hub.receiveWebhook(connection.webhookToken(), signed(event("d1", "upsert", 5, "Grace Hopper")));
        WebhookResponse refetch = hub.receiveWebhook(connection.webhookToken(), signed(event("d2", "refetch", 7, "ignored")));
        WebhookResponse redelivered = hub.receiveWebhook(connection.webhookToken(), signed(event("d1", "upsert", 5, "Grace Hopper")));
        drain();

        assertThat(upsert.status()).isEqualTo(200);
        assertThat(upsert.accepted()).isEqualTo(1);
        assertThat(refetch.accepted()).isEqualTo(1);
        assertThat(redelivered.accepted()).isZero();
        assertThat(hub.webhookInbox(TENANT, connection.id(), null, 10)).hasSize(2)
                .allSatisfy(entry -> assertThat(entry.status()).isEqualTo("processed"));
        assertThat(hub.getRecord(TENANT, connection.id(), Contact.class, "5").orElseThrow().record().name())
                .isEqualTo("Grace Hopper");
        // REFETCH stores what the provider returns, not what the webhook said.
        assertThat(hub.getRecord(TENANT, connection.id(), Contact.class, "7").orElseThrow().record().name())
                .isEqualTo("Ada Lovelace");
        assertThat(provider.fetchOneCalls.get()).isEqualTo(1);
        assertThat(hub.changes(TENANT, 0, connection.id(), 100).events()).extracting(ChangeEvent::source)
                .containsOnly("webhook");

        provider.people.remove(7L);
        hub.receiveWebhook(connection.webhookToken(), signed(event("d3", "delete", 5, "Grace Hopper")));
        hub.receiveWebhook(connection.webhookToken(), signed(event("d4", "refetch", 7, "gone")));
        drain();
        assertThat(hub.liveIds(TENANT, connection.id(), "people")).isEmpty();
        assertThat(hub.changes(TENANT, 0, connection.id(), 100).events()).extracting(ChangeEvent::operation)
                .containsExactly("created", "created", "deleted", "deleted");
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void badWebhooksAreRejectedAndStoreNothing(TestDatabase.Kind kind) {
        start(kind);
        String body = event("d1", "upsert", 5, "Grace Hopper");
        String good = MemoryProvider.sign(SECRET, body.getBytes(StandardCharsets.UTF_8));

        assertRejected(() -> hub.receiveWebhook(connection.webhookToken(), signed(body.replace("Grace", "Gracie"), good)));
        assertRejected(() -> hub.receiveWebhook(connection.webhookToken(), signed(body, MemoryProvider.sign("other", body.getBytes()))));
        assertRejected(() -> hub.receiveWebhook(connection.webhookToken(),
                new WebhookRequest(Map.of(), body.getBytes(StandardCharsets.UTF_8), clock.instant())));
        assertRejected(() -> hub.receiveWebhook("not-a-token", signed(body)));
        assertRejected(() -> hub.receiveWebhook("", signed(body)));
        assertThatThrownBy(() -> hub.receiveWebhook(connection.webhookToken(), null))
                .isInstanceOf(JunctionException.class).extracting("kind").isEqualTo(ErrorKind.INVALID_INPUT);
        // Memory has no registration: enabling webhooks is refused with the standard error.
        assertThatThrownBy(() -> hub.enableWebhooks(TENANT, connection.id(), "https://hooks.example"))
                .isInstanceOf(JunctionException.class).extracting("kind").isEqualTo(ErrorKind.UNSUPPORTED);

        assertThat(hub.webhookInbox(TENANT, connection.id(), null, 10)).isEmpty();
    }

    private static void assertRejected(org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
        assertThatThrownBy(call).isInstanceOf(JunctionException.class).extracting("kind").isEqualTo(ErrorKind.WEBHOOK_REJECTED);
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void failingEventsAreRetriedWithBackoffThenDeadAndReplayable(TestDatabase.Kind kind) {
        start(kind);
        provider.put(9, "Alan Turing");
        provider.down.set(true);

        hub.receiveWebhook(connection.webhookToken(), signed(event("d9", "refetch", 9, "x")));
        drain();
        WebhookInboxEntry first = hub.webhookInbox(TENANT, connection.id(), null, 10).get(0);
        assertThat(first.status()).isEqualTo("pending");
        assertThat(first.attempts()).isEqualTo(1);
        assertThat(first.lastError()).contains("PROVIDER_UNAVAILABLE");
        assertThat(hub.processWebhooks()).as("not due before its backoff").isZero();

        for (int attempt = 0; attempt < 10; attempt++) {
            clock.advance(Duration.ofHours(12));
            hub.processWebhooks();
        }
        WebhookInboxEntry dead = hub.webhookInbox(TENANT, connection.id(), null, 10).get(0);
        assertThat(dead.status()).isEqualTo("dead");
        assertThat(dead.attempts()).isEqualTo(6);
        assertThat(hub.deadLetters(TENANT, connection.id(), 10)).singleElement()
                .satisfies(letter -> assertThat(letter.source()).isEqualTo("webhook"));

        provider.down.set(false);
        assertThat(hub.replayWebhook(TENANT, connection.id(), dead.id())).isTrue();
        assertThat(hub.replayWebhook(TENANT, connection.id(), dead.id())).as("no longer dead").isFalse();
        drain();
        assertThat(hub.webhookInbox(TENANT, connection.id(), null, 10).get(0).status()).isEqualTo("processed");
        assertThat(hub.liveIds(TENANT, connection.id(), "people")).containsExactly("9");
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void malformedWebhookRecordIsDeadLetteredNotLost(TestDatabase.Kind kind) {
        start(kind);
        String body = "{\"delivery\":\"m1\",\"event\":\"upsert\",\"person\":{\"id\":3,\"name\":{\"first\":\"Ada\"}}}";

        assertThat(hub.receiveWebhook(connection.webhookToken(), signed(body)).accepted()).isEqualTo(1);
        drain();

        assertThat(hub.webhookInbox(TENANT, connection.id(), "dead", 10)).hasSize(1);
        assertThat(hub.deadLetters(TENANT, connection.id(), 10)).singleElement().satisfies(letter -> {
            assertThat(letter.externalId()).isEqualTo("3");
            assertThat(letter.payload()).contains("\"first\":\"Ada\"");
        });
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void actionsRunOncePerIdempotencyKey(TestDatabase.Kind kind) {
        start(kind);
        ObjectNode input = MemoryProvider.JSON.createObjectNode().put("name", "Katherine Johnson").put("note", "x");
        ObjectNode reordered = MemoryProvider.JSON.createObjectNode().put("note", "x").put("name", "Katherine Johnson");

        ActionResult first = hub.runAction(TENANT, connection.id(), "add_person", input, "key-1");
        ActionResult again = hub.runAction(TENANT, connection.id(), "add_person", reordered, "key-1");

        assertThat(first.replayed()).isFalse();
        assertThat(again.replayed()).isTrue();
        assertThat(again.result()).isEqualTo(first.result());
        assertThat(provider.actionCalls.get()).isEqualTo(1);
        assertThat(provider.people).hasSize(1);

        assertThatThrownBy(() -> hub.runAction(TENANT, connection.id(), "add_person",
                MemoryProvider.JSON.createObjectNode().put("name", "Someone Else"), "key-1"))
                .isInstanceOf(JunctionException.class).extracting("kind").isEqualTo(ErrorKind.CONFLICT);
        assertThatThrownBy(() -> hub.runAction(TENANT, connection.id(), "no_such_action", input, "key-2"))
                .isInstanceOf(JunctionException.class).extracting("kind").isEqualTo(ErrorKind.INVALID_INPUT);
        assertThatThrownBy(() -> hub.runAction(TENANT, connection.id(), "add_person", null, "key-2"))
                .isInstanceOf(JunctionException.class).extracting("kind").isEqualTo(ErrorKind.INVALID_INPUT);
        assertThatThrownBy(() -> hub.runAction(TENANT, connection.id(), "add_person", input, " "))
                .isInstanceOf(JunctionException.class).extracting("kind").isEqualTo(ErrorKind.INVALID_INPUT);
        assertThatThrownBy(() -> hub.runAction("other-tenant", connection.id(), "add_person", input, "key-3"))
                .isInstanceOf(JunctionException.class).extracting("kind").isEqualTo(ErrorKind.NOT_FOUND);

        // A failed attempt frees its key: the retry with the same key runs.
        provider.down.set(true);
        ObjectNode second = MemoryProvider.JSON.createObjectNode().put("name", "Dorothy Vaughan");
        assertThatThrownBy(() -> hub.runAction(TENANT, connection.id(), "add_person", second, "key-4"))
                .isInstanceOf(JunctionException.class).extracting("kind").isEqualTo(ErrorKind.PROVIDER_UNAVAILABLE);
        provider.down.set(false);
        assertThat(hub.runAction(TENANT, connection.id(), "add_person", second, "key-4").replayed()).isFalse();
        assertThat(provider.people).hasSize(2);
    }
}
