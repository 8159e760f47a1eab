package dev.junction.core.internal.webhook;

import dev.junction.core.HubObserver;
import dev.junction.core.HubObserver.WebhookEventOutcome;
import dev.junction.core.WebhookInboxEntry;
import dev.junction.core.WebhookMaintenance;
import dev.junction.core.WebhookResponse;
import dev.junction.core.error.ErrorContext;
import dev.junction.core.error.ErrorKind;
import dev.junction.core.error.JunctionException;
import dev.junction.core.error.UnsupportedCapabilityException;
import dev.junction.core.internal.ConnectionManager;
import dev.junction.core.internal.Json;
import dev.junction.core.internal.LogContext;
import dev.junction.core.internal.ProviderRegistry;
import dev.junction.core.internal.store.ConnectionRepository;
import dev.junction.core.internal.store.ConnectionRow;
import dev.junction.core.internal.store.Database;
import dev.junction.core.internal.store.PreparedRecord;
import dev.junction.core.internal.store.RecordRepository;
import dev.junction.core.internal.store.SyncRepository;
import dev.junction.core.internal.store.WebhookRepository;
import dev.junction.core.internal.store.WebhookRepository.InboxRow;
import dev.junction.core.internal.store.WebhookRepository.NewInboxRow;
import dev.junction.core.internal.store.WebhookRepository.SubscriptionRow;
import dev.junction.core.internal.sync.OpenedConnector;
import dev.junction.core.internal.sync.RecordPreparer;
import dev.junction.core.spi.Capability;
import dev.junction.core.spi.EntityType;
import dev.junction.core.spi.Provider;
import dev.junction.core.spi.RemoteRecord;
import dev.junction.core.spi.WebhookEvent;
import dev.junction.core.spi.WebhookOutcome;
import dev.junction.core.spi.WebhookRequest;
import dev.junction.core.spi.WebhookSecrets;
import dev.junction.core.spi.WebhookSubscription;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Incoming webhooks and their registration at providers.
 *
 * <p>Receiving: the connection is found by the unguessable token in its URL, the provider's handler verifies the
 * raw bytes (signature, handshake), each verified event is stored once in the inbox (keyed by its dedupe key), and
 * only then is the request acknowledged, so nothing acknowledged can be lost. A worker processes the inbox
 * asynchronously: {@code UPSERT} stores the payload, {@code REFETCH} fetches the record and stores what the provider
 * returns (a record it no longer has is a deletion), {@code DELETE} marks the record deleted, each in one
 * transaction with the entry's status and the change event. Failures are retried with backoff, then the entry is
 * dead (replayable) and the record dead-lettered.
 *
 * <p>What verification needs (the token's connection, subscriptions' entities and decrypted secrets) is remembered per
 * node for a short time ({@link EndpointCache}); this node's own changes drop it at once, and a request rejected with
 * remembered values is verified again from the database before it is refused.
 *
 * <p>The inbox insert is group-committed ({@link InboxWriter}): concurrent requests share one transaction and each is
 * answered only after that transaction committed; a failed batch fails every request in it.
 *
 * <p>Receipt comes first: while two or more requests are being received, the worker waits (at most the configured
 * deferral per chunk) before claiming more entries, so a burst is answered at full speed and applied as it ebbs.
 *
 * <p>Thread-safe.
 */
public final class WebhookService implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(WebhookService.class);
    private static final int MAX_ATTEMPTS = 6;
    private static final Duration FIRST_RETRY = Duration.ofSeconds(30);
    private static final Duration CLAIM_LEASE = Duration.ofMinutes(5);
    private static final Duration HANDSHAKE_WINDOW = Duration.ofMinutes(10);
    private static final int MAX_TOKEN_LENGTH = 128;
    private static final int BATCH = 200;
    /** Entries claimed in one transaction; a node that dies holds at most this many until their lease runs out. */
    private static final int CLAIM_CHUNK = 32;

    private final Database database;
    private final WebhookRepository repository;
    private final RecordRepository records = new RecordRepository();
    private final SyncRepository sync;
    private final ConnectionRepository connectionRepository;
    private final ConnectionManager connections;
    private final ProviderRegistry providers;
    private final OpenedConnector.Opener opener;
    private final Clock clock;
    private final Duration lifetime;
    private final Duration renewAhead;
    private final Executor worker;
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final java.util.concurrent.locks.ReentrantLock drainLock = new java.util.concurrent.locks.ReentrantLock();
    private final HubObserver observer;
    private final InboxWriter inbox;
    private final EndpointCache endpoints;
    /** Requests in {@link #receive} right now, on this node. */
    private final AtomicInteger receiving = new AtomicInteger();
    private final long applyDeferralNanos;
    private volatile boolean stopping;

    /** Receipts in progress from which the worker counts this node as busy receiving (one alone is a trickle). */
    static final int BUSY_RECEIVING = 2;
    private static final long QUIET_POLL_NANOS = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(5);

    public WebhookService(Database database, ConnectionRepository connectionRepository, ConnectionManager connections,
            ProviderRegistry providers, OpenedConnector.Opener opener, Clock clock, Duration lifetime, Duration renewAhead,
            Executor worker, HubObserver observer, int maxBatch, Duration linger, Duration cacheTtl, Duration applyDeferral) {
        this.observer = observer;
        this.applyDeferralNanos = applyDeferral.toNanos();
        this.database = database;
        this.repository = new WebhookRepository(database.jdbi());
        this.sync = new SyncRepository(database.jdbi());
        this.connectionRepository = connectionRepository;
        this.connections = connections;
        this.providers = providers;
        this.opener = opener;
        this.clock = clock;
        this.lifetime = lifetime;
        this.renewAhead = renewAhead;
        this.worker = worker;
        this.inbox = new InboxWriter(repository, maxBatch, linger);
        this.endpoints = new EndpointCache(cacheTtl);
    }

    /**
     * Makes drains stop before their next entry (the entry in hand is finished), without interrupting them: an
     * interrupt can break a database call half-way (H2 closes its file on one). Called first when the hub closes.
     */
    public void stopApplying() {
        stopping = true;
    }

    /** Stops the inbox writer after the batch in flight; requests still waiting fail unacknowledged. */
    @Override
    public void close() {
        inbox.close();
    }

    // ---- receiving ----------------------------------------------------------------------------------------

    public WebhookResponse receive(String token, WebhookRequest request) {
        receiving.incrementAndGet();
        try {
            return receiveCounted(token, request);
        } finally {
            receiving.decrementAndGet();
        }
    }

    private WebhookResponse receiveCounted(String token, WebhookRequest request) {
        if (request == null) {
            throw JunctionException.invalidInput("webhook request must not be null");
        }
        if (token == null || token.isBlank() || token.length() > MAX_TOKEN_LENGTH) {
            throw new JunctionException(ErrorKind.WEBHOOK_REJECTED, "unknown webhook endpoint");
        }
        EndpointCache.Endpoint endpoint = endpoints.lookup(token, connectionRepository::findByWebhookToken)
                .orElseThrow(WebhookService::unknownEndpoint);
        ConnectionRow row = endpoint.row;
        LogContext.connection(row.tenantId(), row.id()); // the caller's LogContext scope restores the earlier ids
        Provider provider = providers.require(row.providerId());
        ErrorContext context = ErrorContext.provider(provider.id()).withConnection(row.id());
        if (!provider.capabilities().contains(Capability.WEBHOOKS)) {
            throw new UnsupportedCapabilityException(provider.id(), Capability.WEBHOOKS.name());
        }
        WebhookOutcome outcome;
        try {
            outcome = handle(provider, request, endpoint, context);
        } catch (JunctionException e) {
            if (!endpoint.fromCache || e.kind() != ErrorKind.WEBHOOK_REJECTED) {
                throw e;
            }
            // Remembered values may be stale (a secret rotated or a webhook registered through another node): a
            // rejection is only ever given on what the database holds now.
            endpoint = endpoints.reload(token, connectionRepository::findByWebhookToken).orElseThrow(WebhookService::unknownEndpoint);
            row = endpoint.row;
            outcome = handle(provider, request, endpoint, context);
        }
        if (outcome instanceof WebhookOutcome.Handshake handshake) {
            return answerHandshake(row, handshake, context);
        }
        List<WebhookEvent> events = ((WebhookOutcome.Events) outcome).events();
        int accepted = 0;
        Instant now = clock.instant();
        for (WebhookEvent event : events) {
            if (!providers.hasEntity(provider, event.entity())) {
                throw new JunctionException(ErrorKind.WEBHOOK_REJECTED, "webhook names unknown entity '" + event.entity() + "'", context);
            }
        }
        List<NewInboxRow> rows = new ArrayList<>(events.size());
        for (WebhookEvent event : events) {
            // The handler's own text of the payload (the request body it parsed) is stored as received: serialising the
            // tree again would only reproduce it.
            String payload = event.payloadJson() != null ? event.payloadJson()
                    : event.payload() == null ? null : Json.write(event.payload());
            rows.add(new NewInboxRow(row.tenantId(), row.id(), truncate(event.dedupeKey(), 255), event.entity(),
                    event.externalId(), event.kind().name(), payload, now));
        }
        boolean[] stored = inbox.write(rows); // returns once committed (group commit), throws when nothing was stored
        for (boolean isNew : stored) {
            observer.webhookEvent(provider.id(), isNew ? WebhookEventOutcome.ACCEPTED : WebhookEventOutcome.DUPLICATE);
            if (isNew) {
                accepted++;
            }
        }
        if (accepted > 0) {
            scheduleDrain();
        }
        return new WebhookResponse(200, Map.of(), accepted);
    }

    private static JunctionException unknownEndpoint() {
        return new JunctionException(ErrorKind.WEBHOOK_REJECTED, "unknown webhook endpoint");
    }

    private WebhookOutcome handle(Provider provider, WebhookRequest request, EndpointCache.Endpoint endpoint, ErrorContext context) {
        try {
            return provider.webhookHandler().handle(request, secrets(endpoint));
        } catch (JunctionException e) {
            throw e.withContext(context);
        } catch (RuntimeException e) {
            // A handler bug must not turn into a 500 that makes the provider retry forever; it is a rejection.
            LOG.warn("webhook handler of {} failed for connection {}", provider.id(), endpoint.row.id(), e);
            throw new JunctionException(ErrorKind.WEBHOOK_REJECTED, "webhook could not be read: " + e.getClass().getSimpleName(), context);
        }
    }

    /** Drops what this node remembers for verifying the connection's webhooks (after a change to them). */
    public void forget(String tenantId, String connectionId) {
        endpoints.forget(tenantId, connectionId);
    }

    private WebhookResponse answerHandshake(ConnectionRow row, WebhookOutcome.Handshake handshake, ErrorContext context) {
        if (!handshakeExpected(row)) {
            throw new JunctionException(ErrorKind.WEBHOOK_REJECTED, "unexpected webhook handshake: no registration in progress", context);
        }
        Instant now = clock.instant();
        repository.saveSubscription(new SubscriptionRow(row.tenantId(), row.id(), handshake.subscriptionId(), "",
                encryptSecret(row, handshake.subscriptionId(), handshake.secret()), "enabled", null, now, now));
        forget(row.tenantId(), row.id());
        return new WebhookResponse(handshake.status(), handshake.responseHeaders(), 0);
    }

    private boolean handshakeExpected(ConnectionRow row) {
        return repository.handshakeWindow(row.tenantId(), row.id()).filter(until -> until.isAfter(clock.instant())).isPresent();
    }

    private WebhookSecrets secrets(EndpointCache.Endpoint endpoint) {
        ConnectionRow row = endpoint.row;
        return new WebhookSecrets() {
            // A request's handler asks for a subscription's secret and its entity: one query serves both, and the
            // endpoint remembers both for the next requests (see EndpointCache).
            private Optional<EndpointCache.Subscription> subscription(String subscriptionId) {
                return endpoint.subscription(subscriptionId, id -> repository.findSubscription(row.tenantId(), row.id(), id)
                        .map(stored -> new EndpointCache.Subscription(stored.entity(), () -> Optional.ofNullable(stored.encryptedSecret())
                                .map(secret -> connections.cipher().decrypt(secret, aad(row, stored.subscriptionId()))))));
            }

            @Override
            public Optional<String> forSubscription(String subscriptionId) {
                if (subscriptionId == null || subscriptionId.isBlank()) return Optional.empty();
                return subscription(subscriptionId).flatMap(EndpointCache.Subscription::secret);
            }

            @Override
            public Optional<String> entityForSubscription(String subscriptionId) {
                if (subscriptionId == null || subscriptionId.isBlank()) return Optional.empty();
                return subscription(subscriptionId).map(EndpointCache.Subscription::entity).filter(entity -> !entity.isEmpty());
            }

            @Override
            public List<String> allSubscriptionSecrets() {
                return endpoint.allSecrets(() -> repository.subscriptions(row.tenantId(), row.id()).stream()
                        .filter(subscription -> subscription.encryptedSecret() != null)
                        .map(subscription -> connections.cipher().decrypt(subscription.encryptedSecret(),
                                aad(row, subscription.subscriptionId())))
                        .toList());
            }

            @Override
            public Optional<String> connectionSecret() {
                return endpoint.settings(() -> connections.settings(row)).get("webhook_secret");
            }

            @Override
            public boolean handshakeExpected() {
                return WebhookService.this.handshakeExpected(row);
            }

            @Override
            public String toString() {
                return "WebhookSecrets[***]";
            }
        };
    }

    private String encryptSecret(ConnectionRow row, String subscriptionId, String secret) {
        return secret == null ? null : connections.cipher().encrypt(secret, aad(row, subscriptionId));
    }

    private static String aad(ConnectionRow row, String subscriptionId) {
        return ConnectionManager.aad(row.tenantId(), row.id(), "webhook:" + subscriptionId);
    }

    // ---- registration ---------------------------------------------------------------------------------------

    /** Registers the connection's webhooks at the provider, replacing any registered before. */
    public List<WebhookSubscription> enable(String tenantId, String connectionId, String callbackBaseUrl) {
        JunctionException.requireArgument(callbackBaseUrl, "callbackBaseUrl");
        ConnectionRow row = connections.row(tenantId, connectionId);
        Provider provider = requireRegistration(row);
        String base = checkedCallback(callbackBaseUrl);
        OpenedConnector opened = opener.open(tenantId, connectionId);
        removeAll(row, opened);
        Instant now = clock.instant();
        repository.setHandshakeWindow(tenantId, connectionId, now.plus(HANDSHAKE_WINDOW));
        List<WebhookSubscription> created = opened.connector().webhooks().subscribe(base + "/" + row.webhookToken(), now.plus(lifetime));
        for (WebhookSubscription subscription : created) {
            save(row, subscription);
        }
        forget(tenantId, connectionId);
        LOG.info("registered {} webhook subscriptions at {} for connection {}", created.size(), provider.id(), connectionId);
        return list(tenantId, connectionId);
    }

    /** Removes the connection's webhooks at the provider and forgets them. */
    public int disable(String tenantId, String connectionId) {
        ConnectionRow row = connections.row(tenantId, connectionId);
        requireRegistration(row);
        int removed = removeAll(row, opener.open(tenantId, connectionId));
        repository.setHandshakeWindow(tenantId, connectionId, null);
        forget(tenantId, connectionId);
        return removed;
    }

    /** Best effort before a connection is deleted: failures are logged, not thrown. */
    public void disableQuietly(String tenantId, String connectionId) {
        try {
            ConnectionRow row = connections.row(tenantId, connectionId);
            if (repository.subscriptions(tenantId, connectionId).isEmpty()
                    || !providers.require(row.providerId()).capabilities().contains(Capability.WEBHOOK_REGISTRATION)) {
                return;
            }
            disable(tenantId, connectionId);
        } catch (RuntimeException e) {
            LOG.warn("could not remove the webhooks of connection {} at the provider: {}", connectionId, e.getMessage());
        }
    }

    public List<WebhookSubscription> list(String tenantId, String connectionId) {
        connections.row(tenantId, connectionId);
        return repository.subscriptions(tenantId, connectionId).stream()
                .map(row -> new WebhookSubscription(row.subscriptionId(), row.entity(), null, row.expiresAt(), row.status()))
                .toList();
    }

    private int removeAll(ConnectionRow row, OpenedConnector opened) {
        int removed = 0;
        for (SubscriptionRow existing : repository.subscriptions(row.tenantId(), row.id())) {
            opened.connector().webhooks().unsubscribe(toSubscription(row, existing));
            repository.deleteSubscription(row.tenantId(), row.id(), existing.subscriptionId());
            forget(row.tenantId(), row.id());
            removed++;
        }
        return removed;
    }

    private void save(ConnectionRow row, WebhookSubscription subscription) {
        Instant now = clock.instant();
        repository.saveSubscription(new SubscriptionRow(row.tenantId(), row.id(), subscription.id(), subscription.entity(),
                encryptSecret(row, subscription.id(), subscription.secret()), subscription.status(), subscription.expiresAt(),
                now, now));
        forget(row.tenantId(), row.id());
    }

    private WebhookSubscription toSubscription(ConnectionRow row, SubscriptionRow stored) {
        String secret = stored.encryptedSecret() == null ? null
                : connections.cipher().decrypt(stored.encryptedSecret(), aad(row, stored.subscriptionId()));
        return new WebhookSubscription(stored.subscriptionId(), stored.entity(), secret, stored.expiresAt(), stored.status());
    }

    private Provider requireRegistration(ConnectionRow row) {
        Provider provider = providers.require(row.providerId());
        if (!provider.capabilities().contains(Capability.WEBHOOK_REGISTRATION)) {
            throw new UnsupportedCapabilityException(provider.id(), Capability.WEBHOOK_REGISTRATION.name());
        }
        return provider;
    }

    private static String checkedCallback(String value) {
        URI uri;
        try {
            uri = URI.create(value.trim());
        } catch (IllegalArgumentException e) {
            throw JunctionException.invalidInput("callbackBaseUrl is not a URL");
        }
        if (uri.getHost() == null || !("https".equals(uri.getScheme()) || "http".equals(uri.getScheme()))
                || uri.getQuery() != null || uri.getFragment() != null) {
            throw JunctionException.invalidInput("callbackBaseUrl must be an http(s) URL with a host and no query");
        }
        String text = uri.toString();
        return text.endsWith("/") ? text.substring(0, text.length() - 1) : text;
    }

    /** Renews expiring subscriptions and activates pending ones whose secret is known, for every tenant. */
    public WebhookMaintenance maintain() {
        Instant now = clock.instant();
        int renewed = 0;
        int activated = 0;
        int failed = 0;
        for (SubscriptionRow stored : repository.subscriptionsNeedingCare(now.plus(renewAhead), 1000)) {
            try {
                ConnectionRow row = connections.row(stored.tenantId(), stored.connectionId());
                OpenedConnector opened = opener.open(stored.tenantId(), stored.connectionId());
                WebhookSubscription subscription = toSubscription(row, stored);
                if ("pending".equals(stored.status()) && subscription.secret() != null
                        && stored.createdAt().isBefore(now.minus(Duration.ofMinutes(1)))) {
                    subscription = opened.connector().webhooks().activate(subscription);
                    activated++;
                }
                if (stored.expiresAt() != null && stored.expiresAt().isBefore(now.plus(renewAhead))) {
                    subscription = opened.connector().webhooks().renew(subscription, now.plus(lifetime));
                    renewed++;
                }
                save(row, subscription);
            } catch (RuntimeException e) {
                failed++;
                LOG.warn("webhook subscription {} of connection {} could not be maintained: {}", stored.subscriptionId(),
                        stored.connectionId(), e.getMessage());
            }
        }
        return new WebhookMaintenance(renewed, activated, failed);
    }

    // ---- processing -----------------------------------------------------------------------------------------

    private void scheduleDrain() {
        if (drainScheduled.compareAndSet(false, true)) {
            try {
                worker.execute(() -> {
                    drainScheduled.set(false);
                    try {
                        processDue();
                    } catch (RuntimeException e) {
                        LOG.warn("webhook inbox processing failed", e);
                    }
                });
            } catch (java.util.concurrent.RejectedExecutionException e) {
                drainScheduled.set(false); // shutting down; the entries stay pending for the next start
            }
        }
    }

    /**
     * Processes every due inbox entry of every tenant. Returns how many entries were handled. Drains in this process
     * run one at a time, so when this returns, an entry the background worker was busy with is finished too.
     */
    public int processDue() {
        drainLock.lock();
        try (LogContext.Scope ignored = LogContext.scope()) {
            return drain();
        } finally {
            drainLock.unlock();
        }
    }

    private int drain() {
        int handled = 0;
        Map<String, OpenedConnector> opened = new HashMap<>();
        while (true) {
            Instant now = clock.instant();
            List<Long> due = repository.dueInbox(now, BATCH);
            int before = handled;
            Instant lease = now.plus(CLAIM_LEASE);
            // An entry waiting in a claimed chunk must not outlive its lease (another node would take it too): past
            // half the lease the rest of the chunk is given back and claimed afresh in the next round.
            Instant renewBy = now.plus(CLAIM_LEASE.dividedBy(2));
            boolean renew = false;
            chunks:
            for (int from = 0; from < due.size(); from += CLAIM_CHUNK) {
                awaitQuietReceipt(); // before claiming, so no claimed entry waits out a burst
                if (stopping || Thread.currentThread().isInterrupted()) {
                    return handled; // the hub is closing: what is left stays due for the next drain, here or elsewhere
                }
                // Claimed a chunk at a time (one commit), then applied a run of one connection and entity at a time.
                List<InboxRow> claimed = repository.claimAll(due.subList(from, Math.min(from + CLAIM_CHUNK, due.size())), now, lease);
                for (int i = 0; i < claimed.size(); ) {
                    if (stopping || Thread.currentThread().isInterrupted()) {
                        releaseQuietly(claimed.subList(i, claimed.size()), now, lease);
                        return handled;
                    }
                    if (i > 0 && clock.instant().isAfter(renewBy)) {
                        releaseQuietly(claimed.subList(i, claimed.size()), now, lease);
                        renew = true;
                        break chunks;
                    }
                    int end = i + 1; // the run of entries for the same connection and entity, applied together
                    while (end < claimed.size() && sameTarget(claimed.get(i), claimed.get(end))) {
                        end++;
                    }
                    List<InboxRow> left = applyTogether(claimed.subList(i, end), opened, renewBy);
                    handled += end - i - left.size();
                    if (!left.isEmpty()) {
                        // Stopped half-way (the hub is closing, or half the lease went by): the rest goes back.
                        List<InboxRow> rest = new ArrayList<>(left);
                        rest.addAll(claimed.subList(end, claimed.size()));
                        releaseQuietly(rest, now, lease);
                        if (stopping || Thread.currentThread().isInterrupted()) {
                            return handled;
                        }
                        renew = true;
                        break chunks;
                    }
                    i = end;
                }
            }
            if ((!renew && due.size() < BATCH) || handled == before) {
                return handled;
            }
        }
    }

    /**
     * Waits while this node is busy receiving webhooks, at most the configured deferral: receipt is what providers time
     * (a slow answer is retried, and repeated failures disable the webhook), while an entry in the inbox is durable and
     * can be applied a moment later.
     */
    private void awaitQuietReceipt() {
        if (applyDeferralNanos <= 0 || receiving.get() < BUSY_RECEIVING) {
            return;
        }
        long deadline = System.nanoTime() + applyDeferralNanos;
        while (receiving.get() >= BUSY_RECEIVING && !stopping && !Thread.currentThread().isInterrupted()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(Math.min(left, QUIET_POLL_NANOS));
        }
    }

    /** Claimed but not processed (the hub is closing, or half their lease went by): due again at once, here or elsewhere. */
    private void releaseQuietly(List<InboxRow> unprocessed, Instant now, Instant lease) {
        try {
            repository.release(unprocessed, now, lease);
        } catch (RuntimeException e) {
            LOG.warn("could not give back {} claimed webhook events; they are due again when their lease ends: {}", unprocessed.size(),
                    e.toString());
        }
    }

    private static boolean sameTarget(InboxRow a, InboxRow b) {
        return a.tenantId().equals(b.tenantId()) && a.connectionId().equals(b.connectionId()) && a.entity().equals(b.entity());
    }

    /**
     * Applies consecutive entries of one connection and entity: each record's last event decides its state (a
     * refetch is made once, for the last), and everything is stored in one transaction with the entries' statuses.
     * A record whose last event cannot be refetched or transformed has that outcome recorded for the last event
     * (no second attempt) and its earlier events applied one by one ({@link #process}); a connection that cannot be
     * opened, or a transaction that fails, sends the entries concerned through {@link #process} one by one. Once
     * {@code renewBy} has passed (or the hub is closing), no further record is fetched: what was fetched is stored,
     * and the entries of the records not reached are returned, to be given back.
     */
    private List<InboxRow> applyTogether(List<InboxRow> entries, Map<String, OpenedConnector> cache, Instant renewBy) {
        InboxRow first = entries.get(0);
        LogContext.connection(first.tenantId(), first.connectionId());
        Instant now = clock.instant();
        Target target;
        try {
            target = target(first, cache);
        } catch (RuntimeException e) {
            entries.forEach(entry -> process(entry, cache));
            return List.of();
        }
        Provider provider = target.opened().provider();
        EntityType entity = target.entity();
        Map<String, List<InboxRow>> byRecord = new LinkedHashMap<>();
        for (InboxRow entry : entries) {
            byRecord.computeIfAbsent(entry.externalId(), id -> new ArrayList<>()).add(entry);
        }
        List<PreparedRecord> upserts = new ArrayList<>();
        List<String> deletions = new ArrayList<>();
        List<InboxRow> applied = new ArrayList<>();
        List<InboxRow> notReached = new ArrayList<>();
        int reached = 0;
        for (List<InboxRow> events : byRecord.values()) {
            if (reached++ > 0 && (stopping || Thread.currentThread().isInterrupted() || clock.instant().isAfter(renewBy))) {
                notReached.addAll(events);
                continue;
            }
            InboxRow last = events.get(events.size() - 1);
            List<InboxRow> earlier = events.subList(0, events.size() - 1);
            Optional<RemoteRecord> remote;
            RecordPreparer.Result prepared = null;
            try {
                remote = remoteOf(last, target);
                if (remote.isPresent()) {
                    prepared = RecordPreparer.prepare(remote.get(), provider.transformer());
                }
            } catch (RuntimeException e) {
                earlier.forEach(entry -> process(entry, cache));
                failed(last, e, provider.id(), now);
                continue;
            }
            if (remote.isEmpty()) {
                deletions.add(last.externalId());
            } else if (prepared.record() != null) {
                upserts.add(prepared.record());
            } else {
                earlier.forEach(entry -> process(entry, cache));
                deadLettered(last, entity, prepared, provider.id(), now);
                continue;
            }
            applied.addAll(events);
        }
        if (applied.isEmpty()) {
            return notReached;
        }
        try {
            RecordRepository.RegisteredPage page = RecordRepository.registerStreams(database.jdbi(), target.scope(), upserts);
            database.jdbi().useTransaction(handle -> {
                if (!upserts.isEmpty()) {
                    records.writePage(handle, target.scope(), page, false, now);
                }
                records.deleteRecords(handle, target.scope(), deletions, now);
                for (InboxRow entry : applied) {
                    repository.markProcessed(handle, entry, now);
                }
            });
        } catch (RuntimeException e) {
            LOG.debug("applying {} webhook events together failed ({}); applying them one by one", applied.size(), e.toString());
            applied.forEach(entry -> process(entry, cache));
            return notReached;
        }
        for (int i = 0; i < applied.size(); i++) {
            observer.webhookEvent(provider.id(), WebhookEventOutcome.PROCESSED);
        }
        return notReached;
    }

    /** Where an inbox entry's record is kept: its connection (opened once a drain), its entity and the write scope. */
    private record Target(OpenedConnector opened, EntityType entity, RecordRepository.Scope scope) {}

    private Target target(InboxRow entry, Map<String, OpenedConnector> cache) {
        OpenedConnector opened = cache.computeIfAbsent(entry.connectionId(), id -> opener.open(entry.tenantId(), id));
        EntityType entity = providers.entity(opened.provider(), entry.entity());
        long pass = sync.checkpoint(entry.tenantId(), entry.connectionId(), entity.name()).passId();
        return new Target(opened, entity, new RecordRepository.Scope(entry.tenantId(), entry.connectionId(), entity.name(), null,
                pass, RecordRepository.Source.WEBHOOK));
    }

    /** What an entry says the record now is: its payload, what the provider returns for it, or gone. */
    private static Optional<RemoteRecord> remoteOf(InboxRow entry, Target target) {
        Provider provider = target.opened().provider();
        EntityType entity = target.entity();
        return switch (WebhookEvent.Kind.valueOf(entry.kind())) {
            case UPSERT -> Optional.of(RemoteRecord.of(entity.name(), entry.externalId(), null, Json.read(entry.payload())));
            case REFETCH -> {
                if (!provider.capabilities().contains(Capability.FETCH_ONE)) {
                    throw new UnsupportedCapabilityException(provider.id(), Capability.FETCH_ONE.name());
                }
                yield target.opened().connector().fetchOne(entity, entry.externalId());
            }
            case DELETE -> Optional.empty();
        };
    }

    private void process(InboxRow entry, Map<String, OpenedConnector> cache) {
        Instant now = clock.instant();
        LogContext.connection(entry.tenantId(), entry.connectionId());
        String providerId = "unknown";
        try {
            Target target = target(entry, cache);
            Provider provider = target.opened().provider();
            providerId = provider.id();
            EntityType entity = target.entity();
            Optional<RemoteRecord> remote = remoteOf(entry, target);
            if (remote.isEmpty()) {
                database.jdbi().useTransaction(handle -> {
                    records.deleteRecords(handle, target.scope(), List.of(entry.externalId()), now);
                    repository.markProcessed(handle, entry, now);
                });
                observer.webhookEvent(providerId, WebhookEventOutcome.PROCESSED);
                return;
            }
            RecordPreparer.Result prepared = RecordPreparer.prepare(remote.get(), provider.transformer());
            if (prepared.record() == null) {
                deadLettered(entry, entity, prepared, providerId, now);
                return;
            }
            RecordRepository.RegisteredPage page = RecordRepository.registerStreams(database.jdbi(), target.scope(),
                    List.of(prepared.record()));
            database.jdbi().useTransaction(handle -> {
                records.writePage(handle, target.scope(), page, false, now);
                repository.markProcessed(handle, entry, now);
            });
            observer.webhookEvent(providerId, WebhookEventOutcome.PROCESSED);
        } catch (RuntimeException e) {
            failed(entry, e, providerId, now);
        }
    }

    /** A record the provider's transformer could not read: dead at once, and dead-lettered with its payload. */
    private void deadLettered(InboxRow entry, EntityType entity, RecordPreparer.Result prepared, String providerId, Instant now) {
        database.jdbi().useTransaction(handle -> {
            sync.insertDeadLetter(handle, entry.tenantId(), entry.connectionId(), entity.name(), entry.externalId(), null,
                    "webhook", prepared.error(), prepared.payload(), now);
            repository.markFailed(handle, entry, prepared.error(), true, now);
        });
        observer.webhookEvent(providerId, WebhookEventOutcome.DEAD);
    }

    /** A failed attempt: retried with backoff while retryable and attempts remain, else dead and dead-lettered. */
    private void failed(InboxRow entry, RuntimeException e, String providerId, Instant now) {
        boolean retryable = e instanceof JunctionException junction
                && (junction.retryable() || junction.kind() == ErrorKind.NEEDS_REAUTH);
        boolean dead = !retryable || entry.attempts() + 1 >= MAX_ATTEMPTS;
        String error = e instanceof JunctionException junction ? junction.kind() + ": " + junction.reason() : e.toString();
        if (!(e instanceof JunctionException)) {
            LOG.error("webhook event {} of connection {} failed", entry.id(), entry.connectionId(), e);
        }
        Instant next = now.plus(FIRST_RETRY.multipliedBy(1L << Math.min(entry.attempts(), 10)));
        database.jdbi().useTransaction(handle -> {
            repository.markFailed(handle, entry, error, dead, next);
            if (dead) {
                sync.insertDeadLetter(handle, entry.tenantId(), entry.connectionId(), entry.entity(), entry.externalId(), null,
                        "webhook", error, entry.payload(), now);
            }
        });
        observer.webhookEvent(providerId, dead ? WebhookEventOutcome.DEAD : WebhookEventOutcome.FAILED);
    }

    public List<WebhookInboxEntry> inbox(String tenantId, String connectionId, String status, int limit) {
        connections.row(tenantId, connectionId);
        if (limit < 1 || limit > 1000) throw JunctionException.invalidInput("limit must be between 1 and 1000");
        if (status != null && !List.of("pending", "processing", "processed", "dead").contains(status)) {
            throw JunctionException.invalidInput("status must be pending, processing, processed or dead");
        }
        List<WebhookInboxEntry> entries = new ArrayList<>();
        for (InboxRow row : repository.inbox(tenantId, connectionId, status, limit)) {
            entries.add(new WebhookInboxEntry(row.id(), row.connectionId(), row.entity(), row.externalId(), row.kind(),
                    row.status(), row.attempts(), row.lastError(), row.receivedAt(), row.processedAt()));
        }
        return entries;
    }

    public boolean replay(String tenantId, String connectionId, long id) {
        connections.row(tenantId, connectionId);
        boolean replayed = repository.replay(tenantId, connectionId, id, clock.instant());
        if (replayed) {
            scheduleDrain();
        }
        return replayed;
    }

    private static String truncate(String value, int length) {
        return value.length() <= length ? value : Json.sha256(value);
    }
}
