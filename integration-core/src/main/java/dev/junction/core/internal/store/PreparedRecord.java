package dev.junction.core.internal.store;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * A record ready to store: the raw payload serialised once, as the UTF-8 bytes it was hashed from (which a {@code COPY}
 * sends as they are), its hash, and the unified row when the transformer produced one ({@code unifiedType} null
 * otherwise), its JSON as UTF-8 bytes.
 */
public record PreparedRecord(String externalId, byte[] payloadUtf8, String contentHash, Instant remoteUpdatedAt,
        boolean deleted, String unifiedType, String label, String email, String status, byte[] unifiedDataUtf8) {

    /** The raw payload as text. */
    public String payload() {
        return new String(payloadUtf8, StandardCharsets.UTF_8);
    }

    public boolean hasUnified() {
        return unifiedType != null;
    }

    /** The unified record's JSON as text, or null when there is none. */
    public String unifiedData() {
        return unifiedDataUtf8 == null ? null : new String(unifiedDataUtf8, StandardCharsets.UTF_8);
    }
}
