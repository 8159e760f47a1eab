package dev.junction.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.junction.core.internal.store.Database;
import dev.junction.core.internal.store.Streams;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The record streams' registry ({@code junction_record_stream}, see {@link Streams}): a stream is registered once
 * however many writers register it at once, an id registered for another stream is refused loudly instead of shared,
 * and ids are a function of the stream alone. On PostgreSQL and on the embedded database.
 */
class RecordStreamsTest {

    private TestDatabase database;
    private Database store;

    @AfterEach
    void stop() {
        if (store != null) store.close();
        if (database != null) database.close();
    }

    private Jdbi start(TestDatabase.Kind kind) {
        database = TestDatabase.create(kind, "RecordStreamsTest");
        store = (kind == TestDatabase.Kind.POSTGRESQL ? Database.of(database.dataSource()) : Database.embedded(database.dataDirectory()))
                .migrate();
        return store.jdbi();
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void writersRegisteringAStreamAtOnceRegisterItOnce(TestDatabase.Kind kind) throws Exception {
        Jdbi jdbi = start(kind);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Long>> ids = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                ids.add(pool.submit(() -> {
                    go.await();
                    return Streams.register(jdbi, "tenant-a", "conn-1", Streams.RAW, "contacts");
                }));
            }
            go.countDown();
            for (Future<Long> id : ids) {
                assertThat(id.get()).isEqualTo(Streams.raw("conn-1", "contacts"));
            }
        } finally {
            pool.shutdownNow();
        }
        List<String> registered = jdbi.withHandle(handle -> handle.createQuery("SELECT tenant_id || ' ' || connection_id || ' ' "
                + "|| kind || ' ' || name FROM junction_record_stream").mapTo(String.class).list());
        assertThat(registered).containsExactly("tenant-a conn-1 raw contacts");
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void anIdRegisteredForAnotherStreamIsRefused(TestDatabase.Kind kind) {
        Jdbi jdbi = start(kind);
        long id = Streams.unified("conn-2", "CONTACT");
        // Another stream holding this id: what a collision of two streams' digests would leave.
        jdbi.useHandle(handle -> handle.execute("INSERT INTO junction_record_stream (stream_id, tenant_id, connection_id, kind, name) "
                + "VALUES (?, 'tenant-b', 'conn-9', 'unified', 'CONTACT')", id));

        assertThatThrownBy(() -> Streams.register(jdbi, "tenant-a", "conn-2", Streams.UNIFIED, "CONTACT"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("already registered for another stream");
    }

    @org.junit.jupiter.api.Test
    void idsAreAFunctionOfTheStreamAlone() {
        assertThat(Streams.raw("conn-1", "contacts")).isEqualTo(Streams.raw("conn-1", "contacts"))
                .isNotEqualTo(Streams.raw("conn-1", "matters")).isNotEqualTo(Streams.raw("conn-2", "contacts"))
                .isNotEqualTo(Streams.unified("conn-1", "contacts"));
        // The lengths go into the digest: moving a character from the connection to the name makes another stream.
        assertThat(Streams.raw("conn-1x", "y")).isNotEqualTo(Streams.raw("conn-1", "xy"));
        assertThat(Streams.everyUnified("conn-1")).hasSize(dev.junction.core.model.UnifiedType.values().length)
                .contains(Streams.unified("conn-1", "CONTACT")).doesNotHaveDuplicates();
    }
}
