package dev.junction.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.junction.core.ConflictStrategy;
import dev.junction.core.Connection;
import dev.junction.core.Hub;
import dev.junction.core.NewConnection;
import dev.junction.core.PushChange;
import dev.junction.core.PushResult;
import dev.junction.core.SyncRequest;
import dev.junction.core.SyncRun;
import dev.junction.core.error.ErrorKind;
import dev.junction.core.error.JunctionException;
import dev.junction.core.model.Contact;
import dev.junction.sandbox.MutableClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Two-way sync in core: pushes, conflict detection and each strategy, the audit log, idempotency; both databases. */
class TwoWaySyncTest {

    private static final String TENANT = "tenant-2way";

    private MutableClock clock;
    private MemoryProvider provider;
    private TestDatabase database;
    private Hub hub;
    private Connection connection;

    void start(TestDatabase.Kind kind) {
        clock = MutableClock.at(Instant.parse("2026-04-01T09:00:00Z"));
        provider = new MemoryProvider(clock);
        database = TestDatabase.create(kind, "TwoWaySyncTest");
        hub = provider.hubBuilder(database).build();
        connection = hub.createConnection(NewConnection.of(TENANT, "memory").withSetting("api_key", "k"));
        provider.put(1, "Ada Lovelace");
        provider.put(2, "Grace Hopper");
        hub.sync(TENANT, connection.id(), SyncRequest.full());
    }

    @AfterEach
    void stop() {
        if (hub != null) hub.close();
        if (database != null) database.close();
    }

    private static ObjectNode name(String value) {
        return MemoryProvider.JSON.createObjectNode().put("name", value);
    }

    private PushChange update(String id, String newName, Instant changedAt, String key) {
        return PushChange.update(TENANT, connection.id(), "people", id, name(newName), changedAt, key);
    }

    private String storedName(String id) {
        return hub.getRecord(TENANT, connection.id(), Contact.class, id).orElseThrow().record().name();
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void aChangeWithoutConflictIsPushedStoredAndDoesNotEchoBack(TestDatabase.Kind kind) {
        start(kind);
        clock.advance(Duration.ofMinutes(5));

        PushResult result = hub.push(update("1", "Ada King", clock.instant(), "k-1"));

        assertThat(result.decision()).isEqualTo("pushed");
        assertThat(result.pushed()).isTrue();
        assertThat(provider.people.get(1L).get("name").asText()).isEqualTo("Ada King");
        assertThat(storedName("1")).isEqualTo("Ada King");
        SyncRun next = hub.sync(TENANT, connection.id(), SyncRequest.full());
        assertThat(next.entity("people").orElseThrow().updated()).as("the pushed change does not come back as a change").isZero();

        PushResult created = hub.push(PushChange.create(TENANT, connection.id(), "people", name("Joan Clarke"), clock.instant(), "k-2"));
        assertThat(created.externalId()).isEqualTo("3");
        assertThat(storedName("3")).isEqualTo("Joan Clarke");
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void conflictsAreResolvedByTheConnectionsStrategyAndAudited(TestDatabase.Kind kind) {
        start(kind);
        assertThat(hub.conflictStrategy(TENANT, connection.id())).isEqualTo(ConflictStrategy.REMOTE_WINS);
        Instant localEdit = clock.instant().plus(Duration.ofMinutes(1));
        clock.advance(Duration.ofMinutes(2));
        provider.put(1, "Ada Remote"); // changed at the provider after the sync, after the local edit

        PushResult remoteWins = hub.push(update("1", "Ada Local", localEdit, "c-1"));

        assertThat(remoteWins.decision()).isEqualTo("conflict_remote_won");
        assertThat(remoteWins.strategy()).isEqualTo(ConflictStrategy.REMOTE_WINS);
        assertThat(remoteWins.pushed()).isFalse();
        assertThat(provider.people.get(1L).get("name").asText()).isEqualTo("Ada Remote");
        assertThat(storedName("1")).as("the store takes the provider's version").isEqualTo("Ada Remote");

        hub.setConflictStrategy(TENANT, connection.id(), ConflictStrategy.NEWEST_WINS);
        clock.advance(Duration.ofMinutes(1));
        provider.put(2, "Grace Remote");
        PushResult olderLocal = hub.push(update("2", "Grace Local", clock.instant().minus(Duration.ofMinutes(5)), "c-2"));
        assertThat(olderLocal.decision()).isEqualTo("conflict_remote_won");
        clock.advance(Duration.ofMinutes(1));
        provider.put(2, "Grace Remote Again");
        PushResult newerLocal = hub.push(update("2", "Grace Local", clock.instant().plus(Duration.ofSeconds(30)), "c-3"));
        assertThat(newerLocal.decision()).isEqualTo("conflict_local_won");
        assertThat(provider.people.get(2L).get("name").asText()).isEqualTo("Grace Local");

        hub.setConflictStrategy(TENANT, connection.id(), ConflictStrategy.LOCAL_WINS);
        clock.advance(Duration.ofMinutes(1));
        provider.put(1, "Ada Remote Again");
        PushResult localWins = hub.push(update("1", "Ada Local", clock.instant().minus(Duration.ofHours(1)), "c-4"));
        assertThat(localWins.decision()).isEqualTo("conflict_local_won");
        assertThat(storedName("1")).isEqualTo("Ada Local");

        assertThat(hub.pushLog(TENANT, connection.id(), 10)).extracting(PushResult::decision)
                .containsExactly("conflict_local_won", "conflict_local_won", "conflict_remote_won", "conflict_remote_won");
        assertThat(hub.pushLog(TENANT, connection.id(), 10).get(3).strategy()).isEqualTo(ConflictStrategy.REMOTE_WINS);
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void aPushIsIdempotentUnderRetryAndBadInputChangesNothing(TestDatabase.Kind kind) {
        start(kind);

        PushResult first = hub.push(update("1", "Ada King", clock.instant(), "same-key"));
        PushResult retried = hub.push(update("1", "Ada King", clock.instant(), "same-key"));

        assertThat(retried.replayed()).isTrue();
        assertThat(retried.id()).isEqualTo(first.id());
        assertThat(provider.pushCalls.get()).isEqualTo(1);
        assertThatThrownBy(() -> hub.push(update("1", "Someone Else", clock.instant(), "same-key")))
                .isInstanceOf(JunctionException.class).extracting("kind").isEqualTo(ErrorKind.CONFLICT);

        provider.down.set(true);
        assertThatThrownBy(() -> hub.push(update("2", "Grace B", clock.instant(), "flaky")))
                .isInstanceOf(JunctionException.class).extracting("kind").isEqualTo(ErrorKind.PROVIDER_UNAVAILABLE);
        provider.down.set(false);
        assertThat(hub.push(update("2", "Grace B", clock.instant(), "flaky")).decision()).as("the key was freed").isEqualTo("pushed");

        assertThatThrownBy(() -> hub.push(update("99", "Nobody", clock.instant(), "k-x")))
                .isInstanceOf(JunctionException.class).extracting("kind").isEqualTo(ErrorKind.INVALID_INPUT);
        assertThatThrownBy(() -> hub.push(update("1", "X", clock.instant(), "k-y").withEntity("ghosts")))
                .isInstanceOf(JunctionException.class).extracting("kind").isEqualTo(ErrorKind.INVALID_INPUT);
        assertThatThrownBy(() -> PushChange.update(TENANT, connection.id(), "people", "1",
                MemoryProvider.JSON.createArrayNode(), clock.instant(), "k"))
                .isInstanceOf(JunctionException.class).extracting("kind").isEqualTo(ErrorKind.INVALID_INPUT);
        assertThatThrownBy(() -> hub.push(null)).isInstanceOf(JunctionException.class);
        assertThat(hub.pushLog(TENANT, connection.id(), 10)).hasSize(2);
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void aRecordDeletedAtTheProviderIsNotRecreated(TestDatabase.Kind kind) {
        start(kind);
        provider.people.remove(2L);

        PushResult result = hub.push(update("2", "Grace B", clock.instant(), "gone"));

        assertThat(result.decision()).isEqualTo("remote_deleted");
        assertThat(provider.people).doesNotContainKey(2L);
        assertThat(hub.liveIds(TENANT, connection.id(), "people")).containsExactly("1");
    }
}
