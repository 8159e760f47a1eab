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

    /**
     * The signing secrets of every subscription core registered for this connection, for providers whose
     * deliveries do not name the subscription they belong to (Stripe signs with the endpoint's secret, and the
     * event body carries no endpoint id). The handler tries each, in constant time, and accepts a delivery when
     * any matches. Empty by default and when no subscription has a secret yet.
     *
     * @since 0.1.0 (added for the Stripe provider; the default keeps older implementations compiling)
     */
    default java.util.List<String> allSubscriptionSecrets() {
        return java.util.List.of();
    }
}
