package dev.junction.core;

import java.time.Instant;

/** A provider's record exactly as received ({@code payload} is its JSON text). */
public record RawRecord(String connectionId, String entity, String externalId, String payload, String contentHash,
        Instant remoteUpdatedAt, boolean deleted, Instant updatedAt) {}
