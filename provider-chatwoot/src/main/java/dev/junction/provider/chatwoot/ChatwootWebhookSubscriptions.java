package dev.junction.provider.chatwoot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.junction.core.error.ErrorContext;
import dev.junction.core.error.ErrorKind;
import dev.junction.core.error.JunctionException;
import dev.junction.core.http.HttpCall;
import dev.junction.core.http.ProviderHttpClient;
import dev.junction.core.spi.WebhookSubscription;
import dev.junction.core.spi.WebhookSubscriptions;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

/**
 * One Chatwoot account webhook per connection: {@code POST /webhooks} with the callback URL and the events Junction
 * reads; the response's {@code secret} signs deliveries. Chatwoot webhooks never expire, so {@link #renew} changes
 * nothing; {@link #unsubscribe} is {@code DELETE /webhooks/{id}} (a webhook already gone counts as removed).
 * When the connection accepts unsigned deliveries the stored secret carries
 * {@link ChatwootWebhookHandler#UNSIGNED_ALLOWED} (changing that setting needs webhooks enabled again). Used by one
 * thread at a time.
 */
final class ChatwootWebhookSubscriptions implements WebhookSubscriptions {

    /** The events Junction subscribes to (Chatwoot's {@code Webhook::ALLOWED_WEBHOOK_EVENTS} minus typing and inboxes). */
    static final List<String> EVENTS = List.of("contact_created", "contact_updated", "conversation_created",
            "conversation_updated", "conversation_status_changed", "message_created", "message_updated");
    /** The entity column of the subscription: one webhook watches every entity. */
    static final String ALL_ENTITIES = "all";

    private final ProviderHttpClient http;
    private final boolean acceptUnsigned;

    ChatwootWebhookSubscriptions(ProviderHttpClient http, boolean acceptUnsigned) {
        this.http = http;
        this.acceptUnsigned = acceptUnsigned;
    }

    @Override
    public List<WebhookSubscription> subscribe(String callbackUrl, Instant expiresAt) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("url", callbackUrl);
        EVENTS.forEach(body.putArray("subscriptions")::add);
        JsonNode response = http.executeJson(HttpCall.post("webhooks", "application/json",
                body.toString().getBytes(StandardCharsets.UTF_8)).withEntity("webhooks"));
        JsonNode webhook = response.at("/payload/webhook");
        if (webhook.isMissingNode()) {
            webhook = response.has("payload") ? response.get("payload") : response;
        }
        String id = ChatwootTransformer.idOrNull(webhook.get("id"));
        if (id == null) {
            throw new JunctionException(ErrorKind.UNEXPECTED_PAYLOAD, "Chatwoot webhook response has no id",
                    ErrorContext.provider(ChatwootProvider.ID).withEntity("webhooks"));
        }
        String secret = webhook.path("secret").asText("");
        if (secret.isEmpty() && !acceptUnsigned) {
            // An installation older than v4.11.2: it will send unsigned deliveries, which this connection refuses.
            unsubscribe(new WebhookSubscription(id, ALL_ENTITIES, null, null, "enabled"));
            throw new JunctionException(ErrorKind.INVALID_INPUT, "Chatwoot returned no webhook secret (installation "
                    + "older than v4.11.2?); set accept_unsigned_webhooks=true to accept unsigned webhooks",
                    ErrorContext.provider(ChatwootProvider.ID).withEntity("webhooks"));
        }
        String stored = acceptUnsigned ? ChatwootWebhookHandler.UNSIGNED_ALLOWED + secret : secret;
        return List.of(new WebhookSubscription(id, ALL_ENTITIES, stored, null, "enabled"));
    }

    @Override
    public WebhookSubscription renew(WebhookSubscription subscription, Instant expiresAt) {
        return subscription; // Chatwoot webhooks do not expire
    }

    @Override
    public void unsubscribe(WebhookSubscription subscription) {
        try {
            http.execute(HttpCall.delete("webhooks/" + subscription.id()).withEntity("webhooks"));
        } catch (JunctionException e) {
            if (e.kind() != ErrorKind.NOT_FOUND) {
                throw e;
            }
        }
    }
}
