package dev.junction.hub;

import dev.junction.core.HubObserver;
import dev.junction.core.SyncStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Locale;

/**
 * The library's {@link HubObserver} as Micrometer meters. Names are Micrometer's dotted names; the Prometheus
 * registry writes them with underscores and unit suffixes ({@code junction.syncs} → {@code junction_syncs_total},
 * {@code junction.provider.requests} → {@code junction_provider_requests_seconds_*}).
 *
 * <p>Labels are only bounded values: provider ids, entity names, outcomes, HTTP methods and statuses; never run,
 * record, tenant or connection ids (only the freshness gauge, in {@link HubMetrics}, carries tenant and connection).
 * Meters are created on first use and cached by the registry. Thread-safe.
 */
final class MicrometerObserver implements HubObserver {

    /**
     * The request latency histogram's buckets: a fixed, short list (rather than Micrometer's ~70 percentile buckets) keeps
     * the series per (provider, method, status) few, and histogram_quantile() still gives p50/p95/p99 across instances.
     */
    private static final Duration[] REQUEST_BUCKETS = {Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100),
            Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5),
            Duration.ofSeconds(10), Duration.ofSeconds(30)};

    private final MeterRegistry registry;
    private final java.util.concurrent.ConcurrentHashMap<String, Counter> webhookCounters = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.concurrent.ConcurrentHashMap<String, Timer> pageTimers = new java.util.concurrent.ConcurrentHashMap<>();

    MicrometerObserver(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void syncFinished(String providerId, String entity, SyncStatus outcome, Duration duration) {
        String status = lower(outcome.name());
        Counter.builder("junction.syncs").description("Entity syncs finished, by outcome")
                .tags("provider", providerId, "entity", entity, "outcome", status).register(registry).increment();
        Timer.builder("junction.sync.duration").description("How long an entity's sync took")
                .tags("provider", providerId, "entity", entity, "outcome", status).register(registry).record(duration);
    }

    @Override
    public void syncRunFinished(String providerId, SyncStatus outcome, Duration duration) {
        Counter.builder("junction.sync.runs").description("Sync runs finished, by outcome")
                .tags("provider", providerId, "outcome", lower(outcome.name())).register(registry).increment();
    }

    @Override
    public void recordsWritten(String providerId, String entity, long created, long updated, long unchanged, long deleted,
            long failed) {
        records(providerId, entity, "created", created);
        records(providerId, entity, "updated", updated);
        records(providerId, entity, "unchanged", unchanged);
        records(providerId, entity, "deleted", deleted);
        records(providerId, entity, "failed", failed);
    }

    private void records(String providerId, String entity, String operation, long count) {
        Counter counter = Counter.builder("junction.records").description("Records written by syncs, by operation")
                .tags("provider", providerId, "entity", entity, "operation", operation).register(registry);
        if (count > 0) {
            counter.increment(count);
        }
    }

    @Override
    public void pageWritten(String providerId, String entity, Duration fetch, Duration prepare, Duration waited, Duration write) {
        pageStage(providerId, entity, "fetch", fetch);
        pageStage(providerId, entity, "prepare", prepare);
        pageStage(providerId, entity, "wait", waited);
        pageStage(providerId, entity, "write", write);
    }

    /** Called four times a sync page: each timer per (provider, entity, stage) is looked up once, not built each time. */
    private void pageStage(String providerId, String entity, String stage, Duration duration) {
        pageTimers.computeIfAbsent(providerId + " " + entity + " " + stage, key -> Timer.builder("junction.sync.page")
                .description("Where a sync page's time went: fetch (request and parse), prepare (transform, serialise, hash), "
                        + "wait (the writer waiting for the page), write (its transaction)")
                .tags("provider", providerId, "entity", entity, "stage", stage).register(registry)).record(duration);
    }

    @Override
    public void providerRequest(String providerId, String method, int status, String exception, Duration latency) {
        Timer.builder("junction.provider.requests").description("Requests to provider APIs, by status (or I/O failure)")
                .tags("provider", providerId, "method", method, "status", exception != null ? exception : Integer.toString(status))
                .serviceLevelObjectives(REQUEST_BUCKETS)
                .register(registry).record(latency);
    }

    @Override
    public void rateLimitWaited(String providerId, Duration waited) {
        Timer.builder("junction.rate.limit.wait").description("Time provider calls waited for rate-limit budget")
                .tags("provider", providerId).register(registry).record(waited);
    }

    @Override
    public void tokenRefreshed(String providerId, TokenRefreshOutcome outcome) {
        Counter.builder("junction.token.refreshes").description("OAuth token refreshes, by outcome")
                .tags("provider", providerId, "outcome", lower(outcome.name())).register(registry).increment();
    }

    @Override
    public void webhookEvent(String providerId, WebhookEventOutcome outcome) {
        // Called for every webhook event: the counter per (provider, outcome) is looked up once, not built each time.
        webhookCounters.computeIfAbsent(providerId + " " + outcome.name(), key -> Counter.builder("junction.webhook.events")
                .description("Webhook events received and processed, by outcome")
                .tags("provider", providerId, "outcome", lower(outcome.name())).register(registry)).increment();
    }

    private static String lower(String value) {
        return value.toLowerCase(Locale.ROOT);
    }
}
