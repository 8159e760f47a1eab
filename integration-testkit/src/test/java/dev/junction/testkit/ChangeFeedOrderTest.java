package dev.junction.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.core.ChangeEvent;
import dev.junction.core.ChangePage;
import dev.junction.core.Connection;
import dev.junction.core.Hub;
import dev.junction.core.NewConnection;
import dev.junction.core.SyncHandle;
import dev.junction.core.SyncRequest;
import dev.junction.core.SyncStatus;
import dev.junction.core.crypto.SecretCipher;
import dev.junction.core.spi.Settings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A reader that follows a tenant's change feed by sequence while several syncs of that tenant commit pages at once
 * never skips an event: sequence order is commit order within a tenant.
 */
class ChangeFeedOrderTest {

    private static final String TENANT = "tenant-feed";
    private TestDatabase database;
    private Hub hub;

    @AfterEach
    void stop() {
        if (hub != null) hub.close();
        if (database != null) database.close();
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void aFollowingReaderSeesEveryEventOnceWhileSyncsCommitConcurrently(TestDatabase.Kind kind) throws Exception {
        MemoryProvider provider = new MemoryProvider(java.time.Clock.systemUTC());
        LongStream.rangeClosed(1, 200).forEach(id -> provider.put(id, "Person " + id));
        database = TestDatabase.create(kind, "ChangeFeedOrderTest");
        hub = database.configure(Hub.builder())
                .withEncryptionKey("k1", SecretCipher.generateKey())
                .withBackgroundInterval(Duration.ZERO)
                .withPageSize(4)
                .withSyncThreads(4)
                .withProvider(provider, Settings.EMPTY)
                .build();
        List<Connection> connections = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            connections.add(hub.createConnection(NewConnection.of(TENANT, "memory").withSetting("api_key", "key-" + i)));
        }

        List<SyncHandle> handles = new ArrayList<>();
        for (Connection connection : connections) {
            handles.add(hub.startSync(TENANT, connection.id(), SyncRequest.full()));
        }
        Set<Long> seen = new HashSet<>();
        long cursor = 0;
        int duplicates = 0;
        while (handles.stream().anyMatch(handle -> !handle.done()) || cursor < lastSequence()) {
            ChangePage page = hub.changes(TENANT, cursor, null, 50);
            for (ChangeEvent event : page.events()) {
                if (!seen.add(event.sequence())) duplicates++;
            }
            cursor = page.nextCursor();
        }
        for (SyncHandle handle : handles) {
            assertThat(handle.await().status()).isEqualTo(SyncStatus.SUCCEEDED);
        }

        Set<Long> all = new HashSet<>();
        long from = 0;
        while (true) {
            ChangePage page = hub.changes(TENANT, from, null, 1000);
            if (page.events().isEmpty()) break;
            page.events().forEach(event -> all.add(event.sequence()));
            from = page.nextCursor();
        }
        assertThat(all).hasSize(4 * 200);
        assertThat(duplicates).isZero();
        assertThat(seen).as("events the following reader saw").isEqualTo(all);
    }

    private long lastSequence() {
        long last = 0;
        long from = 0;
        while (true) {
            ChangePage page = hub.changes(TENANT, from, null, 1000);
            if (page.events().isEmpty()) return last;
            last = page.nextCursor();
            from = last;
        }
    }
}
