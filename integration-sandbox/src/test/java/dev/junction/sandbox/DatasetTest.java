package dev.junction.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class DatasetTest {

    private static final Instant NOW = Instant.parse("2024-05-01T12:00:00Z");

    private final MutableClock clock = MutableClock.at(NOW);
    private final AtomicLong generated = new AtomicLong();

    private Dataset dataset(long size, long seed) {
        return Dataset.builder("contacts")
                .withSeed(seed)
                .withSize(size)
                .withClock(clock)
                .withGenerator(context -> {
                    generated.incrementAndGet();
                    return SandboxJson.object()
                            .put("id", context.id())
                            .put("name", "Contact " + context.random().nextInt(1_000_000))
                            .put("updated_at", context.updatedAt().toString());
                })
                .build();
    }

    @Test
    void sameSeedAlwaysGivesTheSameRecords() {
        assertThat(dataset(100, 7).find(42)).isEqualTo(dataset(100, 7).find(42));
        assertThat(dataset(100, 7).find(42).orElseThrow().body())
                .isNotEqualTo(dataset(100, 8).find(42).orElseThrow().body());
    }

    @Test
    void baseRecordsAreCreatedAndUpdatedBeforeTheClockTimeInIdOrder() {
        Dataset contacts = dataset(1_000, 1);

        List<DatasetRecord> all = contacts.pageAfter(0, 1_000, DatasetFilter.none()).records();

        for (int index = 1; index < all.size(); index++) {
            assertThat(all.get(index).updatedAt()).isAfterOrEqualTo(all.get(index - 1).updatedAt());
            assertThat(all.get(index).updatedAt()).isAfterOrEqualTo(all.get(index).createdAt());
        }
        assertThat(all.get(all.size() - 1).updatedAt()).isBeforeOrEqualTo(NOW);
    }

    @Test
    void cursorPagingVisitsEveryRecordOnceInIdOrder() {
        Dataset contacts = dataset(1_000, 1);
        List<Long> ids = new ArrayList<>();
        long afterId = 0;
        DatasetPage page;
        do {
            page = contacts.pageAfter(afterId, 200, DatasetFilter.none());
            page.records().forEach(record -> ids.add(record.id()));
            afterId = page.lastId().orElse(afterId);
        } while (page.hasMore());

        assertThat(ids).containsExactlyElementsOf(LongStream.rangeClosed(1, 1_000).boxed().toList());
    }

    @Test
    void createdRecordsFollowTheBaseIdsAndCarryTheClockTime() {
        Dataset contacts = dataset(10, 1);
        clock.advance(Duration.ofMinutes(5).plusMillis(250));

        DatasetRecord created = contacts.insert(context -> SandboxJson.object().put("name", "New"));

        assertThat(created.id()).isEqualTo(11);
        assertThat(created.createdAt()).isEqualTo(NOW.plusSeconds(300));
        assertThat(contacts.count()).isEqualTo(11);
        assertThat(contacts.pageAfter(10, 5, DatasetFilter.none()).records()).containsExactly(created);
    }

    @Test
    void updateReplacesTheBodyKeepsTheCreationTimeAndStampsTheClock() {
        Dataset contacts = dataset(10, 1);
        DatasetRecord original = contacts.find(3).orElseThrow();
        clock.advance(Duration.ofSeconds(30));

        DatasetChange change = contacts.update(3, (body, context) -> body.put("name", "Renamed")).orElseThrow();

        assertThat(change.before()).isEqualTo(original);
        assertThat(change.after().body().get("name").asText()).isEqualTo("Renamed");
        assertThat(change.after().createdAt()).isEqualTo(original.createdAt());
        assertThat(change.after().updatedAt()).isEqualTo(NOW.plusSeconds(30));
        assertThat(contacts.find(3)).contains(change.after());
    }

    @Test
    void deletedRecordsDisappearFromLookupsPagesAndCounts() {
        Dataset contacts = dataset(10, 1);

        assertThat(contacts.delete(4)).isPresent();

        assertThat(contacts.find(4)).isEmpty();
        assertThat(contacts.contains(4)).isFalse();
        assertThat(contacts.delete(4)).isEmpty();
        assertThat(contacts.update(4, (body, context) -> body)).isEmpty();
        assertThat(contacts.count()).isEqualTo(9);
        assertThat(contacts.pageAfter(0, 20, DatasetFilter.none()).records())
                .extracting(DatasetRecord::id).containsExactly(1L, 2L, 3L, 5L, 6L, 7L, 8L, 9L, 10L);
        assertThat(contacts.liveIds().boxed()).containsExactly(1L, 2L, 3L, 5L, 6L, 7L, 8L, 9L, 10L);
    }

    @Test
    void timeFiltersAreInclusiveAndAgreeWithAFullScan() {
        Dataset contacts = dataset(500, 3);
        clock.advance(Duration.ofHours(1));
        contacts.update(17, (body, context) -> body.put("name", "changed"));
        contacts.delete(400);
        contacts.insert(context -> SandboxJson.object());
        List<DatasetRecord> everything = contacts.pageAfter(0, 1_000, DatasetFilter.none()).records();
        Instant updatedBound = contacts.find(250).orElseThrow().updatedAt();
        Instant createdBound = contacts.find(300).orElseThrow().createdAt();

        for (DatasetFilter filter : List.of(
                DatasetFilter.none().withUpdatedSince(updatedBound),
                DatasetFilter.none().withCreatedSince(createdBound),
                DatasetFilter.none().withUpdatedSince(NOW.plusSeconds(10)),
                DatasetFilter.none().withUpdatedSince(updatedBound).withCreatedSince(createdBound))) {
            List<DatasetRecord> expected = everything.stream().filter(filter::matches).toList();

            assertThat(contacts.pageAfter(0, 1_000, filter).records()).as(filter.toString()).isEqualTo(expected);
            assertThat(contacts.count(filter)).as(filter.toString()).isEqualTo(expected.size());
        }
        assertThat(contacts.pageAfter(0, 1_000, DatasetFilter.none().withUpdatedSince(NOW.plusSeconds(10))).records())
                .extracting(DatasetRecord::id).containsExactly(17L, 501L);
    }

    @Test
    void offsetPagingSkipsOnlyLiveMatchingRecords() {
        Dataset contacts = dataset(30, 1);
        contacts.delete(2);

        DatasetPage page = contacts.pageAt(new OffsetPage(5, 3), DatasetFilter.none());

        assertThat(page.records()).extracting(DatasetRecord::id).containsExactly(7L, 8L, 9L);
        assertThat(page.hasMore()).isTrue();
        assertThat(contacts.pageAt(new OffsetPage(27, 5), DatasetFilter.none()).hasMore()).isFalse();
    }

    @Test
    @Timeout(5)
    void millionRecordDatasetGeneratesOnlyThePageItServes() {
        Dataset contacts = dataset(1_000_000, 9);
        Instant nearTheEnd = contacts.find(999_900).orElseThrow().updatedAt();
        generated.set(0);

        DatasetPage last = contacts.pageAfter(999_800, 200, DatasetFilter.none());
        DatasetPage recent = contacts.pageAfter(0, 50, DatasetFilter.none().withUpdatedSince(nearTheEnd));

        assertThat(last.records()).hasSize(200);
        assertThat(last.records().get(199).id()).isEqualTo(1_000_000);
        assertThat(last.hasMore()).isFalse();
        assertThat(recent.records().get(0).id()).isEqualTo(999_900);
        assertThat(generated.get()).isEqualTo(250);
        assertThat(contacts.count(DatasetFilter.none().withUpdatedSince(nearTheEnd))).isEqualTo(101);
    }

    @Test
    void bodiesHandedOutAreCopies() {
        Dataset contacts = dataset(5, 1);
        DatasetRecord created = contacts.insert(context -> SandboxJson.object().put("name", "A"));
        ObjectNode body = created.body();

        body.put("name", "changed by caller");

        assertThat(contacts.find(created.id()).orElseThrow().body().get("name").asText()).isEqualTo("A");
    }
}
