package dev.junction.provider.clio;

import static dev.junction.provider.clio.Eventually.assertEventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.InstanceOfAssertFactories.type;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.junction.core.error.ErrorKind;
import dev.junction.core.error.JunctionException;
import dev.junction.core.spi.WebhookEvent;
import dev.junction.core.spi.WebhookSubscription;
import dev.junction.core.spi.WebhookSubscriptions;
import dev.junction.provider.clio.sandbox.ClioSandbox;
import dev.junction.sandbox.DatasetRecord;
import dev.junction.sandbox.Fault;
import dev.junction.sandbox.MutableClock;
import dev.junction.sandbox.SandboxJson;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Webhook registration against a real {@link ClioSandbox}, with a loopback receiver that uses the real handler. */
class ClioWebhookSubscriptionsTest {

    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final Instant NOW = Instant.parse("2024-05-01T12:00:00Z");
    private static final String WEBHOOKS_PATH = "/api/v4/webhooks.json";

    private final MutableClock clock = MutableClock.at(NOW);
    private final InMemoryWebhookSecrets secrets = new InMemoryWebhookSecrets();
    private final HandlerBackedReceiver receiver = new HandlerBackedReceiver(secrets);
    private ClioSandbox sandbox;
    private SandboxConnectorContext context;
    private WebhookSubscriptions webhooks;

    @BeforeEach
    void start() {
        sandbox = ClioSandbox.builder().withClock(clock).withRateLimit(1_000, Duration.ofSeconds(60)).start();
        context = new SandboxConnectorContext(sandbox, clock, 1);
        webhooks = new ClioProvider().connect(context).webhooks();
    }

    @AfterEach
    void stop() {
        context.close();
        sandbox.close();
        receiver.close();
    }

    private ObjectNode webhookInSandbox(WebhookSubscription subscription) {
        return sandbox.record(dev.junction.provider.clio.sandbox.ClioEntity.WEBHOOKS, Long.parseLong(subscription.id()))
                .map(DatasetRecord::body).orElseThrow();
    }

    private void settle() {
        assertThat(sandbox.awaitWebhookDeliveries(WAIT)).isTrue();
    }

    /** Subscribes as core would: handshakes expected during registration, results stored afterwards. */
    private List<WebhookSubscription> subscribe(Instant expiresAt) {
        secrets.expectHandshake(true);
        List<WebhookSubscription> subscriptions = webhooks.subscribe(receiver.url(), expiresAt);
        settle();
        secrets.expectHandshake(false);
        subscriptions.forEach(secrets::register);
        return subscriptions;
    }

    private WebhookSubscription watching(List<WebhookSubscription> subscriptions, String entity) {
        return subscriptions.stream().filter(subscription -> subscription.entity().equals(entity)).findFirst().orElseThrow();
    }

    @Test
    void subscribeRegistersOneWebhookPerWatchableEntityAndTheAnsweredHandshakesEnableThem() {
        List<WebhookSubscription> subscriptions = subscribe(NOW.plus(Duration.ofDays(7)));

        assertThat(subscriptions).extracting(WebhookSubscription::entity)
                .containsExactly("contacts", "matters", "tasks", "activities", "calendar_entries", "bills");
        assertThat(subscriptions).allSatisfy(subscription -> {
            ObjectNode webhook = webhookInSandbox(subscription);
            assertThat(subscription.secret()).isEqualTo(webhook.get("shared_secret").asText());
            assertThat(subscription.expiresAt()).isEqualTo(NOW.plus(Duration.ofDays(7)));
            assertThat(subscription.status()).isEqualTo("pending");
            assertThat(webhook.get("status").asText()).isEqualTo("enabled");
            assertThat(webhook.get("url").asText()).isEqualTo(receiver.url());
            assertThat(webhook.get("fields").asText()).isEqualTo("id,etag,updated_at");
            assertThat(webhook.get("events")).extracting(node -> node.asText()).containsExactly("created", "updated", "deleted");
            assertThat(ClioEntity.byName(subscription.entity()).flatMap(ClioEntity::webhookModel))
                    .contains(webhook.get("model").asText());
        });
        assertThat(receiver.handshakes()).extracting(handshake -> handshake.subscriptionId())
                .containsExactlyInAnyOrderElementsOf(subscriptions.stream().map(WebhookSubscription::id).toList());
        assertThat(receiver.rejections()).isEmpty();
    }

    @Test
    void recordChangesArriveSignedAndTheHandlerTurnsThemIntoEventsOfTheRightEntity() {
        List<WebhookSubscription> subscriptions = subscribe(null);

        long contact = sandbox.createRecord(dev.junction.provider.clio.sandbox.ClioEntity.CONTACTS,
                SandboxJson.object().put("name", "Ada Byron")).id();
        sandbox.updateRecord(dev.junction.provider.clio.sandbox.ClioEntity.CONTACTS, contact,
                SandboxJson.object().put("title", "Countess"));
        sandbox.deleteRecord(dev.junction.provider.clio.sandbox.ClioEntity.CONTACTS, contact);
        long matter = sandbox.updateRandom(dev.junction.provider.clio.sandbox.ClioEntity.MATTERS, 1).get(0);
        settle();

        String contactsWebhook = watching(subscriptions, "contacts").id();
        assertThat(receiver.rejections()).isEmpty();
        assertThat(receiver.events()).extracting(WebhookEvent::entity, WebhookEvent::externalId, WebhookEvent::kind)
                .containsExactly(
                        tuple("contacts", Long.toString(contact), WebhookEvent.Kind.REFETCH),
                        tuple("contacts", Long.toString(contact), WebhookEvent.Kind.REFETCH),
                        tuple("contacts", Long.toString(contact), WebhookEvent.Kind.DELETE),
                        tuple("matters", Long.toString(matter), WebhookEvent.Kind.REFETCH));
        assertThat(receiver.events().get(0).dedupeKey()).startsWith(contactsWebhook + ":" + contact + ":\"").endsWith(":created");
        assertThat(receiver.events()).extracting(WebhookEvent::dedupeKey).doesNotHaveDuplicates();
    }

    @Test
    void anUnansweredHandshakeLeavesTheWebhookPendingUntilActivatedWithItsSecret() {
        // Given a registration whose handshakes the endpoint refuses (no registration expected)
        List<WebhookSubscription> subscriptions = webhooks.subscribe(receiver.url(), null);
        settle();
        subscriptions.forEach(secrets::register);
        WebhookSubscription contacts = watching(subscriptions, "contacts");
        assertThat(receiver.rejections()).hasSize(6).allSatisfy(rejection ->
                assertThat(rejection.getMessage()).contains("unexpected handshake"));
        assertThat(webhookInSandbox(contacts).get("status").asText()).isEqualTo("pending");

        // When it is activated with the secret Clio returned at creation
        WebhookSubscription activated = webhooks.activate(contacts);
        sandbox.updateRandom(dev.junction.provider.clio.sandbox.ClioEntity.CONTACTS, 1);
        settle();

        // Then it is enabled and delivers
        assertThat(activated.status()).isEqualTo("enabled");
        assertThat(activated.secret()).isEqualTo(contacts.secret());
        assertThat(webhookInSandbox(contacts).get("status").asText()).isEqualTo("enabled");
        assertThat(receiver.events()).singleElement().extracting(WebhookEvent::entity).isEqualTo("contacts");
        assertEventually(() -> assertThat(sandbox.requestLog().entries("/api/v4/webhooks/" + contacts.id() + "/activate"))
                .singleElement().satisfies(entry -> assertThat(entry.method()).isEqualTo("PUT")));
    }

    @Test
    void activationNeedsTheRightSecret() {
        WebhookSubscription contacts = watching(webhooks.subscribe(receiver.url(), null), "contacts");
        settle();

        assertThatThrownBy(() -> webhooks.activate(contacts.withSecret("wrong-secret")))
                .asInstanceOf(type(JunctionException.class))
                .satisfies(failure -> {
                    assertThat(failure.kind()).isEqualTo(ErrorKind.INVALID_REQUEST);
                    assertThat(failure.context().httpStatus()).isEqualTo(422);
                    assertThat(failure.getMessage()).doesNotContain("wrong-secret");
                });
        assertThatThrownBy(() -> webhooks.activate(contacts.withSecret(null)))
                .asInstanceOf(type(JunctionException.class))
                .extracting(JunctionException::kind).isEqualTo(ErrorKind.INVALID_INPUT);
    }

    @Test
    void renewMovesTheExpiryAndClampsItToThirtyOneDaysLessTheSkewMargin() {
        WebhookSubscription contacts = watching(subscribe(NOW.plus(Duration.ofDays(1))), "contacts");
        Instant longest = NOW.plus(Duration.ofDays(31)).minus(ClioWebhookSubscriptions.CLOCK_SKEW_MARGIN);

        WebhookSubscription tenDays = webhooks.renew(contacts, NOW.plus(Duration.ofDays(10)));
        String tenDaysInSandbox = webhookInSandbox(contacts).get("expires_at").asText();
        WebhookSubscription clamped = webhooks.renew(contacts, NOW.plus(Duration.ofDays(60)));
        WebhookSubscription longestByDefault = webhooks.renew(contacts, null);

        assertThat(tenDays.expiresAt()).isEqualTo(NOW.plus(Duration.ofDays(10)));
        assertThat(tenDaysInSandbox).isEqualTo("2024-05-11T12:00:00Z");
        assertThat(tenDays.status()).isEqualTo("enabled");
        assertThat(tenDays.secret()).isEqualTo(contacts.secret());
        assertThat(clamped.expiresAt()).isEqualTo(longest);
        assertThat(longestByDefault.expiresAt()).isEqualTo(longest);
        assertThat(Instant.parse(webhookInSandbox(contacts).get("expires_at").asText())).isEqualTo(longest);
    }

    @Test
    void anExpiryInThePastIsRefusedBeforeAnyRequest() {
        WebhookSubscription contacts = new WebhookSubscription("1", "contacts", "secret", NOW.plusSeconds(60), "enabled");

        assertThatThrownBy(() -> webhooks.renew(contacts, NOW.minusSeconds(1)))
                .asInstanceOf(type(JunctionException.class))
                .extracting(JunctionException::kind).isEqualTo(ErrorKind.INVALID_INPUT);
        assertThatThrownBy(() -> webhooks.subscribe(receiver.url(), NOW))
                .asInstanceOf(type(JunctionException.class))
                .extracting(JunctionException::kind).isEqualTo(ErrorKind.INVALID_INPUT);
        assertThat(sandbox.requestLog().totalCount()).isZero();
    }

    @Test
    void aCallbackThatIsNotAnAbsoluteWebUrlIsRefusedBeforeAnyRequest() {
        for (String url : new String[] {"", "/relative/hook", "ftp://example.com/hook", "https:///no-host"}) {
            assertThatThrownBy(() -> webhooks.subscribe(url, null)).as(url)
                    .asInstanceOf(type(JunctionException.class))
                    .extracting(JunctionException::kind).isEqualTo(ErrorKind.INVALID_INPUT);
        }
        assertThat(sandbox.requestLog().totalCount()).isZero();
    }

    @Test
    void unsubscribeDeletesTheWebhookAndAWebhookAlreadyGoneIsNotAnError() {
        List<WebhookSubscription> subscriptions = subscribe(null);

        subscriptions.forEach(webhooks::unsubscribe);
        webhooks.unsubscribe(subscriptions.get(0));

        assertThat(sandbox.recordCount(dev.junction.provider.clio.sandbox.ClioEntity.WEBHOOKS)).isZero();
        assertEventually(() -> assertThat(sandbox.requestLog().entries("/api/v4/webhooks/" + subscriptions.get(0).id() + ".json"))
                .extracting(entry -> entry.method() + " " + entry.status())
                .containsExactly("DELETE 204", "DELETE 404"));
    }

    @Test
    void aCreationThatFailsMidwayDeletesTheWebhooksAlreadyCreatedAndIsSentOnlyOnce() {
        // Given Clio fails the third webhook creation with a 503, which would be retried if POSTs were
        AtomicInteger creations = new AtomicInteger();
        context.beforeEachCall(call -> {
            if (call.method().equals("POST") && creations.incrementAndGet() == 3) {
                sandbox.faults().next(1).onPath(WEBHOOKS_PATH).onMethod("POST").respondWith(Fault.status(503));
            }
        });
        WebhookSubscriptions failing = new ClioProvider().connect(context).webhooks();

        // When
        assertThatThrownBy(() -> failing.subscribe(receiver.url(), null))
                .asInstanceOf(type(JunctionException.class))
                .extracting(JunctionException::kind).isEqualTo(ErrorKind.PROVIDER_UNAVAILABLE);
        settle();

        // Then the two created before it are gone and the failed POST was not repeated
        assertThat(sandbox.recordCount(dev.junction.provider.clio.sandbox.ClioEntity.WEBHOOKS)).isZero();
        assertEventually(() -> {
            assertThat(sandbox.requestLog().entries(WEBHOOKS_PATH)).extracting(entry -> entry.method() + " " + entry.status())
                    .containsExactly("POST 201", "POST 201", "POST 503");
            assertThat(sandbox.requestLog().entries()).filteredOn(entry -> entry.method().equals("DELETE"))
                    .extracting(entry -> entry.status()).containsExactly(204, 204);
        });
    }
}
