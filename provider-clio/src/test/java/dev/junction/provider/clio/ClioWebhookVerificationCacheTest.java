package dev.junction.provider.clio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.junction.core.Connection;
import dev.junction.core.Hub;
import dev.junction.core.WebhookResponse;
import dev.junction.core.crypto.SecretCipher;
import dev.junction.core.error.ErrorKind;
import dev.junction.core.error.JunctionException;
import dev.junction.core.internal.ConnectionManager;
import dev.junction.core.spi.RateLimitPolicy;
import dev.junction.core.spi.WebhookRequest;
import dev.junction.core.spi.WebhookSubscription;
import dev.junction.provider.clio.sandbox.ClioEntity;
import dev.junction.provider.clio.sandbox.ClioSandbox;
import dev.junction.sandbox.MutableClock;
import dev.junction.testkit.TestDatabase;
import dev.junction.testkit.WebhookTestReceiver;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The hub remembers what it needs to verify a webhook (the token's connection, each subscription's entity and
 * decrypted secret) between requests. These tests pin down that remembering never weakens verification: changes
 * made through the hub take effect at once, a secret changed behind its back (another node) is picked up before
 * anything is refused, and with the cache turned off an old secret is refused at once.
 */
class ClioWebhookVerificationCacheTest {

    private static final String TENANT = "firm";
    private static final String KEY = SecretCipher.generateKey();

    private final MutableClock clock = MutableClock.at(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    private ClioSandbox sandbox;
    private TestDatabase database;
    private Hub hub;
    private WebhookTestReceiver receiver;
    private Connection connection;
    private int nextRecord = 1;

    void start(TestDatabase.Kind kind, Duration cacheTtl) {
        sandbox = ClioSandbox.builder().withClock(clock)
                .withOAuthClient(ClioConformanceTest.ClioConformanceSandbox.CLIENT_ID,
                        ClioConformanceTest.ClioConformanceSandbox.CLIENT_SECRET,
                        ClioConformanceTest.ClioConformanceSandbox.REDIRECT_URI)
                .start();
        ClioConformanceTest.ClioConformanceSandbox driver = new ClioConformanceTest.ClioConformanceSandbox(sandbox);
        database = TestDatabase.create(kind, "ClioWebhookVerificationCacheTest");
        hub = database.configure(Hub.builder())
                .withEncryptionKey("k1", KEY)
                .withClock(clock)
                .withBackgroundInterval(Duration.ZERO)
                .withWebhookCache(cacheTtl)
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

    /** Registers the webhooks (Clio's handshakes reach the hub) and returns the contacts webhook once enabled. */
    private WebhookSubscription enableContacts() throws InterruptedException {
        hub.enableWebhooks(TENANT, connection.id(), receiver.baseUrl());
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            WebhookSubscription contacts = hub.webhookSubscriptions(TENANT, connection.id()).stream()
                    .filter(subscription -> subscription.entity().equals("contacts")).findFirst().orElseThrow();
            if (contacts.status().equals("enabled")) return contacts;
            if (System.nanoTime() > deadline) throw new AssertionError("the contacts webhook was not enabled: " + contacts);
            Thread.sleep(20);
        }
    }

    private String secretAtClio(WebhookSubscription subscription) {
        return sandbox.record(ClioEntity.WEBHOOKS, Long.parseLong(subscription.id())).orElseThrow().body().get("shared_secret").asText();
    }

    /** A delivery for a record not sent before, for {@code webhookId}, signed with {@code secret}. */
    private WebhookRequest delivery(String webhookId, String secret) {
        int record = nextRecord++;
        byte[] body = ("{\"data\":{\"id\":" + record + ",\"etag\":\"\\\"e" + record + "\\\"\"},"
                + "\"meta\":{\"event\":\"updated\",\"webhook_id\":" + webhookId + "}}").getBytes(StandardCharsets.UTF_8);
        return new WebhookRequest(Map.of("x-hook-signature", List.of(ClioWebhookHandler.hmacSha256Hex(secret, body))), body,
                clock.instant());
    }

    private WebhookResponse receive(WebhookRequest request) {
        return hub.receiveWebhook(connection.webhookToken(), request);
    }

    private void assertRejected(WebhookRequest request) {
        assertThatThrownBy(() -> receive(request)).isInstanceOfSatisfying(JunctionException.class,
                e -> assertThat(e.kind()).isEqualTo(ErrorKind.WEBHOOK_REJECTED));
    }

    /** Stores a new secret for the subscription as another node would, without this hub knowing. */
    private void rotateBehindTheHubsBack(WebhookSubscription subscription, String secret) {
        String sealed = SecretCipher.single("k1", KEY).encrypt(secret,
                ConnectionManager.aad(TENANT, connection.id(), "webhook:" + subscription.id()));
        int updated = hub.database().jdbi().withHandle(handle -> handle.createUpdate("UPDATE junction_webhook_subscription "
                        + "SET secret = :secret WHERE tenant_id = :tenant AND connection_id = :connection AND subscription_id = :id")
                .bind("secret", sealed).bind("tenant", TENANT).bind("connection", connection.id()).bind("id", subscription.id())
                .execute());
        assertThat(updated).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void aSecretRotatedElsewhereIsAcceptedAtOnceAndTheOldOneIsThenRefused(TestDatabase.Kind kind) throws Exception {
        start(kind, Duration.ofMinutes(10));
        WebhookSubscription contacts = enableContacts();
        String oldSecret = secretAtClio(contacts);
        assertThat(receive(delivery(contacts.id(), oldSecret)).accepted()).as("verified, and now remembered").isEqualTo(1);

        rotateBehindTheHubsBack(contacts, "rotated-secret-value");

        // The remembered secret does not match, so the hub looks again before refusing: the new secret works at once.
        assertThat(receive(delivery(contacts.id(), "rotated-secret-value")).accepted()).isEqualTo(1);
        assertRejected(delivery(contacts.id(), oldSecret));
        assertRejected(delivery(contacts.id(), "never-the-secret"));
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void withTheCacheOffAnOldSecretIsRefusedAtOnce(TestDatabase.Kind kind) throws Exception {
        start(kind, Duration.ZERO);
        WebhookSubscription contacts = enableContacts();
        String oldSecret = secretAtClio(contacts);
        assertThat(receive(delivery(contacts.id(), oldSecret)).accepted()).isEqualTo(1);

        rotateBehindTheHubsBack(contacts, "rotated-secret-value");

        assertRejected(delivery(contacts.id(), oldSecret));
        assertThat(receive(delivery(contacts.id(), "rotated-secret-value")).accepted()).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void reRegisteringReplacesTheRememberedWebhooksAtOnce(TestDatabase.Kind kind) throws Exception {
        start(kind, Duration.ofMinutes(10));
        WebhookSubscription first = enableContacts();
        String firstSecret = secretAtClio(first);
        assertThat(receive(delivery(first.id(), firstSecret)).accepted()).isEqualTo(1);

        WebhookSubscription second = enableContacts();

        assertThat(second.id()).isNotEqualTo(first.id());
        assertRejected(delivery(first.id(), firstSecret));
        assertThat(receive(delivery(second.id(), secretAtClio(second))).accepted()).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void disablingWebhooksForgetsTheRememberedSecretsAtOnce(TestDatabase.Kind kind) throws Exception {
        start(kind, Duration.ofMinutes(10));
        WebhookSubscription contacts = enableContacts();
        String secret = secretAtClio(contacts);
        assertThat(receive(delivery(contacts.id(), secret)).accepted()).isEqualTo(1);

        assertThat(hub.disableWebhooks(TENANT, connection.id())).isEqualTo(6);

        assertRejected(delivery(contacts.id(), secret));
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void aDeletedConnectionsWebhookTokenStopsWorkingAtOnce(TestDatabase.Kind kind) throws Exception {
        start(kind, Duration.ofMinutes(10));
        WebhookSubscription contacts = enableContacts();
        String secret = secretAtClio(contacts);
        assertThat(receive(delivery(contacts.id(), secret)).accepted()).isEqualTo(1);

        assertThat(hub.deleteConnection(TENANT, connection.id())).isTrue();

        assertThatThrownBy(() -> receive(delivery(contacts.id(), secret))).isInstanceOfSatisfying(JunctionException.class,
                e -> assertThat(e.getMessage()).contains("unknown webhook endpoint"));
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void rememberedVerificationStillRefusesBadSignaturesAndUnknownWebhooks(TestDatabase.Kind kind) throws Exception {
        start(kind, Duration.ofMinutes(10));
        WebhookSubscription contacts = enableContacts();
        String secret = secretAtClio(contacts);
        assertThat(receive(delivery(contacts.id(), secret)).accepted()).isEqualTo(1);

        assertRejected(delivery(contacts.id(), secret + "x"));
        assertRejected(delivery("999999", secret));
        assertThatThrownBy(() -> hub.receiveWebhook(connection.webhookToken() + "x", delivery(contacts.id(), secret)))
                .isInstanceOfSatisfying(JunctionException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.WEBHOOK_REJECTED));
        assertThat(receive(delivery(contacts.id(), secret)).accepted()).as("the good secret still works").isEqualTo(1);
    }
}
