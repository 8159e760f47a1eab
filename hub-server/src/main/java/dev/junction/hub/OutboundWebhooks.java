package dev.junction.hub;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.junction.core.ChangeEvent;
import dev.junction.core.ChangePage;
import dev.junction.core.Hub;
import dev.junction.core.crypto.SecretCipher;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Outbound webhooks: a tenant's endpoints and the dispatcher that sends them the tenant's change events, signed with
 * the Standard Webhooks scheme ({@link StandardWebhookSignature}).
 *
 * <p><b>Delivery.</b> Each round ({@link #deliverDue()}) has two steps. <i>Fan-out</i>: for every enabled endpoint,
 * the change feed after the endpoint's cursor ({@link Hub#changes}) is read a page at a time, each matching event
 * becomes a {@code pending} row of {@code hub_outbound_delivery} (the exact body that will be signed and sent), and the
 * cursor moves past the page <i>in the same transaction</i>, so no event is skipped by a crash. The cursor update is
 * conditional on the cursor read ({@code WHERE cursor_seq = :old}), so two processes fanning out the same endpoint
 * cannot both record a page. <i>Sending</i>: due deliveries are claimed one by one with a lease
 * ({@code UPDATE ... SET claimed_until = :lease WHERE id = :id AND <still due and unclaimed>}: the row lock makes the
 * re-check atomic on PostgreSQL and H2 alike), posted, and the attempt is recorded with its status code, latency and
 * error; up to eight deliveries are in flight at once, so one slow endpoint does not hold up the others. A 2xx succeeds; anything else is retried with exponential backoff and jitter until {@code maxAttempts}, then
 * the delivery is {@code failed} (visible in the log, redeliverable). A process that dies while sending leaves a lease
 * that runs out, and another process sends again: delivery is at least once, receivers deduplicate by
 * {@code webhook-id}. Order is the feed's for first attempts, not across retries.
 *
 * <p>Secrets are stored encrypted with the server's {@link SecretCipher} (associated data binds each to its tenant and
 * endpoint) and shown once, at creation or rotation. Disabled endpoints get neither new deliveries nor retries; when
 * enabled again they resume from their cursor, so nothing in the feed is lost while paused.
 *
 * <p>Thread-safe; {@link #deliverDue()} is safe to call from several threads and processes at once.
 */
public final class OutboundWebhooks implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(OutboundWebhooks.class);
    private static final int FEED_PAGE = 200;
    private static final int SEND_BATCH = 100;
    private static final int MAX_ERROR = 500;
    private static final int SENDERS = 8;

    /** Delivery settings; see the README's settings table. */
    public record Settings(Duration pollInterval, Duration retryBase, Duration retryMax, int maxAttempts, Duration timeout,
            boolean allowPrivateUrls) {

        public static Settings defaults() {
            return new Settings(Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofHours(1), 8, Duration.ofSeconds(10), false);
        }

        /** The wait before attempt {@code attempt + 1} after {@code attempt} failures: base × 2^(attempt-1), ±20 %. */
        Duration backoff(int attempt) {
            long base = retryBase.toMillis() * (1L << Math.min(attempt - 1, 30));
            long capped = Math.min(base, retryMax.toMillis());
            double jitter = 0.8 + 0.4 * ThreadLocalRandom.current().nextDouble();
            return Duration.ofMillis(Math.max(1, Math.round(capped * jitter)));
        }
    }

    /** An endpoint as stored (the secret stays encrypted). */
    public record Endpoint(String id, String tenantId, String url, String description, List<String> entities,
            String connectionId, boolean enabled, long cursor, Instant createdAt, Instant updatedAt) {}

    /** One message to one endpoint and its current state. */
    public record Delivery(String id, String endpointId, String tenantId, long sequence, String eventType, String payload, String status,
            int attempts, Instant nextAttemptAt, Integer lastStatusCode, String lastError, Instant createdAt, Instant finishedAt) {}

    /** One HTTP attempt of a delivery. */
    public record Attempt(Instant attemptedAt, Integer statusCode, long latencyMillis, String error, Instant nextAttemptAt) {}

    private final Hub hub;
    private final Jdbi jdbi;
    private final SecretCipher cipher;
    private final Clock clock;
    private final Settings settings;
    private final OutboundUrlPolicy urls;
    private final HttpClient http;
    private final String owner = "hub-" + UUID.randomUUID().toString().substring(0, 8);
    private final ScheduledExecutorService poller;
    private final ExecutorService senders;
    private volatile boolean closed;

    OutboundWebhooks(Hub hub, SecretCipher cipher, Clock clock, Settings settings) {
        this.hub = hub;
        this.jdbi = hub.database().jdbi();
        this.cipher = cipher;
        this.clock = clock;
        this.settings = settings;
        this.urls = new OutboundUrlPolicy(settings.allowPrivateUrls());
        this.http = HttpClient.newBuilder().connectTimeout(settings.timeout()).followRedirects(HttpClient.Redirect.NEVER).build();
        java.util.concurrent.atomic.AtomicInteger threads = new java.util.concurrent.atomic.AtomicInteger();
        this.senders = Executors.newFixedThreadPool(SENDERS, runnable -> {
            Thread thread = new Thread(runnable, "hub-outbound-sender-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        if (settings.pollInterval().isZero()) {
            this.poller = null;
        } else {
            this.poller = Executors.newSingleThreadScheduledExecutor(runnable -> {
                Thread thread = new Thread(runnable, "hub-outbound-webhooks");
                thread.setDaemon(true);
                return thread;
            });
            long millis = settings.pollInterval().toMillis();
            poller.scheduleWithFixedDelay(this::pollRound, millis, millis, TimeUnit.MILLISECONDS);
        }
    }

    OutboundUrlPolicy urls() {
        return urls;
    }

    Settings settings() {
        return settings;
    }

    private void pollRound() {
        try {
            // keep going while there is work, but give the scheduler back control now and then
            for (int i = 0; i < 20 && !closed && deliverDue() > 0; i++) {
                // next round
            }
        } catch (RuntimeException e) {
            LOG.warn("outbound webhook round failed: {}", e.toString());
        }
    }

    @Override
    public void close() {
        // No interrupts: a thread interrupted inside the embedded database's file I/O makes H2 close the database.
        // The closed flag ends rounds early instead, and in-flight sends finish within their timeout.
        closed = true;
        if (poller != null) {
            poller.shutdown();
        }
        senders.shutdown();
        try {
            long wait = settings.timeout().toMillis() + 5_000;
            if (poller != null) {
                poller.awaitTermination(wait, TimeUnit.MILLISECONDS);
            }
            senders.awaitTermination(wait, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---- endpoints ------------------------------------------------------------------------------------------

    /** A created endpoint and its secret, which is never shown again. */
    public record Created(Endpoint endpoint, String secret) {}

    Created create(String tenantId, String url, String description, List<String> entities, String connectionId, boolean enabled,
            long cursor) {
        String id = UUID.randomUUID().toString();
        String secret = StandardWebhookSignature.newSecret();
        Instant now = clock.instant();
        jdbi.useHandle(handle -> handle.createUpdate("INSERT INTO hub_outbound_endpoint (id, tenant_id, url, description, "
                        + "filter_entities, filter_connection_id, secret, enabled, cursor_seq, created_at, updated_at) VALUES "
                        + "(:id, :tenant, :url, :description, :entities, :connection, :secret, :enabled, :cursor, :now, :now)")
                .bind("id", id).bind("tenant", tenantId).bind("url", url).bind("description", description)
                .bind("entities", entities == null ? null : new String(JsonSupport.write(entities), java.nio.charset.StandardCharsets.UTF_8))
                .bind("connection", connectionId).bind("secret", cipher.encrypt(secret, aad(tenantId, id)))
                .bind("enabled", enabled).bind("cursor", cursor).bind("now", timestamp(now)).execute());
        return new Created(endpoint(tenantId, id).orElseThrow(), secret);
    }

    List<Endpoint> list(String tenantId) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT * FROM hub_outbound_endpoint WHERE tenant_id = :tenant "
                + "ORDER BY created_at, id").bind("tenant", tenantId).map(OutboundWebhooks::endpointRow).list());
    }

    Optional<Endpoint> endpoint(String tenantId, String id) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT * FROM hub_outbound_endpoint WHERE tenant_id = :tenant AND id = :id")
                .bind("tenant", tenantId).bind("id", id).map(OutboundWebhooks::endpointRow).findOne());
    }

    /** Changes the given fields (null: unchanged; {@code clearFilters} lists filters to remove). */
    Optional<Endpoint> update(String tenantId, String id, String url, Optional<String> description, Optional<List<String>> entities,
            Optional<String> connectionId, Boolean enabled) {
        return jdbi.inTransaction(handle -> {
            Optional<Endpoint> current = handle.createQuery("SELECT * FROM hub_outbound_endpoint WHERE tenant_id = :tenant AND id = :id FOR UPDATE")
                    .bind("tenant", tenantId).bind("id", id).map(OutboundWebhooks::endpointRow).findOne();
            if (current.isEmpty()) {
                return Optional.<Endpoint>empty();
            }
            Endpoint old = current.get();
            List<String> newEntities = entities == null ? old.entities() : entities.orElse(null);
            handle.createUpdate("UPDATE hub_outbound_endpoint SET url = :url, description = :description, filter_entities = :entities, "
                            + "filter_connection_id = :connection, enabled = :enabled, updated_at = :now WHERE tenant_id = :tenant AND id = :id")
                    .bind("url", url == null ? old.url() : url)
                    .bind("description", description == null ? old.description() : description.orElse(null))
                    .bind("entities", newEntities == null ? null : new String(JsonSupport.write(newEntities), java.nio.charset.StandardCharsets.UTF_8))
                    .bind("connection", connectionId == null ? old.connectionId() : connectionId.orElse(null))
                    .bind("enabled", enabled == null ? old.enabled() : enabled)
                    .bind("now", timestamp(clock.instant())).bind("tenant", tenantId).bind("id", id).execute();
            return handle.createQuery("SELECT * FROM hub_outbound_endpoint WHERE tenant_id = :tenant AND id = :id")
                    .bind("tenant", tenantId).bind("id", id).map(OutboundWebhooks::endpointRow).findOne();
        });
    }

    /** Deletes an endpoint with its deliveries and attempts; false when the tenant has no such endpoint. */
    boolean delete(String tenantId, String id) {
        return jdbi.inTransaction(handle -> {
            handle.createUpdate("DELETE FROM hub_outbound_attempt WHERE tenant_id = :tenant AND delivery_id IN "
                    + "(SELECT id FROM hub_outbound_delivery WHERE endpoint_id = :id AND tenant_id = :tenant)")
                    .bind("tenant", tenantId).bind("id", id).execute();
            handle.createUpdate("DELETE FROM hub_outbound_delivery WHERE endpoint_id = :id AND tenant_id = :tenant")
                    .bind("tenant", tenantId).bind("id", id).execute();
            return handle.createUpdate("DELETE FROM hub_outbound_endpoint WHERE tenant_id = :tenant AND id = :id")
                    .bind("tenant", tenantId).bind("id", id).execute() > 0;
        });
    }

    /**
     * Replaces the signing secret; the new one is returned (and never shown again). For {@code keepPrevious} the old
     * secret signs too (a second {@code v1,} signature in the header), so receivers can switch without losing a
     * message; {@link Duration#ZERO} drops it at once.
     */
    Optional<String> rotateSecret(String tenantId, String id, Duration keepPrevious) {
        String secret = StandardWebhookSignature.newSecret();
        Instant now = clock.instant();
        return jdbi.inTransaction(handle -> {
            Optional<String> current = handle.createQuery("SELECT secret FROM hub_outbound_endpoint WHERE tenant_id = :tenant AND id = :id FOR UPDATE")
                    .bind("tenant", tenantId).bind("id", id).mapTo(String.class).findOne();
            if (current.isEmpty()) {
                return Optional.<String>empty();
            }
            boolean keep = !keepPrevious.isZero();
            handle.createUpdate("UPDATE hub_outbound_endpoint SET secret = :secret, previous_secret = :previous, previous_until = :until, "
                            + "updated_at = :now WHERE tenant_id = :tenant AND id = :id")
                    .bind("secret", cipher.encrypt(secret, aad(tenantId, id)))
                    .bind("previous", keep ? current.get() : null)
                    .bind("until", keep ? timestamp(now.plus(keepPrevious)) : null)
                    .bind("now", timestamp(now)).bind("tenant", tenantId).bind("id", id).execute();
            return Optional.of(secret);
        });
    }

    /** The secrets that sign a message now: the current one, and the previous one during its overlap. */
    private List<String> signingSecrets(Endpoint endpoint, Instant now) {
        record Stored(String secret, String previous, Instant until) {}
        Stored stored = jdbi.withHandle(handle -> handle.createQuery("SELECT secret, previous_secret, previous_until "
                        + "FROM hub_outbound_endpoint WHERE id = :id")
                .bind("id", endpoint.id()).map((rs, ctx) -> new Stored(rs.getString("secret"), rs.getString("previous_secret"),
                        instant(rs, "previous_until"))).one());
        List<String> secrets = new ArrayList<>();
        secrets.add(cipher.decrypt(stored.secret(), aad(endpoint.tenantId(), endpoint.id())));
        if (stored.previous() != null && stored.until() != null && now.isBefore(stored.until())) {
            secrets.add(cipher.decrypt(stored.previous(), aad(endpoint.tenantId(), endpoint.id())));
        }
        return secrets;
    }

    // ---- the delivery log -----------------------------------------------------------------------------------

    List<Delivery> deliveries(String tenantId, String endpointId, String status, int limit) {
        return jdbi.withHandle(handle -> {
            var query = handle.createQuery("SELECT * FROM hub_outbound_delivery WHERE tenant_id = :tenant "
                            + "AND endpoint_id = :endpoint" + (status == null ? "" : " AND status = :status")
                            + " ORDER BY sequence DESC LIMIT :limit")
                    .bind("tenant", tenantId).bind("endpoint", endpointId).bind("limit", limit);
            if (status != null) {
                query.bind("status", status);
            }
            return query.map(OutboundWebhooks::deliveryRow).list();
        });
    }

    Optional<Delivery> delivery(String tenantId, String endpointId, String deliveryId) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT * FROM hub_outbound_delivery WHERE tenant_id = :tenant "
                        + "AND endpoint_id = :endpoint AND id = :id")
                .bind("tenant", tenantId).bind("endpoint", endpointId).bind("id", deliveryId)
                .map(OutboundWebhooks::deliveryRow).findOne());
    }

    List<Attempt> attempts(String tenantId, String deliveryId) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT * FROM hub_outbound_attempt WHERE tenant_id = :tenant "
                        + "AND delivery_id = :delivery ORDER BY id")
                .bind("tenant", tenantId).bind("delivery", deliveryId)
                .map((rs, ctx) -> new Attempt(instant(rs, "attempted_at"), (Integer) rs.getObject("status_code", Integer.class),
                        rs.getLong("latency_ms"), rs.getString("error"), instant(rs, "next_attempt_at")))
                .list());
    }

    /** Queues a delivery again (any status), due now, with a fresh attempt budget; false when there is none. */
    boolean redeliver(String tenantId, String endpointId, String deliveryId) {
        return jdbi.withHandle(handle -> handle.createUpdate("UPDATE hub_outbound_delivery SET status = 'pending', attempts = 0, "
                        + "next_attempt_at = :now, claimed_until = NULL, finished_at = NULL "
                        + "WHERE tenant_id = :tenant AND endpoint_id = :endpoint AND id = :id")
                .bind("now", timestamp(clock.instant())).bind("tenant", tenantId).bind("endpoint", endpointId).bind("id", deliveryId)
                .execute() > 0);
    }

    // ---- the dispatcher -------------------------------------------------------------------------------------

    /**
     * One round: turns new change events of every enabled endpoint into deliveries, then sends the deliveries that
     * are due. Returns how many events were recorded plus how many attempts were made (0: nothing to do). Safe to
     * call from several threads and processes at once.
     */
    public int deliverDue() {
        int work = 0;
        List<Endpoint> enabled = jdbi.withHandle(handle -> handle.createQuery("SELECT * FROM hub_outbound_endpoint WHERE enabled = TRUE "
                + "ORDER BY id").map(OutboundWebhooks::endpointRow).list());
        for (Endpoint endpoint : enabled) {
            if (closed) {
                return work;
            }
            try {
                work += fanOut(endpoint);
            } catch (RuntimeException e) {
                LOG.warn("could not read the change feed for outbound endpoint {}: {}", endpoint.id(), e.toString());
            }
        }
        Instant now = clock.instant();
        List<String> due = jdbi.withHandle(handle -> handle.createQuery("SELECT d.id FROM hub_outbound_delivery d "
                        + "JOIN hub_outbound_endpoint e ON e.id = d.endpoint_id WHERE d.status = 'pending' AND e.enabled = TRUE "
                        + "AND d.next_attempt_at <= :now AND (d.claimed_until IS NULL OR d.claimed_until <= :now) "
                        + "ORDER BY d.next_attempt_at, d.sequence LIMIT :limit")
                .bind("now", timestamp(now)).bind("limit", SEND_BATCH).mapTo(String.class).list());
        // sent in parallel, so one slow or unreachable endpoint does not hold up every other tenant's deliveries
        List<Future<?>> sending = new ArrayList<>();
        for (String id : due) {
            if (closed) {
                break;
            }
            Optional<Delivery> claimed = claim(id);
            if (claimed.isPresent()) {
                try {
                    sending.add(senders.submit(() -> send(claimed.get())));
                } catch (java.util.concurrent.RejectedExecutionException e) {
                    break; // closing: the lease runs out and another round sends it
                }
            }
        }
        for (Future<?> sent : sending) {
            try {
                sent.get();
                work++;
            } catch (ExecutionException e) {
                // e.g. the endpoint was deleted while its delivery was in flight; the others go on
                LOG.warn("an outbound delivery could not be recorded: {}", e.getCause().toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return work;
    }

    /** Records deliveries for the next page of the endpoint's feed and moves its cursor, in one transaction. */
    private int fanOut(Endpoint endpoint) {
        ChangePage page = hub.changes(endpoint.tenantId(), endpoint.cursor(), endpoint.connectionId(), FEED_PAGE);
        if (page.events().isEmpty()) {
            return 0;
        }
        Instant now = clock.instant();
        return jdbi.inTransaction(handle -> {
            // the conditional update locks the endpoint row: a second process fanning out the same page finds the
            // cursor moved (after waiting for our commit) and records nothing
            int moved = handle.createUpdate("UPDATE hub_outbound_endpoint SET cursor_seq = :next WHERE id = :id AND cursor_seq = :old "
                            + "AND enabled = TRUE")
                    .bind("next", page.nextCursor()).bind("id", endpoint.id()).bind("old", endpoint.cursor()).execute();
            if (moved == 0) {
                return 0;
            }
            PreparedBatch batch = handle.prepareBatch("INSERT INTO hub_outbound_delivery (id, endpoint_id, tenant_id, sequence, "
                    + "event_type, payload, status, attempts, next_attempt_at, created_at) VALUES (:id, :endpoint, :tenant, :sequence, "
                    + ":type, :payload, 'pending', 0, :now, :now)");
            int recorded = 0;
            for (ChangeEvent event : page.events()) {
                if (endpoint.entities() != null && !endpoint.entities().contains(event.entity())) {
                    continue;
                }
                String type = "record." + event.operation();
                String payload = new String(JsonSupport.write(JsonSupport.map("type", type, "timestamp", event.occurredAt(),
                        "data", HubApi.change(event))), java.nio.charset.StandardCharsets.UTF_8);
                batch.bind("id", "msg_" + UUID.randomUUID().toString().replace("-", "")).bind("endpoint", endpoint.id())
                        .bind("tenant", endpoint.tenantId()).bind("sequence", event.sequence()).bind("type", type)
                        .bind("payload", payload).bind("now", timestamp(now)).add();
                recorded++;
            }
            if (recorded > 0) {
                batch.execute();
            }
            return Math.max(recorded, 1);
        });
    }

    /** Takes a lease on a due delivery; empty when another sender has it or it is no longer due. */
    private Optional<Delivery> claim(String id) {
        Instant now = clock.instant();
        Instant lease = now.plus(settings.timeout().multipliedBy(3)).plusSeconds(30);
        return jdbi.inTransaction(handle -> {
            int claimed = handle.createUpdate("UPDATE hub_outbound_delivery SET claimed_until = :lease WHERE id = :id "
                            + "AND status = 'pending' AND next_attempt_at <= :now AND (claimed_until IS NULL OR claimed_until <= :now)")
                    .bind("lease", timestamp(lease)).bind("id", id).bind("now", timestamp(now)).execute();
            if (claimed == 0) {
                return Optional.<Delivery>empty();
            }
            return handle.createQuery("SELECT * FROM hub_outbound_delivery WHERE id = :id").bind("id", id)
                    .map(OutboundWebhooks::deliveryRow).findOne();
        });
    }

    private void send(Delivery delivery) {
        Integer statusCode = null;
        String error = null;
        long started = System.nanoTime();
        Instant attemptedAt = clock.instant();
        try {
            Endpoint endpoint = jdbi.withHandle(handle -> handle.createQuery("SELECT * FROM hub_outbound_endpoint WHERE id = :id")
                    .bind("id", delivery.endpointId()).map(OutboundWebhooks::endpointRow).findOne()).orElseThrow();
            URI uri = urls.check(endpoint.url());
            long timestamp = attemptedAt.getEpochSecond();
            StringBuilder signatures = new StringBuilder();
            for (String secret : signingSecrets(endpoint, attemptedAt)) {
                signatures.append(signatures.length() == 0 ? "" : " ")
                        .append(StandardWebhookSignature.sign(secret, delivery.id(), timestamp, delivery.payload()));
            }
            HttpRequest request = HttpRequest.newBuilder(uri).timeout(settings.timeout())
                    .header("Content-Type", "application/json")
                    .header("User-Agent", "Junction-Webhooks/0.1")
                    .header("webhook-id", delivery.id())
                    .header("webhook-timestamp", Long.toString(timestamp))
                    .header("webhook-signature", signatures.toString())
                    .POST(HttpRequest.BodyPublishers.ofString(delivery.payload())).build();
            HttpResponse<Void> response = http.send(request, HttpResponse.BodyHandlers.discarding());
            statusCode = response.statusCode();
            if (statusCode < 200 || statusCode > 299) {
                error = "the endpoint answered HTTP " + statusCode;
            }
        } catch (ApiException e) {
            error = e.getMessage();
        } catch (HttpTimeoutException e) {
            error = "no answer within " + settings.timeout().toMillis() + " ms";
        } catch (IOException e) {
            error = "could not reach the endpoint: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            error = "interrupted while sending";
        } catch (RuntimeException e) {
            LOG.warn("outbound delivery {} failed: {}", delivery.id(), e.toString());
            error = "the delivery failed inside the server: " + e.getClass().getSimpleName();
        }
        long latency = (System.nanoTime() - started) / 1_000_000;
        record(delivery, attemptedAt, statusCode, latency, error);
    }

    private void record(Delivery delivery, Instant attemptedAt, Integer statusCode, long latency, String error) {
        int attempts = delivery.attempts() + 1;
        boolean succeeded = error == null;
        boolean exhausted = !succeeded && attempts >= settings.maxAttempts();
        Instant now = clock.instant();
        Instant next = succeeded || exhausted ? null : now.plus(settings.backoff(attempts));
        String status = succeeded ? "succeeded" : exhausted ? "failed" : "pending";
        String message = error == null ? null : error.length() > MAX_ERROR ? error.substring(0, MAX_ERROR) : error;
        jdbi.useTransaction(handle -> {
            handle.createUpdate("INSERT INTO hub_outbound_attempt (delivery_id, tenant_id, attempted_at, status_code, latency_ms, error, "
                            + "next_attempt_at) VALUES (:delivery, :tenant, :at, :code, :latency, :error, :next)")
                    .bind("delivery", delivery.id()).bind("tenant", delivery.tenantId()).bind("at", timestamp(attemptedAt))
                    .bind("code", statusCode).bind("latency", latency).bind("error", message).bind("next", timestamp(next)).execute();
            handle.createUpdate("UPDATE hub_outbound_delivery SET status = :status, attempts = :attempts, next_attempt_at = :next, "
                            + "claimed_until = NULL, last_status_code = :code, last_error = :error, finished_at = :finished WHERE id = :id")
                    .bind("status", status).bind("attempts", attempts).bind("next", timestamp(next)).bind("code", statusCode)
                    .bind("error", message).bind("finished", succeeded || exhausted ? timestamp(now) : null).bind("id", delivery.id())
                    .execute();
        });
        if (exhausted) {
            LOG.warn("outbound delivery {} to endpoint {} failed after {} attempts: {}", delivery.id(), delivery.endpointId(), attempts, message);
        }
    }

    // ---- rows -----------------------------------------------------------------------------------------------

    private static String aad(String tenantId, String endpointId) {
        return tenantId + "/outbound-webhook/" + endpointId + "/secret";
    }

    private static Endpoint endpointRow(ResultSet rs, org.jdbi.v3.core.statement.StatementContext context) throws SQLException {
        String entities = rs.getString("filter_entities");
        List<String> list = null;
        if (entities != null) {
            try {
                list = JsonSupport.MAPPER.readValue(entities, new TypeReference<List<String>>() {});
            } catch (IOException e) {
                throw new SQLException("malformed filter_entities", e);
            }
        }
        return new Endpoint(rs.getString("id"), rs.getString("tenant_id"), rs.getString("url"), rs.getString("description"),
                list, rs.getString("filter_connection_id"), rs.getBoolean("enabled"), rs.getLong("cursor_seq"),
                instant(rs, "created_at"), instant(rs, "updated_at"));
    }

    private static Delivery deliveryRow(ResultSet rs, org.jdbi.v3.core.statement.StatementContext context) throws SQLException {
        return new Delivery(rs.getString("id"), rs.getString("endpoint_id"), rs.getString("tenant_id"), rs.getLong("sequence"), rs.getString("event_type"),
                rs.getString("payload"), rs.getString("status"), rs.getInt("attempts"), instant(rs, "next_attempt_at"),
                (Integer) rs.getObject("last_status_code", Integer.class), rs.getString("last_error"), instant(rs, "created_at"),
                instant(rs, "finished_at"));
    }

    static OffsetDateTime timestamp(Instant instant) {
        return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
    }

    static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }

}
