package dev.junction.provider.clio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.junction.core.ActionResult;
import dev.junction.core.Connection;
import dev.junction.core.Hub;
import dev.junction.core.WebhookMaintenance;
import dev.junction.core.crypto.SecretCipher;
import dev.junction.core.error.ErrorKind;
import dev.junction.core.error.JunctionException;
import dev.junction.core.spi.RateLimitPolicy;
import dev.junction.core.spi.WebhookSubscription;
import dev.junction.provider.clio.sandbox.ClioEntity;
import dev.junction.provider.clio.sandbox.ClioSandbox;
import dev.junction.sandbox.MutableClock;
import dev.junction.testkit.ConformanceSandbox;
import dev.junction.testkit.TestDatabase;
import dev.junction.testkit.WebhookTestReceiver;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Clio's webhook lifecycle (register with handshake, renew before expiry, remove on disconnect) and custom actions,
 * through the Hub against ClioSandbox, on both databases. Hub and sandbox share a clock so renewal can be driven
 * by moving time instead of waiting days.
 */
class ClioThroughHubTest {

    private static final String TENANT = "firm";

    private final MutableClock clock = MutableClock.at(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    private ClioSandbox sandbox;
    private TestDatabase database;
    private Hub hub;
    private WebhookTestReceiver receiver;
    private Connection connection;

    void start(TestDatabase.Kind kind) {
        sandbox = ClioSandbox.builder().withClock(clock)
                .withOAuthClient(ClioConformanceTest.ClioConformanceSandbox.CLIENT_ID,
                        ClioConformanceTest.ClioConformanceSandbox.CLIENT_SECRET,
                        ClioConformanceTest.ClioConformanceSandbox.REDIRECT_URI)
                .start();
        ClioConformanceTest.ClioConformanceSandbox driver = new ClioConformanceTest.ClioConformanceSandbox(sandbox);
        database = TestDatabase.create(kind, "ClioThroughHubTest");
        hub = database.configure(Hub.builder())
                .withEncryptionKey("k1", SecretCipher.generateKey())
                .withClock(clock)
                .withBackgroundInterval(Duration.ZERO)
                .withRateLimit(ClioProvider.ID, RateLimitPolicy.UNLIMITED)
                .withProvider(new ClioProvider(), driver.providerSettings())
                .build();
        receiver = WebhookTestReceiver.start(hub, clock);
        connection = driver.connect(hub, TENANT);
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
    void webhooksAreRegisteredRenewedBeforeExpiryAndRemovedWithTheConnection(TestDatabase.Kind kind) throws Exception {
        start(kind);

        List<WebhookSubscription> registered = hub.enableWebhooks(TENANT, connection.id(), receiver.baseUrl());

        assertThat(registered).extracting(WebhookSubscription::entity)
                .containsExactlyInAnyOrder("contacts", "matters", "tasks", "activities", "calendar_entries", "bills");
        assertThat(registered).allSatisfy(subscription -> assertThat(subscription.secret()).as("secrets never shown").isNull());
        awaitEnabledAtClio(registered.size());
        Instant firstExpiry = registered.get(0).expiresAt();
        assertThat(firstExpiry).isAfter(clock.instant().plus(Duration.ofDays(29)));

        assertThat(hub.maintainWebhooks()).as("nothing is due yet").isEqualTo(new WebhookMaintenance(0, 0, 0));
        clock.advance(Duration.ofDays(24));
        WebhookMaintenance round = hub.maintainWebhooks();

        assertThat(round.renewed()).isEqualTo(registered.size());
        assertThat(round.failed()).isZero();
        for (WebhookSubscription subscription : hub.webhookSubscriptions(TENANT, connection.id())) {
            assertThat(subscription.expiresAt()).isAfter(firstExpiry.plus(Duration.ofDays(20)));
            String atClio = sandbox.record(ClioEntity.WEBHOOKS, Long.parseLong(subscription.id())).orElseThrow()
                    .body().get("expires_at").asText();
            assertThat(Instant.parse(atClio.replace("+00:00", "Z"))).isAfter(firstExpiry.plus(Duration.ofDays(20)));
        }

        assertThat(hub.deleteConnection(TENANT, connection.id())).isTrue();
        assertThat(sandbox.recordCount(ClioEntity.WEBHOOKS)).as("webhooks left at Clio after disconnecting").isZero();
    }

    private void awaitEnabledAtClio(int count) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (sandbox.liveIds(ClioEntity.WEBHOOKS).stream().map(id -> sandbox.record(ClioEntity.WEBHOOKS, id).orElseThrow()
                .body().get("status").asText()).filter("enabled"::equals).count() < count) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Clio did not enable the webhooks; received " + receiver.received());
            }
            Thread.sleep(20);
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void smartIntakeCustomActionIsCreatedOnceAndItsClickIsVerified(TestDatabase.Kind kind) {
        start(kind);
        ObjectNode input = ClioActions.openSmartIntake("https://intake.example.com/clio");

        ActionResult created = hub.runAction(TENANT, connection.id(), ClioActions.CREATE_CUSTOM_ACTION, input, "intake-1");
        ActionResult retried = hub.runAction(TENANT, connection.id(), ClioActions.CREATE_CUSTOM_ACTION, input, "intake-1");

        assertThat(created.replayed()).isFalse();
        assertThat(retried.replayed()).isTrue();
        assertThat(retried.result()).isEqualTo(created.result());
        assertThat(sandbox.recordCount(ClioEntity.CUSTOM_ACTIONS)).isEqualTo(1);
        assertThat(created.result().get("ui_reference").asText()).isEqualTo("contacts/show");

        long actionId = created.result().get("id").asLong();
        URI click = sandbox.simulateCustomActionClick(actionId, 1, "/api/v4/contacts/17");
        ClioCustomActionClick parsed = ClioCustomActionClick.parse(click);
        assertThat(parsed.contactId()).hasValue("17");
        ObjectNode verify = JsonNodeFactory.instance.objectNode().put("custom_action_nonce", parsed.nonce()).put("user_id", "1");

        ActionResult valid = hub.runAction(TENANT, connection.id(), ClioActions.VERIFY_CUSTOM_ACTION_CLICK, verify, "click-1");
        ActionResult reused = hub.runAction(TENANT, connection.id(), ClioActions.VERIFY_CUSTOM_ACTION_CLICK, verify, "click-2");

        assertThat(valid.result().get("valid").asBoolean()).isTrue();
        assertThat(reused.result().get("valid").asBoolean()).as("a nonce works once").isFalse();

        ObjectNode bad = JsonNodeFactory.instance.objectNode().put("label", "x").put("target_url", "not a url")
                .put("ui_reference", "contacts/show");
        long before = sandbox.requestLog().totalCount();
        assertThatThrownBy(() -> hub.runAction(TENANT, connection.id(), ClioActions.CREATE_CUSTOM_ACTION, bad, "bad-1"))
                .isInstanceOf(JunctionException.class).extracting("kind").isEqualTo(ErrorKind.INVALID_INPUT);
        assertThat(sandbox.requestLog().totalCount()).as("no request for invalid input").isEqualTo(before);
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void badConnectionAndOAuthInputGetsTypedErrorsAndChangesNothing(TestDatabase.Kind kind) {
        start(kind);
        int connections = hub.listConnections(TENANT).size();

        assertInvalid(() -> hub.createConnection(dev.junction.core.NewConnection.of(TENANT, ClioProvider.ID)
                .withSetting(ClioProvider.BASE_URL, "ftp://clio.example")));
        assertInvalid(() -> hub.createConnection(dev.junction.core.NewConnection.of(TENANT, ClioProvider.ID)
                .withSetting(ClioProvider.REGION, "mars")));
        assertInvalid(() -> hub.completeOAuth(null, "code"));
        assertThatThrownBy(() -> hub.completeOAuth("no-such-state", "code")).isInstanceOf(JunctionException.class);
        assertInvalid(() -> hub.startOAuth(TENANT, connection.id(), "not a uri"));
        var start = hub.startOAuth(TENANT, connection.id(), ClioConformanceTest.ClioConformanceSandbox.REDIRECT_URI);
        assertThatThrownBy(() -> hub.completeOAuth(start.state(), "a-code-clio-never-issued"))
                .isInstanceOf(JunctionException.class)
                .satisfies(error -> assertThat(((JunctionException) error).getMessage()).doesNotContain(
                        ClioConformanceTest.ClioConformanceSandbox.CLIENT_SECRET));
        assertInvalid(() -> hub.enableWebhooks(TENANT, connection.id(), "javascript:alert(1)"));
        assertInvalid(() -> hub.runAction(TENANT, connection.id(), ClioActions.CREATE_CUSTOM_ACTION, null, "k"));

        assertThat(hub.listConnections(TENANT)).hasSize(connections);
        assertThat(hub.getConnection(TENANT, connection.id()).status()).isEqualTo(dev.junction.core.ConnectionStatus.ACTIVE);
        assertThat(sandbox.recordCount(ClioEntity.WEBHOOKS)).isZero();
    }

    private static void assertInvalid(org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
        assertThatThrownBy(call).isInstanceOf(JunctionException.class).extracting("kind").isEqualTo(ErrorKind.INVALID_INPUT);
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void unifiedRecordsCarryRelationsCustomFieldValuesEmailsAndStatuses(TestDatabase.Kind kind) {
        start(kind);

        dev.junction.core.SyncRun run = hub.sync(TENANT, connection.id(), dev.junction.core.SyncRequest.full());

        assertThat(run.status()).isEqualTo(dev.junction.core.SyncStatus.SUCCEEDED);
        List<dev.junction.core.model.Engagement> matters = hub.query(dev.junction.core.RecordQuery.of(TENANT,
                dev.junction.core.model.UnifiedType.ENGAGEMENT).withLimit(500), dev.junction.core.model.Engagement.class)
                .items().stream().map(dev.junction.core.StoredRecord::record).toList();
        assertThat(matters).hasSize((int) sandbox.recordCount(ClioEntity.MATTERS));
        java.util.Set<String> contactIds = new java.util.HashSet<>(hub.liveIds(TENANT, connection.id(), "contacts"));
        assertThat(matters).allSatisfy(matter -> {
            assertThat(matter.status()).isNotBlank();
            assertThat(contactIds).as("matter %s's client", matter.externalId()).contains(matter.clientId());
        });
        assertThat(matters).anySatisfy(matter -> assertThat(matter.customFields()).isNotEmpty());
        List<dev.junction.core.model.Contact> contacts = hub.query(dev.junction.core.RecordQuery.of(TENANT,
                dev.junction.core.model.UnifiedType.CONTACT).withLimit(500), dev.junction.core.model.Contact.class)
                .items().stream().map(dev.junction.core.StoredRecord::record).toList();
        assertThat(contacts).anySatisfy(contact -> assertThat(contact.email()).contains("@"));
        assertThat(contacts).anySatisfy(contact -> assertThat(contact.customFields()).isNotEmpty());
        List<dev.junction.core.model.Task> tasks = hub.query(dev.junction.core.RecordQuery.of(TENANT,
                dev.junction.core.model.UnifiedType.TASK).withLimit(500), dev.junction.core.model.Task.class)
                .items().stream().map(dev.junction.core.StoredRecord::record).toList();
        java.util.Set<String> matterIds = new java.util.HashSet<>(hub.liveIds(TENANT, connection.id(), "matters"));
        assertThat(tasks).isNotEmpty().allSatisfy(task -> assertThat(task.status()).isNotBlank());
        assertThat(tasks).filteredOn(task -> task.engagementId() != null).isNotEmpty()
                .allSatisfy(task -> assertThat(matterIds).contains(task.engagementId()));
    }
}
