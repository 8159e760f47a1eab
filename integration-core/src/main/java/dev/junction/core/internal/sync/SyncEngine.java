package dev.junction.core.internal.sync;

import dev.junction.core.ConnectionStatus;
import dev.junction.core.EntitySyncStats;
import dev.junction.core.HubObserver;
import dev.junction.core.SyncHandle;
import dev.junction.core.SyncMode;
import dev.junction.core.SyncProgress;
import dev.junction.core.SyncRequest;
import dev.junction.core.SyncRun;
import dev.junction.core.SyncStatus;
import dev.junction.core.error.ErrorContext;
import dev.junction.core.error.ErrorKind;
import dev.junction.core.error.JunctionException;
import dev.junction.core.error.NeedsReauthException;
import dev.junction.core.internal.ConnectionManager;
import dev.junction.core.internal.LogContext;
import dev.junction.core.internal.ProviderRegistry;
import dev.junction.core.internal.store.ConnectionRow;
import dev.junction.core.internal.store.Database;
import dev.junction.core.internal.store.PageOutcome;
import dev.junction.core.internal.store.RecordRepository;
import dev.junction.core.internal.store.SyncRepository;
import dev.junction.core.internal.store.SyncRepository.Checkpoint;
import dev.junction.core.spi.EntityType;
import dev.junction.core.spi.FetchRequest;
import dev.junction.core.spi.Page;
import dev.junction.core.spi.Provider;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.jdbi.v3.core.Handle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives full and incremental syncs, provider-agnostic.
 *
 * <p>Per entity, in dependency order: take the (connection, entity) lease in the database (at most one sync per
 * pair, across processes), then fetch page after page. Each page commits in one transaction with its records,
 * change events, dead letters and the checkpoint holding the next cursor, so a crash resumes from the last page
 * and a replayed page changes nothing (unchanged records are skipped by hash). A full pass that reaches its last
 * page sweeps records it did not see (guarded by {@link SyncSettings#maxSweepShare()}). An incremental pass asks
 * for records updated in [previous upper bound minus lookback, run start]. One failing entity does not stop the
 * others. Thread-safe; runs execute on the given executor.
 */
public final class SyncEngine {

    private static final Logger LOG = LoggerFactory.getLogger(SyncEngine.class);
    private static final String SWEEP_PENDING = "FULL_SWEEP";
    private static final int SWEEP_CHUNK = 500;

    private final Database database;
    private final RecordRepository records = new RecordRepository();
    private final SyncRepository sync;
    private final ConnectionManager connections;
    private final ProviderRegistry providers;
    private final OpenedConnector.Opener opener;
    private final Clock clock;
    private final SyncSettings settings;
    private final ExecutorService executor;
    private final String owner;
    private final HubObserver observer;

    public SyncEngine(Database database, SyncRepository sync, ConnectionManager connections, ProviderRegistry providers,
            OpenedConnector.Opener opener, Clock clock, SyncSettings settings, ExecutorService executor, String owner,
            HubObserver observer) {
        this.observer = observer;
        this.database = database;
        this.sync = sync;
        this.connections = connections;
        this.providers = providers;
        this.opener = opener;
        this.clock = clock;
        this.settings = settings;
        this.executor = executor;
        this.owner = owner;
    }

    public SyncHandle start(String tenantId, String connectionId, SyncRequest request) {
        JunctionException.requireArgument(request, "sync request");
        ConnectionRow row = connections.row(tenantId, connectionId);
        ErrorContext context = ErrorContext.provider(row.providerId()).withConnection(connectionId);
        switch (ConnectionStatus.valueOf(row.status())) {
            case PENDING_AUTH -> throw new JunctionException(ErrorKind.INVALID_INPUT, "connection has not completed OAuth yet", context);
            case NEEDS_REAUTH -> throw new NeedsReauthException("connection needs re-authorisation before it can sync", context);
            case DISABLED -> throw new JunctionException(ErrorKind.INVALID_INPUT, "connection is disabled", context);
            case ACTIVE -> { }
        }
        Provider provider = providers.require(row.providerId());
        List<EntityType> entities = selectEntities(provider, request.entities());
        String runId = UUID.randomUUID().toString();
        Instant startedAt = clock.instant();
        sync.insertRun(new SyncRepository.RunRow(runId, tenantId, connectionId, request.mode().name(), SyncStatus.RUNNING.name(),
                String.join(",", entities.stream().map(EntityType::name).toList()), null, startedAt, null),
                entities.stream().map(EntityType::name).toList());
        Run run = new Run(runId, tenantId, connectionId, request.mode(), entities, startedAt);
        run.providerId = provider.id();
        run.future = CompletableFuture.runAsync(LogContext.forRun(tenantId, connectionId, runId, run::execute), executor)
                .whenComplete((done, failure) -> observer.syncRunFinished(provider.id(), run.status, Duration.between(startedAt, clock.instant())));
        return run;
    }

    private static List<EntityType> selectEntities(Provider provider, List<String> requested) {
        if (requested.isEmpty()) {
            return provider.entityTypes();
        }
        Set<String> names = Set.copyOf(requested);
        for (String name : names) {
            if (provider.entityTypes().stream().noneMatch(type -> type.name().equals(name))) {
                throw new JunctionException(ErrorKind.INVALID_INPUT, "provider '" + provider.id() + "' has no entity '" + name
                        + "'; it has " + provider.entityTypes().stream().map(EntityType::name).toList(), ErrorContext.provider(provider.id()));
            }
        }
        return provider.entityTypes().stream().filter(type -> names.contains(type.name())).toList();
    }

    /**
     * Asks a run to stop, whichever process runs it: it stops after the page being written (or before its next
     * entity). Returns false when the run is not running; unknown run → NOT_FOUND.
     */
    public boolean requestCancel(String tenantId, String runId) {
        read(tenantId, runId);
        return sync.requestCancel(tenantId, runId);
    }

    public SyncRun read(String tenantId, String runId) {
        SyncRepository.RunRow row = sync.findRun(tenantId, runId).orElseThrow(() ->
                new JunctionException(ErrorKind.NOT_FOUND, "sync run '" + runId + "' not found for tenant '" + tenantId + "'"));
        return toRun(row);
    }

    public List<SyncRun> list(String tenantId, String connectionId, int limit) {
        if (limit < 1 || limit > 1000) {
            throw JunctionException.invalidInput("limit must be between 1 and 1000");
        }
        return sync.listRuns(tenantId, connectionId, limit).stream().map(this::toRun).toList();
    }

    private SyncRun toRun(SyncRepository.RunRow row) {
        List<EntitySyncStats> entities = sync.listEntities(row.tenantId(), row.id()).stream()
                .map(entity -> new EntitySyncStats(entity.entity(), SyncStatus.valueOf(entity.status().toUpperCase(java.util.Locale.ROOT)),
                        entity.pages(), entity.added(), entity.updated(), entity.unchanged(), entity.deleted(), entity.failed(),
                        Duration.ofMillis(entity.rateLimitWaitMillis()), entity.error(), entity.startedAt(), entity.finishedAt()))
                .toList();
        return new SyncRun(row.id(), row.tenantId(), row.connectionId(), SyncMode.valueOf(row.mode()), SyncStatus.valueOf(row.status()),
                entities, row.error(), row.startedAt(), row.finishedAt());
    }

    /** One running sync: its own state, progress counters, and the loop. */
    private final class Run implements SyncHandle {
        private final String runId;
        private final String tenantId;
        private final String connectionId;
        private final SyncMode mode;
        private final List<EntityType> entities;
        private final Instant startedAt;
        private final AtomicBoolean cancelled = new AtomicBoolean();
        private final AtomicLong pages = new AtomicLong();
        private final AtomicLong recordCount = new AtomicLong();
        private final AtomicReference<String> currentEntity = new AtomicReference<>();
        private final AtomicReference<Duration> waited = new AtomicReference<>(Duration.ZERO);
        private volatile Duration waitAtRunStart = Duration.ZERO;
        private long nextAnalyzeAt = 2_000;
        private volatile SyncStatus status = SyncStatus.RUNNING;
        private volatile CompletableFuture<Void> future;
        private volatile String providerId;

        Run(String runId, String tenantId, String connectionId, SyncMode mode, List<EntityType> entities, Instant startedAt) {
            this.runId = runId;
            this.tenantId = tenantId;
            this.connectionId = connectionId;
            this.mode = mode;
            this.entities = entities;
            this.startedAt = startedAt;
        }

        void execute() {
            List<SyncStatus> outcomes = new ArrayList<>();
            String runError = null;
            try {
                OpenedConnector opened = opener.open(tenantId, connectionId);
                waitAtRunStart = opened.rateLimitWait().get();
                for (EntityType entity : entities) {
                    if (cancelled.get()) {
                        outcomes.add(SyncStatus.CANCELLED);
                        markEntity(entity.name(), SyncStatus.CANCELLED, "cancelled before start");
                        continue;
                    }
                    SyncStatus outcome = syncEntity(opened, entity); // asks the database whether it was cancelled
                    outcomes.add(outcome);
                    if (outcome == SyncStatus.FAILED && lastErrorNeedsReauth) {
                        // Every other entity would fail the same way; stop and report.
                        runError = "connection needs re-authorisation";
                        break;
                    }
                }
            } catch (JunctionException e) {
                runError = e.getMessage();
                outcomes.add(SyncStatus.FAILED);
            } catch (RuntimeException e) {
                LOG.error("sync run {} of connection {} failed", runId, connectionId, e);
                runError = e.toString();
                outcomes.add(SyncStatus.FAILED);
            }
            status = overall(outcomes);
            sync.finishRun(tenantId, runId, status.name(), runError, clock.instant());
            currentEntity.set(null);
        }

        private boolean lastErrorNeedsReauth;

        private SyncStatus overall(List<SyncStatus> outcomes) {
            if (outcomes.contains(SyncStatus.CANCELLED) || cancelled.get()) return SyncStatus.CANCELLED;
            long failed = outcomes.stream().filter(s -> s == SyncStatus.FAILED || s == SyncStatus.SKIPPED).count();
            if (failed == 0) return SyncStatus.SUCCEEDED;
            return failed == outcomes.size() ? SyncStatus.FAILED : SyncStatus.PARTIAL;
        }

        private void markEntity(String entity, SyncStatus entityStatus, String error) {
            Instant now = clock.instant();
            sync.updateEntity(tenantId, new SyncRepository.EntityRow(runId, entity, entityStatus.name().toLowerCase(java.util.Locale.ROOT),
                    0, 0, 0, 0, 0, 0, 0, error, now, now));
            observer.syncFinished(providerId, entity, entityStatus, Duration.ZERO);
        }

        /**
         * How an entity's turn began: refused (CANCELLED: the run was cancelled; SKIPPED: another run holds the lease)
         * or its pass begun from {@code checkpoint}.
         */
        private record EntityStart(Checkpoint checkpoint, SyncStatus refused) {
            static final EntityStart CANCELLED = new EntityStart(null, SyncStatus.CANCELLED);
            static final EntityStart BUSY = new EntityStart(null, SyncStatus.SKIPPED);
        }

        /**
         * One entity's turn. Its start (the cancel check, the lease, the checkpoint read and the pass's start) is one
         * transaction, and so is its successful end (the pass's end, the entity's outcome and the lease's release): a
         * sync of many entities with little to do costs few commits (issue 6, scenario 6).
         */
        private SyncStatus syncEntity(OpenedConnector opened, EntityType entity) {
            String name = entity.name();
            currentEntity.set(name);
            Instant entityStart = clock.instant();
            EntityStart start = database.jdbi().inTransaction(handle -> {
                if (sync.cancelRequested(handle, tenantId, runId)) {
                    return EntityStart.CANCELLED;
                }
                if (!sync.acquireLease(handle, tenantId, connectionId, name, runId, owner, entityStart,
                        entityStart.plus(settings.leaseDuration()))) {
                    return EntityStart.BUSY;
                }
                return new EntityStart(beginPass(handle, entity, sync.checkpoint(handle, tenantId, connectionId, name)), null);
            });
            if (start.refused() == SyncStatus.CANCELLED) {
                cancelled.set(true);
                markEntity(name, SyncStatus.CANCELLED, "cancelled before start");
                return SyncStatus.CANCELLED;
            }
            if (start.refused() == SyncStatus.SKIPPED) {
                markEntity(name, SyncStatus.SKIPPED, "another sync of this connection's '" + name + "' is running");
                return SyncStatus.SKIPPED;
            }
            Counters counters = new Counters(entityStart, opened.rateLimitWait().get());
            boolean released = false;
            try {
                Optional<PassEnd> end = runPasses(opened, entity, start.checkpoint(), counters);
                if (end.isEmpty()) {
                    counters.save(name, SyncStatus.CANCELLED, counters.warning, opened);
                    return SyncStatus.CANCELLED;
                }
                SyncRepository.EntityRow row = counters.row(name, SyncStatus.SUCCEEDED, counters.warning, clock.instant(), opened);
                database.jdbi().useTransaction(handle -> {
                    endPass(handle, end.get());
                    sync.updateEntity(handle, tenantId, row);
                    sync.releaseLease(handle, tenantId, connectionId, name, runId);
                });
                released = true;
                counters.finished(name, SyncStatus.SUCCEEDED);
                return SyncStatus.SUCCEEDED;
            } catch (JunctionException e) {
                JunctionException located = e.withContext(ErrorContext.provider(opened.provider().id()).withConnection(connectionId).withEntity(name));
                LOG.warn("sync of {} for connection {} failed: {}", name, connectionId, located.getMessage());
                lastErrorNeedsReauth = e.kind() == ErrorKind.NEEDS_REAUTH;
                if (lastErrorNeedsReauth) {
                    // The provider rejected the credentials even after a refresh: nothing will work until the user
                    // authorises again, so say so on the connection.
                    connections.markNeedsReauth(tenantId, connectionId, e.reason());
                }
                counters.save(name, SyncStatus.FAILED, located.getMessage(), opened);
                return SyncStatus.FAILED;
            } catch (RuntimeException e) {
                LOG.error("sync of {} for connection {} failed", name, connectionId, e);
                counters.save(name, SyncStatus.FAILED, e.toString(), opened);
                return SyncStatus.FAILED;
            } finally {
                if (!released) {
                    sync.releaseLease(tenantId, connectionId, name, runId);
                }
            }
        }

        /**
         * The checkpoint this entity's pass starts from, inside the start transaction: a pass in progress is resumed,
         * otherwise a new one (incremental when asked for and possible, else full) is begun and saved.
         */
        private Checkpoint beginPass(Handle handle, EntityType entity, Checkpoint checkpoint) {
            Instant now = clock.instant();
            boolean wantIncremental = mode == SyncMode.INCREMENTAL && entity.incremental() && checkpoint.highWaterMark() != null;
            boolean resume = checkpoint.passInProgress() && (SWEEP_PENDING.equals(checkpoint.passMode())
                    || checkpoint.passMode().equals(SyncMode.FULL.name()) || wantIncremental);
            if (resume) {
                LOG.info("resuming {} pass of {} for connection {}", checkpoint.passMode(), entity.name(), connectionId);
                return checkpoint;
            }
            Checkpoint starting = wantIncremental
                    ? new Checkpoint(connectionId, entity.name(), checkpoint.passId(), SyncMode.INCREMENTAL.name(), null,
                            checkpoint.highWaterMark().minus(settings.lookback()), now, checkpoint.highWaterMark(), checkpoint.lastFullAt())
                    : new Checkpoint(connectionId, entity.name(), checkpoint.passId() + 1, SyncMode.FULL.name(), null,
                            null, now, checkpoint.highWaterMark(), checkpoint.lastFullAt());
            sync.saveCheckpoint(handle, tenantId, starting, now);
            return starting;
        }

        /** What ends a pass that read every page: its finished checkpoint, and for a full pass the forgotten listings. */
        private record PassEnd(Checkpoint finished, boolean full, RecordRepository.Scope passScope, Instant at) {
        }

        private void endPass(Handle handle, PassEnd end) {
            sync.saveCheckpoint(handle, tenantId, end.finished(), end.at());
            if (end.full()) {
                records.forgetListed(handle, end.passScope()); // the sweep has read them
            }
        }

        /** Runs the pass begun at {@code checkpoint}; returns what ends it, or empty when cancelled. */
        private Optional<PassEnd> runPasses(OpenedConnector opened, EntityType entity, Checkpoint checkpoint, Counters counters) {
            boolean full = !checkpoint.passMode().equals(SyncMode.INCREMENTAL.name());
            if (!SWEEP_PENDING.equals(checkpoint.passMode())) {
                Optional<Checkpoint> afterPages = fetchPages(opened, entity, checkpoint, full, counters);
                if (afterPages.isEmpty()) {
                    return Optional.empty();
                }
                checkpoint = afterPages.get();
            }
            // A pass that began with nothing stored has nothing to sweep: every record stored now was written during
            // it, and records written during a pass are never swept (its pages mark theirs seen, webhooks theirs). The
            // sweep's counts would read every record of the entity once more (two scans of a first large sync's rows).
            if (full && opened.provider().listsEveryRecord(entity) && !counters.passBeganEmpty) {
                sweep(entity, checkpoint, counters);
            }
            Instant now = clock.instant();
            Checkpoint finished = new Checkpoint(connectionId, entity.name(), checkpoint.passId(), null, null, null, null,
                    checkpoint.passUntil(), full ? now : checkpoint.lastFullAt());
            RecordRepository.Scope passScope = new RecordRepository.Scope(tenantId, connectionId, entity.name(), runId,
                    checkpoint.passId(), RecordRepository.Source.SYNC);
            return Optional.of(new PassEnd(finished, full, passScope, now));
        }

        /**
         * Fetches until the last page; returns the checkpoint after it, or empty when cancelled. The next page is
         * fetched and prepared on a helper thread while the current one is written (at most one page ahead, one
         * request at a time, so the connector is still used by one thread at a time); a page is still written in
         * one transaction with its checkpoint, and a page fetched ahead is simply fetched again after a crash.
         */
        private Optional<Checkpoint> fetchPages(OpenedConnector opened, EntityType entity, Checkpoint start, boolean full, Counters counters) {
            // The helper thread carries the run's log ids: a token refresh or a failure it logs belongs to this run
            // (the errors view attributes a refused refresh to the run through them).
            java.util.Map<String, String> logIds = org.slf4j.MDC.getCopyOfContextMap();
            ExecutorService prefetcher = java.util.concurrent.Executors.newSingleThreadExecutor(task -> {
                Thread thread = new Thread(() -> {
                    if (logIds != null) {
                        org.slf4j.MDC.setContextMap(logIds);
                    }
                    task.run();
                }, "junction-prefetch-" + connectionId);
                thread.setDaemon(true);
                return thread;
            });
            try {
                return fetchPages(opened, entity, start, full, counters, prefetcher);
            } finally {
                // A fetch still under way (the write failed, or the run was cancelled) is interrupted and waited
                // for, so that the connector is never used by two threads.
                prefetcher.shutdownNow();
                try {
                    prefetcher.awaitTermination(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        /**
         * A fetched page and its records prepared for the store (or the reasons they could not be), with how long the
         * fetch and the preparation took (for {@link HubObserver#pageWritten}).
         */
        private record FetchedPage(Page page, RecordPreparer.Batch prepared, long fetchNanos, long prepareNanos) {}

        private FetchedPage fetchAndPrepare(OpenedConnector opened, FetchRequest request) {
            long started = System.nanoTime();
            Page page = opened.connector().fetch(request);
            long fetched = System.nanoTime();
            RecordPreparer.Batch prepared = RecordPreparer.prepareAll(page.records(), opened.provider().transformer());
            return new FetchedPage(page, prepared, fetched - started, System.nanoTime() - fetched);
        }

        /** The prefetched page, with the fetch's own exception rethrown as it was; null when interrupted. */
        private FetchedPage await(java.util.concurrent.Future<FetchedPage> pending) {
            try {
                return pending.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RuntimeException runtime) throw runtime;
                if (e.getCause() instanceof Error error) throw error;
                throw new IllegalStateException(e.getCause());
            }
        }

        private Optional<Checkpoint> fetchPages(OpenedConnector opened, EntityType entity, Checkpoint start, boolean full,
                Counters counters, ExecutorService prefetcher) {
            Checkpoint checkpoint = start;
            FetchRequest request = new FetchRequest(entity, Optional.ofNullable(checkpoint.passCursor()),
                    Optional.ofNullable(full ? null : checkpoint.passSince()), checkpoint.passUntil(), settings.pageSize());
            RecordRepository.Scope scope = new RecordRepository.Scope(tenantId, connectionId, entity.name(), runId,
                    checkpoint.passId(), RecordRepository.Source.SYNC);
            // A first sync into an empty entity skips looking up stored hashes page by page; the first conflict
            // (a webhook or an earlier page stored one of the page's records) ends the assumption for the pass.
            // Asked only when the entity's first full pass starts from its first page: later passes find records
            // stored, and asking would cost every scheduled round a transaction per entity.
            boolean assumeNew = full && checkpoint.passCursor() == null && checkpoint.lastFullAt() == null
                    && database.jdbi().withHandle(handle -> records.nothingStored(handle, scope));
            counters.passBeganEmpty = assumeNew;
            FetchRequest first = request;
            java.util.concurrent.Future<FetchedPage> pending = prefetcher.submit(() -> fetchAndPrepare(opened, first));
            while (true) {
                if (cancelled.get() || Thread.currentThread().isInterrupted()) {
                    cancelled.set(true);
                    pending.cancel(true);
                    return Optional.empty();
                }
                long waitStarted = System.nanoTime();
                FetchedPage fetched = await(pending);
                long waited = System.nanoTime() - waitStarted;
                if (fetched == null) {
                    cancelled.set(true);
                    return Optional.empty();
                }
                Page page = fetched.page();
                if (page.nextCursor().isPresent()) {
                    FetchRequest following = request.withCursor(page.nextCursor().get());
                    pending = prefetcher.submit(() -> fetchAndPrepare(opened, following));
                }
                int failures = fetched.prepared().failures().size() + page.unreadable().size();
                Checkpoint next = page.nextCursor().isPresent()
                        ? withCursor(checkpoint, checkpoint.passMode(), page.nextCursor().get())
                        : withCursor(checkpoint, full ? SWEEP_PENDING : checkpoint.passMode(), null);
                if (!full && page.records().isEmpty() && page.unreadable().isEmpty() && page.nextCursor().isEmpty()) {
                    // An incremental pass's empty last page stores nothing, and its checkpoint would be overwritten
                    // at once by the pass's end (one transaction with the entity's outcome): no transaction of its own.
                    // Should the process die before that, the resumed pass asks for this empty page again.
                    counters.add(PageOutcome.NONE, 0);
                    pages.incrementAndGet();
                    counters.pageDone(opened);
                    return Optional.of(next);
                }
                Instant now = clock.instant();
                long writeStarted = System.nanoTime();
                PageOutcome outcome;
                try {
                    outcome = writePage(opened, entity, scope, page, fetched, next, full, assumeNew, counters, now);
                } catch (RuntimeException e) {
                    if (!assumeNew || !Database.isUniqueViolation(e)) {
                        throw e;
                    }
                    LOG.debug("a record of {} was stored meanwhile; writing the page again with lookups", entity.name());
                    assumeNew = false;
                    analyzeIfGrown(counters); // lookups from here on: the planner must know the tables' size
                    outcome = writePage(opened, entity, scope, page, fetched, next, full, false, counters, now);
                }
                long written = System.nanoTime() - writeStarted;
                counters.add(outcome, failures);
                observer.recordsWritten(providerId, entity.name(), outcome.added(), outcome.updated(), outcome.unchanged(), outcome.deleted(), failures);
                observer.pageWritten(providerId, entity.name(), Duration.ofNanos(fetched.fetchNanos()),
                        Duration.ofNanos(fetched.prepareNanos()), Duration.ofNanos(waited), Duration.ofNanos(written));
                if (!assumeNew || page.nextCursor().isEmpty()) {
                    analyzeIfGrown(counters); // while pages are inserted without lookups, once at the end
                }
                pages.incrementAndGet();
                recordCount.addAndGet(page.records().size() + page.unreadable().size());
                counters.pageDone(opened);
                checkpoint = next;
                if (page.nextCursor().isEmpty()) {
                    return Optional.of(checkpoint);
                }
                request = request.withCursor(page.nextCursor().get());
            }
        }

        /** Writes one page with its dead letters and bookkeeping in one transaction; returns what it stored. */
        private PageOutcome writePage(OpenedConnector opened, EntityType entity, RecordRepository.Scope scope, Page page,
                FetchedPage fetched, Checkpoint next, boolean full, boolean assumeNew, Counters counters, Instant now) {
            List<RecordPreparer.Failure> failures = fetched.prepared().failures();
            RecordRepository.RegisteredPage registered = RecordRepository.registerStreams(database.jdbi(), scope,
                    fetched.prepared().records());
            return database.jdbi().inTransaction(handle -> {
                PageOutcome written = records.writePage(handle, scope, registered, full, assumeNew, now);
                for (RecordPreparer.Failure failure : failures) {
                    sync.insertDeadLetter(handle, tenantId, connectionId, entity.name(), failure.externalId(), runId, "sync",
                            failure.error(), failure.payload(), now);
                }
                for (String unreadable : page.unreadable()) {
                    sync.insertDeadLetter(handle, tenantId, connectionId, entity.name(), null, runId, "sync",
                            "UNEXPECTED_PAYLOAD: record could not be identified", unreadable, now);
                }
                // The checkpoint and the entity's progress row commit with the page: one transaction (one WAL
                // flush) per page; the lease is renewed and a cancel request read in the same statement.
                SyncRepository.PageDone done = sync.pageDone(handle, tenantId, next,
                        counters.withPage(written, failures.size() + page.unreadable().size())
                                .row(entity.name(), SyncStatus.RUNNING, null, null, opened),
                        now.plus(settings.leaseDuration()), now, database.kind() == Database.Kind.POSTGRESQL);
                if (!done.leaseHeld()) {
                    throw new JunctionException(ErrorKind.CONFLICT, "lost the sync lease (another process took it over)");
                }
                if (done.cancelRequested()) {
                    cancelled.set(true); // asked from another process: this page commits, the next is not fetched
                }
                return written;
            });
        }

        /** Lets PostgreSQL's planner see tables this run grew a lot (see Database): from 2,000 records, then each 4×. */
        private void analyzeIfGrown(Counters counters) {
            if (counters.added + counters.updated >= nextAnalyzeAt) {
                database.analyzeRecordTables();
                while (nextAnalyzeAt <= counters.added + counters.updated) nextAnalyzeAt *= 4;
            }
        }

        private Checkpoint withCursor(Checkpoint checkpoint, String passMode, String cursor) {
            return new Checkpoint(checkpoint.connectionId(), checkpoint.entity(), checkpoint.passId(), passMode, cursor,
                    checkpoint.passSince(), checkpoint.passUntil(), checkpoint.highWaterMark(), checkpoint.lastFullAt());
        }

        private void sweep(EntityType entity, Checkpoint checkpoint, Counters counters) {
            RecordRepository.Scope scope = new RecordRepository.Scope(tenantId, connectionId, entity.name(), runId,
                    checkpoint.passId(), RecordRepository.Source.SYNC);
            RecordRepository.SweepCounts counts = database.jdbi().withHandle(handle -> records.sweepCounts(handle, scope));
            if (counts.unseen() == 0) {
                return;
            }
            if (counts.unseen() > counts.live() * settings.maxSweepShare()) {
                counters.warning = "deletion sweep refused: " + counts.unseen() + " of " + counts.live()
                        + " records were not listed, more than the allowed share of " + settings.maxSweepShare();
                LOG.warn("{} for {} of connection {}", counters.warning, entity.name(), connectionId);
                return;
            }
            while (true) {
                List<String> ids = database.jdbi().withHandle(handle -> records.unseenIds(handle, scope, SWEEP_CHUNK));
                if (ids.isEmpty()) {
                    return;
                }
                Instant now = clock.instant();
                int deleted = database.jdbi().inTransaction(handle -> records.deleteRecords(handle, scope, ids, now).size());
                counters.deleted += deleted;
                observer.recordsWritten(providerId, entity.name(), 0, 0, 0, deleted, 0);
            }
        }

        @Override
        public String runId() {
            return runId;
        }

        @Override
        public SyncProgress progress() {
            Duration elapsed = Duration.between(startedAt, clock.instant());
            double seconds = Math.max(elapsed.toMillis(), 1) / 1000.0;
            return new SyncProgress(runId, status, currentEntity.get(), pages.get(), recordCount.get(),
                    recordCount.get() / seconds, waited.get(), elapsed);
        }

        @Override
        public SyncRun await() {
            try {
                future.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new JunctionException(ErrorKind.CONFLICT, "interrupted while waiting for sync run " + runId);
            } catch (ExecutionException e) {
                throw new IllegalStateException("sync run " + runId + " crashed", e.getCause());
            }
            return read(tenantId, runId);
        }

        @Override
        public SyncRun await(Duration timeout) {
            try {
                future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new JunctionException(ErrorKind.CONFLICT, "interrupted while waiting for sync run " + runId);
            } catch (ExecutionException e) {
                throw new IllegalStateException("sync run " + runId + " crashed", e.getCause());
            } catch (TimeoutException e) {
                throw new JunctionException(ErrorKind.CONFLICT, "sync run " + runId + " still running after " + timeout);
            }
            return read(tenantId, runId);
        }

        @Override
        public void cancel() {
            cancelled.set(true);
        }

        @Override
        public boolean done() {
            return future.isDone();
        }

        /** Per-entity counts, persisted after every page so progress is readable from the store too. */
        private final class Counters {
            private final Instant startedAt;
            private final Duration waitAtStart;
            private long entityPages;
            private long added;
            private long updated;
            private long unchanged;
            private long deleted;
            private long failed;
            private String warning;
            /** Whether this run's pass of the entity began at its first page with nothing of the entity stored. */
            private boolean passBeganEmpty;

            Counters(Instant startedAt, Duration waitAtStart) {
                this.startedAt = startedAt;
                this.waitAtStart = waitAtStart;
            }

            void add(PageOutcome outcome, int failures) {
                entityPages++;
                added += outcome.added();
                updated += outcome.updated();
                unchanged += outcome.unchanged();
                deleted += outcome.deleted();
                failed += failures;
            }

            Duration waitSoFar(OpenedConnector opened) {
                return opened.rateLimitWait().get().minus(waitAtStart);
            }

            void pageDone(OpenedConnector opened) {
                // The whole run's waiting so far, across its entities (not the largest single entity's).
                waited.set(opened.rateLimitWait().get().minus(waitAtRunStart));
            }

            /** These counts with one more page added, for the progress row written in the page's transaction. */
            Counters withPage(PageOutcome outcome, int failures) {
                Counters next = new Counters(startedAt, waitAtStart);
                next.entityPages = entityPages;
                next.added = added;
                next.updated = updated;
                next.unchanged = unchanged;
                next.deleted = deleted;
                next.failed = failed;
                next.add(outcome, failures);
                return next;
            }

            void save(String entity, SyncStatus entityStatus, String error, OpenedConnector opened) {
                sync.updateEntity(tenantId, row(entity, entityStatus, error, clock.instant(), opened));
                finished(entity, entityStatus);
            }

            /** Tells the observer, once the entity's outcome is stored. */
            void finished(String entity, SyncStatus entityStatus) {
                observer.syncFinished(providerId, entity, entityStatus, Duration.between(startedAt, clock.instant()));
            }

            SyncRepository.EntityRow row(String entity, SyncStatus entityStatus, String error, Instant finishedAt, OpenedConnector opened) {
                return new SyncRepository.EntityRow(runId, entity, entityStatus.name().toLowerCase(java.util.Locale.ROOT),
                        entityPages, added, updated, unchanged, deleted, failed, waitSoFar(opened).toMillis(), error,
                        startedAt, finishedAt);
            }
        }
    }
}
