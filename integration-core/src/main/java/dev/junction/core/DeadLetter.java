package dev.junction.core;

import java.time.Instant;

/** A record Junction could not process, kept with its error and payload for inspection and replay. */
public record DeadLetter(long id, String connectionId, String entity, String externalId, String runId, String source,
        String error, String payload, Instant createdAt) {}
