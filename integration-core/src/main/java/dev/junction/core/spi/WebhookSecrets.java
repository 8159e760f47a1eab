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

    /** The entity the subscription with this provider-side id watches, if core registered it. */
    default Optional<String> entityForSubscription(String subscriptionId) {
        return Optional.empty();
    }
}
