package dev.junction.core.spi;

import java.time.Instant;
import java.util.List;

/**
 * Registers, renews and removes a connection's webhooks at the provider. Obtained from
 * {@link Connector#webhooks()}; same threading rules as the connector.
 */
public interface WebhookSubscriptions {

    /** Registers webhooks for every entity the provider can watch, delivering to {@code callbackUrl}. */
    List<WebhookSubscription> subscribe(String callbackUrl, Instant expiresAt);

    /**
     * Activates a subscription whose handshake was not answered in time, with the secret the handshake carried.
     * The default does nothing, for providers without a handshake.
     */
    default WebhookSubscription activate(WebhookSubscription subscription) {
        return subscription;
    }

    /** Extends a subscription's expiry. */
    WebhookSubscription renew(WebhookSubscription subscription, Instant expiresAt);

    /** Removes a subscription; removing one that no longer exists is not an error. */
    void unsubscribe(WebhookSubscription subscription);
}
