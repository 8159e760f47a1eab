package dev.junction.provider.chatwoot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.junction.core.error.ErrorKind;
import dev.junction.core.error.JunctionException;
import dev.junction.core.spi.WebhookEvent;
import dev.junction.core.spi.WebhookOutcome;
import dev.junction.core.spi.WebhookRequest;
import dev.junction.core.spi.WebhookSecrets;
import dev.junction.provider.chatwoot.sandbox.ChatwootSandbox;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Signature checks and event mapping on Chatwoot's published webhook samples. */
class ChatwootWebhookHandlerTest {

    private static final String SECRET = "whsec-like-chatwoot-secret";
    private static final Instant NOW = Instant.parse("2026-03-02T10:00:00Z");
    private final ChatwootWebhookHandler handler = new ChatwootWebhookHandler();

    private static byte[] body(String fixture) {
        try (InputStream in = ChatwootWebhookHandlerTest.class.getResourceAsStream("/fixtures/" + fixture)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Signed as the sandbox signs, which follows Chatwoot's "{timestamp}.{body}" HMAC-SHA256, sha256=<hex>. */
    private static WebhookRequest signed(byte[] body, Instant signedAt, Instant receivedAt, String delivery) {
        Map<String, List<String>> headers = new HashMap<>();
        ChatwootSandbox.signatureHeaders(SECRET, body, signedAt).forEach((name, value) -> headers.put(name, List.of(value)));
        headers.put("X-Chatwoot-Delivery", List.of(delivery));
        return new WebhookRequest(headers, body, receivedAt);
    }

    private static WebhookSecrets secrets(String... stored) {
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
                return List.of(stored);
            }
        };
    }

    private List<WebhookEvent> events(WebhookRequest request, WebhookSecrets secrets) {
        return ((WebhookOutcome.Events) handler.handle(request, secrets)).events();
    }

    private void assertRejected(WebhookRequest request, WebhookSecrets secrets, String reason) {
        assertThatThrownBy(() -> handler.handle(request, secrets)).isInstanceOf(JunctionException.class)
                .satisfies(e -> assertThat(((JunctionException) e).kind()).isEqualTo(ErrorKind.WEBHOOK_REJECTED))
                .hasMessageContaining(reason)
                .hasMessageNotContaining(SECRET);
    }

    @Test
    void aValidSignatureIsAcceptedAndAMessageIsUpsertedWithItsDeliveryAsDedupeKey() {
        List<WebhookEvent> events = events(signed(body("webhook_message_created.json"), NOW, NOW, "d-1"), secrets("other", SECRET));

        assertThat(events).singleElement().satisfies(event -> {
            assertThat(event.dedupeKey()).isEqualTo("d-1");
            assertThat(event.entity()).isEqualTo("messages");
            assertThat(event.externalId()).isEqualTo("118");
            assertThat(event.kind()).isEqualTo(WebhookEvent.Kind.UPSERT);
        });
    }

    @Test
    void conversationEventsAreRefetchedAndOtherEventsIgnored() {
        assertThat(events(signed(body("webhook_conversation_status_changed.json"), NOW, NOW, "d-2"), secrets(SECRET)))
                .singleElement().satisfies(event -> {
                    assertThat(event.entity()).isEqualTo("conversations");
                    assertThat(event.externalId()).isEqualTo("10");
                    assertThat(event.kind()).isEqualTo(WebhookEvent.Kind.REFETCH);
                });
        assertThat(events(signed(body("webhook_webwidget_triggered.json"), NOW, NOW, "d-3"), secrets(SECRET))).isEmpty();
    }

    @Test
    void aTamperedBodyIsRejected() {
        WebhookRequest good = signed(body("webhook_message_updated.json"), NOW, NOW, "d-4");
        byte[] tampered = good.body().clone();
        tampered[20] ^= 1;
        assertRejected(new WebhookRequest(good.headers(), tampered, NOW), secrets(SECRET), "does not match");
    }

    @Test
    void aWrongSecretIsRejected() {
        assertRejected(signed(body("webhook_message_updated.json"), NOW, NOW, "d-5"), secrets("not-the-secret"), "does not match");
    }

    @Test
    void aStaleOrFutureTimestampIsRejectedEvenWithAValidSignature() {
        byte[] body = body("webhook_message_created.json");
        assertRejected(signed(body, NOW.minus(Duration.ofMinutes(6)), NOW, "d-6"), secrets(SECRET), "stale");
        assertRejected(signed(body, NOW.plus(Duration.ofMinutes(6)), NOW, "d-7"), secrets(SECRET), "stale");
        assertThat(events(signed(body, NOW.minus(Duration.ofMinutes(4)), NOW, "d-8"), secrets(SECRET))).hasSize(1);
    }

    @Test
    void aMissingSignatureOrTimestampIsRejected() {
        WebhookRequest good = signed(body("webhook_message_created.json"), NOW, NOW, "d-9");
        Map<String, List<String>> noSignature = new HashMap<>(good.headers());
        noSignature.remove("X-Chatwoot-Signature");
        assertRejected(new WebhookRequest(noSignature, good.body(), NOW), secrets(SECRET), "without X-Chatwoot-Signature");
        Map<String, List<String>> noTimestamp = new HashMap<>(good.headers());
        noTimestamp.remove("X-Chatwoot-Timestamp");
        assertRejected(new WebhookRequest(noTimestamp, good.body(), NOW), secrets(SECRET), "without X-Chatwoot-Timestamp");
    }

    @Test
    void anUnsignedWebhookIsRejectedUnlessTheConnectionAcceptsUnsignedOnes() {
        WebhookRequest unsigned = new WebhookRequest(Map.of("Content-Type", List.of("application/json")),
                body("webhook_message_created.json"), NOW);

        assertRejected(unsigned, secrets(SECRET), "unsigned");
        assertRejected(unsigned, secrets(), "unsigned");
        assertThat(events(unsigned, secrets(ChatwootWebhookHandler.UNSIGNED_ALLOWED))).singleElement()
                .satisfies(event -> assertThat(event.dedupeKey()).startsWith("message_created:118:"));
        // A present signature is still checked when unsigned ones are allowed.
        WebhookRequest forged = signed(body("webhook_message_created.json"), NOW, NOW, "d-10");
        assertRejected(forged, secrets(ChatwootWebhookHandler.UNSIGNED_ALLOWED + "another-secret"), "does not match");
        assertThat(events(forged, secrets(ChatwootWebhookHandler.UNSIGNED_ALLOWED + SECRET))).hasSize(1);
    }

    @Test
    void aBodyThatIsNotJsonIsRejected() {
        byte[] body = "not json".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertRejected(signed(body, NOW, NOW, "d-11"), secrets(SECRET), "not JSON");
    }
}
