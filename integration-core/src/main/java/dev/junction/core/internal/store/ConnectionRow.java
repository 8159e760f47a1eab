package dev.junction.core.internal.store;

import java.time.Instant;

/** A row of {@code junction_connection}, secrets still encrypted. */
public record ConnectionRow(String id, String tenantId, String providerId, String displayName, String status,
        String settingsJson, String encryptedSecretSettings, String encryptedCredentials, Instant accessExpiresAt,
        String webhookToken, String lastError, Instant createdAt, Instant updatedAt) {

    @Override
    public String toString() {
        return "ConnectionRow[id=" + id + ", tenant=" + tenantId + ", provider=" + providerId + ", status=" + status + "]";
    }
}
