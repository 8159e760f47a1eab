package dev.junction.provider.stripe;

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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Verifies and parses Stripe event deliveries. Core calls {@link #handle} for every request, from many threads; the
 * handler is stateless and thread-safe.
 *
 * <p><b>Signature</b>: {@link StripeSignature} over the exact bytes received, with the request's
 * {@link WebhookRequest#receivedAt()} as "now". A Stripe event does not say which endpoint it was sent to, so the
 * handler tries the secret of every endpoint core registered for the connection
 * ({@link WebhookSecrets#allSubscriptionSecrets()}) and the Dashboard endpoint's secret
 * ({@code webhook_secret}, {@link WebhookSecrets#connectionSecret()}).
 *
 * <p><b>Events</b>: each delivery is one event ({@code {"id":"evt_...","object":"event","type",...,
 * "data":{"object":{...}}}}) and yields up to two inbox entries, both deduplicated by the event id (Stripe
 * redelivers, and two endpoints may deliver the same event):
 * <ul>
 *   <li>the event itself as an UPSERT of entity {@code events} (kept raw; {@link StripeBilling} reads history from
 *       it);</li>
 *   <li>when {@code data.object} is a synced object, an UPSERT of it, or a DELETE for {@code *.deleted} (but see
 *       {@link StripeEntity#isDeletion}: an ended subscription is an update to status {@code canceled}).</li>
 * </ul>
 * Stripe does not order deliveries; an older event arriving after a newer one overwrites the stored object with the
 * older snapshot until the next event or sync of that object (Stripe's advice is to re-fetch when order matters).
 *
 * <p><b>Errors</b>: a missing, malformed, mismatching or stale signature is {@code WEBHOOK_REJECTED}; a correctly
 * signed body that is not an event is {@code UNEXPECTED_PAYLOAD}.
 */
public final class StripeWebhookHandler implements WebhookHandler {

    private static final ObjectMapper JSON = JsonMapper.builder().build();
    private final Duration tolerance;

    public StripeWebhookHandler() {
        this(StripeSignature.DEFAULT_TOLERANCE);
    }

    /** A handler with another timestamp tolerance; zero or negative turns the check off (as in stripe-java). */
    public StripeWebhookHandler(Duration tolerance) {
        this.tolerance = tolerance;
    }

    @Override
    public WebhookOutcome handle(WebhookRequest request, WebhookSecrets secrets) {
        String header = request.header(StripeSignature.HEADER).orElse(null);
        List<String> known = new ArrayList<>(secrets.allSubscriptionSecrets());
        secrets.connectionSecret().ifPresent(known::add);
        StripeSignature.verify(request.body(), header, known, request.receivedAt(), tolerance);
        JsonNode event = parse(request.body()).orElseThrow(() -> unexpected("signed body is not a JSON object"));
        String eventId = event.path("id").asText("");
        String type = event.path("type").asText("");
        JsonNode object = event.path("data").path("object");
        if (!"event".equals(event.path("object").asText()) || eventId.isBlank() || type.isBlank() || !object.isObject()) {
            throw unexpected("signed body is not a Stripe event with id, type and data.object");
        }
        List<WebhookEvent> events = new ArrayList<>(2);
        events.add(new WebhookEvent(eventId + ":event", StripeEntity.EVENTS.apiName(), eventId, WebhookEvent.Kind.UPSERT, event));
        String objectName = object.path("object").asText("");
        Optional<StripeEntity> entity = StripeEntity.byObject(objectName);
        String objectId = object.path("id").asText("");
        if (entity.isPresent() && !objectId.isBlank()) {
            WebhookEvent.Kind kind = StripeEntity.isDeletion(type, objectName) ? WebhookEvent.Kind.DELETE
                    // An embedded list cut short (items, lines) is completed by fetching the object as the sync does.
                    : object.path("items").path("has_more").asBoolean(false) || object.path("lines").path("has_more").asBoolean(false)
                    ? WebhookEvent.Kind.REFETCH : WebhookEvent.Kind.UPSERT;
            events.add(new WebhookEvent(eventId, entity.get().apiName(), objectId, kind, object));
        }
        return new WebhookOutcome.Events(events);
    }

    private static Optional<JsonNode> parse(byte[] body) {
        try {
            JsonNode node = JSON.readTree(body);
            return node != null && node.isObject() ? Optional.of(node) : Optional.empty();
        } catch (IOException malformed) {
            return Optional.empty();
        }
    }

    private static JunctionException unexpected(String reason) {
        return new JunctionException(ErrorKind.UNEXPECTED_PAYLOAD, "Stripe webhook: " + reason, ErrorContext.provider(StripeProvider.ID));
    }
}
