package dev.junction.core.spi;

import java.time.Instant;
import java.util.Objects;

/**
 * A webhook registered at the provider for one connection.
 *
 * @param id the provider's id for the subscription
 * @param entity the entity it watches
 * @param secret the signing secret, or null when the provider gives it later (handshake)
 * @param expiresAt when the provider stops delivering, or null when it never expires
 * @param status the provider's status ({@code pending}, {@code enabled}, ...)
 */
public record WebhookSubscription(String id, String entity, String secret, Instant expiresAt, String status) {

    public WebhookSubscription {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(entity, "entity");
    }

    public WebhookSubscription withSecret(String value) {
        return new WebhookSubscription(id, entity, value, expiresAt, status);
    }

    public WebhookSubscription withStatus(String value) {
        return new WebhookSubscription(id, entity, secret, expiresAt, value);
    }

    @Override
    public String toString() {
        return "WebhookSubscription[id=" + id + ", entity=" + entity + ", secret=" + (secret == null ? "none" : "***")
                + ", expiresAt=" + expiresAt + ", status=" + status + "]";
    }
}
