package dev.junction.provider.stripe;

import com.fasterxml.jackson.databind.JsonNode;
import dev.junction.core.error.ErrorContext;
import dev.junction.core.error.ErrorKind;
import dev.junction.core.error.JunctionException;
import dev.junction.core.http.HttpCall;
import dev.junction.core.http.ProviderHttpClient;
import dev.junction.core.spi.WebhookSubscription;
import dev.junction.core.spi.WebhookSubscriptions;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Registers one Stripe webhook endpoint per connection: {@code POST /v1/webhook_endpoints} with the callback
 * {@code url}, every synced entity's event types as {@code enabled_events[]} and {@code api_version} pinned to
 * {@link StripeProvider#API_VERSION}, so delivered objects have the shape the sync reads ([STRIPE-DOCS]
 * /api/webhook_endpoints/create; providers.md hard part 23). The {@code secret} in the answer (returned only at
 * creation) is the subscription's signing secret. The POST carries an idempotency key derived from the connection
 * and URL, so a retried registration does not create a second endpoint. Stripe endpoints do not expire:
 * {@link #renew} returns the subscription as it is. {@link #unsubscribe} deletes the endpoint; one already gone is
 * not an error. Used by one thread at a time.
 */
final class StripeWebhookSubscriptions implements WebhookSubscriptions {

    static final String ENTITY = StripeEntity.EVENTS.apiName();
    private final ProviderHttpClient http;
    private final String connectionId;

    StripeWebhookSubscriptions(ProviderHttpClient http, String connectionId) {
        this.http = http;
        this.connectionId = connectionId;
    }

    /** The event types an endpoint is registered for: those of every synced entity. */
    static List<String> enabledEvents() {
        Set<String> types = new LinkedHashSet<>();
        for (StripeEntity entity : StripeEntity.values()) {
            types.addAll(entity.eventTypes());
        }
        return List.copyOf(types);
    }

    @Override
    public List<WebhookSubscription> subscribe(String callbackUrl, Instant expiresAt) {
        Form form = new Form().add("url", callbackUrl).add("api_version", StripeProvider.API_VERSION)
                .add("description", "Junction connection " + connectionId);
        enabledEvents().forEach(type -> form.add("enabled_events[]", type));
        JsonNode endpoint = http.executeJson(HttpCall.post("webhook_endpoints", Form.CONTENT_TYPE, form.bytes())
                .withIdempotencyKey("junction-webhook-" + sha256(connectionId + "|" + callbackUrl)).withEntity(ENTITY));
        String id = endpoint.path("id").asText("");
        String secret = endpoint.path("secret").asText("");
        if (id.isBlank() || secret.isBlank()) {
            throw new JunctionException(ErrorKind.UNEXPECTED_PAYLOAD, "Stripe webhook endpoint answer has no id or secret",
                    ErrorContext.provider(StripeProvider.ID).withEntity(ENTITY));
        }
        return List.of(new WebhookSubscription(id, ENTITY, secret, null, endpoint.path("status").asText("enabled")));
    }

    /** Stripe endpoints do not expire. */
    @Override
    public WebhookSubscription renew(WebhookSubscription subscription, Instant expiresAt) {
        return subscription;
    }

    @Override
    public void unsubscribe(WebhookSubscription subscription) {
        try {
            http.execute(HttpCall.delete("webhook_endpoints/" + StripeConnector.pathSegment(subscription.id())).withEntity(ENTITY));
        } catch (JunctionException e) {
            if (e.kind() != ErrorKind.NOT_FOUND) {
                throw e;
            }
        }
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)))
                    .substring(0, 32);
        } catch (NoSuchAlgorithmException impossible) {
            throw new IllegalStateException(impossible);
        }
    }
}
