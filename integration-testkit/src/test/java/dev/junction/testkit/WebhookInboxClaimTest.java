package dev.junction.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.core.ChangeEvent;
import dev.junction.core.Connection;
import dev.junction.core.Hub;
import dev.junction.core.NewConnection;
import dev.junction.core.model.Contact;
import dev.junction.core.internal.store.WebhookRepository;
import dev.junction.core.internal.store.WebhookRepository.InboxRow;
import dev.junction.core.internal.store.WebhookRepository.NewInboxRow;
import dev.junction.sandbox.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The apply worker's claims a chunk at a time ({@link WebhookRepository#claimAll}) on both databases: an entry goes
 * to one claimant only, entries not due are left alone, and {@link WebhookRepository#release} gives back only what
 * the releasing worker holds.
 */
class WebhookInboxClaimTest {

    private static final String TENANT = "tenant-c";
    private static final Instant NOW = Instant.parse("2026-03-01T00:00:00Z");
    private static final Instant LEASE = NOW.plus(Duration.ofMinutes(5));

    private TestDatabase database;
    private Hub hub;
    private MutableClock clock;
    private MemoryProvider provider;

    @AfterEach
    void stop() {
        if (hub != null) hub.close();
        if (database != null) database.close();
    }

    private Connection start(TestDatabase.Kind kind) {
        database = TestDatabase.create(kind, "WebhookInboxClaimTest");
        clock = MutableClock.at(NOW);
        provider = new MemoryProvider(clock);
        hub = provider.hubBuilder(database).build();
        return hub.createConnection(NewConnection.of(TENANT, "memory").withSetting("api_key", "key-value").withSetting("webhook_secret", "s"));
    }

    /** Inserts {@code count} inbox rows received at {@code receivedAt} (due then) and returns their ids in order. */
    private List<Long> insert(WebhookRepository repository, Connection connection, int count, Instant receivedAt) {
        List<NewInboxRow> rows = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            rows.add(new NewInboxRow(TENANT, connection.id(), "key-" + receivedAt.getEpochSecond() + "-" + i, "people", "p" + i,
                    "UPSERT", "{\"id\":" + i + "}", receivedAt));
        }
        assertThat(repository.insertInboxBatch(rows)).containsOnly(true);
        return repository.dueInbox(receivedAt, 1000).stream().sorted().toList();
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void aChunkIsClaimedOnceAndOnlyWhatIsDue(TestDatabase.Kind kind) {
        Connection connection = start(kind);
        WebhookRepository repository = new WebhookRepository(hub.database().jdbi());
        List<Long> due = insert(repository, connection, 5, NOW);
        List<Long> later = new ArrayList<>(insert(repository, connection, 2, NOW.plusSeconds(60)));
        later.removeAll(due);
        assertThat(later).hasSize(2);

        List<Long> asked = new ArrayList<>(due);
        asked.addAll(later); // not due at NOW: left alone
        List<InboxRow> claimed = repository.claimAll(asked, NOW, LEASE);

        assertThat(claimed).extracting(InboxRow::id).containsExactlyElementsOf(due);
        assertThat(claimed).allSatisfy(row -> {
            assertThat(row.status()).isEqualTo("processing");
            assertThat(row.nextAttemptAt()).isEqualTo(LEASE);
            assertThat(row.tenantId()).isEqualTo(TENANT);
            assertThat(row.receivedAt()).isEqualTo(NOW);
        });
        assertThat(claimed.get(0).payload()).isEqualTo("{\"id\":0}");
        // A second worker racing for the same chunk gets none of it while the lease runs.
        assertThat(repository.claimAll(asked, NOW.plusSeconds(1), LEASE.plusSeconds(1))).isEmpty();
        assertThat(repository.dueInbox(NOW.plusSeconds(1), 100)).doesNotContainAnyElementsOf(due);
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void releaseGivesBackOnlyWhatTheReleasingWorkerHolds(TestDatabase.Kind kind) {
        Connection connection = start(kind);
        WebhookRepository repository = new WebhookRepository(hub.database().jdbi());
        List<Long> due = insert(repository, connection, 3, NOW);
        List<InboxRow> claimed = repository.claimAll(due, NOW, LEASE);
        assertThat(claimed).hasSize(3);

        repository.release(claimed.subList(1, 3), NOW, LEASE.plusSeconds(1)); // another lease: not this worker's claim
        assertThat(repository.dueInbox(NOW, 100)).isEmpty();

        repository.release(claimed.subList(1, 3), NOW, LEASE);
        assertThat(repository.dueInbox(NOW, 100)).containsExactlyElementsOf(due.subList(1, 3));
        List<InboxRow> again = repository.claimAll(due, NOW, LEASE.plusSeconds(2));
        assertThat(again).extracting(InboxRow::id).containsExactlyElementsOf(due.subList(1, 3));
        assertThat(again).allSatisfy(row -> assertThat(row.attempts()).isZero());
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void anEntryWhoseLeaseRanOutIsClaimedAgain(TestDatabase.Kind kind) {
        Connection connection = start(kind);
        WebhookRepository repository = new WebhookRepository(hub.database().jdbi());
        List<Long> due = insert(repository, connection, 2, NOW);
        assertThat(repository.claimAll(due, NOW, LEASE)).hasSize(2);

        Instant afterLease = LEASE.plusSeconds(1);
        assertThat(repository.claimAll(due, afterLease, afterLease.plus(Duration.ofMinutes(5)))).extracting(InboxRow::id)
                .containsExactlyElementsOf(due);
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void theReceiptTimeIsStoredToTheMicrosecondAndTheEntryIsDueFromIt(TestDatabase.Kind kind) {
        Connection connection = start(kind);
        WebhookRepository repository = new WebhookRepository(hub.database().jdbi());
        Instant received = Instant.parse("2026-03-01T10:15:30.123456Z");
        List<Long> due = insert(repository, connection, 1, received);

        assertThat(repository.dueInbox(received.minusNanos(1000), 10)).isEmpty();
        List<InboxRow> claimed = repository.claimAll(due, received, LEASE.plusSeconds(3600));
        assertThat(claimed).singleElement().satisfies(row -> {
            assertThat(row.receivedAt()).isEqualTo(received);
            assertThat(row.attempts()).isZero();
        });
    }

    /**
     * A drain whose entries wait in a claimed chunk while slow refetches take the clock past half their lease gives
     * the rest back and claims them afresh, so no entry it holds is ever due to another worker (its lease never
     * runs out), and each is applied once.
     */
    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void noClaimedEntryOutlivesItsLeaseWhileRefetchesAreSlow(TestDatabase.Kind kind) {
        Connection connection = start(kind);
        WebhookRepository repository = new WebhookRepository(hub.database().jdbi());
        List<NewInboxRow> rows = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            rows.add(new NewInboxRow(TENANT, connection.id(), "slow-" + i, "people", Integer.toString(i), "REFETCH", "{}", NOW));
        }
        repository.insertInboxBatch(rows);
        List<List<Long>> dueToOthers = new ArrayList<>();
        provider.beforeFetchOne = () -> {
            clock.advance(Duration.ofMinutes(3)); // each refetch takes 3 minutes: past half the 5-minute lease
            dueToOthers.add(repository.dueInbox(clock.instant(), 100));
        };

        int handled = hub.processWebhooks();

        assertThat(handled).isEqualTo(4);
        assertThat(provider.fetchOneCalls.get()).isEqualTo(4);
        assertThat(dueToOthers).hasSize(4).allSatisfy(ids -> assertThat(ids).as("due to another worker meanwhile").isEmpty());
        assertThat(hub.webhookInbox(TENANT, connection.id(), null, 10)).extracting(entry -> entry.status()).containsOnly("processed");
    }

    private static NewInboxRow event(Connection connection, String key, long id, String kind, String name) {
        String payload = name == null ? null
                : "{\"id\":" + id + ",\"name\":\"" + name + "\",\"updated_at\":\"2026-03-01T00:00:00Z\"}";
        return new NewInboxRow(TENANT, connection.id(), key, "people", Long.toString(id), kind, payload, NOW);
    }

    /**
     * Entries of one connection and entity claimed together are applied together: each record ends in its last
     * event's state, with one change event for what changed from what was stored (none for a record created and
     * deleted within the chunk).
     */
    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void eventsOfOneRecordClaimedTogetherEndInTheLastOnesState(TestDatabase.Kind kind) {
        Connection connection = start(kind);
        WebhookRepository repository = new WebhookRepository(hub.database().jdbi());
        assertThat(repository.insertInboxBatch(List.of(
                event(connection, "k1", 1, "UPSERT", "Ada"),
                event(connection, "k2", 2, "UPSERT", "Grace"),
                event(connection, "k3", 1, "UPSERT", "Ada Lovelace"),
                event(connection, "k4", 2, "DELETE", null),
                event(connection, "k5", 3, "DELETE", null),
                event(connection, "k6", 3, "UPSERT", "Alan")))).containsOnly(true);

        assertThat(hub.processWebhooks()).isEqualTo(6);

        assertThat(hub.webhookInbox(TENANT, connection.id(), null, 10)).hasSize(6)
                .allSatisfy(entry -> assertThat(entry.status()).isEqualTo("processed"));
        assertThat(hub.liveIds(TENANT, connection.id(), "people")).containsExactlyInAnyOrder("1", "3");
        assertThat(hub.getRecord(TENANT, connection.id(), Contact.class, "1").orElseThrow().record().name()).isEqualTo("Ada Lovelace");
        assertThat(hub.getRecord(TENANT, connection.id(), Contact.class, "3").orElseThrow().record().name()).isEqualTo("Alan");
        assertThat(hub.changes(TENANT, 0, connection.id(), 100).events())
                .extracting(ChangeEvent::externalId, ChangeEvent::operation)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("1", "created"), org.assertj.core.groups.Tuple.tuple("3", "created"));

        // Later events for stored records: an update and a deletion, applied together again.
        assertThat(repository.insertInboxBatch(List.of(
                event(connection, "k7", 1, "UPSERT", "Augusta Ada King"),
                event(connection, "k8", 3, "DELETE", null)))).containsOnly(true);
        assertThat(hub.processWebhooks()).isEqualTo(2);
        assertThat(hub.liveIds(TENANT, connection.id(), "people")).containsExactly("1");
        assertThat(hub.getRecord(TENANT, connection.id(), Contact.class, "1").orElseThrow().record().name()).isEqualTo("Augusta Ada King");
        assertThat(hub.changes(TENANT, 0, connection.id(), 100).events()).extracting(ChangeEvent::operation)
                .containsExactly("created", "created", "updated", "deleted");
    }
}
