package dev.junction.core.spi;

import java.util.List;
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
     * The signing secrets of all of the connection's registered subscriptions, for providers whose deliveries do not
     * say which subscription sent them (Chatwoot signs with its webhook's secret but sends no webhook id; a handler
     * accepts a delivery when any of these secrets verifies it). Called by handlers on every delivery, from many
     * threads; never logged. The default, for cores that do not offer it, is an empty list.
     *
     * <pre>{@code
     * boolean valid = secrets.subscriptionSecrets().stream().anyMatch(secret -> verify(secret, request));
     * }</pre>
     */
    default List<String> subscriptionSecrets() {
        return List.of();
    }
}
