package dev.junction.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.core.Connection;
import dev.junction.core.Hub;
import dev.junction.core.NewConnection;
import dev.junction.core.WebhookInboxEntry;
import dev.junction.core.WebhookResponse;
import dev.junction.core.spi.WebhookRequest;
import dev.junction.sandbox.MutableClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Receipt before application: while webhooks are being received concurrently, the inbox worker waits before it
 * claims entries (so a burst is answered at full speed), and never longer than its deferral.
 *
 * <p>Two receipts are held in progress by the group-commit writer's linger (one second); an entry that is due
 * meanwhile shows whether the worker applied it during the receipts or after them.
 */
class WebhookApplyDeferralTest {

    private static final String TENANT = "tenant-d";
    private static final String SECRET = "whsec-deferral-value";
    private static final Duration LINGER = Duration.ofSeconds(1);

    private MutableClock clock;
    private MemoryProvider provider;
    private TestDatabase database;
    private Hub hub;
    private Connection connection;
    private ExecutorService posters;

    void start(TestDatabase.Kind kind, Duration deferral) {
        clock = MutableClock.at(Instant.parse("2026-03-01T00:00:00Z"));
        provider = new MemoryProvider(clock);
        database = TestDatabase.create(kind, "WebhookApplyDeferralTest");
        hub = provider.hubBuilder(database)
                .withWebhookGroupCommit(256, LINGER)
                .withWebhookApplyDeferral(deferral)
                .build();
        connection = hub.createConnection(NewConnection.of(TENANT, "memory")
                .withSetting("api_key", "key-value").withSetting("webhook_secret", SECRET));
        posters = Executors.newFixedThreadPool(2);
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (posters != null) {
            posters.shutdownNow();
            posters.awaitTermination(10, TimeUnit.SECONDS);
        }
        if (hub != null) hub.close();
        if (database != null) database.close();
    }

    private WebhookRequest signed(String delivery, String kind, long id) {
        String body = "{\"delivery\":\"" + delivery + "\",\"event\":\"" + kind + "\",\"person\":{\"id\":" + id
                + ",\"name\":\"Person " + id + "\",\"updated_at\":\"2026-03-01T00:00:00Z\"}}";
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return new WebhookRequest(Map.of("x-memory-signature", List.of(MemoryProvider.sign(SECRET, bytes))), bytes, clock.instant());
    }

    /** A refetch event whose first attempt failed (the provider was down), due again now that it is back. */
    private WebhookInboxEntry dueRefetch() throws InterruptedException {
        provider.put(9, "Alan Turing");
        provider.down.set(true);
        assertThat(hub.receiveWebhook(connection.webhookToken(), signed("d9", "refetch", 9)).accepted()).isEqualTo(1);
        // The hub's worker makes the first attempt (the receipt scheduled it); once it has, it has nothing more to do,
        // so from here on only the test's own processWebhooks() can apply the entry.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (entry("9").attempts() == 0) {
            assertThat(System.nanoTime()).as("first attempt made in time").isLessThan(deadline);
            Thread.sleep(5);
        }
        WebhookInboxEntry failed = entry("9");
        assertThat(failed.status()).isEqualTo("pending");
        assertThat(failed.attempts()).isEqualTo(1);
        provider.down.set(false);
        clock.advance(Duration.ofHours(1));
        return failed;
    }

    private WebhookInboxEntry entry(String externalId) {
        return hub.webhookInbox(TENANT, connection.id(), null, 100).stream()
                .filter(entry -> entry.externalId().equals(externalId)).findFirst().orElseThrow();
    }

    /** Starts two receipts at once and returns when both are verified and waiting for their commit. */
    private List<Future<WebhookResponse>> twoReceiptsInProgress() throws InterruptedException {
        int before = provider.webhooksVerified.get();
        List<Future<WebhookResponse>> receipts = List.of(
                posters.submit(() -> hub.receiveWebhook(connection.webhookToken(), signed("u1", "upsert", 1))),
                posters.submit(() -> hub.receiveWebhook(connection.webhookToken(), signed("u2", "upsert", 2))));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (provider.webhooksVerified.get() < before + 2) {
            assertThat(System.nanoTime()).as("both receipts verified in time").isLessThan(deadline);
            Thread.sleep(1);
        }
        return receipts;
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void theWorkerAppliesADueEntryOnlyOnceConcurrentReceiptsAreAnswered(TestDatabase.Kind kind) throws Exception {
        start(kind, Duration.ofSeconds(30));
        dueRefetch();
        List<Future<WebhookResponse>> receipts = twoReceiptsInProgress();

        int applied = hub.processWebhooks();

        assertThat(receipts).as("answered before the worker went on").allSatisfy(receipt -> assertThat(receipt).isDone());
        assertThat(applied).isGreaterThanOrEqualTo(1);
        assertThat(entry("9").status()).isEqualTo("processed");
        for (Future<WebhookResponse> receipt : receipts) {
            assertThat(receipt.get().accepted()).isEqualTo(1);
        }
        assertThat(hub.liveIds(TENANT, connection.id(), "people")).contains("9");
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void theWorkerWaitsNoLongerThanItsDeferral(TestDatabase.Kind kind) throws Exception {
        start(kind, Duration.ofMillis(100));
        dueRefetch();
        List<Future<WebhookResponse>> receipts = twoReceiptsInProgress();

        int applied = hub.processWebhooks();

        // The receipts are still lingering for their commit (a second), yet the due entry was applied.
        assertThat(receipts).as("still in progress").allSatisfy(receipt -> assertThat(receipt).isNotDone());
        assertThat(applied).isEqualTo(1);
        assertThat(entry("9").status()).isEqualTo("processed");
        for (Future<WebhookResponse> receipt : receipts) {
            assertThat(receipt.get(10, TimeUnit.SECONDS).accepted()).isEqualTo(1);
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void withoutADeferralTheWorkerDoesNotWait(TestDatabase.Kind kind) throws Exception {
        start(kind, Duration.ZERO);
        dueRefetch();
        List<Future<WebhookResponse>> receipts = twoReceiptsInProgress();

        assertThat(hub.processWebhooks()).isEqualTo(1);

        assertThat(receipts).as("still in progress").allSatisfy(receipt -> assertThat(receipt).isNotDone());
        assertThat(entry("9").status()).isEqualTo("processed");
    }
}
