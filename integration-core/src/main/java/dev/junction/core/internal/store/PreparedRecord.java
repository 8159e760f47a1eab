package dev.junction.core.internal.store;

import java.time.Instant;

/**
 * A record ready to store: the raw payload serialised once, its hash, and the unified row when the transformer
 * produced one ({@code unifiedType} null otherwise).
 */
public record PreparedRecord(String externalId, String payload, String contentHash, Instant remoteUpdatedAt,
        boolean deleted, String unifiedType, String label, String email, String status, String unifiedData) {

    public boolean hasUnified() {
        return unifiedType != null;
    }
}
