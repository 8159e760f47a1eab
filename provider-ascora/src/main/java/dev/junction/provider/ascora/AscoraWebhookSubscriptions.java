package dev.junction.provider.ascora;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.junction.core.error.ErrorKind;
import dev.junction.core.error.JunctionException;
import dev.junction.core.http.HttpCall;
import dev.junction.core.http.ProviderHttpClient;
import dev.junction.core.spi.WebhookSubscription;
import dev.junction.core.spi.WebhookSubscriptions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Registers Ascora webhooks: one {@code POST /WebHooks {"hookUrl","systemName","hookEvent"}} per event, answered
 * with a {@code subscriptionId}; removed with {@code DELETE /Webhooks/Delete/{id}} ([ASC-PD], [ASC-MC]). Ascora
 * subscriptions do not expire, so renewing changes nothing. Ascora sends no signature and no custom header, and
 * our handler sees only headers and body, so the only secret a delivery can carry is the connection's unguessable
 * webhook token in the URL path (core's lookup); a per-subscription query parameter would never reach the handler.
 */
final class AscoraWebhookSubscriptions implements WebhookSubscriptions {

    /** The events Junction subscribes to, and the entity each one is about. */
    static final Map<String, String> EVENTS = new java.util.LinkedHashMap<>();

    static {
        EVENTS.put("JobCreated", "jobs");
        EVENTS.put("JobStatusChanged", "jobs");
        EVENTS.put("CustomerModified", "customers");
        EVENTS.put("InvoiceCreated", "invoices");
        EVENTS.put("InvoiceModified", "invoices");
    }

    static final String SYSTEM_NAME = "Junction";

    private final ProviderHttpClient http;

    AscoraWebhookSubscriptions(ProviderHttpClient http) {
        this.http = http;
    }

    @Override
    public List<WebhookSubscription> subscribe(String callbackUrl, Instant expiresAt) {
        List<WebhookSubscription> created = new ArrayList<>();
        for (Map.Entry<String, String> event : EVENTS.entrySet()) {
            ObjectNode body = AscoraConnector.JSON.createObjectNode()
                    .put("hookUrl", callbackUrl).put("systemName", SYSTEM_NAME).put("hookEvent", event.getKey());
            JsonNode answer = http.executeJson(AscoraConnector.post("/WebHooks", body).withEntity("webhooks"));
            String id = answer.path("subscriptionId").asText("");
            if (id.isEmpty()) {
                throw new JunctionException(ErrorKind.UNEXPECTED_PAYLOAD, "Ascora's webhook answer has no subscriptionId",
                        AscoraConnector.context("webhooks"));
            }
            created.add(new WebhookSubscription(id, event.getValue(), null, null, "enabled"));
        }
        return created;
    }

    @Override
    public WebhookSubscription renew(WebhookSubscription subscription, Instant expiresAt) {
        return subscription;
    }

    @Override
    public void unsubscribe(WebhookSubscription subscription) {
        try {
            http.execute(HttpCall.delete("/Webhooks/Delete/" + AscoraConnector.encode(subscription.id())).withEntity("webhooks"));
        } catch (JunctionException e) {
            if (e.kind() != ErrorKind.NOT_FOUND) {
                throw e;
            }
        }
    }
}
