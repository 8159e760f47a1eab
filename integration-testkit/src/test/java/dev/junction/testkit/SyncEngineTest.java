package dev.junction.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.junction.core.ChangeEvent;
import dev.junction.core.ChangePage;
import dev.junction.core.Connection;
import dev.junction.core.Hub;
import dev.junction.core.NewConnection;
import dev.junction.core.PushChange;
import dev.junction.core.RecordPage;
import dev.junction.core.RecordQuery;
import dev.junction.core.StoredRecord;
import dev.junction.core.SyncRequest;
import dev.junction.core.SyncRun;
import dev.junction.core.SyncStatus;
import dev.junction.core.crypto.SecretCipher;
import dev.junction.core.error.ErrorKind;
import dev.junction.core.error.JunctionException;
import dev.junction.core.internal.store.Database;
import dev.junction.core.internal.store.RecordRepository;
import dev.junction.core.internal.store.Streams;
import dev.junction.core.model.Contact;
import dev.junction.core.model.UnifiedType;
import dev.junction.core.spi.Settings;
import dev.junction.sandbox.MutableClock;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The sync engine and store against a fake provider, on PostgreSQL and on the embedded database. */
class SyncEngineTest {

    private static final String TENANT = "tenant-a";

    private MutableClock clock;
    private MemoryProvider provider;
    private TestDatabase database;
    private Hub hub;
    private Connection connection;

    void start(TestDatabase.Kind kind) {
        start(kind, 10);
    }

    void start(TestDatabase.Kind kind, int pageSize) {
        clock = MutableClock.at(Instant.parse("2026-01-01T00:00:00Z"));
        provider = new MemoryProvider(clock);
        database = TestDatabase.create(kind, "SyncEngineTest");
        hub = database.configure(Hub.builder())
                .withEncryptionKey("k1", SecretCipher.generateKey())
                .withClock(clock)
                .withPageSize(pageSize)
                .withProvider(provider, Settings.EMPTY)
                .build();
        connection = hub.createConnection(NewConnection.of(TENANT, "memory").withSetting("api_key", "secret-value"));
    }

    @AfterEach
    void stop() {
        if (hub != null) hub.close();
        if (database != null) database.close();
    }

    private void seed(int count) {
        LongStream.rangeClosed(1, count).forEach(id -> provider.put(id, "Person " + id));
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void fullSyncLandsExactlyTheProvidersRecordsAndARerunChangesNothing(TestDatabase.Kind kind) {
        start(kind);
        seed(35);

        SyncRun first = hub.sync(TENANT, connection.id(), SyncRequest.full());

        assertThat(first.status()).isEqualTo(SyncStatus.SUCCEEDED);
        assertThat(first.entity("people").orElseThrow().added()).isEqualTo(35);
        assertThat(first.entity("people").orElseThrow().pages()).isEqualTo(4);
        assertThat(hub.liveIds(TENANT, connection.id(), "people")).hasSize(35);
        ChangePage changes = hub.changes(TENANT, 0, null, 1000);
        assertThat(changes.events()).hasSize(35).allMatch(event -> event.operation().equals("created"));

        SyncRun second = hub.sync(TENANT, connection.id(), SyncRequest.full());

        assertThat(second.entity("people").orElseThrow().unchanged()).isEqualTo(35);
        assertThat(second.entity("people").orElseThrow().added() + second.entity("people").orElseThrow().updated()).isZero();
        assertThat(hub.changes(TENANT, changes.nextCursor(), null, 1000).events()).isEmpty();
    }

    /**
     * Pages of 50 (written with COPY on PostgreSQL) and a last page of 10 (a multi-row INSERT): every character a
     * payload can hold lands exactly as sent, in the raw record, the unified row and the change feed.
     */
    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void everyCharacterLandsAsSentOnBothWritePaths(TestDatabase.Kind kind) throws Exception {
        start(kind, 50);
        String[] awkward = {"tab\there", "new\nline and \r return", "back\\slash \\N \\t", "quote \" and ' apostrophe",
            "Zoë Ōkafor 🙂 日本", "\\N", "", "trailing space ", "comma, semicolon; pipe |", "{\"json\": [1]}"};
        for (int id = 1; id <= 60; id++) {
            provider.put(id, awkward[id % awkward.length] + " " + id);
        }

        SyncRun run = hub.sync(TENANT, connection.id(), SyncRequest.full());

        assertThat(run.status()).isEqualTo(SyncStatus.SUCCEEDED);
        assertThat(run.entity("people").orElseThrow().added()).isEqualTo(60);
        for (int id = 1; id <= 60; id++) {
            String name = awkward[id % awkward.length] + " " + id;
            var raw = hub.getRawRecord(TENANT, connection.id(), "people", Integer.toString(id)).orElseThrow();
            assertThat(raw.payload()).isEqualTo(MemoryProvider.JSON.writeValueAsString(provider.people.get((long) id)));
            assertThat(raw.remoteUpdatedAt()).isEqualTo(clock.instant());
            assertThat(raw.deleted()).isFalse();
            StoredRecord<Contact> stored = hub.getRecord(TENANT, connection.id(), Contact.class, Integer.toString(id)).orElseThrow();
            assertThat(stored.record().name()).isEqualTo(name);
            assertThat(stored.record().email()).isEqualTo(provider.people.get((long) id).get("email").asText());
            assertThat(stored.deleted()).isFalse();
        }
        ChangePage changes = hub.changes(TENANT, 0, null, 1000);
        assertThat(changes.events()).extracting(event -> event.externalId())
                .containsExactlyElementsOf(LongStream.rangeClosed(1, 60).mapToObj(Long::toString).toList());
        assertThat(hub.sync(TENANT, connection.id(), SyncRequest.full()).entity("people").orElseThrow().unchanged()).isEqualTo(60);
    }

    /**
     * A page's rows go to PostgreSQL's COPY in chunks (64 KB): pages that span many chunks, and values larger than a
     * chunk (a 200 KB name, in the raw payload and the unified data), land whole on both databases.
     */
    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void valuesLargerThanACopyChunkLandWhole(TestDatabase.Kind kind) throws Exception {
        start(kind, 50);
        for (int id = 1; id <= 60; id++) {
            provider.put(id, (id == 7 ? "Long" : "Wide").repeat(id == 7 ? 50_000 : 1_000) + " " + id);
        }

        SyncRun run = hub.sync(TENANT, connection.id(), SyncRequest.full());

        assertThat(run.status()).isEqualTo(SyncStatus.SUCCEEDED);
        assertThat(run.entity("people").orElseThrow().added()).isEqualTo(60);
        for (int id = 1; id <= 60; id++) {
            var raw = hub.getRawRecord(TENANT, connection.id(), "people", Integer.toString(id)).orElseThrow();
            assertThat(raw.payload()).isEqualTo(MemoryProvider.JSON.writeValueAsString(provider.people.get((long) id)));
            assertThat(hub.getRecord(TENANT, connection.id(), Contact.class, Integer.toString(id)).orElseThrow().record().name())
                    .isEqualTo(provider.people.get((long) id).get("name").asText());
        }
        assertThat(hub.getRawRecord(TENANT, connection.id(), "people", "7").orElseThrow().payload().length()).isGreaterThan(200_000);
    }

    /**
     * Timestamps finer than the database keeps are rounded to the microsecond alike on both write paths (COPY sends
     * them as binary microseconds, an INSERT as text the driver rounds), half up.
     */
    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void subMicrosecondTimestampsRoundAlikeOnBothWritePaths(TestDatabase.Kind kind) {
        start(kind, 50);
        clock.advance(Duration.ofNanos(123_456_500)); // exactly half a microsecond over: rounds up
        for (int id = 1; id <= 60; id++) {
            provider.put(id, "Person " + id);
        }

        assertThat(hub.sync(TENANT, connection.id(), SyncRequest.full()).status()).isEqualTo(SyncStatus.SUCCEEDED);

        Instant rounded = Instant.parse("2026-01-01T00:00:00.123457Z");
        for (String id : List.of("1", "50", "51", "60")) { // the COPY page's first and last, the INSERT page's
            var raw = hub.getRawRecord(TENANT, connection.id(), "people", id).orElseThrow();
            assertThat(raw.remoteUpdatedAt()).as("record %s", id).isEqualTo(rounded);
            assertThat(raw.updatedAt()).as("record %s", id).isEqualTo(rounded);
            assertThat(hub.getRecord(TENANT, connection.id(), Contact.class, id).orElseThrow().remoteUpdatedAt())
                    .as("record %s", id).isEqualTo(rounded);
        }
        assertThat(hub.changes(TENANT, 0, null, 1000).events()).hasSize(60)
                .allSatisfy(event -> assertThat(event.occurredAt()).isEqualTo(rounded));
    }

    /**
     * A first sync into an empty entity inserts its pages without looking up stored records. A record stored meanwhile
     * by someone else (here a push creating person 76 while the second page is fetched; the fourth page, of 16 and so
     * written with COPY on PostgreSQL, lists it) makes that page's insert conflict: the page is written again with
     * lookups, and every record lands once.
     */
    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void aFirstSyncThatMeetsARecordStoredMeanwhileWritesThatPageAgain(TestDatabase.Kind kind) {
        start(kind, 20);
        for (int id = 1; id <= 75; id++) {
            provider.put(id, "Person " + id);
        }
        provider.beforePage.set(served -> {
            if (served == 1) {
                hub.push(PushChange.create(TENANT, connection.id(), "people",
                        MemoryProvider.JSON.createObjectNode().put("name", "Pushed Person"), clock.instant(), "push-76"));
            }
        });

        SyncRun run = hub.sync(TENANT, connection.id(), SyncRequest.full());

        assertThat(run.status()).isEqualTo(SyncStatus.SUCCEEDED);
        assertThat(run.entity("people").orElseThrow().added()).isEqualTo(75);
        assertThat(run.entity("people").orElseThrow().unchanged()).isEqualTo(1);
        assertThat(hub.liveIds(TENANT, connection.id(), "people")).hasSize(76);
        assertThat(hub.getRecord(TENANT, connection.id(), Contact.class, "76").orElseThrow().record().name())
                .isEqualTo("Pushed Person");
        assertThat(hub.changes(TENANT, 0, null, 1000).events()).hasSize(76)
                .extracting(event -> event.externalId()).doesNotHaveDuplicates();
    }

    /**
     * A first sync that grew the record tables past 2,000 records analyses them at its end (PostgreSQL), so that the
     * next sync's lookups are planned for their size, from a small sample ({@link Database#ANALYZE_SAMPLE_TARGET}):
     * the planner knows every row, and the histograms have the small target's length, not the server default's 101.
     */
    @org.junit.jupiter.api.Test
    void aFirstLargeSyncLeavesStatisticsOfTheTablesSizeFromASmallSample() throws Exception {
        start(TestDatabase.Kind.POSTGRESQL, 200);
        seed(3_000);

        assertThat(hub.sync(TENANT, connection.id(), SyncRequest.full()).entity("people").orElseThrow().added()).isEqualTo(3_000);

        try (java.sql.Connection jdbc = hub.database().dataSource().getConnection(); Statement statement = jdbc.createStatement()) {
            for (String table : List.of("junction_raw_record", "junction_unified_record")) {
                try (ResultSet rs = statement.executeQuery("SELECT c.reltuples, (SELECT MAX(array_length(s.histogram_bounds::text::text[], 1)) "
                        + "FROM pg_stats s WHERE s.schemaname = current_schema() AND s.tablename = '" + table + "') "
                        + "FROM pg_class c WHERE c.oid = '" + table + "'::regclass")) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getDouble(1)).as(table).isEqualTo(3_000);
                    assertThat(rs.getInt(2)).as(table).isBetween(2, Database.ANALYZE_SAMPLE_TARGET + 1);
                }
            }
        }
    }

    /**
     * A first full pass that began with nothing of the entity stored skips the deletion sweep: every record stored at
     * its end was written during it. Here a record lands mid-pass marked with the entity's pass number from before the
     * pass (as a webhook write that read it just before the pass began would), and the provider does not list it: the
     * pass keeps it; the next full pass, which began with records stored, sweeps it.
     */
    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void aPassThatBeganWithNothingStoredSweepsNothing(TestDatabase.Kind kind) throws Exception {
        start(kind);
        seed(25);
        provider.beforePage.set(served -> {
            if (served == 1) {
                try (java.sql.Connection jdbc = hub.database().dataSource().getConnection();
                        PreparedStatement insert = jdbc.prepareStatement("INSERT INTO junction_raw_record (stream_id, "
                                + "tenant_id, connection_id, entity, external_id, payload, content_hash, deleted, seen_pass, created_at, "
                                + "updated_at) VALUES (" + Streams.raw(connection.id(), "people") + ", ?, ?, 'people', "
                                + "'written-meanwhile', '{}', 'hash', FALSE, 0, ?, ?)")) {
                    insert.setString(1, TENANT);
                    insert.setString(2, connection.id());
                    insert.setObject(3, clock.instant().atOffset(java.time.ZoneOffset.UTC));
                    insert.setObject(4, clock.instant().atOffset(java.time.ZoneOffset.UTC));
                    insert.executeUpdate();
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            }
        });

        SyncRun first = hub.sync(TENANT, connection.id(), SyncRequest.full());

        assertThat(first.entity("people").orElseThrow().added()).isEqualTo(25);
        assertThat(first.entity("people").orElseThrow().deleted()).isZero();
        assertThat(hub.liveIds(TENANT, connection.id(), "people")).hasSize(26).contains("written-meanwhile");

        provider.beforePage.set(served -> { });
        SyncRun second = hub.sync(TENANT, connection.id(), SyncRequest.full());

        assertThat(second.entity("people").orElseThrow().deleted()).isEqualTo(1);
        assertThat(hub.liveIds(TENANT, connection.id(), "people")).hasSize(25).doesNotContain("written-meanwhile");
    }

    /**
     * A record a page lists as deleted (a tombstone) is marked deleted, raw and unified, and its change event names the
     * stored record's unified type, as a swept or webhook deletion's does (a tombstone itself carries no unified record).
     */
    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void aTombstoneInAPageDeletesTheRecordAndItsEventNamesTheUnifiedType(TestDatabase.Kind kind) {
        start(kind);
        seed(3);
        hub.sync(TENANT, connection.id(), SyncRequest.full());
        clock.advance(Duration.ofMinutes(1));
        provider.tombstone(2);

        SyncRun run = hub.sync(TENANT, connection.id(), SyncRequest.full());

        assertThat(run.entity("people").orElseThrow().deleted()).isEqualTo(1);
        assertThat(hub.getRawRecord(TENANT, connection.id(), "people", "2").orElseThrow().deleted()).isTrue();
        assertThat(hub.getRecord(TENANT, connection.id(), Contact.class, "2").orElseThrow().deleted()).isTrue();
        List<ChangeEvent> events = hub.changes(TENANT, 0, null, 100).events();
        assertThat(events).extracting(ChangeEvent::externalId).containsExactly("1", "2", "3", "2");
        assertThat(events.get(3).operation()).isEqualTo("deleted");
        assertThat(events.get(3).unifiedType()).isEqualTo("CONTACT");
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void incrementalSyncPicksUpChangesAndAFullPassSweepsDeletions(TestDatabase.Kind kind) {
        start(kind);
        seed(20);
        clock.advance(Duration.ofHours(1)); // records older than the full pass fall outside the next window
        hub.sync(TENANT, connection.id(), SyncRequest.full());
        clock.advance(Duration.ofHours(1));
        provider.put(21, "Person 21");
        provider.put(5, "Renamed Five");

        SyncRun incremental = hub.sync(TENANT, connection.id(), SyncRequest.incremental());

        assertThat(incremental.entity("people").orElseThrow().added()).isEqualTo(1);
        assertThat(incremental.entity("people").orElseThrow().updated()).isEqualTo(1);
        assertThat(incremental.entity("people").orElseThrow().records()).isEqualTo(2);
        assertThat(hub.getRecord(TENANT, connection.id(), Contact.class, "5").orElseThrow().record().name()).isEqualTo("Renamed Five");

        provider.people.remove(3L);
        provider.people.remove(4L);
        SyncRun full = hub.sync(TENANT, connection.id(), SyncRequest.full());

        assertThat(full.entity("people").orElseThrow().deleted()).isEqualTo(2);
        assertThat(hub.liveIds(TENANT, connection.id(), "people")).hasSize(19).doesNotContain("3", "4");
        assertThat(hub.getRecord(TENANT, connection.id(), Contact.class, "3").orElseThrow().deleted()).isTrue();
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void aSweepThatWouldDeleteMostRecordsIsRefused(TestDatabase.Kind kind) {
        start(kind);
        seed(20);
        hub.sync(TENANT, connection.id(), SyncRequest.full());
        LongStream.rangeClosed(1, 15).forEach(provider.people::remove);

        SyncRun run = hub.sync(TENANT, connection.id(), SyncRequest.full());

        assertThat(run.entity("people").orElseThrow().deleted()).isZero();
        assertThat(run.entity("people").orElseThrow().error()).contains("deletion sweep refused");
        assertThat(hub.liveIds(TENANT, connection.id(), "people")).hasSize(20);
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void aRecordThatFailsToTransformIsDeadLetteredAndItsPageStillCommits(TestDatabase.Kind kind) {
        start(kind);
        seed(12);
        provider.corrupt(7);

        SyncRun run = hub.sync(TENANT, connection.id(), SyncRequest.full());

        assertThat(run.status()).isEqualTo(SyncStatus.SUCCEEDED);
        assertThat(run.entity("people").orElseThrow().failed()).isEqualTo(1);
        assertThat(run.entity("people").orElseThrow().added()).isEqualTo(11);
        assertThat(hub.deadLetters(TENANT, connection.id(), 10)).singleElement()
                .satisfies(letter -> assertThat(letter.externalId()).isEqualTo("7"))
                .satisfies(letter -> assertThat(letter.error()).contains("UNEXPECTED_PAYLOAD"));
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void aSyncThatDiesMidRunResumesFromItsLastPageWithNothingLostOrDuplicated(TestDatabase.Kind kind) {
        start(kind);
        seed(45);
        provider.failAfterPages.set(2);

        SyncRun broken = hub.sync(TENANT, connection.id(), SyncRequest.full());

        assertThat(broken.status()).isEqualTo(SyncStatus.FAILED);
        assertThat(hub.liveIds(TENANT, connection.id(), "people")).hasSize(20);
        provider.failAfterPages.set(-1);
        int pagesBefore = provider.pagesServed.get();

        SyncRun resumed = hub.sync(TENANT, connection.id(), SyncRequest.full());

        assertThat(resumed.status()).isEqualTo(SyncStatus.SUCCEEDED);
        assertThat(provider.pagesServed.get() - pagesBefore).as("pages fetched after resuming").isEqualTo(3);
        assertThat(resumed.entity("people").orElseThrow().added()).isEqualTo(25);
        assertThat(hub.liveIds(TENANT, connection.id(), "people")).hasSize(45);
        assertThat(hub.changes(TENANT, 0, null, 1000).events()).hasSize(45);
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void queriesAreScopedByTenantFilteredAndPagedByCursor(TestDatabase.Kind kind) {
        start(kind);
        seed(25);
        hub.sync(TENANT, connection.id(), SyncRequest.full());

        RecordPage<StoredRecord<Contact>> first = hub.query(RecordQuery.of(TENANT, UnifiedType.CONTACT).withLimit(10), Contact.class);
        RecordPage<StoredRecord<Contact>> second = hub.query(RecordQuery.of(TENANT, UnifiedType.CONTACT).withLimit(10)
                .withCursor(first.nextCursor().orElseThrow()), Contact.class);
        List<StoredRecord<Contact>> matches = hub.query(RecordQuery.of(TENANT, UnifiedType.CONTACT).withText("PERSON 2"), Contact.class).items();

        assertThat(first.items()).hasSize(10);
        assertThat(second.items()).hasSize(10).doesNotContainAnyElementsOf(first.items());
        assertThat(matches).extracting(stored -> stored.record().name())
                .containsExactlyInAnyOrder("Person 2", "Person 20", "Person 21", "Person 22", "Person 23", "Person 24", "Person 25");
        assertThat(hub.query(RecordQuery.of("another-tenant", UnifiedType.CONTACT), Contact.class).items()).isEmpty();
        assertThat(hub.listConnections("another-tenant")).isEmpty();
        assertThatThrownBy(() -> hub.getConnection("another-tenant", connection.id()))
                .isInstanceOfSatisfying(JunctionException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.NOT_FOUND));
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void badInputGetsATypedErrorAndWritesNothing(TestDatabase.Kind kind) {
        start(kind);

        assertThatThrownBy(() -> hub.createConnection(NewConnection.of(TENANT, "nope")))
                .isInstanceOfSatisfying(JunctionException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.INVALID_INPUT))
                .hasMessageContaining("unknown provider 'nope'");
        assertThatThrownBy(() -> hub.createConnection(NewConnection.of(TENANT, "memory")))
                .hasMessageContaining("setting 'api_key' is required");
        assertThatThrownBy(() -> hub.createConnection(NewConnection.of(TENANT, "memory").withSetting("api_key", "x").withSetting("colour", "red")))
                .hasMessageContaining("unknown setting 'colour'");
        assertThatThrownBy(() -> NewConnection.of(null, "memory"))
                .isInstanceOfSatisfying(JunctionException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.INVALID_INPUT));
        assertThatThrownBy(() -> hub.startSync(TENANT, connection.id(), SyncRequest.full().only("ghosts")))
                .hasMessageContaining("has no entity 'ghosts'");
        assertThatThrownBy(() -> hub.query(RecordQuery.of(TENANT, UnifiedType.CONTACT).withCursor("%%%"), Contact.class))
                .hasMessageContaining("malformed cursor");
        assertThat(hub.listConnections(TENANT)).hasSize(1);
    }

    @BeforeEach
    void reset() {
        hub = null;
        database = null;
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void deletingAConnectionRemovesEverythingOfItAndNothingOfOthers(TestDatabase.Kind kind) {
        start(kind);
        seed(12);
        Connection other = hub.createConnection(NewConnection.of(TENANT, "memory").withSetting("api_key", "other-key"));
        hub.sync(TENANT, connection.id(), SyncRequest.full());
        hub.sync(TENANT, other.id(), SyncRequest.full());

        assertThat(hub.deleteConnection(TENANT, connection.id())).isTrue();

        assertThat(hub.changes(TENANT, 0, null, 1000).events()).hasSize(12)
                .allSatisfy(event -> assertThat(event.connectionId()).isEqualTo(other.id()));
        assertThat(hub.listSyncRuns(TENANT, other.id(), 10)).hasSize(1);
        assertThatThrownBy(() -> hub.listSyncRuns(TENANT, connection.id(), 10)).isInstanceOf(JunctionException.class)
                .extracting("kind").isEqualTo(ErrorKind.NOT_FOUND);
        assertThat(hub.deleteConnection(TENANT, connection.id())).isFalse();
        assertThat(hub.query(RecordQuery.of(TENANT, UnifiedType.CONTACT).withLimit(100), Contact.class).items())
                .hasSize(12).allSatisfy(record -> assertThat(record.connectionId()).isEqualTo(other.id()));
    }

    /**
     * A connection deleted while another transaction holds its rows in the opposite order (as a sync's entity start
     * and end do: checkpoint, then run entity) deadlocks with it; whichever of the two the database rolls back, the
     * deletion succeeds. Here another transaction locks the connection's checkpoints, the deletion (holding the run
     * entities by then) waits for them, and that transaction then asks for the run entities: PostgreSQL rolls back the
     * deletion, which waited longer and finds the cycle (run again, it succeeds once the other commits); H2 rolls back
     * the transaction that closes the cycle.
     */
    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void aConnectionDeletedDuringAConflictingTransactionIsDeleted(TestDatabase.Kind kind) throws Exception {
        start(kind);
        seed(3);
        hub.sync(TENANT, connection.id(), SyncRequest.full());

        CompletableFuture<Boolean> deletion;
        try (java.sql.Connection other = hub.database().dataSource().getConnection();
                java.sql.Connection watcher = hub.database().dataSource().getConnection()) {
            other.setAutoCommit(false);
            try (PreparedStatement lock = other.prepareStatement(
                    "UPDATE junction_sync_checkpoint SET entity = entity WHERE tenant_id = ? AND connection_id = ?")) {
                lock.setString(1, TENANT);
                lock.setString(2, connection.id());
                assertThat(lock.executeUpdate()).isPositive();
            }
            deletion = CompletableFuture.supplyAsync(() -> hub.deleteConnection(TENANT, connection.id()));
            awaitBlockedSession(kind, watcher);
            try (PreparedStatement cycle = other.prepareStatement("UPDATE junction_sync_run_entity SET entity = entity "
                    + "WHERE tenant_id = ? AND run_id IN (SELECT id FROM junction_sync_run WHERE connection_id = ?)")) {
                cycle.setString(1, TENANT);
                cycle.setString(2, connection.id());
                cycle.executeUpdate();
                other.commit();
            } catch (SQLException rolledBack) {
                assertThat(Database.isTransactionConflict(rolledBack)).as(rolledBack.toString()).isTrue();
                other.rollback();
            }
        }

        assertThat(deletion.get(30, TimeUnit.SECONDS)).isTrue();
        assertThatThrownBy(() -> hub.listSyncRuns(TENANT, connection.id(), 10)).isInstanceOf(JunctionException.class)
                .extracting("kind").isEqualTo(ErrorKind.NOT_FOUND);
        assertThat(hub.changes(TENANT, 0, null, 100).events()).isEmpty();
    }

    /** Waits until some session of the database waits for a lock (the deletion, behind the other transaction's). */
    private static void awaitBlockedSession(TestDatabase.Kind kind, java.sql.Connection watcher) throws Exception {
        String blocked = kind == TestDatabase.Kind.POSTGRESQL
                ? "SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
                : "SELECT COUNT(*) FROM INFORMATION_SCHEMA.SESSIONS WHERE BLOCKER_ID IS NOT NULL";
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (true) {
            try (Statement statement = watcher.createStatement(); ResultSet rows = statement.executeQuery(blocked)) {
                rows.next();
                if (rows.getLong(1) > 0) {
                    return;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the deletion never waited for the other transaction's locks");
            }
            Thread.sleep(10);
        }
    }

    /**
     * A deletion names the record's connection, entity and id but not its unified type, the unified primary key's second
     * column ({@code connection_id, unified_type, external_id}). With the connection alone bounding the index scan,
     * PostgreSQL read every unified row of the connection, or scanned the table, for each deleted record (19 ms a deletion
     * at 200,000 rows, 26 ms for the lookup of a sweep chunk's unified types), and H2 read the connection's rows (a
     * 200,000-row scan each). Listing every unified type lets both find each row by its key (0.1 ms on PostgreSQL). On
     * both databases: a deletion still marks the record and its unified row deleted and its change event carries the
     * unified type.
     */
    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void aDeletedRecordIsFoundByItsKey(TestDatabase.Kind kind) throws Exception {
        start(kind);
        LongStream.rangeClosed(1, 5).forEach(id -> provider.put(id, "Person " + id));
        hub.sync(TENANT, connection.id(), SyncRequest.full());
        provider.people.remove(2L);

        assertThat(hub.sync(TENANT, connection.id(), SyncRequest.full()).entity("people").orElseThrow().deleted()).isEqualTo(1);

        List<ChangeEvent> events = hub.changes(TENANT, 0, null, 100).events();
        assertThat(events).extracting(ChangeEvent::externalId).containsExactly("1", "2", "3", "4", "5", "2");
        assertThat(events.get(5).operation()).isEqualTo("deleted");
        assertThat(events.get(5).unifiedType()).isEqualTo("CONTACT"); // found by the sweep's lookup of unified types
        assertThat(hub.getRecord(TENANT, connection.id(), Contact.class, "2").orElseThrow().deleted()).isTrue();
        assertThat(hub.getRecord(TENANT, connection.id(), Contact.class, "3").orElseThrow().deleted()).isFalse();

        String deletion = RecordRepository.markUnifiedDeleted(kind == TestDatabase.Kind.POSTGRESQL, connection.id()).replace(":now", "CURRENT_TIMESTAMP")
                .replace(":connection", "'" + connection.id() + "'").replace(":entity", "'people'").replace(":id", "'3'")
                .replace(":tenant", "'" + TENANT + "'");
        if (kind == TestDatabase.Kind.POSTGRESQL) {
            // Asked of the planner with 20,000 rows and their statistics (it would rather scan a table of five).
            try (java.sql.Connection jdbc = hub.database().dataSource().getConnection(); Statement statement = jdbc.createStatement()) {
                statement.execute("INSERT INTO junction_unified_record (stream_id, tenant_id, connection_id, unified_type, external_id, "
                        + "entity, label, data, deleted, updated_at) SELECT " + Streams.unified(connection.id(), "CONTACT") + ", '"
                        + TENANT + "', '" + connection.id() + "', 'CONTACT', 'bulk-' || n, 'people', 'Bulk', '{}', FALSE, now() "
                        + "FROM generate_series(1, 20000) AS n");
                statement.execute("ANALYZE junction_unified_record");
            }
            String plan = plan(deletion);
            assertThat(plan).doesNotContain("seq scan");
            // The index scan is bounded by the id (each of the connection's unified streams listed), not by the stream alone.
            assertThat(plan.lines().filter(line -> line.trim().startsWith("index cond:")).collect(Collectors.joining()))
                    .contains("stream_id").contains("external_id");
        } else {
            // H2 looks up each (stream, id) key of the row-value list: two rows read, not the tenant's.
            String plan = plan("ANALYZE " + deletion);
            assertThat(plan).contains("in(row (");
            assertThat(java.util.regex.Pattern.compile("scancount: (\\d+)").matcher(plan).results()
                    .map(match -> Integer.parseInt(match.group(1))).toList()).isNotEmpty().allMatch(count -> count <= 2);
        }
    }

    /** The plan the database would run {@code sql} with, lower case. */
    private String plan(String sql) throws Exception {
        try (java.sql.Connection jdbc = hub.database().dataSource().getConnection(); Statement statement = jdbc.createStatement();
                ResultSet rs = statement.executeQuery("EXPLAIN " + sql)) {
            StringBuilder plan = new StringBuilder();
            while (rs.next()) plan.append(rs.getString(1)).append('\n');
            return plan.toString().toLowerCase(Locale.ROOT);
        }
    }
}
