package dev.junction.core;

import java.time.Instant;

/**
 * One verified incoming webhook event in a connection's inbox.
 *
 * @param status {@code pending} (waiting or between attempts), {@code processing}, {@code processed} or {@code dead}
 *     (gave up; see {@code lastError}, replay with {@link Hub#replayWebhook})
 * @param kind {@code UPSERT}, {@code REFETCH} or {@code DELETE}
 */
public record WebhookInboxEntry(long id, String connectionId, String entity, String externalId, String kind, String status,
        int attempts, String lastError, Instant receivedAt, Instant processedAt) {}
