package dev.junction.core;

import java.time.Duration;

/**
 * Hears what a {@link Hub} does, for metrics: finished syncs, records written, provider API calls, rate-limit waits,
 * token refreshes and webhook events. Register one with {@link HubBuilder#withObserver(HubObserver)}; hub-server maps
 * it to Micrometer meters, and core itself depends on no metrics library.
 *
 * <p>Every method has a no-op default, so an implementation overrides only what it needs. The hub calls them on its
 * own threads (sync workers, the webhook worker, the caller's thread for HTTP calls and webhook receipt), often
 * concurrently, so implementations must be thread-safe and quick: they run inline. An observer that throws never
 * breaks the operation it observes; the hub logs its first failure and goes on.
 *
 * <p>Arguments carry no secrets and no unbounded identifiers (no run ids, record ids or URLs), so each can be a
 * metric label as it is.
 *
 * <pre>{@code
 * Hub hub = Hub.builder()
 *     .withObserver(new HubObserver() {
 *         @Override
 *         public void syncFinished(String providerId, String entity, SyncStatus outcome, Duration duration) {
 *             syncs.labels(providerId, entity, outcome.name()).inc();
 *         }
 *     })
 *     ...
 * }</pre>
 */
public interface HubObserver {

    /** Observes nothing. */
    HubObserver NONE = new HubObserver() {
    };

    /**
     * One entity of a sync run finished: {@code SUCCEEDED}, {@code FAILED}, {@code CANCELLED} or {@code SKIPPED}
     * (another run held its lease).
     */
    default void syncFinished(String providerId, String entity, SyncStatus outcome, Duration duration) {
    }

    /** A whole sync run finished: {@code SUCCEEDED}, {@code PARTIAL}, {@code FAILED} or {@code CANCELLED}. */
    default void syncRunFinished(String providerId, SyncStatus outcome, Duration duration) {
    }

    /**
     * A sync page (or a chunk of a deletion sweep) was committed: how many of its records were created, updated,
     * unchanged, deleted, or failed (dead-lettered).
     */
    default void recordsWritten(String providerId, String entity, long created, long updated, long unchanged, long deleted,
            long failed) {
    }

    /**
     * A sync page was committed, and where its time went. Pages are fetched and prepared on a helper thread while the
     * page before is written, so the stages overlap; which one bounds a sync shows in {@code waited}: near zero, the
     * writes do (the database); near {@code fetch + prepare}, the provider and the preparation do.
     *
     * @param fetch the provider's request (its retries and rate-limit waits included) and the page's parse
     * @param prepare turning the page's records into rows: transform, serialise, hash
     * @param waited how long the writer waited for this page after writing the one before
     * @param write the page's transaction, commit included (and its second attempt, when the first conflicted)
     */
    default void pageWritten(String providerId, String entity, Duration fetch, Duration prepare, Duration waited,
            Duration write) {
    }

    /**
     * One HTTP request to a provider's API returned or failed. Each attempt counts (retries, the resend after a 429
     * or a refreshed 401).
     *
     * @param status the HTTP status, or {@code 0} when no response arrived
     * @param exception the simple class name of the I/O failure ({@code SocketTimeoutException}) when no response
     *     arrived, otherwise null
     * @param latency from sending the request to reading the whole response (or the failure)
     */
    default void providerRequest(String providerId, String method, int status, String exception, Duration latency) {
    }

    /** A provider call waited this long for the connection's rate-limit budget (or a 429 pause) before it was sent. */
    default void rateLimitWaited(String providerId, Duration waited) {
    }

    /** An OAuth access token refresh ended. */
    default void tokenRefreshed(String providerId, TokenRefreshOutcome outcome) {
    }

    /** A webhook event was received or processed; see {@link WebhookEventOutcome}. */
    default void webhookEvent(String providerId, WebhookEventOutcome outcome) {
    }

    /** How a token refresh ended. */
    enum TokenRefreshOutcome {
        /** New tokens were stored. */
        REFRESHED,
        /** The provider refused the refresh token (or there was none): the connection needs re-authorisation. */
        NEEDS_REAUTH,
        /** The token endpoint could not be reached or answered unexpectedly; a later call tries again. */
        FAILED
    }

    /** What became of a webhook event. Receipt yields one of the first three, processing one of the last three. */
    enum WebhookEventOutcome {
        /** Verified and stored in the inbox. */
        ACCEPTED,
        /** Verified, but the inbox already held it (a redelivery). */
        DUPLICATE,
        /** The delivery was refused (unknown endpoint, bad signature); providerId is {@code unknown} for an unknown endpoint. */
        REJECTED,
        /** Applied to the store. */
        PROCESSED,
        /** Applying it failed; it will be retried. */
        FAILED,
        /** Applying it failed for the last time (or could not succeed); it is dead until replayed. */
        DEAD
    }
}
