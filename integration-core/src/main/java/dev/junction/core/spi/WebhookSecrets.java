package dev.junction.core.spi;

import java.util.Optional;

/**
 * The secrets core holds for one connection's webhooks, decrypted on demand. Handed to
 * {@link WebhookHandler#handle}; never logged.
 */
public interface WebhookSecrets {

    /** The signing secret of the subscription with this provider-side id, if core registered it. */
    Optional<String> forSubscription(String subscriptionId);

    /** A connection-wide signing secret (for providers with one secret per endpoint), if configured. */
    Optional<String> connectionSecret();

    /** Whether a subscription handshake is expected now (a registration is in progress for the connection). */
    boolean handshakeExpected();

    /**
     * The entity ({@link WebhookSubscription#entity()}) watched by the subscription with this provider-side id, if
     * core registered it. For providers whose deliveries do not say what kind of record changed (Clio sends only
     * the record's requested fields and the webhook id), this is how a {@link WebhookHandler} names the entity of
     * its events. The default knows no subscription.
     */
    default Optional<String> entityForSubscription(String subscriptionId) {
        return Optional.empty();
    }
}
