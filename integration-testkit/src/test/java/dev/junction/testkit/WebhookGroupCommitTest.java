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
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Group commit of webhook receipt: many signed webhooks posted at once are each stored exactly once and acknowledged
 * only once durable, redeliveries are recognised per event even inside one batch, and a batch whose commit fails
 * acknowledges none of its requests.
 */
class WebhookGroupCommitTest {

    private static final String TENANT = "tenant-g";
    private static final String SECRET = "whsec-group-value";
    private static final int THREADS = 16;

    private MutableClock clock;
    private TestDatabase database;
    private Hub hub;
    private Connection connection;
    private ExecutorService posters;

    void start(TestDatabase.Kind kind, int maxBatch, Duration linger) {
        clock = MutableClock.at(Instant.parse("2026-03-01T00:00:00Z"));
        database = TestDatabase.create(kind, "WebhookGroupCommitTest");
        hub = new MemoryProvider(clock).hubBuilder(database)
                .withWebhookGroupCommit(maxBatch, linger)
                .build();
        connection = hub.createConnection(NewConnection.of(TENANT, "memory")
                .withSetting("api_key", "key-value").withSetting("webhook_secret", SECRET));
        posters = Executors.newFixedThreadPool(THREADS);
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

    private WebhookRequest signed(String delivery, long id) {
        String body = "{\"delivery\":\"" + delivery + "\",\"event\":\"upsert\",\"person\":{\"id\":" + id
                + ",\"name\":\"Person " + id + "\",\"updated_at\":\"2026-03-01T00:00:00Z\"}}";
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return new WebhookRequest(Map.of("x-memory-signature", List.of(MemoryProvider.sign(SECRET, bytes))), bytes, clock.instant());
    }

    /** Posts every delivery (id = its number) at once from {@link #THREADS} threads; the outcome per post, in order. */
    private List<Object> postAll(List<Long> ids) throws InterruptedException {
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Object>> futures = new ArrayList<>();
        for (long id : ids) {
            futures.add(posters.submit(() -> {
                go.await();
                try {
                    return hub.receiveWebhook(connection.webhookToken(), signed("delivery-" + id, id));
                } catch (RuntimeException e) {
                    return e;
                }
            }));
        }
        go.countDown();
        List<Object> outcomes = new ArrayList<>();
        for (Future<Object> future : futures) {
            try {
                outcomes.add(future.get(60, TimeUnit.SECONDS));
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                throw new AssertionError(e);
            }
        }
        return outcomes;
    }

    private Map<String, Long> inboxCounts() {
        List<WebhookInboxEntry> entries = hub.webhookInbox(TENANT, connection.id(), null, 1000);
        return entries.stream().collect(Collectors.groupingBy(WebhookInboxEntry::externalId, Collectors.counting()));
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void concurrentWebhooksAreEachStoredOnceAndRedeliveriesDetected(TestDatabase.Kind kind) throws InterruptedException {
        start(kind, 32, Duration.ofMillis(2));
        List<Long> ids = new ArrayList<>();
        for (long id = 1; id <= 300; id++) ids.add(id);
        for (long id = 1; id <= 100; id++) ids.add(id); // redelivered at the same time, often inside the same batch
        java.util.Collections.shuffle(ids, new java.util.Random(6));

        List<Object> outcomes = postAll(ids);

        Map<Long, Integer> acceptedPerId = new ConcurrentHashMap<>();
        for (int i = 0; i < ids.size(); i++) {
            assertThat(outcomes.get(i)).as("post of %s", ids.get(i)).isInstanceOf(WebhookResponse.class);
            WebhookResponse response = (WebhookResponse) outcomes.get(i);
            assertThat(response.status()).isEqualTo(200);
            acceptedPerId.merge(ids.get(i), response.accepted(), Integer::sum);
        }
        // Every event was accepted exactly once (its redelivery answered 200 with 0 accepted) and is in the inbox once.
        assertThat(acceptedPerId).hasSize(300).allSatisfy((id, accepted) -> assertThat(accepted).as("id %s", id).isEqualTo(1));
        Map<String, Long> inbox = inboxCounts();
        assertThat(inbox).hasSize(300).allSatisfy((id, count) -> assertThat(count).isEqualTo(1L));

        // A later redelivery of everything stores nothing more.
        List<Object> again = postAll(ids.subList(0, 300));
        assertThat(again).allSatisfy(outcome -> assertThat(((WebhookResponse) outcome).accepted()).isZero());
        assertThat(inboxCounts()).hasSize(300);
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void withoutGroupCommitTheSameHolds(TestDatabase.Kind kind) throws InterruptedException {
        start(kind, 1, Duration.ZERO);
        List<Long> ids = new ArrayList<>();
        for (long id = 1; id <= 60; id++) ids.add(id);
        for (long id = 1; id <= 20; id++) ids.add(id);

        List<Object> outcomes = postAll(ids);

        assertThat(outcomes).allSatisfy(outcome -> assertThat(outcome).isInstanceOf(WebhookResponse.class));
        assertThat(outcomes.stream().mapToInt(outcome -> ((WebhookResponse) outcome).accepted()).sum()).isEqualTo(60);
        assertThat(inboxCounts()).hasSize(60).allSatisfy((id, count) -> assertThat(count).isEqualTo(1L));
    }

    /**
     * A deferred foreign key makes the commit itself fail for a batch holding a "poison" event (its external id is not
     * in the allowed list): every request in that batch must fail, and none of their events may be stored. Which
     * requests share a batch with a poison one depends on timing, so the test checks the invariant for whatever
     * happened: acknowledged ⇔ stored.
     */
    @Test
    void aBatchWhoseCommitFailsAcknowledgesNone() throws InterruptedException, SQLException {
        start(TestDatabase.Kind.POSTGRESQL, 64, Duration.ofMillis(20));
        Set<Long> poison = Set.of(7L, 50L, 93L, 141L, 188L);
        try (java.sql.Connection jdbc = database.dataSource().getConnection(); Statement sql = jdbc.createStatement()) {
            sql.execute("CREATE TABLE allowed_ids (id VARCHAR(255) PRIMARY KEY)");
            sql.execute("INSERT INTO allowed_ids SELECT g::text FROM generate_series(1, 200) g WHERE g NOT IN (7, 50, 93, 141, 188)");
            sql.execute("ALTER TABLE junction_webhook_inbox ADD CONSTRAINT inbox_allowed FOREIGN KEY (external_id) "
                    + "REFERENCES allowed_ids (id) DEFERRABLE INITIALLY DEFERRED");
        }
        List<Long> ids = new ArrayList<>();
        for (long id = 1; id <= 200; id++) ids.add(id);

        List<Object> outcomes = postAll(ids);

        Set<String> acknowledged = new TreeSet<>();
        List<Long> failed = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            if (outcomes.get(i) instanceof WebhookResponse response) {
                assertThat(response.accepted()).isEqualTo(1);
                acknowledged.add(String.valueOf(ids.get(i)));
            } else {
                assertThat(outcomes.get(i)).isInstanceOf(RuntimeException.class).isNotInstanceOf(
                        dev.junction.core.error.JunctionException.class); // a server failure (5xx), not a rejection
                failed.add(ids.get(i));
            }
        }
        assertThat(failed).containsAll(poison);
        assertThat(inboxCounts().keySet()).containsExactlyInAnyOrderElementsOf(acknowledged);

        // Once the cause is gone, the provider's retries of the failed deliveries are stored, each once.
        try (java.sql.Connection jdbc = database.dataSource().getConnection(); Statement sql = jdbc.createStatement()) {
            sql.execute("ALTER TABLE junction_webhook_inbox DROP CONSTRAINT inbox_allowed");
        }
        List<Object> retried = postAll(failed);
        assertThat(retried).allSatisfy(outcome -> assertThat(((WebhookResponse) outcome).accepted()).isEqualTo(1));
        assertThat(inboxCounts()).hasSize(200).allSatisfy((id, count) -> assertThat(count).isEqualTo(1L));
    }
}
