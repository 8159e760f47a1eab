package dev.junction.provider.clio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.InstanceOfAssertFactories.type;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.junction.core.error.ErrorKind;
import dev.junction.core.error.JunctionException;
import dev.junction.core.spi.WebhookEvent;
import dev.junction.core.spi.WebhookOutcome;
import dev.junction.core.spi.WebhookRequest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/**
 * The handler on Clio's published webhook payloads (fixtures/SOURCES.md) and on payloads shaped like them, signed
 * here with an HMAC computed independently of the handler.
 */
class ClioWebhookHandlerTest {

    private static final String SECRET = "4d6f6e7479507974686f6e53656372657421";
    private static final Instant RECEIVED = Instant.parse("2024-05-01T12:00:00Z");

    private final ClioWebhookHandler handler = new ClioWebhookHandler();
    private final InMemoryWebhookSecrets secrets = new InMemoryWebhookSecrets().with("1234", SECRET, "activities");

    private static byte[] fixture(String name) throws IOException {
        try (InputStream in = ClioWebhookHandlerTest.class.getResourceAsStream("/fixtures/" + name)) {
            assertThat(in).as(name).isNotNull();
            return in.readAllBytes();
        }
    }

    /** Lowercase hex HMAC-SHA256, computed without the handler's code. */
    private static String sign(String secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (Exception impossible) {
            throw new AssertionError(impossible);
        }
    }

    private static WebhookRequest request(byte[] body, String... headerNamesAndValues) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        headers.put("Content-Type", List.of("application/json"));
        for (int i = 0; i < headerNamesAndValues.length; i += 2) {
            headers.put(headerNamesAndValues[i], List.of(headerNamesAndValues[i + 1]));
        }
        return new WebhookRequest(headers, body, RECEIVED);
    }

    private static WebhookRequest signed(byte[] body) {
        return request(body, "X-Hook-Signature", sign(SECRET, body));
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private WebhookEvent onlyEvent(WebhookRequest request) {
        WebhookOutcome outcome = handler.handle(request, secrets);
        assertThat(outcome).isInstanceOf(WebhookOutcome.Events.class);
        List<WebhookEvent> events = ((WebhookOutcome.Events) outcome).events();
        assertThat(events).hasSize(1);
        return events.get(0);
    }

    private void assertRejected(ThrowingCallable call, String reason) {
        assertThatThrownBy(call)
                .asInstanceOf(type(JunctionException.class))
                .satisfies(failure -> {
                    assertThat(failure.kind()).isEqualTo(ErrorKind.WEBHOOK_REJECTED);
                    assertThat(failure.getMessage()).contains(reason).doesNotContain(SECRET);
                });
    }

    @Test
    void aPublishedCreatedDeliveryBecomesARefetchOfTheWebhooksEntityKeyedByWebhookRecordEtagAndEvent() throws IOException {
        byte[] body = fixture("webhook_event_created.json");

        WebhookEvent event = onlyEvent(signed(body));

        assertThat(event.kind()).isEqualTo(WebhookEvent.Kind.REFETCH);
        assertThat(event.entity()).isEqualTo("activities");
        assertThat(event.externalId()).isEqualTo("152");
        assertThat(event.dedupeKey()).isEqualTo("1234:152:\"9a103be2201ae758992733a91f02903f\":created");
        assertThat(event.payload().path("meta").path("webhook_id").asInt()).isEqualTo(1234);
    }

    @Test
    void publishedUpdatedAndDeletedDeliveriesBecomeARefetchAndADelete() throws IOException {
        WebhookEvent updated = onlyEvent(signed(fixture("webhook_event_updated.json")));
        WebhookEvent deleted = onlyEvent(signed(fixture("webhook_event_deleted.json")));

        assertThat(updated.kind()).isEqualTo(WebhookEvent.Kind.REFETCH);
        assertThat(updated.dedupeKey()).isEqualTo("1234:152:\"9d9ef9fb42a505976d90d564c1596f11\":updated");
        assertThat(deleted.kind()).isEqualTo(WebhookEvent.Kind.DELETE);
        assertThat(deleted.externalId()).isEqualTo("152");
        assertThat(deleted.dedupeKey()).isEqualTo("1234:152:\"3cc31bfbd6cfc16d3d7123423e437079\":deleted");
    }

    @Test
    void theEventCarriesTheBodyAsReceivedSoCoreNeedNotSerialiseItAgain() throws IOException {
        byte[] body = fixture("webhook_event_updated.json");

        WebhookEvent event = onlyEvent(signed(body));

        assertThat(event.payloadJson()).isEqualTo(new String(body, java.nio.charset.StandardCharsets.UTF_8));
        assertThat(new com.fasterxml.jackson.databind.ObjectMapper().readTree(event.payloadJson())).isEqualTo(event.payload());
    }

    @Test
    void aRedeliveryOfTheSameBodyHasTheSameDedupeKey() throws IOException {
        byte[] body = fixture("webhook_event_updated.json");

        assertThat(onlyEvent(signed(body)).dedupeKey()).isEqualTo(onlyEvent(signed(body.clone())).dedupeKey());
    }

    @Test
    void matterStatusEventsAndUndocumentedEventsAreRefetches() {
        secrets.with("77", SECRET, "matters");
        for (String event : List.of("matter_opened", "matter_pended", "matter_closed", "matter_archived")) {
            byte[] body = utf8("{\"data\":{\"id\":9,\"etag\":\"\\\"e1\\\"\"},\"meta\":{\"event\":\"" + event + "\",\"webhook_id\":77}}");

            WebhookEvent parsed = onlyEvent(signed(body));

            assertThat(parsed.kind()).as(event).isEqualTo(WebhookEvent.Kind.REFETCH);
            assertThat(parsed.entity()).isEqualTo("matters");
            assertThat(parsed.dedupeKey()).isEqualTo("77:9:\"e1\":" + event);
        }
    }

    @Test
    void calendarEntriesKeepTheirStringIdsAndUpdatedAtStandsInForAMissingEtag() {
        secrets.with("78", SECRET, "calendar_entries");
        byte[] body = utf8("{\"data\":{\"id\":\"1234_20240501\",\"updated_at\":\"2024-05-01T11:59:00-07:00\"},"
                + "\"meta\":{\"event\":\"updated\",\"webhook_id\":\"78\"}}");

        WebhookEvent event = onlyEvent(signed(body));

        assertThat(event.externalId()).isEqualTo("1234_20240501");
        assertThat(event.dedupeKey()).isEqualTo("78:1234_20240501:2024-05-01T11:59:00-07:00:updated");
    }

    @Test
    void withNeitherEtagNorUpdatedAtTheBodyHashKeysTheEvent() {
        byte[] body = utf8("{\"data\":{\"id\":5},\"meta\":{\"event\":\"created\",\"webhook_id\":1234}}");

        String key = onlyEvent(signed(body)).dedupeKey();

        assertThat(key).matches("1234:5:sha256-[0-9a-f]{64}:created");
    }

    @Test
    void anUppercaseHexSignatureAndALowerCaseHeaderNameAreAccepted() throws IOException {
        byte[] body = fixture("webhook_event_created.json");

        WebhookEvent event = onlyEvent(request(body, "x-hook-signature", sign(SECRET, body).toUpperCase(Locale.ROOT)));

        assertThat(event.externalId()).isEqualTo("152");
    }

    @Test
    void aTamperedBodyIsRejected() throws IOException {
        byte[] body = fixture("webhook_event_created.json");
        String signature = sign(SECRET, body);
        byte[] tampered = new String(body, StandardCharsets.UTF_8).replace("152", "153").getBytes(StandardCharsets.UTF_8);

        assertRejected(() -> handler.handle(request(tampered, "X-Hook-Signature", signature), secrets), "bad X-Hook-Signature");
    }

    @Test
    void aReserialisedBodyIsRejectedBecauseOnlyTheRawBytesAreSigned() throws IOException {
        byte[] body = fixture("webhook_event_created.json");
        byte[] compact = new ObjectMapper().writeValueAsBytes(new ObjectMapper().readTree(body));

        assertRejected(() -> handler.handle(request(compact, "X-Hook-Signature", sign(SECRET, body)), secrets),
                "bad X-Hook-Signature");
    }

    @Test
    void aSignatureMadeWithAnotherSecretIsRejected() throws IOException {
        byte[] body = fixture("webhook_event_created.json");

        assertRejected(() -> handler.handle(request(body, "X-Hook-Signature", sign("another-secret", body)), secrets),
                "bad X-Hook-Signature");
    }

    @Test
    void aMissingOrBlankSignatureIsRejected() throws IOException {
        byte[] body = fixture("webhook_event_created.json");

        assertRejected(() -> handler.handle(request(body), secrets), "missing X-Hook-Signature");
        assertRejected(() -> handler.handle(request(body, "X-Hook-Signature", "  "), secrets), "missing X-Hook-Signature");
    }

    @Test
    void aDeliveryForAnUnknownWebhookIsRejected() throws IOException {
        byte[] body = fixture("webhook_event_created.json");
        InMemoryWebhookSecrets noSecret = new InMemoryWebhookSecrets().with("1234", null, "activities");
        InMemoryWebhookSecrets noEntity = new InMemoryWebhookSecrets().with("1234", SECRET, null);

        assertRejected(() -> handler.handle(signed(body), new InMemoryWebhookSecrets()), "unknown subscription");
        assertRejected(() -> handler.handle(signed(body), noSecret), "unknown subscription");
        assertRejected(() -> handler.handle(signed(body), noEntity), "unknown subscription");
    }

    /**
     * The streaming read of a delivery takes each field exactly as the tree of the whole body would give it:
     * repeated keys (last wins, a repeated container replaces the first), values of the wrong type, large and
     * negative-zero ids, nested look-alike keys, and bodies a tree parse refuses (malformed, not an object,
     * invalid UTF-8 inside a value the handler does not read).
     */
    @Test
    void theStreamingReadOfADeliveryAgreesWithTheTreeOfTheBody() {
        List<byte[]> bodies = new java.util.ArrayList<>(List.of(
                utf8("{\"data\":{\"id\":152,\"etag\":\"\\\"e\\\"\"},\"meta\":{\"event\":\"updated\",\"webhook_id\":1234}}"),
                utf8("{\"meta\":{\"webhook_id\":1,\"webhook_id\":\"1234\"},\"data\":{\"id\":1,\"id\":152}}"),
                utf8("{\"data\":{\"id\":152,\"etag\":\"x\"},\"data\":{\"updated_at\":\"2024-01-01\"},\"meta\":{\"event\":\"created\"}}"),
                utf8("{\"data\":{\"id\":152},\"data\":7,\"meta\":{\"webhook_id\":1234,\"event\":5}}"),
                utf8("{\"data\":{\"id\":{\"id\":3},\"etag\":[\"a\"],\"updated_at\":\" \"},\"meta\":{\"event\":\" \",\"webhook_id\":1.5}}"),
                utf8("{\"data\":{\"id\":123456789012345678901234567890,\"x\":{\"data\":{\"id\":9}}},\"meta\":{\"webhook_id\":-0}}"),
                utf8("{\"data\":{\"id\":9223372036854775807,\"etag\":null},\"meta\":{\"webhook_id\":\"\",\"event\":\"deleted\"}} trailing"),
                utf8("{\"nested\":[{\"meta\":{\"webhook_id\":1}}],\"meta\":{\"list\":[1,[2,{\"a\":3}]],\"webhook_id\":1234}}"),
                utf8("{\"data\":{\"id\":152},"), utf8("[1,2]"), utf8("\"text\""), utf8(""), utf8("{\"a\":}"),
                utf8("{\"data\":{\"id\":152}}}"), utf8("{\"data\":{\"id\":152]}")));
        byte[] invalidUtf8 = utf8("{\"note\":\"ab\",\"meta\":{\"webhook_id\":1234}}");
        invalidUtf8[10] = (byte) 0xC3; // a two-byte sequence whose second byte is not a continuation byte
        bodies.add(invalidUtf8);
        ObjectMapper json = new ObjectMapper();
        for (byte[] body : bodies) {
            com.fasterxml.jackson.databind.JsonNode tree;
            try {
                tree = json.readTree(body);
            } catch (IOException e) {
                tree = null;
            }
            java.util.Optional<ClioWebhookHandler.Delivery> read = ClioWebhookHandler.Delivery.read(body);
            String label = new String(body, StandardCharsets.UTF_8);
            if (tree == null || !tree.isObject()) {
                assertThat(read).as(label).isEmpty();
                continue;
            }
            assertThat(read).as(label).isPresent();
            ClioWebhookHandler.Delivery delivery = read.get();
            com.fasterxml.jackson.databind.JsonNode data = tree.path("data");
            com.fasterxml.jackson.databind.JsonNode meta = tree.path("meta");
            assertThat(delivery.webhookId).as(label).isEqualTo(identifier(meta.path("webhook_id")));
            assertThat(delivery.recordId).as(label).isEqualTo(identifier(data.path("id")));
            assertThat(delivery.etag).as(label).isEqualTo(text(data.path("etag")));
            assertThat(delivery.updatedAt).as(label).isEqualTo(text(data.path("updated_at")));
            assertThat(delivery.event == null || delivery.event.isBlank()).as(label)
                    .isEqualTo(!meta.path("event").isTextual() || meta.path("event").asText().isBlank());
            if (delivery.event != null && !delivery.event.isBlank()) {
                assertThat(delivery.event).as(label).isEqualTo(meta.path("event").asText());
            }
        }
    }

    private static String identifier(com.fasterxml.jackson.databind.JsonNode node) {
        return node.isIntegralNumber() || (node.isTextual() && !node.asText().isBlank()) ? node.asText() : null;
    }

    private static String text(com.fasterxml.jackson.databind.JsonNode node) {
        return node.isTextual() && !node.asText().isBlank() ? node.asText() : null;
    }

    @Test
    void aBodyWithInvalidUtf8AnywhereIsRejectedAsNotJson() {
        byte[] body = utf8("{\"data\":{\"id\":152,\"note\":\"ab\"},\"meta\":{\"event\":\"updated\",\"webhook_id\":1234}}");
        int note = new String(body, StandardCharsets.US_ASCII).indexOf("ab");
        body[note] = (byte) 0xE2; // a three-byte sequence cut short
        byte[] invalid = body;

        assertRejected(() -> handler.handle(signed(invalid), secrets), "body is not JSON");
    }

    @Test
    void aBodyNotStartingWithABraceIsHandedOnAsATreeAndOtherwiseAsTheTextWhoseTreeIsThePayload() throws IOException {
        byte[] body = fixture("webhook_event_updated.json");
        byte[] padded = new byte[body.length + 2];
        padded[0] = ' ';
        padded[1] = '\n';
        System.arraycopy(body, 0, padded, 2, body.length);

        WebhookEvent plain = onlyEvent(signed(body));
        WebhookEvent spaced = onlyEvent(signed(padded));

        assertThat(plain.payloadJson()).isNotNull();
        assertThat(plain.payload()).isEqualTo(new ObjectMapper().readTree(body));
        assertThat(spaced.payloadJson()).isNull();
        assertThat(spaced.payload()).isEqualTo(plain.payload());
        assertThat(spaced.dedupeKey()).isEqualTo(plain.dedupeKey());
    }

    @Test
    void aBodyThatCannotNameItsWebhookIsRejectedBeforeAnyVerification() {
        byte[] notJson = utf8("{\"data\":{\"id\":152},");
        byte[] noWebhookId = utf8("{\"data\":{\"id\":152},\"meta\":{\"event\":\"created\"}}");

        assertRejected(() -> handler.handle(signed(notJson), secrets), "body is not JSON");
        assertRejected(() -> handler.handle(signed(noWebhookId), secrets), "no meta.webhook_id");
    }

    @Test
    void aCorrectlySignedBodyOfTheWrongShapeIsAnUnexpectedPayload() {
        byte[] noRecordId = utf8("{\"data\":{\"etag\":\"\\\"x\\\"\"},\"meta\":{\"event\":\"created\",\"webhook_id\":1234}}");
        byte[] noEvent = utf8("{\"data\":{\"id\":152},\"meta\":{\"webhook_id\":1234}}");

        for (byte[] body : List.of(noRecordId, noEvent)) {
            assertThatThrownBy(() -> handler.handle(signed(body), secrets))
                    .asInstanceOf(type(JunctionException.class))
                    .extracting(JunctionException::kind).isEqualTo(ErrorKind.UNEXPECTED_PAYLOAD);
        }
    }

    @Test
    void anExpectedHandshakeIsEchoedAndHandsCoreTheSecretOfTheNamedWebhook() {
        secrets.expectHandshake(true);

        WebhookOutcome outcome = handler.handle(request(utf8("{\"data\":{\"id\":4321}}"), "X-Hook-Secret", "fresh-secret"),
                secrets);

        assertThat(outcome).isEqualTo(new WebhookOutcome.Handshake(200, Map.of("X-Hook-Secret", "fresh-secret"), "4321",
                "fresh-secret"));
        assertThat(outcome.toString()).doesNotContain("fresh-secret");
    }

    @Test
    void aHandshakeIsAnsweredBeforeAnySignatureCheck() {
        secrets.expectHandshake(true);
        byte[] body = utf8("{\"data\":{\"id\":4321}}");

        WebhookOutcome outcome = handler.handle(request(body, "X-Hook-Secret", "fresh-secret", "X-Hook-Signature", "nonsense"),
                secrets);

        assertThat(outcome).isInstanceOf(WebhookOutcome.Handshake.class);
    }

    @Test
    void anUnexpectedHandshakeIsRejected() {
        byte[] body = utf8("{\"data\":{\"id\":4321}}");

        assertRejected(() -> handler.handle(request(body, "X-Hook-Secret", "fresh-secret"), secrets), "unexpected handshake");
    }

    @Test
    void aHandshakeThatDoesNotNameItsWebhookIsRejected() {
        secrets.expectHandshake(true);

        for (String body : List.of("{}", "{\"data\":{}}", "{\"data\":{\"id\":null}}", "not json", "[1]")) {
            assertRejected(() -> handler.handle(request(utf8(body), "X-Hook-Secret", "fresh-secret"), secrets), "data.id");
        }
        assertRejected(() -> handler.handle(request(utf8("{\"data\":{\"id\":1}}"), "X-Hook-Secret", " "), secrets),
                "blank X-Hook-Secret");
    }

    @Test
    void aHandshakeWhoseSecretDiffersFromTheOneClioReturnedAtRegistrationIsRejected() {
        secrets.expectHandshake(true);
        byte[] body = utf8("{\"data\":{\"id\":1234}}");

        assertRejected(() -> handler.handle(request(body, "X-Hook-Secret", "forged-secret"), secrets), "another secret");
        assertThat(handler.handle(request(body, "X-Hook-Secret", SECRET), secrets))
                .isInstanceOf(WebhookOutcome.Handshake.class);
    }

    @Test
    void theHandlerComputesTheSameSignatureAsAnIndependentHmac() throws IOException {
        byte[] body = fixture("webhook_event_deleted.json");

        assertThat(ClioWebhookHandler.hmacSha256Hex(SECRET, body)).isEqualTo(sign(SECRET, body));
    }
}
