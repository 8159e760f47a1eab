package dev.junction.provider.clio;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
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
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Verifies and parses the requests Clio sends to a connection's webhook endpoint. Core calls {@link #handle} for
 * every request, from many threads at once; the handler is stateless and thread-safe.
 *
 * <p><b>Handshake.</b> Right after a webhook is created, Clio POSTs {@code {"data":{"id":<webhook id>}}} with an
 * {@code X-Hook-Secret} header and no signature. Such a request is answered before any signature check (there is
 * nothing to check it against yet): when {@link WebhookSecrets#handshakeExpected()} is true the outcome is a
 * {@link WebhookOutcome.Handshake} that echoes the header with 200 and hands core the secret for webhook
 * {@code data.id}; otherwise it is rejected. When core already holds a secret for that webhook (Clio returned
 * {@code shared_secret} at creation), the handshake must carry the same one.
 *
 * <p><b>Deliveries.</b> {@code {"data":{<requested fields>},"meta":{"event":"updated","webhook_id":1234}}} signed with
 * {@code X-Hook-Signature}, the hex HMAC-SHA256 of the raw body keyed by the webhook's secret. The webhook id is
 * read from the (not yet trusted) body to pick the secret; the signature is then compared in constant time over
 * the exact bytes received. Clio's text does not state the encoding; lowercase hex is what a third-party guide and
 * the sandbox use, and upper case is accepted too.
 *
 * <p><b>Entity.</b> A delivery does not say which kind of record changed: {@code data} holds only the requested
 * fields, and ids of different models overlap. {@link ClioWebhookSubscriptions} registers one webhook per entity,
 * so the webhook id identifies the entity, and core supplies it through
 * {@link WebhookSecrets#entityForSubscription}. A webhook core does not know is an unknown subscription.
 *
 * <p><b>Events.</b> {@code created}, {@code updated}, {@code matter_opened}, {@code matter_pended},
 * {@code matter_closed} and any event Clio may add later become {@link WebhookEvent.Kind#REFETCH}, since the payload
 * holds only the requested fields (a refetch reads the record as it is now, so it is right whatever the event
 * meant); {@code deleted} becomes {@link WebhookEvent.Kind#DELETE}. Clio has no delivery id, so the dedupe key is
 * {@code <webhook_id>:<data.id>:<data.etag>:<event>}, with {@code data.updated_at} when there is no etag and a
 * hash of the body when there is neither.
 *
 * <p><b>Errors</b>, all without echoing a secret: missing or bad signature, an unknown webhook, an unexpected
 * handshake, and a body that cannot even name its webhook (malformed JSON, no {@code meta.webhook_id}) are
 * {@code WEBHOOK_REJECTED}, since such a request cannot be authenticated. A correctly signed body of the wrong
 * shape (no {@code data.id}, no {@code meta.event}) really came from Clio, so it is {@code UNEXPECTED_PAYLOAD}.
 *
 * <pre>{@code
 * WebhookOutcome outcome = new ClioWebhookHandler().handle(request, secrets);
 * }</pre>
 */
public final class ClioWebhookHandler implements WebhookHandler {

    /** The handshake header, also sent to {@code PUT /webhooks/{id}/activate}. */
    public static final String SECRET_HEADER = "X-Hook-Secret";
    public static final String SIGNATURE_HEADER = "X-Hook-Signature";

    private static final Logger LOG = LoggerFactory.getLogger(ClioWebhookHandler.class);
    private static final String DELETED = "deleted";
    private static final Set<String> KNOWN_REFETCH_EVENTS =
            Set.of("created", "updated", "matter_opened", "matter_pended", "matter_closed");
    private static final ObjectMapper JSON = JsonMapper.builder().build();
    private static final ErrorContext CONTEXT = ErrorContext.provider(ClioProvider.ID);
    // Mac.getInstance looks the provider up each time; a Mac is not thread-safe, and init below resets it with each
    // webhook's key, so one per thread is reused.
    private static final ThreadLocal<Mac> HMAC_SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return Mac.getInstance("HmacSHA256");
        } catch (NoSuchAlgorithmException impossible) {
            throw new IllegalStateException("HmacSHA256 is unavailable", impossible);
        }
    });

    @Override
    public WebhookOutcome handle(WebhookRequest request, WebhookSecrets secrets) {
        Optional<String> handshakeSecret = request.header(SECRET_HEADER);
        if (handshakeSecret.isPresent()) {
            return handshake(request, secrets, handshakeSecret.get());
        }
        String signature = request.header(SIGNATURE_HEADER).map(String::strip).filter(value -> !value.isEmpty())
                .orElseThrow(() -> rejected("missing " + SIGNATURE_HEADER + " header"));
        Delivery body = Delivery.read(request.body())
                .orElseThrow(() -> rejected("body is not JSON, so it names no webhook to verify it with"));
        String webhookId = Optional.ofNullable(body.webhookId)
                .orElseThrow(() -> rejected("body has no meta.webhook_id, so it names no webhook to verify it with"));
        String secret = secrets.forSubscription(webhookId)
                .orElseThrow(() -> rejected("unknown subscription: no secret for webhook " + webhookId));
        String entity = secrets.entityForSubscription(webhookId)
                .orElseThrow(() -> rejected("unknown subscription: no entity for webhook " + webhookId));
        if (!signatureMatches(secret, request.body(), signature)) {
            throw rejected("bad " + SIGNATURE_HEADER + " for webhook " + webhookId
                    + ": not the HMAC-SHA256 of the body with this webhook's secret");
        }
        return new WebhookOutcome.Events(List.of(event(body, webhookId, entity, request.body())));
    }

    private static WebhookOutcome handshake(WebhookRequest request, WebhookSecrets secrets, String secret) {
        if (!secrets.handshakeExpected()) {
            throw rejected("unexpected handshake: no webhook registration is in progress");
        }
        if (secret.isBlank()) {
            throw rejected("handshake with a blank " + SECRET_HEADER + " header");
        }
        String webhookId = parse(request.body())
                .flatMap(body -> identifier(body.path("data").path("id")))
                .orElseThrow(() -> rejected("handshake body has no data.id naming the webhook"));
        Optional<String> known = secrets.forSubscription(webhookId);
        if (known.isPresent() && !MessageDigest.isEqual(utf8(known.get()), utf8(secret))) {
            throw rejected("handshake for webhook " + webhookId + " carries another secret than Clio returned at registration");
        }
        return new WebhookOutcome.Handshake(200, Map.of(SECRET_HEADER, secret), webhookId, secret);
    }

    private static WebhookEvent event(Delivery body, String webhookId, String entity, byte[] raw) {
        String recordId = Optional.ofNullable(body.recordId)
                .orElseThrow(() -> unexpected("signed delivery for webhook " + webhookId + " has no data.id"));
        if (body.event == null || body.event.isBlank()) {
            throw unexpected("signed delivery for webhook " + webhookId + " has no meta.event");
        }
        String event = body.event;
        if (!DELETED.equals(event) && !KNOWN_REFETCH_EVENTS.contains(event)) {
            LOG.info("Clio webhook {} sent event '{}', which is not documented; refetching record {}", webhookId, event,
                    recordId);
        }
        WebhookEvent.Kind kind = DELETED.equals(event) ? WebhookEvent.Kind.DELETE : WebhookEvent.Kind.REFETCH;
        String version = body.etag != null ? body.etag
                : body.updatedAt != null ? body.updatedAt : "sha256-" + HexFormat.of().formatHex(sha256(raw));
        String dedupeKey = webhookId + ":" + recordId + ":" + version + ":" + event;
        // The payload is the body as received (its signature was checked over these bytes, and the streaming read
        // checked they are one well-formed JSON object in valid UTF-8, as a tree parse would): core stores this text,
        // and WebhookEvent parses it into a tree only if someone asks for one. A body that does not start with '{'
        // (a byte-order mark, leading white space) is handed on as its tree, for core to serialise.
        if (raw.length > 0 && raw[0] == '{') {
            return new WebhookEvent(dedupeKey, entity, recordId, kind, null, new String(raw, StandardCharsets.UTF_8));
        }
        JsonNode tree = parse(raw).orElseThrow(() -> rejected("body is not JSON"));
        return new WebhookEvent(dedupeKey, entity, recordId, kind, tree);
    }

    /**
     * The fields of a delivery the handler needs, read with Jackson's streaming parser instead of building the whole
     * tree (the receiving path's largest cost per webhook): {@code meta.webhook_id}, {@code meta.event},
     * {@code data.id}, {@code data.etag} and {@code data.updated_at}, each as {@link #identifier}/{@link #text} would
     * take it from the tree. Every token of the root object is read, so a body is accepted exactly when a tree parse
     * would give an object (malformed JSON or invalid UTF-8 fails either way; what follows the root object is not
     * read, as {@code readTree} does not); a repeated key counts with its last value, as in the tree.
     */
    static final class Delivery {
        String webhookId;
        String event;
        String recordId;
        String etag;
        String updatedAt;

        static Optional<Delivery> read(byte[] body) {
            try (JsonParser parser = JSON.getFactory().createParser(body)) {
                if (parser.nextToken() != JsonToken.START_OBJECT) {
                    return Optional.empty();
                }
                Delivery delivery = new Delivery();
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String name = parser.currentName();
                    JsonToken value = parser.nextToken();
                    if ("data".equals(name)) {
                        delivery.recordId = null;
                        delivery.etag = null;
                        delivery.updatedAt = null;
                        if (value == JsonToken.START_OBJECT) {
                            delivery.readData(parser);
                            continue;
                        }
                    } else if ("meta".equals(name)) {
                        delivery.webhookId = null;
                        delivery.event = null;
                        if (value == JsonToken.START_OBJECT) {
                            delivery.readMeta(parser);
                            continue;
                        }
                    }
                    consume(parser, value);
                }
                return Optional.of(delivery);
            } catch (IOException malformed) {
                return Optional.empty();
            }
        }

        private void readData(JsonParser parser) throws IOException {
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                JsonToken value = parser.nextToken();
                switch (name) {
                    case "id" -> recordId = identifier(parser, value);
                    case "etag" -> etag = text(parser, value);
                    case "updated_at" -> updatedAt = text(parser, value);
                    default -> { }
                }
                consume(parser, value);
            }
        }

        private void readMeta(JsonParser parser) throws IOException {
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                JsonToken value = parser.nextToken();
                switch (name) {
                    case "webhook_id" -> webhookId = identifier(parser, value);
                    case "event" -> event = value == JsonToken.VALUE_STRING ? parser.getText() : null;
                    default -> { }
                }
                consume(parser, value);
            }
        }

        /** Reads every token of a container value (so all of it is checked), nothing for a scalar. */
        private static void consume(JsonParser parser, JsonToken value) throws IOException {
            if (value == JsonToken.START_OBJECT || value == JsonToken.START_ARRAY) {
                int depth = 1;
                while (depth > 0) {
                    JsonToken token = parser.nextToken();
                    if (token == null) throw new com.fasterxml.jackson.core.JsonParseException(parser, "unexpected end of input");
                    if (token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY) depth++;
                    else if (token == JsonToken.END_OBJECT || token == JsonToken.END_ARRAY) depth--;
                }
            } else if (value == null) {
                throw new com.fasterxml.jackson.core.JsonParseException(parser, "unexpected end of input");
            }
        }

        /** As {@link ClioWebhookHandler#identifier(JsonNode)}: an integer's canonical text, or a non-blank string. */
        private static String identifier(JsonParser parser, JsonToken value) throws IOException {
            if (value == JsonToken.VALUE_NUMBER_INT) {
                return switch (parser.getNumberType()) {
                    case INT -> Integer.toString(parser.getIntValue());
                    case LONG -> Long.toString(parser.getLongValue());
                    default -> parser.getBigIntegerValue().toString();
                };
            }
            return text(parser, value);
        }

        private static String text(JsonParser parser, JsonToken value) throws IOException {
            if (value != JsonToken.VALUE_STRING) return null;
            String text = parser.getText();
            return text.isBlank() ? null : text;
        }
    }

    /**
     * Whether {@code presented} is the hex HMAC-SHA256 of {@code body} keyed by {@code secret}, compared in
     * constant time over the lowercase hex bytes.
     */
    static boolean signatureMatches(String secret, byte[] body, String presented) {
        byte[] expected = hmacSha256Hex(secret, body).getBytes(StandardCharsets.US_ASCII);
        byte[] actual = presented.strip().toLowerCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(expected, actual);
    }

    /** The lowercase hex HMAC-SHA256 of {@code body} keyed by the UTF-8 bytes of {@code secret}. */
    static String hmacSha256Hex(String secret, byte[] body) {
        try {
            Mac mac = HMAC_SHA256.get();
            mac.init(new SecretKeySpec(utf8(secret), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(body));
        } catch (InvalidKeyException | IllegalArgumentException impossible) {
            // Every JDK has HmacSHA256; an empty key is the only invalid one and is refused as a bad signature.
            throw rejected("webhook secret cannot key an HMAC");
        }
    }

    private static Optional<JsonNode> parse(byte[] body) {
        try {
            JsonNode node = JSON.readTree(body);
            return node != null && node.isObject() ? Optional.of(node) : Optional.empty();
        } catch (IOException malformed) {
            return Optional.empty();
        }
    }

    /** An id as text: Clio ids are integers, except calendar entries' strings. */
    private static Optional<String> identifier(JsonNode node) {
        if (node.isIntegralNumber() || (node.isTextual() && !node.asText().isBlank())) {
            return Optional.of(node.asText());
        }
        return Optional.empty();
    }

    private static Optional<String> text(JsonNode node) {
        return node.isTextual() && !node.asText().isBlank() ? Optional.of(node.asText()) : Optional.empty();
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException impossible) {
            throw new IllegalStateException("SHA-256 is unavailable", impossible);
        }
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static JunctionException rejected(String reason) {
        return new JunctionException(ErrorKind.WEBHOOK_REJECTED, "Clio webhook rejected: " + reason, CONTEXT);
    }

    private static JunctionException unexpected(String reason) {
        return new JunctionException(ErrorKind.UNEXPECTED_PAYLOAD, "Clio webhook: " + reason, CONTEXT);
    }
}
