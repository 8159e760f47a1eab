package dev.junction.provider.stripe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.stripe.exception.SignatureVerificationException;
import com.stripe.net.Webhook;
import dev.junction.core.error.ErrorKind;
import dev.junction.core.error.JunctionException;
import dev.junction.core.spi.WebhookEvent;
import dev.junction.core.spi.WebhookOutcome;
import dev.junction.core.spi.WebhookRequest;
import dev.junction.core.spi.WebhookSecrets;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Stripe-Signature verification with stripe-java's {@code Webhook.Signature.generateSignatureHeader} as the
 * independent signer, and its {@code verifyHeader} as the oracle our answers must agree with.
 */
class StripeWebhookHandlerTest {

    private static final String SECRET = "whsec_test_secret_0123456789abcdef";
    private static final Instant NOW = Instant.parse("2026-11-22T03:00:00Z");
    private final StripeWebhookHandler handler = new StripeWebhookHandler();

    private static WebhookSecrets secrets(String... subscriptionSecrets) {
        return new WebhookSecrets() {
            @Override
            public Optional<String> forSubscription(String subscriptionId) {
                return Optional.empty();
            }

            @Override
            public Optional<String> connectionSecret() {
                return Optional.empty();
            }

            @Override
            public boolean handshakeExpected() {
                return false;
            }

            @Override
            public List<String> allSubscriptionSecrets() {
                return List.of(subscriptionSecrets);
            }
        };
    }

    private static WebhookRequest request(byte[] body, String header, Instant receivedAt) {
        return new WebhookRequest(header == null ? Map.of() : Map.of("Stripe-Signature", List.of(header)), body, receivedAt);
    }

    private static String stripeJavaHeader(byte[] body, String secret, long timestamp) throws Exception {
        return Webhook.Signature.generateSignatureHeader(new String(body, StandardCharsets.UTF_8), secret, timestamp);
    }

    private static boolean stripeJavaAccepts(byte[] body, String header, String secret, Instant now) {
        try {
            return Webhook.Signature.verifyHeader(new String(body, StandardCharsets.UTF_8), header, secret, 300,
                    Clock.fixed(now, ZoneOffset.UTC));
        } catch (SignatureVerificationException e) {
            return false;
        }
    }

    private void assertRejected(WebhookRequest request, WebhookSecrets secrets) {
        assertThatThrownBy(() -> handler.handle(request, secrets)).isInstanceOf(JunctionException.class)
                .extracting("kind").isEqualTo(ErrorKind.WEBHOOK_REJECTED);
    }

    @Test
    void aDeliverySignedByStripeJavaIsAcceptedAndBecomesTheEventAndAnUpsertOfItsObject() throws Exception {
        byte[] body = Fixtures.bytes("event_customer_created.json");
        String header = stripeJavaHeader(body, SECRET, NOW.getEpochSecond());

        WebhookOutcome outcome = handler.handle(request(body, header, NOW), secrets(SECRET));

        List<WebhookEvent> events = ((WebhookOutcome.Events) outcome).events();
        assertThat(events).hasSize(2);
        assertThat(events.get(0).entity()).isEqualTo("events");
        assertThat(events.get(0).externalId()).isEqualTo("evt_00000000000000");
        assertThat(events.get(1).entity()).isEqualTo("customers");
        assertThat(events.get(1).externalId()).isEqualTo("cus_00000000000000");
        assertThat(events.get(1).kind()).isEqualTo(WebhookEvent.Kind.UPSERT);
        assertThat(events.get(1).dedupeKey()).isEqualTo("evt_00000000000000");
        assertThat(events.get(1).payload().path("name").asText()).isEqualTo("Test Platform");
    }

    @Test
    void ourSignatureIsTheOneStripeJavaComputes() throws Exception {
        byte[] body = Fixtures.bytes("event.json");
        long t = NOW.getEpochSecond();

        String ours = StripeSignature.header(SECRET, t, body);

        assertThat(ours).isEqualTo(stripeJavaHeader(body, SECRET, t));
        assertThat(StripeSignature.compute(SECRET, t, body))
                .isEqualTo(Webhook.Util.computeHmacSha256(SECRET, t + "." + new String(body, StandardCharsets.UTF_8)));
        assertThat(stripeJavaAccepts(body, ours, SECRET, NOW)).isTrue();
    }

    @Test
    void aTamperedBodyIsRejectedAsStripeJavaRejectsIt() throws Exception {
        byte[] body = Fixtures.bytes("event_customer_created.json");
        String header = stripeJavaHeader(body, SECRET, NOW.getEpochSecond());
        byte[] tampered = new String(body, StandardCharsets.UTF_8).replace("Test Platform", "Test Platforn").getBytes(StandardCharsets.UTF_8);

        assertThat(stripeJavaAccepts(tampered, header, SECRET, NOW)).isFalse();
        assertRejected(request(tampered, header, NOW), secrets(SECRET));
    }

    @Test
    void reSerialisedJsonIsRejectedBecauseOnlyTheRawBytesAreSigned() throws Exception {
        byte[] body = Fixtures.bytes("event_customer_created.json");
        String header = stripeJavaHeader(body, SECRET, NOW.getEpochSecond());
        byte[] compact = Fixtures.json("event_customer_created.json").toString().getBytes(StandardCharsets.UTF_8);

        assertRejected(request(compact, header, NOW), secrets(SECRET));
    }

    @Test
    void aTimestampOlderThanThreeHundredSecondsIsRejectedAndOneJustInsideIsAccepted() throws Exception {
        byte[] body = Fixtures.bytes("event_customer_created.json");
        String stale = stripeJavaHeader(body, SECRET, NOW.getEpochSecond() - 301);
        String inside = stripeJavaHeader(body, SECRET, NOW.getEpochSecond() - 300);

        assertThat(stripeJavaAccepts(body, stale, SECRET, NOW)).isFalse();
        assertRejected(request(body, stale, NOW), secrets(SECRET));
        assertThat(stripeJavaAccepts(body, inside, SECRET, NOW)).isTrue();
        assertThat(handler.handle(request(body, inside, NOW), secrets(SECRET))).isInstanceOf(WebhookOutcome.Events.class);
    }

    @Test
    void aTimestampInTheFutureIsAcceptedAsStripeJavaAcceptsIt() throws Exception {
        byte[] body = Fixtures.bytes("event_customer_created.json");
        String future = stripeJavaHeader(body, SECRET, NOW.getEpochSecond() + 3_600);

        assertThat(stripeJavaAccepts(body, future, SECRET, NOW)).isTrue();
        assertThat(handler.handle(request(body, future, NOW), secrets(SECRET))).isInstanceOf(WebhookOutcome.Events.class);
    }

    @Test
    void anyOfSeveralV1SignaturesMayMatch() throws Exception {
        byte[] body = Fixtures.bytes("event_customer_created.json");
        long t = NOW.getEpochSecond();
        String good = stripeJavaHeader(body, SECRET, t).split("v1=")[1];
        String header = "t=" + t + ",v1=" + "0".repeat(64) + ",v1=" + good + ",v0=" + "f".repeat(64);

        assertThat(stripeJavaAccepts(body, header, SECRET, NOW)).isTrue();
        assertThat(handler.handle(request(body, header, NOW), secrets(SECRET))).isInstanceOf(WebhookOutcome.Events.class);
    }

    @Test
    void whileASecretIsRolledEitherEndpointSecretVerifies() throws Exception {
        byte[] body = Fixtures.bytes("event_customer_created.json");
        String newSecret = "whsec_rolled_secret_9876543210";
        String header = stripeJavaHeader(body, newSecret, NOW.getEpochSecond());

        assertThat(handler.handle(request(body, header, NOW), secrets(SECRET, newSecret))).isInstanceOf(WebhookOutcome.Events.class);
        assertRejected(request(body, header, NOW), secrets(SECRET));
    }

    @Test
    void aMissingOrMalformedHeaderIsRejected() throws Exception {
        byte[] body = Fixtures.bytes("event_customer_created.json");
        long t = NOW.getEpochSecond();

        assertRejected(request(body, null, NOW), secrets(SECRET));
        assertRejected(request(body, "t=" + t, NOW), secrets(SECRET));
        assertRejected(request(body, "v1=" + StripeSignature.compute(SECRET, t, body), NOW), secrets(SECRET));
        assertRejected(request(body, "t=abc,v1=00", NOW), secrets(SECRET));
    }

    @Test
    void aDeliveryIsRejectedWhenNoSecretIsKnownOrTheKeyIsTheApiKey() throws Exception {
        byte[] body = Fixtures.bytes("event_customer_created.json");
        String signedWithApiKey = stripeJavaHeader(body, "sk_test_not_the_signing_secret", NOW.getEpochSecond());

        assertRejected(request(body, stripeJavaHeader(body, SECRET, NOW.getEpochSecond()), NOW), secrets());
        assertRejected(request(body, signedWithApiKey, NOW), secrets(SECRET));
    }

    @Test
    void aDeletedEventBecomesADeleteButAnEndedSubscriptionStaysAnUpdate() throws Exception {
        String customerDeleted = "{\"id\":\"evt_1\",\"object\":\"event\",\"type\":\"customer.deleted\",\"created\":1,"
                + "\"data\":{\"object\":{\"id\":\"cus_1\",\"object\":\"customer\"}}}";
        String subscriptionDeleted = "{\"id\":\"evt_2\",\"object\":\"event\",\"type\":\"customer.subscription.deleted\","
                + "\"created\":1,\"data\":{\"object\":{\"id\":\"sub_1\",\"object\":\"subscription\",\"status\":\"canceled\"}}}";

        WebhookEvent deleted = signedEvents(customerDeleted).get(1);
        WebhookEvent ended = signedEvents(subscriptionDeleted).get(1);

        assertThat(deleted.kind()).isEqualTo(WebhookEvent.Kind.DELETE);
        assertThat(deleted.entity()).isEqualTo("customers");
        assertThat(ended.kind()).isEqualTo(WebhookEvent.Kind.UPSERT);
        assertThat(ended.entity()).isEqualTo("subscriptions");
    }

    @Test
    void anEventOfAnObjectNotSyncedIsKeptOnlyAsAnEvent() throws Exception {
        List<WebhookEvent> events = signedEvents(new String(Fixtures.bytes("event.json"), StandardCharsets.UTF_8));

        assertThat(events).singleElement().satisfies(event -> {
            assertThat(event.entity()).isEqualTo("events");
            assertThat(event.externalId()).isEqualTo("evt_1Pgc76B7WZ01zgkWwyRHS12y");
        });
    }

    @Test
    void aSubscriptionWhoseItemsAreCutShortIsRefetched() throws Exception {
        String body = "{\"id\":\"evt_3\",\"object\":\"event\",\"type\":\"customer.subscription.updated\",\"created\":1,"
                + "\"data\":{\"object\":{\"id\":\"sub_1\",\"object\":\"subscription\",\"items\":{\"object\":\"list\","
                + "\"data\":[],\"has_more\":true}}}}";

        assertThat(signedEvents(body).get(1).kind()).isEqualTo(WebhookEvent.Kind.REFETCH);
    }

    @Test
    void aCorrectlySignedBodyThatIsNotAnEventIsAnUnexpectedPayload() throws Exception {
        byte[] body = Fixtures.bytes("customer.json");
        String header = stripeJavaHeader(body, SECRET, NOW.getEpochSecond());

        assertThatThrownBy(() -> handler.handle(request(body, header, NOW), secrets(SECRET)))
                .isInstanceOf(JunctionException.class).extracting("kind").isEqualTo(ErrorKind.UNEXPECTED_PAYLOAD);
    }

    @Test
    void rejectionsNeverEchoTheSecret() throws Exception {
        byte[] body = Fixtures.bytes("event_customer_created.json");
        String header = stripeJavaHeader(body, "whsec_other", NOW.getEpochSecond());

        assertThatThrownBy(() -> handler.handle(request(body, header, NOW), secrets(SECRET)))
                .satisfies(error -> assertThat(error.getMessage()).doesNotContain(SECRET).doesNotContain("whsec_other"));
    }

    private List<WebhookEvent> signedEvents(String body) throws Exception {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        WebhookOutcome outcome = handler.handle(request(bytes, stripeJavaHeader(bytes, SECRET, NOW.getEpochSecond()), NOW), secrets(SECRET));
        return ((WebhookOutcome.Events) outcome).events();
    }
}
