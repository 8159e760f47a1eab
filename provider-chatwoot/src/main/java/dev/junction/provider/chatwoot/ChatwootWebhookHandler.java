package dev.junction.provider.chatwoot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.junction.core.error.ErrorContext;
import dev.junction.core.error.ErrorKind;
import dev.junction.core.error.JunctionException;
import dev.junction.core.spi.WebhookEvent;
import dev.junction.core.spi.WebhookHandler;
import dev.junction.core.spi.WebhookOutcome;
import dev.junction.core.spi.WebhookRequest;
import dev.junction.core.spi.WebhookSecrets;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Verifies and reads Chatwoot account webhooks.
 *
 * <p><b>Signature</b> (Chatwoot ≥ v4.11.2): {@code X-Chatwoot-Signature: sha256=<hex HMAC-SHA256(secret,
 * "{X-Chatwoot-Timestamp}.{raw body}")>}, the secret being the one the webhooks API returned at registration (any of
 * the connection's subscriptions, since a delivery does not name its webhook). The timestamp (unix seconds) must be
 * within {@link #TOLERANCE} of {@link WebhookRequest#receivedAt()}; comparison is constant-time. Without signature
 * headers the delivery is rejected unless the connection sets {@code accept_unsigned_webhooks=true} (installations
 * older than v4.11.2) — the handler cannot see connection settings, so core's {@code connectionSecret()} is not used
 * for that; instead {@link ChatwootWebhookSubscriptions} registers such connections with the marker secret
 * {@link #UNSIGNED_ALLOWED}. A present but wrong signature is always rejected.
 *
 * <p><b>Events</b>: {@code contact_created/updated} and {@code conversation_created/updated/status_changed} (and the
 * deprecated {@code conversation_opened/resolved}) are {@code REFETCH}: the payloads are partial (conversation
 * webhooks carry only the last messages, contact ones no inboxes) and the REST shape keeps the stored raw record
 * identical to what a sync stores, so a later full pass does not see a spurious change. {@code message_created/
 * updated} are {@code UPSERT} of the payload: Chatwoot has no single-message GET, and the payload is the complete
 * message (with {@code message_type} as a string, which the transformer reads). Other events (typing,
 * {@code webwidget_triggered}, inbox events) are accepted and ignored. Dedupe key: {@code X-Chatwoot-Delivery}
 * (stable across Chatwoot's retries), else event + id + a hash of the body.
 *
 * <p>Stateless and thread-safe.
 */
final class ChatwootWebhookHandler implements WebhookHandler {

    public static final Duration TOLERANCE = Duration.ofMinutes(5);
    /** Stored as a subscription's secret when the connection accepts unsigned deliveries. */
    static final String UNSIGNED_ALLOWED = "unsigned-allowed:";

    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public WebhookOutcome handle(WebhookRequest request, WebhookSecrets secrets) {
        verify(request, secrets.allSubscriptionSecrets());
        return new WebhookOutcome.Events(events(request));
    }

    static void verify(WebhookRequest request, List<String> secrets) {
        Optional<String> signature = request.header("X-Chatwoot-Signature");
        Optional<String> timestamp = request.header("X-Chatwoot-Timestamp");
        List<String> signingSecrets = secrets.stream().map(ChatwootWebhookHandler::signingSecret).toList();
        boolean unsignedAllowed = secrets.stream().anyMatch(secret -> secret.startsWith(UNSIGNED_ALLOWED));
        if (signature.isEmpty() && timestamp.isEmpty()) {
            if (unsignedAllowed) {
                return;
            }
            throw rejected("unsigned Chatwoot webhook: X-Chatwoot-Signature missing (set accept_unsigned_webhooks for "
                    + "installations older than v4.11.2)");
        }
        if (signature.isEmpty() || timestamp.isEmpty()) {
            throw rejected("Chatwoot webhook without " + (signature.isEmpty() ? "X-Chatwoot-Signature" : "X-Chatwoot-Timestamp"));
        }
        long seconds;
        try {
            seconds = Long.parseLong(timestamp.get().trim());
        } catch (NumberFormatException e) {
            throw rejected("X-Chatwoot-Timestamp is not unix seconds");
        }
        Duration age = Duration.between(Instant.ofEpochSecond(seconds), request.receivedAt()).abs();
        if (age.compareTo(TOLERANCE) > 0) {
            throw rejected("stale Chatwoot webhook: timestamp is " + age.toSeconds() + " s away from now");
        }
        String value = signature.get().trim();
        if (!value.startsWith("sha256=")) {
            throw rejected("X-Chatwoot-Signature is not sha256=<hex>");
        }
        byte[] given;
        try {
            given = HexFormat.of().parseHex(value.substring("sha256=".length()).toLowerCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw rejected("X-Chatwoot-Signature is not hex");
        }
        for (String secret : signingSecrets) {
            if (!secret.isEmpty() && MessageDigest.isEqual(sign(secret, timestamp.get().trim(), request.body()), given)) {
                return;
            }
        }
        throw rejected(signingSecrets.stream().allMatch(String::isEmpty)
                ? "no Chatwoot webhook secret registered for this connection" : "Chatwoot webhook signature does not match");
    }

    /** HMAC-SHA256 over {@code "{timestamp}.{body}"} with the secret's UTF-8 bytes. */
    static byte[] sign(String secret, String timestamp, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update((timestamp + ".").getBytes(StandardCharsets.UTF_8));
            return mac.doFinal(body);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    private static String signingSecret(String stored) {
        return stored.startsWith(UNSIGNED_ALLOWED) ? stored.substring(UNSIGNED_ALLOWED.length()) : stored;
    }

    static List<WebhookEvent> events(WebhookRequest request) {
        JsonNode body;
        try {
            body = JSON.readTree(request.body());
        } catch (IOException e) {
            throw rejected("Chatwoot webhook body is not JSON");
        }
        if (body == null || !body.isObject()) {
            throw rejected("Chatwoot webhook body is not a JSON object");
        }
        String event = body.path("event").asText("");
        String id = ChatwootTransformer.idOrNull(body.get("id"));
        String entity;
        WebhookEvent.Kind kind;
        switch (event) {
            case "contact_created", "contact_updated" -> {
                entity = "contacts";
                kind = WebhookEvent.Kind.REFETCH;
            }
            case "conversation_created", "conversation_updated", "conversation_status_changed",
                    "conversation_opened", "conversation_resolved" -> {
                entity = "conversations";
                kind = WebhookEvent.Kind.REFETCH;
            }
            case "message_created", "message_updated" -> {
                entity = "messages";
                kind = WebhookEvent.Kind.UPSERT;
            }
            default -> {
                return List.of();
            }
        }
        if (id == null) {
            throw rejected("Chatwoot " + event + " webhook has no id");
        }
        String dedupe = request.header("X-Chatwoot-Delivery").filter(value -> !value.isBlank())
                .orElseGet(() -> event + ":" + id + ":" + HexFormat.of().formatHex(sha256(request.body())));
        return List.of(new WebhookEvent(dedupe, entity, id, kind, body));
    }

    private static byte[] sha256(byte[] body) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(body);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JunctionException rejected(String message) {
        return new JunctionException(ErrorKind.WEBHOOK_REJECTED, message, ErrorContext.provider(ChatwootProvider.ID));
    }
}
