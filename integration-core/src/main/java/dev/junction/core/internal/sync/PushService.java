package dev.junction.core.internal.sync;

import com.fasterxml.jackson.databind.JsonNode;
import dev.junction.core.ConflictStrategy;
import dev.junction.core.PushChange;
import dev.junction.core.PushResult;
import dev.junction.core.error.ErrorContext;
import dev.junction.core.error.ErrorKind;
import dev.junction.core.error.JunctionException;
import dev.junction.core.error.UnsupportedCapabilityException;
import dev.junction.core.internal.ConnectionManager;
import dev.junction.core.internal.Json;
import dev.junction.core.internal.ProviderRegistry;
import dev.junction.core.internal.store.ConnectionRow;
import dev.junction.core.internal.store.Database;
import dev.junction.core.internal.store.PushRepository;
import dev.junction.core.internal.store.PushRepository.PushRow;
import dev.junction.core.internal.store.RecordRepository;
import dev.junction.core.internal.store.SyncRepository;
import dev.junction.core.spi.Capability;
import dev.junction.core.spi.EntityType;
import dev.junction.core.spi.Provider;
import dev.junction.core.spi.PushRequest;
import dev.junction.core.spi.RemoteRecord;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Two-way sync: pushes local changes to providers with conflict detection, provider-agnostic.
 *
 * <p>An update is checked against the record as Junction last stored it: the provider's current version is fetched
 * ({@code FETCH_ONE}) and compared by content hash. Unchanged remotely: the change is pushed. Changed on both sides:
 * the connection's {@link ConflictStrategy} decides, and the decision is written to the audit log with the remote
 * version it was made against. Whatever the provider holds afterwards is stored like a synced record (source
 * {@code push}), so the next sync sees no difference and nothing echoes back. The idempotency key is claimed in the
 * database before anything is sent: a retry with the same key and change returns the recorded outcome, the same key
 * with another change is a {@code CONFLICT}, and a push that failed before its decision frees its key. Thread-safe.
 */
public final class PushService {

    private static final Logger LOG = LoggerFactory.getLogger(PushService.class);
    public static final ConflictStrategy DEFAULT_STRATEGY = ConflictStrategy.REMOTE_WINS;

    private final Database database;
    private final PushRepository pushes;
    private final RecordRepository records = new RecordRepository();
    private final SyncRepository sync;
    private final ConnectionManager connections;
    private final ProviderRegistry providers;
    private final OpenedConnector.Opener opener;
    private final Clock clock;

    public PushService(Database database, ConnectionManager connections, ProviderRegistry providers, OpenedConnector.Opener opener,
            Clock clock) {
        this.database = database;
        this.pushes = new PushRepository(database.jdbi());
        this.sync = new SyncRepository(database.jdbi());
        this.connections = connections;
        this.providers = providers;
        this.opener = opener;
        this.clock = clock;
    }

    public ConflictStrategy strategy(String tenantId, String connectionId) {
        connections.row(tenantId, connectionId);
        return pushes.strategy(tenantId, connectionId).map(ConflictStrategy::valueOf).orElse(DEFAULT_STRATEGY);
    }

    public void setStrategy(String tenantId, String connectionId, ConflictStrategy strategy) {
        JunctionException.requireArgument(strategy, "strategy");
        connections.row(tenantId, connectionId);
        pushes.setStrategy(tenantId, connectionId, strategy.name());
    }

    public PushResult push(PushChange change) {
        JunctionException.requireArgument(change, "change");
        ConnectionRow row = connections.row(change.tenantId(), change.connectionId());
        Provider provider = providers.require(row.providerId());
        ErrorContext context = ErrorContext.provider(provider.id()).withConnection(row.id()).withEntity(change.entity());
        if (!provider.capabilities().contains(Capability.PUSH)) {
            throw new UnsupportedCapabilityException(provider.id(), Capability.PUSH.name());
        }
        EntityType entity = providers.entity(provider, change.entity());
        String changesJson = Json.write(Json.canonical(change.changes()));
        String hash = Json.sha256(change.entity() + "\n" + (change.externalId() == null ? "" : change.externalId()) + "\n" + changesJson);

        Optional<Long> claimed = pushes.claim(change.tenantId(), change.connectionId(), change.idempotencyKey(), change.entity(),
                change.externalId(), hash, changesJson, clock.instant());
        if (claimed.isEmpty()) {
            PushRow existing = pushes.find(change.tenantId(), change.connectionId(), change.idempotencyKey())
                    .orElseThrow(() -> new JunctionException(ErrorKind.CONFLICT, "idempotency key is in use; try again", context));
            if (!existing.requestHash().equals(hash)) {
                throw new JunctionException(ErrorKind.CONFLICT, "idempotency key '" + change.idempotencyKey()
                        + "' was already used for a different change", context);
            }
            if ("running".equals(existing.status())) {
                throw new JunctionException(ErrorKind.CONFLICT, "a push with idempotency key '" + change.idempotencyKey()
                        + "' is still running", context);
            }
            return toResult(existing, true);
        }
        long id = claimed.get();
        try {
            OpenedConnector opened = opener.open(change.tenantId(), change.connectionId());
            return change.externalId() == null
                    ? create(change, id, opened, entity)
                    : update(change, id, opened, entity, provider, context);
        } catch (RuntimeException e) {
            // Nothing was decided or written at the provider as far as we know: free the key so a retry can run.
            pushes.release(change.tenantId(), id);
            throw e instanceof JunctionException junction ? junction.withContext(context) : e;
        }
    }

    private PushResult create(PushChange change, long id, OpenedConnector opened, EntityType entity) {
        RemoteRecord created = opened.connector().push(new PushRequest(entity, Optional.empty(), change.changes(),
                change.idempotencyKey()));
        return store(change, id, opened, entity, created, "pushed", null, null);
    }

    private PushResult update(PushChange change, long id, OpenedConnector opened, EntityType entity, Provider provider,
            ErrorContext context) {
        if (!provider.capabilities().contains(Capability.FETCH_ONE)) {
            throw new UnsupportedCapabilityException(provider.id(), Capability.FETCH_ONE.name() + " (needed to push updates)");
        }
        Optional<RecordRepository.RawRow> base = database.jdbi().withHandle(handle ->
                records.findRaw(handle, change.tenantId(), change.connectionId(), entity.name(), change.externalId()));
        if (base.isEmpty()) {
            throw new JunctionException(ErrorKind.INVALID_INPUT, change.entity() + " '" + change.externalId()
                    + "' has not been synced; sync before pushing changes to it", context);
        }
        Optional<RemoteRecord> current = opened.connector().fetchOne(entity, change.externalId());
        if (current.isEmpty()) {
            markDeleted(change, id, entity);
            return toResult(pushes.get(change.tenantId(), id), false);
        }
        String remoteJson = Json.write(current.get().payload());
        boolean remoteChanged = base.get().deleted() || !Json.sha256(remoteJson).equals(base.get().contentHash());
        if (!remoteChanged) {
            RemoteRecord written = opened.connector().push(new PushRequest(entity, Optional.of(change.externalId()),
                    change.changes(), change.idempotencyKey()));
            return store(change, id, opened, entity, written, "pushed", null, null);
        }
        ConflictStrategy strategy = strategy(change.tenantId(), change.connectionId());
        boolean localWins = switch (strategy) {
            case LOCAL_WINS -> true;
            case REMOTE_WINS -> false;
            case NEWEST_WINS -> current.get().updatedAt() != null && change.changedAt().isAfter(current.get().updatedAt());
        };
        LOG.info("conflict on {} {} of connection {}: changed locally and at the provider; {} -> {}", entity.name(),
                change.externalId(), change.connectionId(), strategy, localWins ? "local wins" : "remote wins");
        if (localWins) {
            RemoteRecord written = opened.connector().push(new PushRequest(entity, Optional.of(change.externalId()),
                    change.changes(), change.idempotencyKey()));
            return store(change, id, opened, entity, written, "conflict_local_won", strategy, remoteJson);
        }
        return store(change, id, opened, entity, current.get(), "conflict_remote_won", strategy, remoteJson);
    }

    /** Stores what the provider holds now and records the decision, in one transaction. */
    private PushResult store(PushChange change, long id, OpenedConnector opened, EntityType entity, RemoteRecord remote,
            String decision, ConflictStrategy strategy, String remoteBefore) {
        RecordPreparer.Result prepared = RecordPreparer.prepare(remote, opened.provider().transformer());
        Instant now = clock.instant();
        long pass = sync.checkpoint(change.tenantId(), change.connectionId(), entity.name()).passId();
        RecordRepository.Scope scope = new RecordRepository.Scope(change.tenantId(), change.connectionId(), entity.name(), null,
                pass, RecordRepository.Source.PUSH);
        RecordRepository.RegisteredPage page = prepared.record() == null ? null
                : RecordRepository.registerStreams(database.jdbi(), scope, List.of(prepared.record()));
        database.jdbi().useTransaction(handle -> {
            if (page != null) {
                records.writePage(handle, scope, page, false, now);
            } else {
                sync.insertDeadLetter(handle, change.tenantId(), change.connectionId(), entity.name(), remote.externalId(), null,
                        "push", prepared.error(), prepared.payload(), now);
            }
            pushes.finish(handle, change.tenantId(), id, "done", remote.externalId(), decision,
                    strategy == null ? null : strategy.name(), remoteBefore, prepared.payload(), prepared.error(), now);
        });
        return toResult(pushes.get(change.tenantId(), id), false);
    }

    private void markDeleted(PushChange change, long id, EntityType entity) {
        Instant now = clock.instant();
        long pass = sync.checkpoint(change.tenantId(), change.connectionId(), entity.name()).passId();
        RecordRepository.Scope scope = new RecordRepository.Scope(change.tenantId(), change.connectionId(), entity.name(), null,
                pass, RecordRepository.Source.PUSH);
        database.jdbi().useTransaction(handle -> {
            records.deleteRecords(handle, scope, List.of(change.externalId()), now);
            pushes.finish(handle, change.tenantId(), id, "done", null, "remote_deleted", null, null, null,
                    "the record no longer exists at the provider", now);
        });
    }

    public List<PushResult> log(String tenantId, String connectionId, int limit) {
        connections.row(tenantId, connectionId);
        if (limit < 1 || limit > 1000) throw JunctionException.invalidInput("limit must be between 1 and 1000");
        return pushes.log(tenantId, connectionId, limit).stream().map(row -> toResult(row, false)).toList();
    }

    private static PushResult toResult(PushRow row, boolean replayed) {
        JsonNode record = row.result() == null ? null : Json.read(row.result());
        return new PushResult(row.id(), row.connectionId(), row.entity(), row.externalId(), row.decision(),
                row.strategy() == null ? null : ConflictStrategy.valueOf(row.strategy()), Json.read(row.changes()), record,
                row.error(), row.createdAt(), row.finishedAt(), replayed);
    }
}
