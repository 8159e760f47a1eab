package dev.junction.core;

/**
 * What one round of {@link Hub#maintainWebhooks()} did.
 *
 * @param renewed subscriptions whose expiry was extended at the provider
 * @param activated pending subscriptions activated with the secret their handshake carried
 * @param failed subscriptions the provider refused or could not be reached for (retried next round)
 */
public record WebhookMaintenance(int renewed, int activated, int failed) {}
