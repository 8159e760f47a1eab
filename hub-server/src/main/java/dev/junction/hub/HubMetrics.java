package dev.junction.hub;

import dev.junction.core.EntityFreshness;
import dev.junction.core.Hub;
import dev.junction.core.HubObserver;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * hub-server's meters and {@code GET /metrics}: a Prometheus registry with the library's events (through
 * {@link MicrometerObserver}), JVM and process meters, a timer per API request by route template and status, and
 * {@code junction_data_freshness_seconds}, computed from the store on each scrape.
 *
 * <p>{@code /metrics} needs no key unless {@code metrics.key} is set; then it takes {@code Authorization: Bearer
 * <metrics.key>} (neither the admin key nor a tenant key, so a scraper's credential reads nothing else). Thread-safe.
 */
final class HubMetrics implements AutoCloseable {

    /** The Prometheus text exposition format. */
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    /** Label values for the request method; a client's made-up method is {@code OTHER}, so it cannot add series. */
    private static final java.util.Set<String> METHODS = java.util.Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final MicrometerObserver observer = new MicrometerObserver(registry);
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private final byte[] key;
    private final Clock clock;
    private volatile Supplier<List<EntityFreshness>> freshnessSource = List::of;
    private final MultiGauge freshness;
    private final java.util.concurrent.ConcurrentHashMap<String, Timer> timers = new java.util.concurrent.ConcurrentHashMap<>();

    HubMetrics(Optional<String> key, Clock clock) {
        this.key = key.map(value -> value.getBytes(StandardCharsets.UTF_8)).orElse(null);
        this.clock = clock;
        new ClassLoaderMetrics().bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        this.freshness = MultiGauge.builder("junction.data.freshness").baseUnit("seconds")
                .description("Seconds since the data a completed pass guarantees, per connection and entity")
                .register(registry);
    }

    /** What the hub reports; give it to {@code HubBuilder.withObserver}. */
    HubObserver observer() {
        return observer;
    }

    /** Where the freshness gauge reads from once the hub is built. */
    void readFreshnessFrom(Hub hub) {
        this.freshnessSource = hub::dataFreshness;
    }

    /** One API request answered; {@code route} is its template ({@code /v1/syncs/{runId}}), never the raw path. */
    void request(String method, String route, int status, long nanos) {
        String label = METHODS.contains(method) ? method : "OTHER";
        // One timer per (method, route template, status), all bounded sets: looked up once, not built per request.
        timers.computeIfAbsent(label + " " + route + " " + status, key -> Timer.builder("http.server.requests")
                        .description("hub-server API requests, by route template and status")
                        .tags("method", label, "uri", route, "status", Integer.toString(status),
                                "outcome", status >= 500 ? "SERVER_ERROR" : status >= 400 ? "CLIENT_ERROR" : "SUCCESS")
                        .register(registry))
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    /** The {@code GET /metrics} route: public in the route table, checking {@code metrics.key} itself when set. */
    Route route() {
        return Route.builder("GET", "/metrics", Route.Access.PUBLIC).withTag("operations")
                .withSummary("Prometheus metrics (text format 0.0.4): syncs, records, provider requests, rate-limit waits, "
                        + "token refreshes, webhook events, data freshness, JVM, process and API request meters. No key unless "
                        + "the server sets metrics.key, then 'Authorization: Bearer <metrics.key>'")
                .withResponse(200, "text/plain").withResponse(401, "Problem")
                .handledBy(request -> {
                    if (key != null) {
                        String presented = request.headers().getOrDefault("Authorization", List.of()).stream().findFirst().orElse("");
                        if (!presented.regionMatches(true, 0, "Bearer ", 0, 7)
                                || !MessageDigest.isEqual(presented.substring(7).trim().getBytes(StandardCharsets.UTF_8), key)) {
                            throw ApiException.unauthorized("send the metrics key as 'Authorization: Bearer <metrics.key>'");
                        }
                    }
                    return ApiResponse.raw(200, CONTENT_TYPE, scrape().getBytes(StandardCharsets.UTF_8));
                });
    }

    /** Refreshes the freshness gauge from the store, then writes every meter in the Prometheus text format. */
    String scrape() {
        long now = clock.millis();
        freshness.register(freshnessSource.get().stream()
                .map(entity -> MultiGauge.Row.of(Tags.of("tenant", entity.tenantId(), "connection", entity.connectionId(),
                        "provider", entity.providerId(), "entity", entity.entity()),
                        Math.max(0, now - entity.syncedUpTo().toEpochMilli()) / 1000.0))
                .toList(), true);
        return registry.scrape();
    }

    PrometheusMeterRegistry registry() {
        return registry;
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }
}
