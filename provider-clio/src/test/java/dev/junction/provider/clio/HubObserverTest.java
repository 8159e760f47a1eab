package dev.junction.provider.clio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.junction.core.Connection;
import dev.junction.core.EntityFreshness;
import dev.junction.core.Hub;
import dev.junction.core.HubObserver;
import dev.junction.core.HubObserver.TokenRefreshOutcome;
import dev.junction.core.HubObserver.WebhookEventOutcome;
import dev.junction.core.SyncRequest;
import dev.junction.core.SyncRun;
import dev.junction.core.SyncStatus;
import dev.junction.core.crypto.SecretCipher;
import dev.junction.core.error.ErrorKind;
import dev.junction.core.error.JunctionException;
import dev.junction.core.spi.RateLimitPolicy;
import dev.junction.core.spi.WebhookRequest;
import dev.junction.provider.clio.sandbox.ClioEntity;
import dev.junction.provider.clio.sandbox.ClioSandbox;
import dev.junction.sandbox.MutableClock;
import dev.junction.testkit.TestDatabase;
import dev.junction.testkit.WebhookTestReceiver;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.MDC;

/**
 * The {@link HubObserver} hook against ClioSandbox through the public Hub: what a sync, a token refresh, rate-limit
 * waits and webhooks report (and the log ids set while they run), the freshness the store reports, and that an
 * observer that throws breaks nothing. Waits advance a shared clock instead of sleeping.
 */
class HubObserverTest {

    private static final String TENANT = "observed-firm";

    private final MutableClock clock = MutableClock.at(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    private ClioSandbox sandbox;
    private TestDatabase database;
    private Hub hub;
    private WebhookTestReceiver receiver;
    private Connection connection;

    /** Everything the hub reported, with the log ids that were set on the reporting thread. */
    record Event(String what, String provider, String detail, long count, String tenantId, String connectionId, String runId) {}

    static final class RecordingObserver implements HubObserver {
        final List<Event> events = new CopyOnWriteArrayList<>();

        private void add(String what, String provider, String detail, long count) {
            events.add(new Event(what, provider, detail, count, MDC.get("tenant_id"), MDC.get("connection_id"), MDC.get("run_id")));
        }

        @Override
        public void syncFinished(String providerId, String entity, SyncStatus outcome, Duration duration) {
            add("sync", providerId, entity + ":" + outcome, duration.toMillis());
        }

        @Override
        public void syncRunFinished(String providerId, SyncStatus outcome, Duration duration) {
            add("run", providerId, outcome.name(), duration.toMillis());
        }

        @Override
        public void recordsWritten(String providerId, String entity, long created, long updated, long unchanged, long deleted, long failed) {
            add("records", providerId, entity + ":created", created);
            add("records", providerId, entity + ":unchanged", unchanged);
        }

        final List<Duration[]> pageStages = new CopyOnWriteArrayList<>();

        @Override
        public void pageWritten(String providerId, String entity, Duration fetch, Duration prepare, Duration waited, Duration write) {
            add("page", providerId, entity, 1);
            pageStages.add(new Duration[] {fetch, prepare, waited, write});
        }

        @Override
        public void providerRequest(String providerId, String method, int status, String exception, Duration latency) {
            add("request", providerId, method + " " + (exception == null ? String.valueOf(status) : exception), latency.toNanos());
        }

        @Override
        public void rateLimitWaited(String providerId, Duration waited) {
            add("wait", providerId, "", waited.toMillis());
        }

        @Override
        public void tokenRefreshed(String providerId, TokenRefreshOutcome outcome) {
            add("refresh", providerId, outcome.name(), 1);
        }

        @Override
        public void webhookEvent(String providerId, WebhookEventOutcome outcome) {
            add("webhook", providerId, outcome.name(), 1);
        }

        List<Event> of(String what) {
            return events.stream().filter(event -> event.what().equals(what)).toList();
        }

        long sum(String what, String detail) {
            return of(what).stream().filter(event -> event.detail().equals(detail)).mapToLong(Event::count).sum();
        }
    }

    void start(TestDatabase.Kind kind, HubObserver observer) {
        sandbox = ClioSandbox.builder().withClock(clock)
                .withRecordCount(ClioEntity.CONTACTS, 20).withRecordCount(ClioEntity.MATTERS, 8)
                .withTokenLifetime(Duration.ofHours(1))
                .withOAuthClient(ClioConformanceTest.ClioConformanceSandbox.CLIENT_ID,
                        ClioConformanceTest.ClioConformanceSandbox.CLIENT_SECRET,
                        ClioConformanceTest.ClioConformanceSandbox.REDIRECT_URI)
                .start();
        ClioConformanceTest.ClioConformanceSandbox driver = new ClioConformanceTest.ClioConformanceSandbox(sandbox);
        database = TestDatabase.create(kind, "HubObserverTest");
        hub = database.configure(Hub.builder())
                .withEncryptionKey("k1", SecretCipher.generateKey())
                .withClock(clock)
                .withSleeper(clock::advance) // rate-limit waits move the shared clock instead of sleeping
                .withBackgroundInterval(Duration.ZERO)
                .withPageSize(5)
                .withRateLimit(ClioProvider.ID, RateLimitPolicy.of(2, Duration.ofSeconds(1)))
                .withObserver(observer)
                .withProvider(new ClioProvider(), driver.providerSettings())
                .build();
        receiver = WebhookTestReceiver.start(hub, clock);
        connection = driver.connect(hub, TENANT);
    }

    @AfterEach
    void stop() {
        if (receiver != null) receiver.close();
        if (hub != null) hub.close();
        if (database != null) database.close();
        if (sandbox != null) sandbox.close();
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void syncsRequestsWaitsRefreshesAndWebhooksAreReportedWithTheirLogIds(TestDatabase.Kind kind) throws Exception {
        RecordingObserver observer = new RecordingObserver();
        start(kind, observer);
        Instant runStart = clock.instant();

        SyncRun run = hub.sync(TENANT, connection.id(), SyncRequest.full().only("contacts", "matters"));

        assertThat(run.status()).isEqualTo(SyncStatus.SUCCEEDED);
        assertThat(observer.of("sync")).extracting(Event::provider, Event::detail)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("clio", "contacts:SUCCEEDED"),
                        org.assertj.core.groups.Tuple.tuple("clio", "matters:SUCCEEDED"));
        assertThat(observer.of("sync")).allSatisfy(event -> {
            assertThat(event.runId()).as("run id in the log context").isEqualTo(run.id());
            assertThat(event.tenantId()).isEqualTo(TENANT);
            assertThat(event.connectionId()).isEqualTo(connection.id());
        });
        awaitTrue("the run's own report", () -> !observer.of("run").isEmpty());
        assertThat(observer.of("run")).extracting(Event::detail).containsExactly("SUCCEEDED");
        assertThat(observer.sum("records", "contacts:created")).isEqualTo(20);
        assertThat(observer.sum("records", "matters:created")).isEqualTo(8);
        assertThat(observer.of("records").stream().filter(event -> event.detail().equals("contacts:created")).count())
                .as("one report per page of 5").isEqualTo(4);
        assertThat(observer.of("page")).extracting(Event::detail).as("each page's stages, once a page")
                .containsOnly("contacts", "matters").hasSize(4 + 2);
        assertThat(observer.of("page")).allSatisfy(event -> assertThat(event.runId()).isEqualTo(run.id()));
        assertThat(observer.pageStages).allSatisfy(stages -> {
            assertThat(stages[0]).as("fetch: a real HTTP request").isPositive();
            assertThat(stages[1]).as("prepare").isPositive();
            assertThat(stages[2].isNegative()).as("waited").isFalse();
            assertThat(stages[3]).as("write: a real transaction").isPositive();
        });
        assertThat(observer.of("request")).extracting(Event::detail).contains("GET 200");
        assertThat(observer.of("request")).allSatisfy(event -> assertThat(event.provider()).isEqualTo("clio"));
        assertThat(observer.of("wait")).as("2 requests a second: the later pages waited").isNotEmpty();
        assertThat(observer.of("wait")).allSatisfy(event -> assertThat(event.count()).isPositive());

        List<EntityFreshness> freshness = hub.dataFreshness();
        assertThat(freshness).extracting(EntityFreshness::entity).containsExactlyInAnyOrder("contacts", "matters");
        assertThat(freshness).allSatisfy(entity -> {
            assertThat(entity.tenantId()).isEqualTo(TENANT);
            assertThat(entity.connectionId()).isEqualTo(connection.id());
            assertThat(entity.providerId()).isEqualTo("clio");
            assertThat(entity.syncedUpTo()).isBetween(runStart, clock.instant());
        });

        // 58 minutes on, the one-hour token is inside the refresh-ahead window
        clock.advance(Duration.ofMinutes(58));
        assertThat(hub.sync(TENANT, connection.id(), SyncRequest.incremental().only("contacts")).status()).isEqualTo(SyncStatus.SUCCEEDED);
        assertThat(observer.of("refresh")).extracting(Event::provider, Event::detail)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("clio", "REFRESHED"));
        assertThat(hub.dataFreshness()).filteredOn(entity -> entity.entity().equals("contacts"))
                .allSatisfy(entity -> assertThat(entity.syncedUpTo()).isAfter(runStart.plus(Duration.ofMinutes(57))));

        // a webhook: registered with Clio's handshake, delivered over HTTP, then applied
        hub.enableWebhooks(TENANT, connection.id(), receiver.baseUrl());
        awaitTrue("Clio enabled the webhooks", () -> sandbox.liveIds(ClioEntity.WEBHOOKS).stream()
                .allMatch(id -> sandbox.record(ClioEntity.WEBHOOKS, id).orElseThrow().body().get("status").asText().equals("enabled")));
        long contactId = sandbox.liveIds(ClioEntity.CONTACTS).iterator().next();
        sandbox.updateRecord(ClioEntity.CONTACTS, contactId, JsonNodeFactory.instance.objectNode().put("first_name", "Observed"));
        awaitTrue("the delivery was accepted", () -> observer.sum("webhook", "ACCEPTED") > 0);
        awaitTrue("the event was applied", () -> {
            hub.processWebhooks();
            return observer.sum("webhook", "PROCESSED") > 0;
        });
        assertThat(observer.of("webhook")).filteredOn(event -> event.detail().equals("PROCESSED")).allSatisfy(event -> {
            assertThat(event.provider()).isEqualTo("clio");
            assertThat(event.tenantId()).isEqualTo(TENANT);
            assertThat(event.connectionId()).isEqualTo(connection.id());
        });

        assertThatThrownBy(() -> hub.receiveWebhook("no-such-token", new WebhookRequest(Map.of(),
                "{}".getBytes(StandardCharsets.UTF_8), clock.instant())))
                .isInstanceOf(JunctionException.class).extracting("kind").isEqualTo(ErrorKind.WEBHOOK_REJECTED);
        assertThat(observer.of("webhook")).extracting(Event::provider, Event::detail)
                .contains(org.assertj.core.groups.Tuple.tuple("unknown", "REJECTED"));
        assertThat(MDC.get("tenant_id")).as("nothing left in the caller's log context").isNull();
    }

    @ParameterizedTest
    @EnumSource(value = TestDatabase.Kind.class, names = "EMBEDDED")
    void anObserverThatThrowsBreaksNothing(TestDatabase.Kind kind) throws Exception {
        start(kind, new HubObserver() {
            @Override
            public void syncFinished(String providerId, String entity, SyncStatus outcome, Duration duration) {
                throw new IllegalStateException("observer bug");
            }

            @Override
            public void recordsWritten(String providerId, String entity, long created, long updated, long unchanged, long deleted, long failed) {
                throw new IllegalStateException("observer bug");
            }

            @Override
            public void pageWritten(String providerId, String entity, Duration fetch, Duration prepare, Duration waited, Duration write) {
                throw new IllegalStateException("observer bug");
            }

            @Override
            public void providerRequest(String providerId, String method, int status, String exception, Duration latency) {
                throw new IllegalStateException("observer bug");
            }

            @Override
            public void rateLimitWaited(String providerId, Duration waited) {
                throw new IllegalStateException("observer bug");
            }

            @Override
            public void webhookEvent(String providerId, WebhookEventOutcome outcome) {
                throw new IllegalStateException("observer bug");
            }
        });

        SyncRun run = hub.sync(TENANT, connection.id(), SyncRequest.full().only("contacts", "matters"));

        assertThat(run.status()).isEqualTo(SyncStatus.SUCCEEDED);
        assertThat(hub.liveIds(TENANT, connection.id(), "contacts")).hasSize(20);
        assertThatThrownBy(() -> hub.receiveWebhook("no-such-token", new WebhookRequest(Map.of(),
                "{}".getBytes(StandardCharsets.UTF_8), clock.instant())))
                .isInstanceOf(JunctionException.class).extracting("kind").isEqualTo(ErrorKind.WEBHOOK_REJECTED);
    }

    private static void awaitTrue(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }
}
