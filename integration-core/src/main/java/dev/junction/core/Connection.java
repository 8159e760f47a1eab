package dev.junction.core;

import java.time.Instant;
import java.util.Map;

/**
 * A tenant's link to one provider account. Holds only non-secret settings; secrets and tokens stay encrypted in
 * the store and never appear here.
 *
 * @param webhookToken the unguessable token in this connection's webhook URL
 */
public record Connection(String id, String tenantId, String providerId, String displayName, ConnectionStatus status,
        Map<String, String> settings, String webhookToken, String lastError, Instant createdAt, Instant updatedAt) {

    public Connection {
        settings = Map.copyOf(settings);
    }
}
