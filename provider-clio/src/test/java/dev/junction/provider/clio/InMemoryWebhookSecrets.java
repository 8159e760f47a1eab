package dev.junction.provider.clio;

import dev.junction.core.spi.WebhookOutcome;
import dev.junction.core.spi.WebhookSecrets;
import dev.junction.core.spi.WebhookSubscription;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** What core would keep for one connection's webhooks, in memory. Thread-safe: receivers call it from their threads. */
final class InMemoryWebhookSecrets implements WebhookSecrets {

    private final Map<String, String> secrets = new ConcurrentHashMap<>();
    private final Map<String, String> entities = new ConcurrentHashMap<>();
    private volatile boolean handshakeExpected;

    InMemoryWebhookSecrets expectHandshake(boolean value) {
        handshakeExpected = value;
        return this;
    }

    /** Adds a subscription with its secret and entity (either may be null). */
    InMemoryWebhookSecrets with(String subscriptionId, String secret, String entity) {
        if (secret != null) {
            secrets.put(subscriptionId, secret);
        }
        if (entity != null) {
            entities.put(subscriptionId, entity);
        }
        return this;
    }

    /** Stores what subscribe() returned, as core would. */
    void register(WebhookSubscription subscription) {
        with(subscription.id(), subscription.secret(), subscription.entity());
    }

    /** Stores a handshake's secret, as core would. */
    void record(WebhookOutcome.Handshake handshake) {
        secrets.put(handshake.subscriptionId(), handshake.secret());
    }

    @Override
    public Optional<String> forSubscription(String subscriptionId) {
        return Optional.ofNullable(secrets.get(subscriptionId));
    }

    @Override
    public Optional<String> connectionSecret() {
        return Optional.empty();
    }

    @Override
    public boolean handshakeExpected() {
        return handshakeExpected;
    }

    @Override
    public Optional<String> entityForSubscription(String subscriptionId) {
        return Optional.ofNullable(entities.get(subscriptionId));
    }
}
