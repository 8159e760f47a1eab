package dev.junction.core;

import dev.junction.core.error.ErrorKind;
import dev.junction.core.error.JunctionException;
import dev.junction.core.http.HttpStack;
import com.fasterxml.jackson.databind.JsonNode;
import dev.junction.core.internal.ActionService;
import dev.junction.core.internal.ConnectionManager;
import dev.junction.core.internal.store.ActionRepository;
import dev.junction.core.internal.webhook.WebhookService;
import dev.junction.core.spi.WebhookRequest;
import dev.junction.core.spi.WebhookSubscription;
import dev.junction.core.internal.ConnectorContextImpl;
import dev.junction.core.internal.Json;
import dev.junction.core.internal.LogContext;
import dev.junction.core.internal.SafeObserver;
import dev.junction.core.internal.store.FreshnessQuery;
import dev.junction.core.internal.ProviderRegistry;
import dev.junction.core.internal.auth.OAuthFlow;
import dev.junction.core.internal.auth.TokenEndpoint;
import dev.junction.core.internal.auth.TokenManager;
import dev.junction.core.internal.store.ConnectionRepository;
import dev.junction.core.internal.store.ConnectionRow;
import dev.junction.core.internal.store.Database;
import dev.junction.core.internal.store.QueryRepository;
import dev.junction.core.internal.store.SyncRepository;
import dev.junction.core.internal.sync.OpenedConnector;
import dev.junction.core.internal.sync.SyncEngine;
import dev.junction.core.internal.sync.SyncSettings;
import dev.junction.core.model.UnifiedRecord;
import dev.junction.core.model.UnifiedType;
import dev.junction.core.spi.Credentials;
import dev.junction.core.spi.Provider;
import dev.junction.core.spi.RateLimitPolicy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.OkHttpClient;

/**
 * The embedding facade: connections per tenant, OAuth, syncs, queries over synced data and the change feed.
 * Build one per process with {@link #builder()} and share it; it is thread-safe. Every operation takes the
 * tenant id and never returns another tenant's data. Bad input gets a {@link JunctionException} of kind
 * {@code INVALID_INPUT} (or {@code NOT_FOUND}) before anything is written.
 *
 * <pre>{@code
 * try (Hub hub = Hub.builder().withDataDirectory(dir).withEncryptionKey("k1", key)
 *         .withProvider(new ClioProvider(), clioAppSettings).build()) {
 *     Connection clio = hub.createConnection(NewConnection.of("acme-law", "clio"));
 *     OAuthStart start = hub.startOAuth("acme-law", clio.id(), "https://app.example/callback");
 *     // ... user authorises, the callback receives code and state ...
 *     hub.completeOAuth(state, code);
 *     SyncRun run = hub.sync("acme-law", clio.id(), SyncRequest.full());
 *     RecordPage<StoredRecord<Contact>> contacts = hub.query(RecordQuery.of("acme-law", UnifiedType.CONTACT), Contact.class);
 * }
 * }</pre>
 */
public final class Hub implements AutoCloseable {

    private final Database database;
    private final ProviderRegistry providers = new ProviderRegistry();
    private final ConnectionManager connections;
    private final OAuthFlow oauth;
    private final TokenManager tokens;
    private final HttpStack http;
    private final OkHttpClient tokenHttp;
    private final SyncEngine engine;
    private final QueryRepository queries;
    private final ExecutorService executor;
    private final ExecutorService webhookWorker;
    private final java.util.concurrent.ScheduledExecutorService background;
    private final WebhookService webhooks;
    private final ActionService actions;
    private final dev.junction.core.internal.sync.PushService pushes;
    // Copied from the builder at build time, so changing the builder later cannot change a running hub.
    private final java.time.Clock clock;
    private final java.util.Map<String, RateLimitPolicy> rateLimitOverrides;
    private final dev.junction.core.http.RetrySettings retry;
    private final Duration httpTimeout;
    private final HubObserver observer;

    Hub(HubBuilder builder) {
        this.observer = SafeObserver.of(builder.observer);
        this.clock = builder.clock;
        this.rateLimitOverrides = java.util.Map.copyOf(builder.rateLimitOverrides);
        this.retry = builder.retry;
        this.httpTimeout = builder.httpTimeout;
        builder.providers.values().forEach(provider -> providers.register(provider, builder.providerSettings.get(provider.id())));
        this.database = (builder.dataSource != null ? Database.of(builder.dataSource) : Database.embedded(builder.dataDirectory)).migrate();
        ConnectionRepository connectionRepository = new ConnectionRepository(database.jdbi());
        this.connections = new ConnectionManager(connectionRepository, providers, builder.cipher, builder.clock);
        this.tokenHttp = new OkHttpClient.Builder().callTimeout(builder.httpTimeout).build();
        TokenEndpoint endpoint = new TokenEndpoint(tokenHttp, builder.clock);
        this.tokens = new TokenManager(database.jdbi(), connectionRepository, connections, providers, endpoint, builder.clock, builder.refreshAhead, observer);
        this.oauth = new OAuthFlow(database.jdbi(), connectionRepository, connections, providers, endpoint, builder.clock);
        this.http = HttpStack.builder().withClock(builder.clock).withSleeper(builder.sleeper).withObserver(observer).build();
        this.queries = new QueryRepository(database.jdbi());
        AtomicInteger threads = new AtomicInteger();
        this.executor = Executors.newFixedThreadPool(builder.syncThreads, runnable -> {
            Thread thread = new Thread(runnable, "junction-sync-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        this.engine = new SyncEngine(database, new SyncRepository(database.jdbi()), connections, providers, this::open,
                builder.clock, new SyncSettings(builder.pageSize, builder.lookback, builder.leaseDuration, builder.maxSweepShare),
                executor, builder.instanceName, observer);
        this.webhookWorker = Executors.newSingleThreadExecutor(daemon("junction-webhooks"));
        this.webhooks = new WebhookService(database, connectionRepository, connections, providers, this::open, builder.clock,
                builder.webhookLifetime, builder.webhookRenewAhead, webhookWorker, observer, builder.webhookMaxBatch,
                builder.webhookLinger, builder.webhookCacheTtl, builder.webhookApplyDeferral);
        this.actions = new ActionService(new ActionRepository(database.jdbi()), connections, providers, this::open, builder.clock);
        this.pushes = new dev.junction.core.internal.sync.PushService(database, connections, providers, this::open, builder.clock);
        if (builder.backgroundInterval.isZero()) {
            this.background = null;
        } else {
            this.background = Executors.newSingleThreadScheduledExecutor(daemon("junction-background"));
            long millis = builder.backgroundInterval.toMillis();
            background.scheduleWithFixedDelay(this::backgroundRound, millis, millis, java.util.concurrent.TimeUnit.MILLISECONDS);
        }
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }

    private void backgroundRound() {
        try {
            webhooks.processDue();
            webhooks.maintain();
        } catch (RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(Hub.class).warn("background webhook round failed: {}", e.getMessage());
        }
    }

    public static HubBuilder builder() {
        return new HubBuilder();
    }

    // ---- providers and connections ----------------------------------------------------------------------

    /** The active providers. */
    public Collection<Provider> providers() {
        return providers.all();
    }

    public Provider provider(String providerId) {
        return providers.require(providerId);
    }

    public Connection createConnection(NewConnection request) {
        return connections.create(request);
    }

    public List<Connection> listConnections(String tenantId) {
        return connections.list(tenantId);
    }

    public Connection getConnection(String tenantId, String connectionId) {
        return connections.get(tenantId, connectionId);
    }

    /**
     * Deletes a connection and everything synced for it, after removing its webhooks at the provider where possible
     * (a provider that cannot be reached does not stop the deletion). Returns false when there was none.
     */
    public boolean deleteConnection(String tenantId, String connectionId) {
        JunctionException.requireArgument(tenantId, "tenantId");
        JunctionException.requireArgument(connectionId, "connectionId");
        if (connections.find(tenantId, connectionId).isPresent()) {
            webhooks.disableQuietly(tenantId, connectionId);
        }
        boolean deleted = connections.delete(tenantId, connectionId);
        webhooks.forget(tenantId, connectionId); // its webhook token stops working on this node at once
        return deleted;
    }

    // ---- OAuth ------------------------------------------------------------------------------------------

    public OAuthStart startOAuth(String tenantId, String connectionId, String redirectUri) {
        return oauth.start(tenantId, connectionId, redirectUri);
    }

    /** Exchanges the code the provider sent to the redirect URI; {@code state} identifies the connection. */
    public Connection completeOAuth(String state, String code) {
        return oauth.complete(state, code);
    }

    /** Stores OAuth tokens obtained outside the flow (importing from another system). */
    public Connection storeTokens(String tenantId, String connectionId, Credentials.OAuthTokens tokens) {
        return oauth.storeTokens(tenantId, connectionId, tokens);
    }

    // ---- sync -------------------------------------------------------------------------------------------

    /** Starts a sync in the background; watch it through the handle. */
    public SyncHandle startSync(String tenantId, String connectionId, SyncRequest request) {
        return engine.start(tenantId, connectionId, request);
    }

    /** Runs a sync and waits for it. */
    public SyncRun sync(String tenantId, String connectionId, SyncRequest request) {
        return startSync(tenantId, connectionId, request).await();
    }

    public SyncRun getSyncRun(String tenantId, String runId) {
        JunctionException.requireArgument(tenantId, "tenantId");
        JunctionException.requireArgument(runId, "runId");
        return engine.read(tenantId, runId);
    }

    /**
     * Cancels a running sync from any process sharing the database (a cluster's API node may not be the node running
     * it): the run stops after the page it is writing and ends CANCELLED. {@link SyncHandle#cancel()} does the same
     * for a run started here, without the database round trip.
     *
     * @return false when the run is not running (it already ended)
     * @throws JunctionException NOT_FOUND for an unknown run or another tenant's
     */
    public boolean cancelSync(String tenantId, String runId) {
        JunctionException.requireArgument(tenantId, "tenantId");
        JunctionException.requireArgument(runId, "runId");
        return engine.requestCancel(tenantId, runId);
    }

    /** The connection's most recent runs, newest first. */
    public List<SyncRun> listSyncRuns(String tenantId, String connectionId, int limit) {
        connections.row(tenantId, connectionId);
        return engine.list(tenantId, connectionId, limit);
    }

    // ---- queries ----------------------------------------------------------------------------------------

    /** Unified records of one type, filtered and paged by cursor. */
    public <T extends UnifiedRecord> RecordPage<StoredRecord<T>> query(RecordQuery query, Class<T> type) {
        JunctionException.requireArgument(query, "query");
        JunctionException.requireArgument(type, "type");
        if (query.type().javaType() != type) {
            throw JunctionException.invalidInput("type " + query.type() + " holds " + query.type().javaType().getSimpleName()
                    + ", not " + type.getSimpleName());
        }
        String[] after = decodeCursor(query.cursor());
        List<QueryRepository.UnifiedRow> rows = queries.unified(new QueryRepository.UnifiedFilter(query.tenantId(),
                query.type().name(), query.connectionId(), query.updatedSince(), query.text(), query.includeDeleted(),
                after == null ? null : after[0], after == null ? null : after[1], query.limit() + 1));
        boolean more = rows.size() > query.limit();
        List<QueryRepository.UnifiedRow> page = more ? rows.subList(0, query.limit()) : rows;
        List<StoredRecord<T>> items = page.stream().map(row -> toStored(row, type)).toList();
        Optional<String> next = more
                ? Optional.of(encodeCursor(page.get(page.size() - 1).connectionId(), page.get(page.size() - 1).externalId()))
                : Optional.empty();
        return new RecordPage<>(items, next);
    }

    public <T extends UnifiedRecord> Optional<StoredRecord<T>> getRecord(String tenantId, String connectionId, Class<T> type, String externalId) {
        JunctionException.requireArgument(tenantId, "tenantId");
        JunctionException.requireArgument(connectionId, "connectionId");
        JunctionException.requireArgument(externalId, "externalId");
        UnifiedType unifiedType = unifiedTypeOf(type);
        return queries.unifiedOne(tenantId, connectionId, unifiedType.name(), externalId).map(row -> toStored(row, type));
    }

    /** The provider's payload of one record, as received. */
    public Optional<RawRecord> getRawRecord(String tenantId, String connectionId, String entity, String externalId) {
        JunctionException.requireArgument(tenantId, "tenantId");
        JunctionException.requireArgument(connectionId, "connectionId");
        JunctionException.requireArgument(entity, "entity");
        JunctionException.requireArgument(externalId, "externalId");
        return queries.raw(tenantId, connectionId, entity, externalId).map(row -> new RawRecord(row.connectionId(), row.entity(),
                row.externalId(), row.payload(), row.contentHash(), row.remoteUpdatedAt(), row.deleted(), row.updatedAt()));
    }

    /** Ids of the live (not deleted) records of one entity. Loads them all: meant for checks and tests. */
    public List<String> liveIds(String tenantId, String connectionId, String entity) {
        connections.row(tenantId, connectionId);
        return queries.liveIds(tenantId, connectionId, entity);
    }

    /** The tenant's change feed after {@code afterSequence} (0 for the start), optionally for one connection. */
    public ChangePage changes(String tenantId, long afterSequence, String connectionId, int limit) {
        JunctionException.requireArgument(tenantId, "tenantId");
        if (limit < 1 || limit > 1000) throw JunctionException.invalidInput("limit must be between 1 and 1000");
        if (afterSequence < 0) throw JunctionException.invalidInput("cursor must not be negative");
        List<ChangeEvent> events = queries.changes(tenantId, afterSequence, connectionId, limit).stream()
                .map(row -> new ChangeEvent(row.seq(), row.connectionId(), row.entity(), row.unifiedType(), row.externalId(),
                        row.operation(), row.source(), row.runId(), row.occurredAt()))
                .toList();
        return new ChangePage(events, events.isEmpty() ? afterSequence : events.get(events.size() - 1).sequence());
    }

    /** Records that could not be processed, oldest first. */
    public List<DeadLetter> deadLetters(String tenantId, String connectionId, int limit) {
        connections.row(tenantId, connectionId);
        return new SyncRepository(database.jdbi()).deadLetters(tenantId, connectionId, limit).stream()
                .map(row -> new DeadLetter(row.id(), row.connectionId(), row.entity(), row.externalId(), row.runId(),
                        row.source(), row.error(), row.payload(), row.createdAt()))
                .toList();
    }

    private static UnifiedType unifiedTypeOf(Class<? extends UnifiedRecord> type) {
        for (UnifiedType candidate : UnifiedType.values()) {
            if (candidate.javaType() == type) return candidate;
        }
        throw JunctionException.invalidInput("not a unified record type: " + type);
    }

    private static <T extends UnifiedRecord> StoredRecord<T> toStored(QueryRepository.UnifiedRow row, Class<T> type) {
        return new StoredRecord<>(row.connectionId(), row.entity(), Json.read(row.data(), type), row.deleted(),
                row.remoteUpdatedAt(), row.updatedAt());
    }

    private static String encodeCursor(String connectionId, String externalId) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString((connectionId + "\n" + externalId).getBytes(StandardCharsets.UTF_8));
    }

    private static String[] decodeCursor(String cursor) {
        if (cursor == null) return null;
        try {
            String[] parts = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8).split("\n", 2);
            if (parts.length == 2) return parts;
        } catch (IllegalArgumentException e) {
            // fall through to the error below
        }
        throw new JunctionException(ErrorKind.INVALID_INPUT, "malformed cursor");
    }

    // ---- webhooks ---------------------------------------------------------------------------------------

    /**
     * Hands in a request that reached a connection's webhook endpoint, {@code <callback base>/<webhookToken>}.
     * The provider's handler verifies it over the raw bytes; verified events are stored in the inbox exactly once
     * (redeliveries are recognised by their dedupe key) before this returns, then processed in the background.
     * Answer the provider with the returned status and headers.
     *
     * @throws JunctionException {@code WEBHOOK_REJECTED} for an unknown token or a failed verification (answer 401
     *     or 400), {@code UNSUPPORTED} when the provider has no webhooks
     */
    public WebhookResponse receiveWebhook(String webhookToken, WebhookRequest request) {
        try (LogContext.Scope ignored = LogContext.scope()) {
            return webhooks.receive(webhookToken, request);
        } catch (JunctionException e) {
            if (e.kind() == ErrorKind.WEBHOOK_REJECTED) {
                String provider = e.context().provider();
                observer.webhookEvent(provider == null ? "unknown" : provider, HubObserver.WebhookEventOutcome.REJECTED);
            }
            throw e;
        }
    }

    /**
     * Registers the connection's webhooks at the provider, delivering to {@code callbackBaseUrl + "/" +
     * webhookToken}; replaces any registered before. Requires {@code WEBHOOK_REGISTRATION}.
     */
    public List<WebhookSubscription> enableWebhooks(String tenantId, String connectionId, String callbackBaseUrl) {
        try (LogContext.Scope ignored = LogContext.forConnection(tenantId, connectionId)) {
            return webhooks.enable(tenantId, connectionId, callbackBaseUrl);
        }
    }

    /** Removes the connection's webhooks at the provider. Returns how many were removed. */
    public int disableWebhooks(String tenantId, String connectionId) {
        try (LogContext.Scope ignored = LogContext.forConnection(tenantId, connectionId)) {
            return webhooks.disable(tenantId, connectionId);
        }
    }

    /** The connection's webhook subscriptions (secrets never included). */
    public List<WebhookSubscription> webhookSubscriptions(String tenantId, String connectionId) {
        return webhooks.list(tenantId, connectionId);
    }

    /** Renews expiring subscriptions and activates pending ones; the background worker calls this too. */
    public WebhookMaintenance maintainWebhooks() {
        return webhooks.maintain();
    }

    /** Processes every due webhook event now; returns how many were handled. The background worker calls this too. */
    public int processWebhooks() {
        return webhooks.processDue();
    }

    /** The connection's webhook inbox, newest first, optionally of one status. */
    public List<WebhookInboxEntry> webhookInbox(String tenantId, String connectionId, String status, int limit) {
        return webhooks.inbox(tenantId, connectionId, status, limit);
    }

    /** Queues a dead webhook event again. Returns false when there is no dead event with that id. */
    public boolean replayWebhook(String tenantId, String connectionId, long inboxId) {
        return webhooks.replay(tenantId, connectionId, inboxId);
    }

    // ---- actions ----------------------------------------------------------------------------------------

    /**
     * Runs a provider action once per idempotency key: a repeat with the same key and input returns the stored
     * result ({@link ActionResult#replayed()}), the same key with other input is a {@code CONFLICT}.
     */
    public ActionResult runAction(String tenantId, String connectionId, String action, JsonNode input, String idempotencyKey) {
        try (LogContext.Scope ignored = LogContext.forConnection(tenantId, connectionId)) {
            return actions.run(tenantId, connectionId, action, input, idempotencyKey);
        }
    }

    // ---- two-way sync -----------------------------------------------------------------------------------

    /**
     * Writes a local change to the provider (two-way sync). An update is first checked against the record as last
     * synced: if the provider changed it too, the connection's {@link ConflictStrategy} decides whether the change is
     * pushed or the provider's version kept; either way the decision is in {@link #pushLog}. What the provider holds
     * afterwards is stored, so the next sync sees no difference. Once per idempotency key, like actions. Requires the
     * provider's {@code PUSH} capability.
     */
    public PushResult push(PushChange change) {
        try (LogContext.Scope ignored = change == null ? LogContext.scope()
                : LogContext.forConnection(change.tenantId(), change.connectionId())) {
            return pushes.push(change);
        }
    }

    /** The connection's pushes and their conflict decisions, newest first (the audit log). */
    public List<PushResult> pushLog(String tenantId, String connectionId, int limit) {
        return pushes.log(tenantId, connectionId, limit);
    }

    /** How the connection resolves conflicts; {@link ConflictStrategy#REMOTE_WINS} until set. */
    public ConflictStrategy conflictStrategy(String tenantId, String connectionId) {
        return pushes.strategy(tenantId, connectionId);
    }

    public void setConflictStrategy(String tenantId, String connectionId, ConflictStrategy strategy) {
        pushes.setStrategy(tenantId, connectionId, strategy);
    }

    // ---- wiring -----------------------------------------------------------------------------------------

    private OpenedConnector open(String tenantId, String connectionId) {
        ConnectionRow row = connections.row(tenantId, connectionId);
        Provider provider = providers.require(row.providerId());
        RateLimitPolicy policy = rateLimitOverrides.getOrDefault(provider.id(), provider.rateLimitPolicy());
        ConnectorContextImpl context = new ConnectorContextImpl(tenantId, connectionId, provider, connections.settings(row),
                providers.settings(provider.id()), connections.credentials(row), clock, http, tokens, policy,
                retry, httpTimeout);
        return new OpenedConnector(provider, provider.connect(context), context, context::rateLimitWait);
    }

    /** The underlying database, for tools that need SQL access (migrations, tests). */
    public Database database() {
        return database;
    }

    /**
     * Refreshes the OAuth tokens of every tenant's active connections that expire within {@code ahead}, so syncs and
     * webhook handling find a fresh token (a refresh on demand still happens when one is missed). Safe to call from
     * several processes at once: each refresh holds the connection's row lock and skips a token someone else just
     * replaced. A refused refresh marks that connection as needing re-authorisation.
     */
    public TokenMaintenance refreshExpiringTokens(Duration ahead) {
        JunctionException.requireArgument(ahead, "ahead");
        if (ahead.isNegative()) throw JunctionException.invalidInput("ahead must not be negative");
        return tokens.refreshExpiring(ahead);
    }

    /**
     * When each synced entity of every connection, across all tenants, last completed a pass: its data is complete up to
     * {@link EntityFreshness#syncedUpTo()}. For monitoring (hub-server's freshness gauge); one query over the
     * checkpoints, one row per (connection, entity) that ever finished a pass.
     */
    public List<EntityFreshness> dataFreshness() {
        return FreshnessQuery.all(database.jdbi());
    }

    /** How many token refreshes this process performed. */
    public long tokenRefreshCount() {
        return tokens.refreshCount();
    }

    @Override
    public void close() {
        // A drain stops before its next entry; let it finish the one in hand before the database closes under it,
        // and interrupt it only when that takes too long (a refetch from a provider that does not answer).
        webhooks.stopApplying();
        if (background != null) background.shutdownNow();
        webhookWorker.shutdown();
        try {
            if (!webhookWorker.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS)) {
                webhookWorker.shutdownNow();
                webhookWorker.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
            }
            if (background != null) background.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        webhooks.close();
        executor.shutdownNow();
        try {
            executor.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        http.close();
        tokenHttp.dispatcher().executorService().shutdown();
        tokenHttp.connectionPool().evictAll();
        database.close();
    }

}
