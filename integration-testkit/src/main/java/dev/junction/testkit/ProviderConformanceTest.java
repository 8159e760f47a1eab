package dev.junction.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.junction.core.ChangeEvent;
import dev.junction.core.Connection;
import dev.junction.core.ConnectionStatus;
import dev.junction.core.EntitySyncStats;
import dev.junction.core.Hub;
import dev.junction.core.HubBuilder;
import dev.junction.core.RawRecord;
import dev.junction.core.SyncHandle;
import dev.junction.core.SyncRequest;
import dev.junction.core.SyncRun;
import dev.junction.core.SyncStatus;
import dev.junction.core.WebhookInboxEntry;
import dev.junction.core.crypto.SecretCipher;
import dev.junction.core.error.ErrorKind;
import dev.junction.core.error.JunctionException;
import dev.junction.core.http.RetrySettings;
import dev.junction.core.spi.Capability;
import dev.junction.core.spi.EntityType;
import dev.junction.core.spi.Provider;
import dev.junction.core.spi.RateLimitPolicy;
import dev.junction.core.spi.Setting;
import dev.junction.core.spi.WebhookRequest;
import dev.junction.sandbox.Fault;
import java.nio.charset.StandardCharsets;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.ServiceLoader;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The conformance kit: what every provider must do against its sandbox, on PostgreSQL and on the embedded database.
 * A provider's test extends this class and implements {@link #startSandbox}; every check runs through the public
 * {@link Hub} API, real HTTP and a real database.
 *
 * <p>Checks: discovery by id; secret settings declared and encrypted at rest; a full sync lands exactly the
 * sandbox's records; a re-run changes nothing; incremental sync picks up creates and updates (deletions through the
 * provider's signals, webhooks or the next full pass); a sync that dies mid-run resumes with nothing lost or
 * duplicated; proactive rate limiting close to the allowed rate without a 429 storm; retries on 5xx and timeouts;
 * 401 marks the connection as needing re-authorisation; a malformed record is dead-lettered without failing its
 * page; webhooks valid / tampered / replayed; undeclared capabilities fail with the standard error.
 */
public abstract class ProviderConformanceTest {

    protected static final String TENANT = "conformance-tenant";

    private final List<AutoCloseable> resources = new ArrayList<>();

    /** Starts the provider's sandbox for one test. The kit closes it. */
    protected abstract ConformanceSandbox startSandbox(ConformanceSandbox.Spec spec);

    /** The sandbox size most checks use; small enough to keep the suite fast, several pages at the kit's page size. */
    protected int defaultRecordCount() {
        return 120;
    }

    /** A running test: its sandbox, database, hub and connection. */
    protected final class Fixture {
        public final ConformanceSandbox sandbox;
        public final TestDatabase database;
        public final Hub hub;
        public final Connection connection;
        final Provider provider;
        final String key;

        Fixture(ConformanceSandbox sandbox, TestDatabase database, Hub hub, Connection connection, Provider provider, String key) {
            this.sandbox = sandbox;
            this.database = database;
            this.hub = hub;
            this.connection = connection;
            this.provider = provider;
            this.key = key;
        }

        String primary() {
            return sandbox.primaryEntity();
        }

        Set<String> stored(String entity) {
            return new HashSet<>(hub.liveIds(TENANT, connection.id(), entity));
        }

        SyncRun sync(SyncRequest request) {
            return hub.sync(TENANT, connection.id(), request);
        }

        /** A second hub on the same database and key, as a restarted process would have. */
        Hub reopen(UnaryOperator<HubBuilder> customize) {
            Hub reopened = customize.apply(database.configure(Hub.builder())
                    .withEncryptionKey("k1", key)
                    .withBackgroundInterval(Duration.ZERO)
                    .withPageSize(pageSize())
                    .withProvider(provider, sandbox.providerSettings())).build();
            resources.add(0, reopened);
            return reopened;
        }
    }

    /** Page size the kit syncs with: small, so that a default sandbox spans several pages. */
    protected int pageSize() {
        return 25;
    }

    protected Fixture start(TestDatabase.Kind kind, ConformanceSandbox.Spec spec) {
        return start(kind, spec, UnaryOperator.identity());
    }

    protected Fixture start(TestDatabase.Kind kind, ConformanceSandbox.Spec spec, UnaryOperator<HubBuilder> customize) {
        ConformanceSandbox sandbox = startSandbox(spec);
        resources.add(sandbox);
        TestDatabase database = TestDatabase.create(kind, getClass().getSimpleName());
        resources.add(database);
        Provider provider = sandbox.provider();
        String key = SecretCipher.generateKey();
        HubBuilder builder = database.configure(Hub.builder())
                .withEncryptionKey("k1", key)
                .withBackgroundInterval(Duration.ZERO)
                .withPageSize(pageSize())
                .withRetry(RetrySettings.defaults())
                .withProvider(provider, sandbox.providerSettings());
        if (!spec.rateLimited()) {
            builder.withRateLimit(provider.id(), RateLimitPolicy.UNLIMITED); // the sandbox is unlimited too
        }
        Hub hub = customize.apply(builder).build();
        resources.add(0, hub);
        Connection connection = sandbox.connect(hub, TENANT);
        assertThat(hub.getConnection(TENANT, connection.id()).status()).as("connection after connect").isEqualTo(ConnectionStatus.ACTIVE);
        return new Fixture(sandbox, database, hub, connection, provider, key);
    }

    @AfterEach
    void closeResources() throws Exception {
        for (AutoCloseable resource : resources) {
            resource.close();
        }
        resources.clear();
    }

    // ---- discovery and settings ---------------------------------------------------------------------------

    @Test
    void isDiscoveredByItsId() {
        try (ConformanceSandbox sandbox = startSandbox(ConformanceSandbox.Spec.records(1))) {
            Provider provider = sandbox.provider();
            List<Provider> found = ServiceLoader.load(Provider.class).stream().map(ServiceLoader.Provider::get)
                    .filter(candidate -> candidate.id().equals(provider.id())).toList();
            assertThat(found).as("providers listed by ServiceLoader with id " + provider.id()).hasSize(1);
            assertThat(found.get(0)).isExactlyInstanceOf(provider.getClass());
            assertThat(HubBuilder.installedProviders()).containsKey(provider.id());
            assertThat(provider.id()).matches("[a-z][a-z0-9_-]*");
            EntityType.checkOrder(provider.id(), provider.entityTypes());
            assertThat(provider.entityTypes()).extracting(EntityType::name).contains(sandbox.primaryEntity());
        }
    }

    @Test
    void declaresItsSecretSettings() {
        try (ConformanceSandbox sandbox = startSandbox(ConformanceSandbox.Spec.records(1))) {
            for (Setting setting : sandbox.provider().settings()) {
                if (setting.name().matches("(?i).*(secret|token|password|api_key|apikey).*")) {
                    assertThat(setting.secret()).as("setting '" + setting.name() + "' looks secret and must be declared so").isTrue();
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void keepsSecretsEncryptedAtRest(TestDatabase.Kind kind) throws Exception {
        Fixture fixture = start(kind, ConformanceSandbox.Spec.records(5));
        Set<String> secretNames = new HashSet<>();
        fixture.provider.settings().stream().filter(Setting::secret).forEach(setting -> secretNames.add(setting.name()));
        assertThat(fixture.connection.settings().keySet()).as("connection settings shown to callers").doesNotContainAnyElementsOf(secretNames);

        fixture.sync(SyncRequest.full().only(fixture.primary()));
        try (java.sql.Connection jdbc = fixture.hub.database().dataSource().getConnection();
                java.sql.Statement statement = jdbc.createStatement();
                ResultSet rows = statement.executeQuery("SELECT settings, secret_settings, credentials FROM junction_connection")) {
            while (rows.next()) {
                for (int column = 2; column <= 3; column++) {
                    String value = rows.getString(column);
                    if (value != null) {
                        assertThat(value).as("stored secret column " + column).startsWith("v1:k1:");
                    }
                }
                assertThat(rows.getString(1)).doesNotContainIgnoringCase("access_token").doesNotContainIgnoringCase("refresh_token");
            }
        }
    }

    // ---- full, re-run, incremental --------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void fullSyncLandsExactlyTheSandboxRecordsAndARerunChangesNothing(TestDatabase.Kind kind) {
        Fixture fixture = start(kind, ConformanceSandbox.Spec.records(defaultRecordCount()));

        SyncRun first = fixture.sync(SyncRequest.full());

        assertThat(first.status()).as("first run " + first).isEqualTo(SyncStatus.SUCCEEDED);
        for (EntityType entity : fixture.provider.entityTypes()) {
            assertThat(fixture.stored(entity.name())).as("stored " + entity.name()).isEqualTo(fixture.sandbox.liveIds(entity.name()));
        }
        assertThat(fixture.stored(fixture.primary())).hasSize(defaultRecordCount());
        assertThat(fixture.hub.deadLetters(TENANT, fixture.connection.id(), 10)).isEmpty();
        long events = countChanges(fixture);

        SyncRun second = fixture.sync(SyncRequest.full());

        assertThat(second.status()).isEqualTo(SyncStatus.SUCCEEDED);
        for (EntitySyncStats stats : second.entities()) {
            assertThat(stats.added() + stats.updated() + stats.deleted()).as("changes in re-run of " + stats.entity()).isZero();
        }
        assertThat(second.entity(fixture.primary()).orElseThrow().unchanged()).isEqualTo(defaultRecordCount());
        assertThat(countChanges(fixture)).as("change events after an unchanged re-run").isEqualTo(events);
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void incrementalSyncPicksUpCreatesUpdatesAndDeletes(TestDatabase.Kind kind) {
        Fixture fixture = start(kind, ConformanceSandbox.Spec.records(defaultRecordCount()));
        String entity = fixture.primary();
        fixture.sync(SyncRequest.full().only(entity));
        List<String> ids = new ArrayList<>(fixture.sandbox.liveIds(entity));
        java.util.Collections.sort(ids);
        String updated = ids.get(3);
        String deleted = ids.get(7);
        String hashBefore = raw(fixture, entity, updated).contentHash();

        String created = fixture.sandbox.create(entity);
        fixture.sandbox.update(entity, updated);
        fixture.sandbox.delete(entity, deleted);
        long requestsBefore = fixture.sandbox.requestCount();
        SyncRun incremental = fixture.sync(SyncRequest.incremental().only(entity));

        assertThat(incremental.status()).isEqualTo(SyncStatus.SUCCEEDED);
        assertThat(fixture.stored(entity)).contains(created, updated);
        assertThat(raw(fixture, entity, updated).contentHash()).as("updated record's stored payload").isNotEqualTo(hashBefore);
        if (fixture.provider.capabilities().contains(Capability.INCREMENTAL_SYNC)) {
            EntitySyncStats stats = incremental.entity(entity).orElseThrow();
            assertThat(stats.added()).isEqualTo(1);
            assertThat(stats.updated()).isEqualTo(1);
            assertThat(stats.unchanged()).as("an incremental pass only reads what changed").isLessThan(defaultRecordCount() / 2);
            assertThat(fixture.sandbox.requestCount() - requestsBefore).as("requests of the incremental pass")
                    .isLessThan(defaultRecordCount() / pageSize());
        }
        if (fixture.provider.capabilities().contains(Capability.DELETION_SIGNALS)) {
            assertThat(fixture.stored(entity)).doesNotContain(deleted);
        } else {
            // Without deletion signals, deletions arrive by webhook (checked below) or the next full pass's sweep.
            SyncRun full = fixture.sync(SyncRequest.full().only(entity));
            assertThat(full.entity(entity).orElseThrow().deleted()).isEqualTo(1);
        }
        assertThat(fixture.stored(entity)).isEqualTo(fixture.sandbox.liveIds(entity));
    }

    // ---- crash and resume -----------------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void aSyncKilledMidRunResumesWithNothingLostOrDuplicated(TestDatabase.Kind kind) throws Exception {
        int count = defaultRecordCount() * 2;
        Fixture fixture = start(kind, ConformanceSandbox.Spec.records(count), builder -> builder.withLeaseDuration(Duration.ofSeconds(1)));
        String entity = fixture.primary();
        // Slow pages, so the kill lands mid-run.
        fixture.sandbox.faults().always().onPath(fixture.sandbox.apiPathPattern()).respondWith(Fault.delay(Duration.ofMillis(150)));

        SyncHandle handle = fixture.hub.startSync(TENANT, fixture.connection.id(), SyncRequest.full().only(entity));
        await(() -> handle.progress().pages() >= 3, Duration.ofSeconds(30), "three pages synced");
        fixture.hub.close(); // the process dies: threads interrupted, pool and database closed mid-page
        fixture.sandbox.faults().clear();

        Thread.sleep(1_100); // let the dead process's lease expire (1 s in this test)
        Hub restarted = fixture.reopen(UnaryOperator.identity());
        Set<String> beforeResume = new HashSet<>(restarted.liveIds(TENANT, fixture.connection.id(), entity));
        assertThat(beforeResume.size()).as("records landed before the kill").isBetween(pageSize(), count - 1);

        SyncRun resumed = restarted.sync(TENANT, fixture.connection.id(), SyncRequest.full().only(entity));

        assertThat(resumed.status()).isEqualTo(SyncStatus.SUCCEEDED);
        assertThat(new HashSet<>(restarted.liveIds(TENANT, fixture.connection.id(), entity))).isEqualTo(fixture.sandbox.liveIds(entity));
        EntitySyncStats stats = resumed.entity(entity).orElseThrow();
        assertThat(stats.added()).as("added by the resumed run").isEqualTo(count - beforeResume.size());
        assertThat(stats.deleted()).isZero();
        List<ChangeEvent> created = allChanges(restarted, fixture).stream().filter(event -> event.operation().equals("created")).toList();
        assertThat(created).as("one 'created' event per record, none twice").hasSize(count);
        assertThat(created.stream().map(ChangeEvent::externalId).distinct().count()).isEqualTo(count);
    }

    // ---- rate limits, retries, errors ---------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void staysWithinTheRateLimitWithoutA429Storm(TestDatabase.Kind kind) {
        int limit = 8;
        Duration window = Duration.ofSeconds(1);
        int records = pageSize() * 20;
        Fixture fixture = start(kind, ConformanceSandbox.Spec.records(records).withRateLimit(limit, window),
                builder -> builder.withRateLimit(sandboxProviderId(), RateLimitPolicy.of(limit, window)));
        long before = fixture.sandbox.requestCount();
        long start = System.nanoTime();

        SyncRun run = fixture.sync(SyncRequest.full().only(fixture.primary()));

        double seconds = (System.nanoTime() - start) / 1e9;
        long requests = fixture.sandbox.requestCount() - before;
        assertThat(run.status()).isEqualTo(SyncStatus.SUCCEEDED);
        assertThat(fixture.stored(fixture.primary())).hasSize(records);
        assertThat(fixture.sandbox.rateLimitedResponses()).as("429 answers").isLessThanOrEqualTo(1);
        assertThat(run.entity(fixture.primary()).orElseThrow().rateLimitWait()).as("time spent waiting for the budget").isPositive();
        double allowed = limit / (double) window.toSeconds();
        assertThat(requests / seconds).as("achieved request rate (allowed " + allowed + "/s)").isLessThanOrEqualTo(allowed * 1.3);
        assertThat(requests / seconds).as("achieved request rate (allowed " + allowed + "/s)").isGreaterThan(allowed * 0.5);
    }

    private String sandboxProviderId() {
        try (ConformanceSandbox sandbox = startSandbox(ConformanceSandbox.Spec.records(1))) {
            return sandbox.provider().id();
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void retriesServerErrorsAndTimeouts(TestDatabase.Kind kind) {
        Fixture fixture = start(kind, ConformanceSandbox.Spec.records(defaultRecordCount()),
                builder -> builder.withHttpTimeout(Duration.ofMillis(700))
                        .withRetry(RetrySettings.defaults().withMaxAttempts(5).withBackoff(Duration.ofMillis(10), Duration.ofMillis(50))));
        fixture.sandbox.faults().next(2).onPath(fixture.sandbox.apiPathPattern()).respondWith(Fault.status(503));
        fixture.sandbox.faults().next(1).onPath(fixture.sandbox.apiPathPattern()).respondWith(Fault.status(500));
        fixture.sandbox.faults().next(1).onPath(fixture.sandbox.apiPathPattern()).respondWith(Fault.delay(Duration.ofMillis(1_500)));

        SyncRun run = fixture.sync(SyncRequest.full().only(fixture.primary()));

        assertThat(run.status()).as(run.toString()).isEqualTo(SyncStatus.SUCCEEDED);
        assertThat(fixture.stored(fixture.primary())).isEqualTo(fixture.sandbox.liveIds(fixture.primary()));
        assertThat(fixture.sandbox.faults().activeRules()).as("every injected fault was hit").isZero();
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void revokedAccessMarksTheConnectionAsNeedingReauthorisation(TestDatabase.Kind kind) {
        Fixture fixture = start(kind, ConformanceSandbox.Spec.records(10));
        fixture.sandbox.revokeAccess();

        SyncRun run = fixture.sync(SyncRequest.full());

        assertThat(run.status()).isEqualTo(SyncStatus.FAILED);
        assertThat(run.error()).containsIgnoringCase("re-authorisation");
        assertThat(fixture.hub.getConnection(TENANT, fixture.connection.id()).status()).isEqualTo(ConnectionStatus.NEEDS_REAUTH);
        assertThatThrownBy(() -> fixture.sync(SyncRequest.full())).isInstanceOf(JunctionException.class)
                .extracting("kind").isEqualTo(ErrorKind.NEEDS_REAUTH);
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void aMalformedRecordIsDeadLetteredAndItsPageStillLands(TestDatabase.Kind kind) {
        Fixture fixture = start(kind, ConformanceSandbox.Spec.records(defaultRecordCount()));
        String entity = fixture.primary();
        List<String> ids = new ArrayList<>(fixture.sandbox.liveIds(entity));
        java.util.Collections.sort(ids);
        String bad = ids.get(5);
        fixture.sandbox.corrupt(entity, bad);

        SyncRun run = fixture.sync(SyncRequest.full().only(entity));

        assertThat(run.status()).isEqualTo(SyncStatus.SUCCEEDED);
        assertThat(run.entity(entity).orElseThrow().failed()).isEqualTo(1);
        Set<String> expected = new HashSet<>(fixture.sandbox.liveIds(entity));
        expected.remove(bad);
        assertThat(fixture.stored(entity)).isEqualTo(expected);
        assertThat(fixture.hub.deadLetters(TENANT, fixture.connection.id(), 10)).singleElement()
                .satisfies(letter -> {
                    assertThat(letter.externalId()).isEqualTo(bad);
                    assertThat(letter.payload()).isNotBlank();
                    assertThat(letter.error()).isNotBlank();
                });
    }

    // ---- webhooks and capabilities --------------------------------------------------------------------------

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void webhooksAreVerifiedAppliedOnceAndTamperingIsRejected(TestDatabase.Kind kind) {
        Fixture fixture = start(kind, ConformanceSandbox.Spec.records(30));
        Set<Capability> capabilities = fixture.provider.capabilities();
        if (!capabilities.contains(Capability.WEBHOOKS)) {
            WebhookRequest any = new WebhookRequest(Map.of(), "{}".getBytes(StandardCharsets.UTF_8), Instant.now());
            assertThatThrownBy(() -> fixture.hub.receiveWebhook(fixture.connection.webhookToken(), any))
                    .isInstanceOf(JunctionException.class).extracting("kind").isEqualTo(ErrorKind.UNSUPPORTED);
            return;
        }
        String entity = fixture.primary();
        fixture.sync(SyncRequest.full().only(entity));
        WebhookTestReceiver receiver = WebhookTestReceiver.start(fixture.hub, Clock.systemUTC());
        resources.add(0, receiver);
        if (capabilities.contains(Capability.WEBHOOK_REGISTRATION)) {
            assertThat(fixture.hub.enableWebhooks(TENANT, fixture.connection.id(), receiver.baseUrl())).isNotEmpty();
            await(() -> fixture.hub.webhookSubscriptions(TENANT, fixture.connection.id()).stream()
                    .allMatch(subscription -> "enabled".equals(subscription.status())), Duration.ofSeconds(10), "subscriptions enabled");
        } else {
            fixture.sandbox.deliverWebhooksTo(fixture.hub, fixture.connection, receiver.baseUrl() + "/" + fixture.connection.webhookToken());
        }
        List<String> ids = new ArrayList<>(fixture.sandbox.liveIds(entity));
        java.util.Collections.sort(ids);
        String updated = ids.get(1);
        String deleted = ids.get(2);
        String hashBefore = raw(fixture, entity, updated).contentHash();

        fixture.sandbox.update(entity, updated);
        awaitProcessed(fixture, updated);
        if (fixture.sandbox.sendsDeleteWebhooks()) {
            fixture.sandbox.delete(entity, deleted);
            awaitProcessed(fixture, deleted);
            assertThat(fixture.stored(entity)).doesNotContain(deleted);
        }

        assertThat(raw(fixture, entity, updated).contentHash()).as("payload after the update webhook").isNotEqualTo(hashBefore);
        assertThat(fixture.stored(entity)).contains(updated);
        assertThat(allChanges(fixture.hub, fixture).stream().filter(event -> event.source().equals("webhook")))
                .extracting(ChangeEvent::externalId).contains(updated);

        WebhookTestReceiver.Received delivery = receiver.received().stream()
                .filter(received -> received.status() == 200 && received.request().body().length > 0)
                .reduce((first, second) -> second).orElseThrow();
        int inboxBefore = fixture.hub.webhookInbox(TENANT, fixture.connection.id(), null, 1000).size();

        assertThat(fixture.hub.receiveWebhook(delivery.token(), delivery.request()).accepted()).as("replayed delivery").isZero();
        byte[] tampered = delivery.request().body().clone();
        tampered[tampered.length / 2] = (byte) (tampered[tampered.length / 2] == 'x' ? 'y' : 'x');
        WebhookRequest tamperedRequest = new WebhookRequest(delivery.request().headers(), tampered, Instant.now());
        WebhookRequest unsigned = new WebhookRequest(Map.of("Content-Type", List.of("application/json")), delivery.request().body(), Instant.now());
        assertThatThrownBy(() -> fixture.hub.receiveWebhook("no-such-endpoint", delivery.request()))
                .isInstanceOf(JunctionException.class).extracting("kind").isEqualTo(ErrorKind.WEBHOOK_REJECTED);
        if (fixture.sandbox.signsWebhooks()) {
            assertThatThrownBy(() -> fixture.hub.receiveWebhook(delivery.token(), tamperedRequest))
                    .isInstanceOf(JunctionException.class).extracting("kind").isEqualTo(ErrorKind.WEBHOOK_REJECTED);
            assertThatThrownBy(() -> fixture.hub.receiveWebhook(delivery.token(), unsigned))
                    .isInstanceOf(JunctionException.class).extracting("kind").isEqualTo(ErrorKind.WEBHOOK_REJECTED);
            assertThat(fixture.hub.webhookInbox(TENANT, fixture.connection.id(), null, 1000)).hasSize(inboxBefore);
        } else {
            // Nothing authenticates an unsigned delivery's content: whatever it says, only a refetch may reach the store.
            String storedBefore = raw(fixture, entity, updated).contentHash();
            try {
                fixture.hub.receiveWebhook(delivery.token(), tamperedRequest);
            } catch (JunctionException rejected) {
                assertThat(rejected.kind()).isIn(ErrorKind.WEBHOOK_REJECTED, ErrorKind.UNEXPECTED_PAYLOAD);
            }
            fixture.hub.processWebhooks();
            assertThat(fixture.hub.webhookInbox(TENANT, fixture.connection.id(), null, 1000))
                    .as("an unsigned provider's events are all refetches").allSatisfy(entry -> assertThat(entry.kind()).isNotEqualTo("UPSERT"));
            assertThat(raw(fixture, entity, updated).contentHash()).as("stored record after a tampered delivery").isEqualTo(storedBefore);
        }

        if (capabilities.contains(Capability.WEBHOOK_REGISTRATION)) {
            assertThat(fixture.hub.disableWebhooks(TENANT, fixture.connection.id())).isPositive();
            assertThat(fixture.hub.webhookSubscriptions(TENANT, fixture.connection.id())).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void undeclaredCapabilitiesFailWithTheStandardError(TestDatabase.Kind kind) {
        Fixture fixture = start(kind, ConformanceSandbox.Spec.records(3));
        Set<Capability> capabilities = fixture.provider.capabilities();
        String id = fixture.connection.id();
        if (!capabilities.contains(Capability.WEBHOOKS)) {
            WebhookRequest any = new WebhookRequest(Map.of(), new byte[0], Instant.now());
            assertUnsupported(() -> fixture.hub.receiveWebhook(fixture.connection.webhookToken(), any));
        }
        if (!capabilities.contains(Capability.WEBHOOK_REGISTRATION)) {
            assertUnsupported(() -> fixture.hub.enableWebhooks(TENANT, id, "https://hooks.example.com"));
        }
        if (!capabilities.contains(Capability.ACTIONS)) {
            assertThat(fixture.provider.actions()).isEmpty();
            assertUnsupported(() -> fixture.hub.runAction(TENANT, id, "anything", JsonNodeFactory.instance.objectNode(), "k"));
        } else {
            assertThat(fixture.provider.actions()).isNotEmpty();
            assertThatThrownBy(() -> fixture.hub.runAction(TENANT, id, "no_such_action", JsonNodeFactory.instance.objectNode(), "k"))
                    .isInstanceOf(JunctionException.class).extracting("kind").isEqualTo(ErrorKind.INVALID_INPUT);
        }
        if (capabilities.contains(Capability.WEBHOOKS)) {
            assertThat(fixture.provider.webhookHandler()).isNotNull();
        }
    }

    private static void assertUnsupported(org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
        assertThatThrownBy(call).isInstanceOf(JunctionException.class).extracting("kind").isEqualTo(ErrorKind.UNSUPPORTED);
    }

    // ---- helpers --------------------------------------------------------------------------------------------

    private void awaitProcessed(Fixture fixture, String externalId) {
        await(() -> {
            fixture.hub.processWebhooks();
            return fixture.hub.webhookInbox(TENANT, fixture.connection.id(), null, 1000).stream()
                    .anyMatch(entry -> entry.externalId().equals(externalId) && entry.status().equals("processed"));
        }, Duration.ofSeconds(10), "webhook for " + externalId + " processed; inbox: "
                + fixture.hub.webhookInbox(TENANT, fixture.connection.id(), null, 20).stream().map(WebhookInboxEntry::toString).toList());
    }

    private static RawRecord raw(Fixture fixture, String entity, String id) {
        return fixture.hub.getRawRecord(TENANT, fixture.connection.id(), entity, id).orElseThrow(() ->
                new AssertionError("no stored " + entity + " " + id));
    }

    private static long countChanges(Fixture fixture) {
        return allChanges(fixture.hub, fixture).size();
    }

    private static List<ChangeEvent> allChanges(Hub hub, Fixture fixture) {
        List<ChangeEvent> all = new ArrayList<>();
        long cursor = 0;
        while (true) {
            var page = hub.changes(TENANT, cursor, fixture.connection.id(), 1000);
            all.addAll(page.events());
            if (page.events().isEmpty()) {
                return all;
            }
            cursor = page.nextCursor();
        }
    }

    /** Polls {@code condition} every 20 ms until it holds or {@code timeout} passes (real time, short waits only). */
    protected static void await(BooleanSupplier condition, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for: " + what);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for: " + what);
            }
        }
    }
}
