package dev.junction.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.junction.core.EntitySyncStats;
import dev.junction.core.Hub;
import dev.junction.core.NewConnection;
import dev.junction.core.SyncHandle;
import dev.junction.core.SyncRequest;
import dev.junction.core.SyncRun;
import dev.junction.core.SyncStatus;
import dev.junction.core.spi.Credentials;
import dev.junction.core.spi.RateLimitPolicy;
import dev.junction.core.spi.Settings;
import dev.junction.provider.clio.ClioProvider;
import dev.junction.provider.clio.sandbox.ClioEntity;
import dev.junction.provider.clio.sandbox.ClioSandbox;
import dev.junction.sandbox.OAuthTokens;
import dev.junction.sandbox.RateLimitStatistics;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.postgresql.PGConnection;

/**
 * One measurement in a JVM of its own (started by {@link Benchmarks}, so every run is cold and gets the heap its
 * scenario asks for). Prints one line {@code RESULT {json}} with the figures; everything else it prints is
 * progress. Arguments: the measurement's name, then {@code --name value} pairs.
 */
public final class Worker {

    static final String RESULT_PREFIX = "RESULT ";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TENANT = "bench";
    private static final String CONTACT_FIELDS = dev.junction.provider.clio.ClioEntity.CONTACTS.fields();

    private final Map<String, String> options;
    private final String pgUrl;
    private final String pgUser;
    private final String pgPassword;

    private Worker(Map<String, String> options) {
        this.options = options;
        this.pgUrl = System.getenv().getOrDefault("JUNCTION_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:5432/postgres");
        this.pgUser = System.getenv().getOrDefault("JUNCTION_TEST_PG_USER", "postgres");
        this.pgPassword = System.getenv().getOrDefault("PGPASSWORD", "");
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 1; i + 1 < args.length; i += 2) {
            options.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        Worker worker = new Worker(options);
        Map<String, Object> result = switch (args[0]) {
            case "junction" -> worker.junctionFullSync();
            case "copy" -> worker.copyReference();
            case "naive" -> worker.naiveReference();
            case "resync" -> worker.resync();
            case "ratelimit" -> worker.rateLimit();
            case "webhooks" -> worker.webhookIngest();
            case "tenants" -> ManyTenantsScenario.measure(options);
            default -> throw new IllegalArgumentException("unknown measurement " + args[0]);
        };
        result.put("maxHeap", Runtime.getRuntime().maxMemory());
        result.put("peakRss", Measurements.peakRss());
        System.out.println(RESULT_PREFIX + JSON.writeValueAsString(result));
        System.out.flush();
        System.exit(0);
    }

    private long records() {
        return Long.parseLong(options.getOrDefault("records", "200000"));
    }

    // ---------------------------------------------------------------- scenario 1: Junction

    /** A full sync of the sandbox's contacts into a fresh PostgreSQL schema; records/s and memory. */
    private Map<String, Object> junctionFullSync() throws Exception {
        long records = records();
        try (ClioSandbox clio = unlimitedSandbox(records); Schema schema = new Schema(); HikariDataSource pool = schema.pool();
                Hub hub = hub(clio, pool, RateLimitPolicy.UNLIMITED)) {
            String connectionId = connect(hub, clio);
            System.gc();
            Map<String, Object> result = new LinkedHashMap<>();
            try (Measurements memory = Measurements.start()) {
                long started = System.nanoTime();
                long cpuBefore = cpuNanos();
                SyncRun run = hub.startSync(TENANT, connectionId, SyncRequest.full().only("contacts")).await();
                double seconds = (System.nanoTime() - started) / 1e9;
                result.put("cpuSeconds", (cpuNanos() - cpuBefore) / 1e9);
                if (Boolean.getBoolean("bench.threads")) {
                    printThreadCpu();
                }
                EntitySyncStats stats = requireSuccess(run, records);
                result.put("records", stats.records());
                result.put("seconds", seconds);
                result.put("rate", stats.records() / seconds);
                result.put("peakHeapUsed", memory.peakHeapUsed());
                result.put("peakHeapAfterGc", memory.peakHeapAfterGc());
            }
            long stored = hub.liveIds(TENANT, connectionId, "contacts").size();
            if (stored != records) {
                throw new IllegalStateException("stored " + stored + " of " + records + " contacts");
            }
            return result;
        }
    }

    // ---------------------------------------------------------------- scenario 1: references

    /** The same rows landed with one COPY: the ceiling for getting rows into PostgreSQL on this machine. */
    private Map<String, Object> copyReference() throws Exception {
        long records = records();
        List<JsonNode> items = new ArrayList<>();
        try (ClioSandbox clio = unlimitedSandbox(records)) {
            fetchAll(clio, items::add);
        }
        try (Schema schema = new Schema(); Connection connection = schema.connect()) {
            try (Statement statement = connection.createStatement()) {
                statement.execute(rawTableDdl("copy_raw"));
            }
            System.gc();
            Map<String, Object> result = new LinkedHashMap<>();
            try (Measurements memory = Measurements.start()) {
                long started = System.nanoTime();
                // The rows are encoded as they stream into COPY, 10,000 at a time, in one transaction.
                connection.setAutoCommit(false);
                StringBuilder csv = new StringBuilder(16 << 20);
                Instant now = Instant.now();
                String connectionId = UUID.randomUUID().toString();
                int inBuffer = 0;
                for (JsonNode item : items) {
                    String payload = item.toString();
                    csv.append(TENANT).append(',').append(connectionId).append(",contacts,").append(item.get("id").asText()).append(',');
                    quoteCsv(csv, payload);
                    csv.append(',').append(sha256(payload)).append(',').append(item.get("updated_at").asText())
                            .append(",f,1,").append(now).append(',').append(now).append('\n');
                    if (++inBuffer == 10_000) {
                        copy(connection, csv);
                        inBuffer = 0;
                    }
                }
                copy(connection, csv);
                connection.commit();
                double seconds = (System.nanoTime() - started) / 1e9;
                result.put("records", (long) items.size());
                result.put("seconds", seconds);
                result.put("rate", items.size() / seconds);
                result.put("peakHeapUsed", memory.peakHeapUsed());
                result.put("peakHeapAfterGc", memory.peakHeapAfterGc());
            }
            return result;
        }
    }

    private static void copy(Connection connection, StringBuilder csv) throws SQLException, IOException {
        if (csv.length() == 0) return;
        InputStream in = new ByteArrayInputStream(csv.toString().getBytes(StandardCharsets.UTF_8));
        connection.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY copy_raw (tenant_id, connection_id, entity, external_id, "
                + "payload, content_hash, remote_updated_at, deleted, seen_pass, created_at, updated_at) FROM STDIN WITH (FORMAT csv)", in);
        csv.setLength(0);
    }

    private static void quoteCsv(StringBuilder out, String value) {
        out.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"') out.append('"');
            out.append(c);
        }
        out.append('"');
    }

    /** Typical hand-written integration code: fetch a page, upsert each record with autocommit. */
    private Map<String, Object> naiveReference() throws Exception {
        long records = records();
        try (ClioSandbox clio = unlimitedSandbox(records); Schema schema = new Schema(); Connection connection = schema.connect()) {
            try (Statement statement = connection.createStatement()) {
                statement.execute(rawTableDdl("naive_raw"));
            }
            connection.setAutoCommit(true);
            String connectionId = UUID.randomUUID().toString();
            Map<String, Object> result = new LinkedHashMap<>();
            try (Measurements memory = Measurements.start();
                    PreparedStatement upsert = connection.prepareStatement("INSERT INTO naive_raw (tenant_id, connection_id, entity, "
                            + "external_id, payload, content_hash, remote_updated_at, deleted, seen_pass, created_at, updated_at) "
                            + "VALUES (?, ?, 'contacts', ?, ?, ?, ?, FALSE, 1, now(), now()) ON CONFLICT (connection_id, entity, external_id) "
                            + "DO UPDATE SET payload = EXCLUDED.payload, content_hash = EXCLUDED.content_hash, "
                            + "remote_updated_at = EXCLUDED.remote_updated_at, updated_at = now()")) {
                long started = System.nanoTime();
                long[] count = {0};
                fetchAll(clio, item -> {
                    try {
                        String payload = item.toString();
                        upsert.setString(1, TENANT);
                        upsert.setString(2, connectionId);
                        upsert.setString(3, item.get("id").asText());
                        upsert.setString(4, payload);
                        upsert.setString(5, sha256(payload));
                        upsert.setTimestamp(6, Timestamp.from(OffsetDateTime.parse(item.get("updated_at").asText()).toInstant()));
                        upsert.executeUpdate();
                        count[0]++;
                    } catch (SQLException e) {
                        throw new IllegalStateException(e);
                    }
                });
                double seconds = (System.nanoTime() - started) / 1e9;
                result.put("records", count[0]);
                result.put("seconds", seconds);
                result.put("rate", count[0] / seconds);
                result.put("peakHeapUsed", memory.peakHeapUsed());
                result.put("peakHeapAfterGc", memory.peakHeapAfterGc());
            }
            return result;
        }
    }

    /** Pages through the sandbox's contacts as a plain client would (OkHttp, Jackson tree), in id order. */
    private static void fetchAll(ClioSandbox clio, Consumer<JsonNode> each) throws IOException {
        OkHttpClient http = new OkHttpClient();
        OAuthTokens tokens = clio.issueTokens(1);
        String url = clio.apiBaseUrl() + "/contacts.json?fields=" + java.net.URLEncoder.encode(CONTACT_FIELDS, StandardCharsets.UTF_8)
                + "&order=id(asc)&limit=200";
        while (url != null) {
            Request request = new Request.Builder().url(url).header("Authorization", "Bearer " + tokens.accessToken())
                    .header("X-API-VERSION", ClioProvider.API_VERSION).build();
            JsonNode body;
            try (Response response = http.newCall(request).execute()) {
                if (!response.isSuccessful()) {
                    throw new IOException("sandbox answered " + response.code() + " to " + url);
                }
                body = JSON.readTree(response.body().byteStream());
            }
            body.path("data").forEach(each);
            JsonNode next = body.path("meta").path("paging").path("next");
            url = next.isTextual() ? next.asText() : null;
        }
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
    }

    // ---------------------------------------------------------------- scenario 2

    /**
     * A full sync (not measured), then a full re-sync with nothing changed, then an incremental sync after 1% of the
     * records changed: time, requests sent, rows written (inserted, updated or deleted, from PostgreSQL's own counters).
     */
    private Map<String, Object> resync() throws Exception {
        long records = records();
        double changedShare = Double.parseDouble(options.getOrDefault("changed-share", "0.01"));
        Map<String, Object> result = new LinkedHashMap<>();
        String key = dev.junction.core.crypto.SecretCipher.generateKey();
        try (ClioSandbox clio = unlimitedSandbox(records); Schema schema = new Schema()) {
            String connectionId;
            try (HikariDataSource pool = schema.pool(); Hub hub = hub(clio, pool, RateLimitPolicy.UNLIMITED, key)) {
                connectionId = connect(hub, clio);
                requireSuccess(hub.startSync(TENANT, connectionId, SyncRequest.full().only("contacts")).await(), records);
            }
            phase(result, "resync", clio, schema, key, connectionId, SyncRequest.full().only("contacts"));
            int changed = (int) Math.round(records * changedShare);
            clio.updateRandom(ClioEntity.CONTACTS, changed);
            result.put("changed", changed);
            phase(result, "incremental", clio, schema, key, connectionId, SyncRequest.incremental().only("contacts"));
        }
        return result;
    }

    private void phase(Map<String, Object> result, String name, ClioSandbox clio, Schema schema, String key, String connectionId,
            SyncRequest request) throws SQLException {
        long rowsBefore = schema.rowsWritten();
        long requestsBefore = clio.requestLog().totalCount();
        double seconds;
        EntitySyncStats stats;
        // A pool of its own, closed afterwards, so that PostgreSQL has flushed its row counters when they are read.
        try (HikariDataSource pool = schema.pool(); Hub hub = hub(clio, pool, RateLimitPolicy.UNLIMITED, key)) {
            long started = System.nanoTime();
            SyncRun run = hub.startSync(TENANT, connectionId, request).await();
            seconds = (System.nanoTime() - started) / 1e9;
            stats = run.entity("contacts").orElseThrow();
            if (run.status() != SyncStatus.SUCCEEDED) {
                throw new IllegalStateException(name + " ended " + run.status() + ": " + run.error());
            }
        }
        result.put(name + "Seconds", seconds);
        result.put(name + "Requests", clio.requestLog().totalCount() - requestsBefore);
        result.put(name + "RowsWritten", schema.rowsWritten() - rowsBefore);
        result.put(name + "Records", stats.records());
        result.put(name + "Changed", stats.added() + stats.updated() + stats.deleted());
    }

    // ---------------------------------------------------------------- scenario 4

    /**
     * Syncs against a sandbox allowing {@code limit} requests per {@code window-ms}, with Junction configured for
     * the same budget: the achieved request rate as a share of the allowed one, and the 429s. With
     * {@code --entities contacts,matters} the two entities sync at once on one connection.
     */
    private Map<String, Object> rateLimit() throws Exception {
        long records = records();
        int limit = Integer.parseInt(options.getOrDefault("limit", "20"));
        Duration window = Duration.ofMillis(Long.parseLong(options.getOrDefault("window-ms", "1000")));
        List<String> entities = List.of(options.getOrDefault("entities", "contacts").split(","));
        if (!options.getOrDefault("headers", "clio").equals("none") && window.toMillis() % 1000 != 0) {
            // The sandbox's windows are aligned to the epoch and Clio states their end in whole seconds: a window of
            // 1500 ms would be reported as ending up to a second late, which Clio never does (its 60 s windows are
            // whole seconds), and the measurement would be of that distortion rather than of the limiter.
            throw new IllegalArgumentException("--window-ms " + window.toMillis() + " is not a whole number of seconds, "
                    + "which Clio's X-RateLimit-Reset (epoch seconds) cannot state; use a multiple of 1000 or --headers none");
        }
        ClioSandbox.Builder builder = ClioSandbox.builder().withRateLimit(limit, window);
        for (String entity : entities) {
            builder = builder.withRecordCount(ClioEntity.valueOf(entity.toUpperCase(Locale.ROOT)), records);
        }
        Map<String, Object> result = new LinkedHashMap<>();
        RequestTrace trace = new RequestTrace();
        try (ClioSandbox clio = builder.start(); Schema schema = new Schema(); HikariDataSource pool = schema.pool();
                // Clio's own policy (its X-RateLimit-* headers) with the scaled-down budget, as a user would configure it.
                // (--headers none: the proactive budget alone, to tell the two rules apart.)
                Hub hub = hub(clio, pool, options.getOrDefault("headers", "clio").equals("none") ? RateLimitPolicy.of(limit, window)
                        : new ClioProvider().rateLimitPolicy().withBudget(limit, window), trace)) {
            String connectionId = connect(hub, clio);
            RateLimitStatistics before = clio.rateLimitStatistics();
            long started = System.nanoTime();
            List<SyncHandle> handles = new ArrayList<>();
            for (String entity : entities) {
                handles.add(hub.startSync(TENANT, connectionId, SyncRequest.full().only(entity)));
            }
            for (SyncHandle handle : handles) {
                SyncRun run = handle.await();
                if (run.status() != SyncStatus.SUCCEEDED) {
                    throw new IllegalStateException("rate-limited sync ended " + run.status() + ": " + run.error());
                }
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            RateLimitStatistics after = clio.rateLimitStatistics();
            long requests = after.requests() - before.requests();
            long rejected = after.rejected() - before.rejected();
            double allowedPerSecond = limit / (window.toMillis() / 1000.0);
            // The achieved rate is the accepted requests after the first over the whole time, against the allowed rate
            // (requests spaced evenly at the allowed rate would take (A - 1) / rate).
            long accepted = requests - rejected;
            double ideal = Math.max(accepted - 1, 0) / allowedPerSecond;
            result.put("seconds", seconds);
            result.put("requests", requests);
            result.put("rejected", rejected);
            result.put("acceptedPerSecond", accepted / seconds);
            result.put("allowedPerSecond", allowedPerSecond);
            result.put("efficiency", ideal / seconds);
            // While syncing: from the first API request the sandbox accepted to the last, as its request log saw them.
            List<Instant> accepted200 = clio.requestLog().entries().stream()
                    .filter(entry -> entry.path().contains("/api/") && entry.status() != 429)
                    .map(dev.junction.sandbox.LoggedRequest::timestamp).sorted().toList();
            if (accepted200.size() > 1) {
                double span = Duration.between(accepted200.get(0), accepted200.get(accepted200.size() - 1)).toNanos() / 1e9;
                result.put("steadyEfficiency", (accepted200.size() - 1) / Math.max(span, 1e-3) / allowedPerSecond);
            }
            result.put("entities", String.join(",", entities));
            result.putAll(trace.budgetUse(clio.requestLog().entries(), window, limit));
            if (options.containsKey("trace")) {
                trace.write(java.nio.file.Path.of(options.get("trace")), clio.requestLog().entries(), window);
            }
        }
        return result;
    }

    // ---------------------------------------------------------------- shared

    // ---------------------------------------------------------------- scenario 5: webhook ingest

    /**
     * Signed Clio webhooks posted on loopback by {@code --concurrency} clients (each sends, waits for the answer,
     * sends the next) to the hub behind hub-server's endpoint ({@code POST /v1/webhooks/{token}} on a JDK
     * {@link com.sun.net.httpserver.HttpServer} with hub-server's 32 threads and its 10-connection pool);
     * {@code --max-batch 1} turns group commit off (the reference: one commit per webhook). The connection's webhooks
     * are enabled at the Clio sandbox (its handshake reaches the endpoint), and the load generator signs with the
     * secret the sandbox holds. Reports accepted/s and latency to the 2xx, then checks every event is in the inbox
     * exactly once. The hub's worker applies the events (a refetch each) meanwhile, as in production.
     */
    private Map<String, Object> webhookIngest() throws Exception {
        int count = Integer.parseInt(options.getOrDefault("count", "20000"));
        int concurrency = Integer.parseInt(options.getOrDefault("concurrency", "32"));
        int maxBatch = Integer.parseInt(options.getOrDefault("max-batch", "256"));
        try (ClioSandbox clio = unlimitedSandbox(1000); Schema schema = new Schema(); HikariDataSource pool = schema.pool(10);
                Hub hub = Hub.builder().withDataSource(pool)
                        .withEncryptionKey("k1", dev.junction.core.crypto.SecretCipher.generateKey())
                        .withProvider(new ClioProvider(), Settings.of(ClioProvider.CLIENT_ID, clio.oauthClient().clientId(),
                                ClioProvider.CLIENT_SECRET, clio.oauthClient().clientSecret()))
                        .withRateLimit(ClioProvider.ID, RateLimitPolicy.UNLIMITED)
                        .withWebhookGroupCommit(maxBatch, Duration.ZERO)
                        .build();
                WebhookEndpoint endpoint = new WebhookEndpoint(hub)) {
            String connectionId = connect(hub, clio);
            hub.enableWebhooks(TENANT, connectionId, endpoint.baseUrl());
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            dev.junction.core.spi.WebhookSubscription contacts;
            while (true) {
                contacts = hub.webhookSubscriptions(TENANT, connectionId).stream()
                        .filter(subscription -> "contacts".equals(subscription.entity())).findFirst().orElseThrow();
                if ("enabled".equals(contacts.status())) break;
                if (System.nanoTime() > deadline) throw new IllegalStateException("the webhook handshake did not complete");
                Thread.sleep(50);
            }
            long webhookId = Long.parseLong(contacts.id());
            byte[] secret = clio.record(ClioEntity.WEBHOOKS, webhookId).orElseThrow().body().path("shared_secret").asText()
                    .getBytes(StandardCharsets.UTF_8);
            String token = hub.getConnection(TENANT, connectionId).webhookToken();
            java.net.URI target = java.net.URI.create(endpoint.baseUrl() + "/" + token);
            // Bodies are built and signed before the clock starts, as a provider's sender would have them ready.
            List<byte[]> bodies = new ArrayList<>(count);
            List<String> signatures = new ArrayList<>(count);
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec(secret, "HmacSHA256"));
            for (int i = 1; i <= count; i++) {
                String body = "{\"data\":{\"id\":" + i + ",\"etag\":\"\\\"" + Integer.toHexString(i * 31) + "\\\"\",\"name\":\"Contact " + i
                        + "\",\"first_name\":\"First" + i + "\",\"last_name\":\"Last" + i + "\",\"type\":\"Person\","
                        + "\"primary_email_address\":\"contact" + i + "@example.test\",\"updated_at\":\"2026-11-22T05:00:00Z\"},"
                        + "\"meta\":{\"event\":\"updated\",\"webhook_id\":" + webhookId + "}}";
                byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
                bodies.add(bytes);
                signatures.add(HexFormat.of().formatHex(mac.doFinal(bytes)));
            }
            java.net.http.HttpClient client = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1)
                    .executor(java.util.concurrent.Executors.newFixedThreadPool(4)).build();
            // The first 200 events warm the path (JIT, connections) one at a time, before the clock starts.
            for (int i = 0; i < Math.min(200, count); i++) {
                post(client, target, bodies.get(i), signatures.get(i));
            }
            long[] latencies = new long[count];
            java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger(200);
            java.util.concurrent.atomic.AtomicInteger accepted = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.atomic.AtomicInteger failed = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.atomic.AtomicReference<String> firstFailure = new java.util.concurrent.atomic.AtomicReference<>();
            List<Thread> senders = new ArrayList<>();
            long cpuBefore = cpuNanos();
            long started = System.nanoTime();
            for (int t = 0; t < concurrency; t++) {
                Thread sender = new Thread(() -> {
                    int i;
                    while ((i = next.getAndIncrement()) < count) {
                        long sent = System.nanoTime();
                        try {
                            java.net.http.HttpResponse<String> response = post(client, target, bodies.get(i), signatures.get(i));
                            latencies[i] = System.nanoTime() - sent;
                            if (response.statusCode() == 200 && response.body().contains("\"accepted\":1")) {
                                accepted.incrementAndGet();
                            } else {
                                failed.incrementAndGet();
                                firstFailure.compareAndSet(null, response.statusCode() + " " + response.body());
                            }
                        } catch (Exception e) {
                            failed.incrementAndGet();
                            firstFailure.compareAndSet(null, e.toString());
                        }
                    }
                }, "load-" + t);
                sender.start();
                senders.add(sender);
            }
            for (Thread sender : senders) sender.join();
            double seconds = (System.nanoTime() - started) / 1e9;
            double cpuSeconds = (cpuNanos() - cpuBefore) / 1e9;
            if (Boolean.getBoolean("bench.threads")) {
                printThreadCpu();
            }
            // the warm-up's 200 were accepted before the clock started; the measured ones are the rest
            int measured = count - Math.min(200, count);
            if (failed.get() > 0 || accepted.get() != measured) {
                throw new IllegalStateException(failed.get() + " webhooks failed, " + accepted.get() + " of " + measured
                        + " accepted; first failure: " + firstFailure.get());
            }
            long[] sorted = java.util.Arrays.copyOfRange(latencies, Math.min(200, count), count);
            java.util.Arrays.sort(sorted);
            long[] inbox = inboxCounts(schema, connectionId);
            if (inbox[0] != count || inbox[1] != count) {
                throw new IllegalStateException("the inbox holds " + inbox[0] + " rows for " + inbox[1] + " distinct events, expected "
                        + count + " exactly once");
            }
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("webhooks", measured);
            result.put("seconds", seconds);
            result.put("rate", measured / seconds);
            result.put("p50Ms", sorted[sorted.length / 2] / 1e6);
            result.put("p99Ms", sorted[(int) Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)] / 1e6);
            result.put("maxMs", sorted[sorted.length - 1] / 1e6);
            result.put("cpuSeconds", cpuSeconds);
            result.put("inboxRows", inbox[0]);
            result.put("inboxDistinct", inbox[1]);
            return result;
        }
    }

    private static java.net.http.HttpResponse<String> post(java.net.http.HttpClient client, java.net.URI target, byte[] body,
            String signature) throws IOException, InterruptedException {
        return client.send(java.net.http.HttpRequest.newBuilder(target).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").header("X-Hook-Signature", signature)
                .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(body)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
    }

    /** Rows in the connection's inbox and distinct events among them. */
    private long[] inboxCounts(Schema schema, String connectionId) throws SQLException {
        try (Connection connection = schema.connect();
                PreparedStatement query = connection.prepareStatement("SELECT COUNT(*), COUNT(DISTINCT external_id) "
                        + "FROM junction_webhook_inbox WHERE tenant_id = ? AND connection_id = ?")) {
            query.setString(1, TENANT);
            query.setString(2, connectionId);
            try (ResultSet rows = query.executeQuery()) {
                rows.next();
                return new long[] {rows.getLong(1), rows.getLong(2)};
            }
        }
    }

    /**
     * hub-server's inbound webhook route, reproduced: {@code POST /v1/webhooks/{token}} on a JDK HTTP server with 32
     * threads, handing the raw body and headers to {@link Hub#receiveWebhook} and answering its status with
     * {@code {"accepted":n}}; a rejection is 401, any other failure 500 (nothing acknowledged).
     */
    private static final class WebhookEndpoint implements AutoCloseable {
        private final com.sun.net.httpserver.HttpServer server;
        private final java.util.concurrent.ExecutorService executor = java.util.concurrent.Executors.newFixedThreadPool(32);

        WebhookEndpoint(Hub hub) throws IOException {
            server = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 128);
            server.createContext("/v1/webhooks/", exchange -> {
                int status;
                byte[] answer;
                Map<String, String> headers = Map.of();
                try (exchange) {
                    try {
                        String token = exchange.getRequestURI().getPath().substring("/v1/webhooks/".length());
                        byte[] body = exchange.getRequestBody().readAllBytes();
                        Map<String, List<String>> requestHeaders = new LinkedHashMap<>();
                        exchange.getRequestHeaders().forEach((name, values) -> requestHeaders.put(name.toLowerCase(Locale.ROOT), values));
                        dev.junction.core.WebhookResponse response = hub.receiveWebhook(token,
                                new dev.junction.core.spi.WebhookRequest(requestHeaders, body, Instant.now()));
                        status = response.status();
                        headers = response.headers();
                        answer = ("{\"accepted\":" + response.accepted() + "}").getBytes(StandardCharsets.UTF_8);
                    } catch (dev.junction.core.error.JunctionException e) {
                        status = e.kind() == dev.junction.core.error.ErrorKind.WEBHOOK_REJECTED ? 401 : 500;
                        answer = ("{\"error\":\"" + e.kind() + "\"}").getBytes(StandardCharsets.UTF_8);
                    } catch (RuntimeException e) {
                        status = 500;
                        answer = "{\"error\":\"internal\"}".getBytes(StandardCharsets.UTF_8);
                    }
                    headers.forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
                    exchange.getResponseHeaders().add("Content-Type", "application/json");
                    exchange.sendResponseHeaders(status, answer.length);
                    exchange.getResponseBody().write(answer);
                }
            });
            server.setExecutor(executor);
            server.start();
        }

        String baseUrl() {
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1/webhooks";
        }

        @Override
        public void close() {
            server.stop(0);
            executor.shutdownNow();
        }
    }

    /** Prints the CPU time of this JVM's threads by name (JIT, GC and the sync's own), from /proc. */
    private static void printThreadCpu() throws IOException {
        Map<String, Long> ticks = new java.util.TreeMap<>();
        try (java.util.stream.Stream<java.nio.file.Path> tasks = java.nio.file.Files.list(java.nio.file.Path.of("/proc/self/task"))) {
            for (java.nio.file.Path task : tasks.toList()) {
                String stat;
                try {
                    stat = java.nio.file.Files.readString(task.resolve("stat"));
                } catch (IOException gone) {
                    continue; // the thread ended meanwhile
                }
                String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replaceAll("[0-9]+", "N");
                String[] rest = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                ticks.merge(name, Long.parseLong(rest[11]) + Long.parseLong(rest[12]), Long::sum);
            }
        }
        ticks.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(12)
                .forEach(entry -> System.out.printf(Locale.ROOT, "  thread cpu %-24s %6.1f s%n", entry.getKey(), entry.getValue() / 100.0));
    }

    /** CPU time of this whole JVM (sandbox and sync alike), the figure machine load does not distort. */
    static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static ClioSandbox unlimitedSandbox(long records) {
        return ClioSandbox.builder().withRecordCount(ClioEntity.CONTACTS, records)
                .withRateLimit(Integer.MAX_VALUE, Duration.ofSeconds(1)).start();
    }

    private Hub hub(ClioSandbox clio, HikariDataSource pool, RateLimitPolicy policy) {
        return hub(clio, pool, policy, dev.junction.core.crypto.SecretCipher.generateKey());
    }

    private Hub hub(ClioSandbox clio, HikariDataSource pool, RateLimitPolicy policy, dev.junction.core.HubObserver observer) {
        return hub(clio, pool, policy, dev.junction.core.crypto.SecretCipher.generateKey(), observer);
    }

    private Hub hub(ClioSandbox clio, HikariDataSource pool, RateLimitPolicy policy, String key) {
        return hub(clio, pool, policy, key, dev.junction.core.HubObserver.NONE);
    }

    private Hub hub(ClioSandbox clio, HikariDataSource pool, RateLimitPolicy policy, String key,
            dev.junction.core.HubObserver observer) {
        return Hub.builder().withDataSource(pool)
                .withObserver(observer)
                .withEncryptionKey("k1", key)
                .withProvider(new ClioProvider(), Settings.of(ClioProvider.CLIENT_ID, clio.oauthClient().clientId(),
                        ClioProvider.CLIENT_SECRET, clio.oauthClient().clientSecret()))
                .withRateLimit(ClioProvider.ID, policy)
                .withPageSize(200)
                .build();
    }

    private static String connect(Hub hub, ClioSandbox clio) {
        String connectionId = hub.createConnection(NewConnection.of(TENANT, ClioProvider.ID)
                .withSetting(ClioProvider.BASE_URL, clio.baseUrl())).id();
        OAuthTokens tokens = clio.issueTokens(1);
        hub.storeTokens(TENANT, connectionId, new Credentials.OAuthTokens(tokens.accessToken(), tokens.refreshToken(), null, null));
        return connectionId;
    }

    private static EntitySyncStats requireSuccess(SyncRun run, long records) {
        if (run.status() != SyncStatus.SUCCEEDED) {
            throw new IllegalStateException("sync ended " + run.status() + ": " + run.error() + " " + run.entities());
        }
        EntitySyncStats stats = run.entity("contacts").orElseThrow();
        if (stats.records() != records) {
            throw new IllegalStateException("synced " + stats.records() + " of " + records + " contacts");
        }
        return stats;
    }

    private static String rawTableDdl(String name) {
        return "CREATE TABLE " + name + " (tenant_id VARCHAR(128) NOT NULL, connection_id VARCHAR(64) NOT NULL, "
                + "entity VARCHAR(64) NOT NULL, external_id VARCHAR(255) NOT NULL, payload TEXT NOT NULL, "
                + "content_hash VARCHAR(64) NOT NULL, remote_updated_at TIMESTAMP WITH TIME ZONE, deleted BOOLEAN NOT NULL, "
                + "seen_pass BIGINT NOT NULL, created_at TIMESTAMP WITH TIME ZONE NOT NULL, "
                + "updated_at TIMESTAMP WITH TIME ZONE NOT NULL, PRIMARY KEY (connection_id, entity, external_id))";
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A fresh PostgreSQL schema, dropped on close. */
    private final class Schema implements AutoCloseable {
        final String name = "bench_" + UUID.randomUUID().toString().substring(0, 8);

        Schema() throws SQLException {
            try (Connection connection = DriverManager.getConnection(pgUrl, pgUser, pgPassword);
                    Statement statement = connection.createStatement()) {
                statement.execute("CREATE SCHEMA " + name);
            }
        }

        Connection connect() throws SQLException {
            Connection connection = DriverManager.getConnection(pgUrl, pgUser, pgPassword);
            try (Statement statement = connection.createStatement()) {
                statement.execute("SET search_path TO " + name);
            }
            return connection;
        }

        HikariDataSource pool() {
            return pool(8);
        }

        HikariDataSource pool(int size) {
            HikariConfig config = new HikariConfig();
            config.setJdbcUrl(pgUrl);
            config.setUsername(pgUser);
            config.setPassword(pgPassword);
            config.setSchema(name);
            config.setMaximumPoolSize(size);
            config.setPoolName("bench");
            return new HikariDataSource(config);
        }

        /** Rows inserted, updated and deleted in this schema's tables so far, per PostgreSQL's statistics. */
        long rowsWritten() throws SQLException {
            try (Connection connection = DriverManager.getConnection(pgUrl, pgUser, pgPassword);
                    PreparedStatement query = connection.prepareStatement("SELECT COALESCE(SUM(n_tup_ins + n_tup_upd + n_tup_del), 0) "
                            + "FROM pg_stat_user_tables WHERE schemaname = ? AND relname NOT LIKE 'flyway%'")) {
                // Closed backends flush their counters as they exit; give the last one a moment to do so.
                try {
                    Thread.sleep(300);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                query.setString(1, name);
                try (ResultSet rows = query.executeQuery()) {
                    rows.next();
                    return rows.getLong(1);
                }
            }
        }

        @Override
        public void close() throws SQLException {
            if (Boolean.getBoolean("bench.keep")) return;
            try (Connection connection = DriverManager.getConnection(pgUrl, pgUser, pgPassword);
                    Statement statement = connection.createStatement()) {
                statement.execute("DROP SCHEMA " + name + " CASCADE");
            }
        }
    }
}
