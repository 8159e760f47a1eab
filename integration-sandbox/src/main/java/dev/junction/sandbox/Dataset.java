package dev.junction.sandbox;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;

/**
 * A deterministic, seeded collection of records of one entity type that does not hold its records
 * in memory.
 *
 * <p>Base records have the dense ids {@code 1..size}; record {@code i} is generated on demand from
 * {@code (seed, name, i)} by a {@link RecordGenerator}, so a dataset of a million records costs
 * almost nothing until it changes. Creations, updates and deletions live in an overlay map; created
 * records get the ids {@code size + 1, size + 2, ...}. Base creation and update times are spread
 * over a time span in id order (see {@link Builder#withTimeline(Instant, Instant)}), which keeps
 * listings by id and by {@code updated since} proportional to the page size, not the dataset size:
 * a page costs {@code O(limit + overlay entries after the cursor)}.
 *
 * <p>Timestamps have second precision, as most JSON APIs render them, so a client that stores the
 * highest {@code updated_at} it saw and filters on it inclusively never misses a change.
 *
 * <pre>{@code
 * Dataset contacts = Dataset.builder("contacts")
 *         .withSeed(42).withSize(1_000_000).withClock(clock)
 *         .withGenerator(context -> SandboxJson.object().put("id", context.id()))
 *         .build();
 * DatasetPage page = contacts.pageAfter(0, 200, DatasetFilter.none());
 * }</pre>
 *
 * <p>Thread-safe: reads are lock-free, changes are serialised.
 */
public final class Dataset {

    private static final Duration DEFAULT_HISTORY = Duration.ofDays(730);

    private final String name;
    private final long seed;
    private final long size;
    private final Clock clock;
    private final RecordGenerator generator;
    private final BaseTimeline timeline;
    private final ConcurrentSkipListMap<Long, OverlayEntry> overlay = new ConcurrentSkipListMap<>();
    private final AtomicLong maxId;
    private final AtomicLong liveCount;
    private long changeSequence;
    private final AtomicLong version = new AtomicLong();

    private Dataset(Builder builder) {
        this.name = builder.name;
        this.seed = mix(builder.seed, builder.name.hashCode());
        this.size = builder.size;
        this.clock = builder.clock;
        this.generator = builder.generator;
        Instant end = builder.timelineEnd != null ? builder.timelineEnd : now();
        Instant start = builder.timelineStart != null ? builder.timelineStart : end.minus(DEFAULT_HISTORY);
        this.timeline = new BaseTimeline(start, end, size, seed);
        this.maxId = new AtomicLong(size);
        this.liveCount = new AtomicLong(size);
    }

    /** Starts a builder for a dataset called {@code name} (the name also varies the generated data). */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** The dataset's name. */
    public String name() {
        return name;
    }

    /**
     * A number that grows with every insert, update and delete: equal versions mean equal contents (base records are
     * a pure function of seed and id), so whatever was rendered from the dataset at a version may be served again.
     */
    public long version() {
        return version.get();
    }

    /** How many base (generated) records there are. */
    public long baseSize() {
        return size;
    }

    /** The highest id ever assigned, deleted or not. */
    public long maxId() {
        return maxId.get();
    }

    /** How many records currently exist. */
    public long count() {
        return liveCount.get();
    }

    /** Whether a record with this id currently exists. */
    public boolean contains(long id) {
        OverlayEntry entry = overlay.get(id);
        return entry != null ? entry.record() != null : id >= 1 && id <= size;
    }

    /** The record with this id, if it exists. */
    public Optional<DatasetRecord> find(long id) {
        OverlayEntry entry = overlay.get(id);
        if (entry != null) {
            return Optional.ofNullable(entry.record());
        }
        return id >= 1 && id <= size ? Optional.of(generate(id)) : Optional.empty();
    }

    /**
     * Lists records with an id greater than {@code afterId}, in id order: cursor paging.
     *
     * @param afterId the last id of the previous page; 0 for the first page
     * @param limit the page size, 1 or more
     */
    public DatasetPage pageAfter(long afterId, int limit, DatasetFilter filter) {
        checkLimit(limit);
        return collect(new LiveCursor(afterId, filter), limit);
    }

    /**
     * Lists records in id order after skipping {@code offset} matching records: offset paging.
     * Costs {@code O(offset + limit)}, so keep offsets bounded, as real APIs do.
     */
    public DatasetPage pageAt(OffsetPage page, DatasetFilter filter) {
        LiveCursor cursor = new LiveCursor(0, filter);
        for (long skipped = 0; skipped < page.offset() && cursor.hasNext(); skipped++) {
            cursor.skip();
        }
        return collect(cursor, page.limit());
    }

    /** How many records the filter keeps. Costs {@code O(overlay size)}. */
    public long count(DatasetFilter filter) {
        if (filter.isNone()) {
            return liveCount.get();
        }
        long first = timeline.firstIdMatching(filter);
        long matching = 0;
        if (first <= size) {
            matching = size - first + 1 - overlay.subMap(first, true, size, true).size();
        }
        for (OverlayEntry entry : overlay.values()) {
            if (entry.record() != null && filter.matches(entry.record())) {
                matching++;
            }
        }
        return matching;
    }

    /** The ids of every existing record, ascending. Costs {@code O(maxId)}. */
    public LongStream liveIds() {
        return LongStream.rangeClosed(1, maxId.get()).filter(this::contains);
    }

    /**
     * Creates a record with the next id, stamped with the current time. When {@code body} throws,
     * nothing changes and the exception propagates.
     *
     * @param body builds the new record's body from its context
     * @return the new record
     */
    public synchronized DatasetRecord insert(RecordGenerator body) {
        long id = maxId.get() + 1;
        Instant now = now();
        // Copied: the caller's generator may keep what it returned.
        DatasetRecord record = new DatasetRecord(id, now, now, body.generate(context(id, now, now)).deepCopy());
        // Take the id only once the body exists, so a failing generator leaves no gap.
        maxId.set(id);
        overlay.put(id, new OverlayEntry(record));
        version.incrementAndGet();
        liveCount.incrementAndGet();
        return record;
    }

    /**
     * Changes a record and stamps it with the current time. When {@code updater} throws, nothing
     * changes and the exception propagates.
     *
     * @return both states, or empty when the record does not exist
     */
    public synchronized Optional<DatasetChange> update(long id, RecordUpdater updater) {
        Optional<DatasetRecord> current = find(id);
        if (current.isEmpty()) {
            return Optional.empty();
        }
        DatasetRecord before = current.get();
        Instant now = now();
        ObjectNode body = updater.update(before.body(), context(id, before.createdAt(), now));
        DatasetRecord after = new DatasetRecord(id, before.createdAt(), now, body.deepCopy());
        overlay.put(id, new OverlayEntry(after));
        version.incrementAndGet();
        return Optional.of(new DatasetChange(before, after));
    }

    /**
     * Deletes a record.
     *
     * @return the record as it was, or empty when it did not exist
     */
    public synchronized Optional<DatasetRecord> delete(long id) {
        Optional<DatasetRecord> current = find(id);
        if (current.isPresent()) {
            overlay.put(id, OverlayEntry.DELETED);
            version.incrementAndGet();
            liveCount.decrementAndGet();
        }
        return current;
    }

    private RecordContext context(long id, Instant createdAt, Instant updatedAt) {
        long change = ++changeSequence;
        return new RecordContext(id, createdAt, updatedAt, new SplittableRandom(mix(mix(seed, id), change)));
    }

    private DatasetRecord generate(long id) {
        Instant createdAt = timeline.createdAt(id);
        Instant updatedAt = timeline.updatedAt(id);
        ObjectNode body = generator.generate(
                new RecordContext(id, createdAt, updatedAt, new SplittableRandom(mix(seed, id))));
        // Not copied: the dataset's generator builds a new body per call (see RecordGenerator) and nothing keeps it.
        return new DatasetRecord(id, createdAt, updatedAt, body);
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.SECONDS);
    }

    private static DatasetPage collect(LiveCursor cursor, int limit) {
        List<DatasetRecord> records = new ArrayList<>(Math.min(limit, 256));
        while (records.size() < limit && cursor.hasNext()) {
            records.add(cursor.next());
        }
        return new DatasetPage(records, cursor.hasNext());
    }

    private static void checkLimit(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be positive: " + limit);
        }
    }

    /** SplitMix64-style mixing of two longs: well spread, cheap and stable across JVMs. */
    static long mix(long first, long second) {
        long value = first * 0x9E3779B97F4A7C15L + second;
        value = (value ^ (value >>> 30)) * 0xBF58476D1CE4E5B9L;
        value = (value ^ (value >>> 27)) * 0x94D049BB133111EBL;
        return value ^ (value >>> 31);
    }

    /** An overlay slot: a changed or created record, or a deletion marker when {@code record} is null. */
    private record OverlayEntry(DatasetRecord record) {
        static final OverlayEntry DELETED = new OverlayEntry(null);
    }

    /**
     * Walks live, matching records in id order by merging two sources: base ids from the first one
     * the filter can keep (base times grow with the id), skipping ids the overlay masks; and
     * overlay records, filtered one by one.
     */
    private final class LiveCursor {

        private final DatasetFilter filter;
        private final Iterator<Map.Entry<Long, OverlayEntry>> overlayEntries;
        private long nextBaseId;
        private DatasetRecord nextOverlayRecord;

        LiveCursor(long afterId, DatasetFilter filter) {
            this.filter = Objects.requireNonNull(filter, "filter");
            this.nextBaseId = Math.max(afterId + 1, timeline.firstIdMatching(filter));
            ConcurrentNavigableMap<Long, OverlayEntry> tail = overlay.tailMap(afterId, false);
            this.overlayEntries = tail.entrySet().iterator();
            advanceOverlay();
        }

        boolean hasNext() {
            skipMaskedBaseIds();
            return nextBaseId <= size || nextOverlayRecord != null;
        }

        DatasetRecord next() {
            return take(true);
        }

        void skip() {
            take(false);
        }

        private DatasetRecord take(boolean materialise) {
            skipMaskedBaseIds();
            boolean baseFirst = nextBaseId <= size
                    && (nextOverlayRecord == null || nextBaseId < nextOverlayRecord.id());
            if (baseFirst) {
                long id = nextBaseId++;
                return materialise ? generate(id) : null;
            }
            DatasetRecord record = nextOverlayRecord;
            advanceOverlay();
            return record;
        }

        private void skipMaskedBaseIds() {
            while (nextBaseId <= size && overlay.containsKey(nextBaseId)) {
                nextBaseId++;
            }
        }

        private void advanceOverlay() {
            nextOverlayRecord = null;
            while (overlayEntries.hasNext()) {
                DatasetRecord record = overlayEntries.next().getValue().record();
                if (record != null && filter.matches(record)) {
                    nextOverlayRecord = record;
                    return;
                }
            }
        }
    }

    /** Configures a {@link Dataset}. Not thread-safe. */
    public static final class Builder {

        private final String name;
        private long seed;
        private long size;
        private Clock clock = Clock.systemUTC();
        private RecordGenerator generator;
        private Instant timelineStart;
        private Instant timelineEnd;

        private Builder(String name) {
            this.name = Objects.requireNonNull(name, "name");
        }

        /** The seed; the same seed, name and size always give the same records. Default 0. */
        public Builder withSeed(long value) {
            this.seed = value;
            return this;
        }

        /** How many base records to generate; default 0. */
        public Builder withSize(long value) {
            if (value < 0) {
                throw new IllegalArgumentException("size must not be negative: " + value);
            }
            this.size = value;
            return this;
        }

        /** The clock that stamps changes; default {@link Clock#systemUTC()}. */
        public Builder withClock(Clock value) {
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /** Builds each record's body; required. */
        public Builder withGenerator(RecordGenerator value) {
            this.generator = Objects.requireNonNull(value, "generator");
            return this;
        }

        /**
         * The span over which base records were created and updated, in id order. Default: the two
         * years before the clock's time at {@link #build()}.
         */
        public Builder withTimeline(Instant start, Instant end) {
            this.timelineStart = Objects.requireNonNull(start, "start");
            this.timelineEnd = Objects.requireNonNull(end, "end");
            return this;
        }

        /** Creates the dataset. */
        public Dataset build() {
            if (generator == null) {
                throw new IllegalStateException("Dataset '" + name + "' needs a generator");
            }
            return new Dataset(this);
        }
    }
}
