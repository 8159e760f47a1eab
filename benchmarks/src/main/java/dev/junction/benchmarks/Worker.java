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
import dev.junction.hub.HubServer;
import dev.junction.hub.ServerConfig;
import dev.junction.provider.clio.ClioProvider;
import dev.junction.provider.clio.sandbox.ClioEntity;
import dev.junction.provider.clio.sandbox.ClioSandbox;
import dev.junction.sandbox.OAuthTokens;
import dev.junction.sandbox.RateLimitStatistics;
import java.io.ByteArrayInputStream;
import java.io.IOException;
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
import java.util.concurrent.TimeUnit;
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
        // TCP_NODELAY for every JDK HTTP server of this JVM, as hub-server's main sets it (the JDK reads it when the
        // JVM's first HTTP server starts): without it a sandbox answers a keep-alive request with a small body 40 ms
        // late, and scenario 6's rounds measured that until 23 Nov (about 15 requests a connection sync).
        HubServer.preferNoDelay();
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

    /**
     * A full sync of the sandbox's contacts into a fresh PostgreSQL schema; records/s and memory. With
     * {@code --warm-syncs N} the same sync runs N times first, unmeasured, into throwaway schemas: the measured one
     * then runs in a warm JVM, which tells the cold JVM's cost (JIT compilation, about half its CPU) apart from the
     * work itself.
     */
    private Map<String, Object> junctionFullSync() throws Exception {
        long records = records();
        int warmSyncs = Integer.parseInt(options.getOrDefault("warm-syncs", "0"));
        try (BulkSandbox clio = bulkSandbox(records)) {
            for (int i = 0; i < warmSyncs; i++) {
                try (Schema schema = new Schema(); HikariDataSource pool = schema.pool();
                        Hub hub = hub(clio.endpoint(), pool, RateLimitPolicy.UNLIMITED, dev.junction.core.crypto.SecretCipher.generateKey())) {
                    requireSuccess(hub.startSync(TENANT, connect(hub, clio.endpoint()), SyncRequest.full().only("contacts")).await(), records);
                }
            }
            return junctionFullSync(clio, records);
        }
    }

    /** The sync's pages' stages summed ({@link dev.junction.core.HubObserver#pageWritten}), in nanoseconds. */
    private static final class PageStages implements dev.junction.core.HubObserver {
        final java.util.concurrent.atomic.AtomicLong fetch = new java.util.concurrent.atomic.AtomicLong();
        final java.util.concurrent.atomic.AtomicLong prepare = new java.util.concurrent.atomic.AtomicLong();
        final java.util.concurrent.atomic.AtomicLong waited = new java.util.concurrent.atomic.AtomicLong();
        final java.util.concurrent.atomic.AtomicLong write = new java.util.concurrent.atomic.AtomicLong();

        @Override
        public void pageWritten(String providerId, String entity, java.time.Duration fetch, java.time.Duration prepare,
                java.time.Duration waited, java.time.Duration write) {
            this.fetch.addAndGet(fetch.toNanos());
            this.prepare.addAndGet(prepare.toNanos());
            this.waited.addAndGet(waited.toNanos());
            this.write.addAndGet(write.toNanos());
        }

        void report(Map<String, Object> result) {
            result.put("fetchSeconds", fetch.get() / 1e9);
            result.put("prepareSeconds", prepare.get() / 1e9);
            result.put("waitSeconds", waited.get() / 1e9);
            result.put("writeSeconds", write.get() / 1e9);
        }
    }

    private Map<String, Object> junctionFullSync(BulkSandbox clio, long records) throws Exception {
        PageStages stages = new PageStages();
        try (Schema schema = new Schema(); HikariDataSource pool = schema.pool();
                Hub hub = hub(clio.endpoint(), pool, RateLimitPolicy.UNLIMITED, dev.junction.core.crypto.SecretCipher.generateKey(), stages)) {
            String connectionId = connect(hub, clio.endpoint());
            checkpoint();
            System.gc();
            Map<String, Object> result = new LinkedHashMap<>();
            try (Measurements memory = Measurements.start()) {
                long started = System.nanoTime();
                long cpuBefore = cpuNanos();
                double stolenBefore = Measurements.stolenSeconds();
                long[] machineBefore = Measurements.machineTicks();
                double sandboxCpuBefore = clio.cpuSeconds();
                Map<Integer, Long> databaseCpuBefore = backendCpu(schema);
                Map<String, Long> threadsBefore = threadTicks();
                WindowProfiler profiler = WindowProfiler.start();
                SyncRun run = hub.startSync(TENANT, connectionId, SyncRequest.full().only("contacts")).await();
                double seconds = (System.nanoTime() - started) / 1e9;
                profiler.stop();
                result.put("stolenSeconds", Measurements.stolenSeconds() - stolenBefore);
                double jvmCpu = (cpuNanos() - cpuBefore) / 1e9;
                double databaseCpu = cpuSecondsSince(databaseCpuBefore, backendCpu(schema));
                double sandboxCpu = clio.cpuSeconds() - sandboxCpuBefore;
                result.put("cpuSeconds", jvmCpu);
                result.put("databaseCpuSeconds", databaseCpu);
                result.put("jitCpuSeconds", compilerTicksSince(threadsBefore) / 100.0);
                result.put("sandboxCpuSeconds", sandboxCpu);
                result.put("idleShare", Measurements.idleShareSince(machineBefore));
                if (Boolean.getBoolean("bench.threads")) {
                    printThreadCpu(threadsBefore); // the measured window only
                }
                EntitySyncStats stats = requireSuccess(run, records);
                stages.report(result);
                result.put("records", stats.records());
                result.put("seconds", seconds);
                result.put("rate", stats.records() / seconds);
                // The rate had the three processes' CPU kept every core busy the whole time: what the CPU they spent
                // allows on this machine, whatever waits the sync has (a sandbox in this JVM is in its CPU already).
                double cpu = jvmCpu + databaseCpu + (Double.isNaN(sandboxCpu) ? 0 : sandboxCpu);
                result.put("cpuBoundRate", stats.records() / (cpu / Runtime.getRuntime().availableProcessors()));
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

    /**
     * The same rows landed with COPY, in one transaction, twice: encoded (serialised, hashed, CSV-quoted) as they go,
     * as a client landing fetched records must ({@code rate}), and encoded beforehand so that only the database's
     * work is timed ({@code encodedRate}, the ceiling for getting rows into PostgreSQL on this machine). The records
     * are fetched from the sandbox before either clock starts.
     */
    private Map<String, Object> copyReference() throws Exception {
        long records = records();
        List<JsonNode> items = new ArrayList<>();
        try (BulkSandbox clio = bulkSandbox(records)) {
            fetchAll(clio.endpoint().apiBaseUrl(), clio.endpoint().accessToken(), items::add);
        }
        try (Schema schema = new Schema(); Connection connection = schema.connect()) {
            try (Statement statement = connection.createStatement()) {
                statement.execute(rawTableDdl("copy_raw"));
            }
            checkpoint();
            System.gc();
            Map<String, Object> result = new LinkedHashMap<>();
            try (Measurements memory = Measurements.start()) {
                long started = System.nanoTime();
                Map<Integer, Long> databaseCpuBefore = backendCpu(schema);
                // The rows are encoded as they stream into COPY, 10,000 at a time, in one transaction.
                connection.setAutoCommit(false);
                StringBuilder csv = new StringBuilder(16 << 20);
                Instant now = Instant.now();
                String connectionId = UUID.randomUUID().toString();
                int inBuffer = 0;
                for (JsonNode item : items) {
                    appendCsvRow(csv, item, connectionId, now);
                    if (++inBuffer == 10_000) {
                        copy(connection, "copy_raw", csv);
                        inBuffer = 0;
                    }
                }
                copy(connection, "copy_raw", csv);
                connection.commit();
                double seconds = (System.nanoTime() - started) / 1e9;
                result.put("databaseCpuSeconds", cpuSecondsSince(databaseCpuBefore, backendCpu(schema)));
                result.put("records", (long) items.size());
                result.put("seconds", seconds);
                result.put("rate", items.size() / seconds);
                result.put("peakHeapUsed", memory.peakHeapUsed());
                result.put("peakHeapAfterGc", memory.peakHeapAfterGc());
            }
            // The database alone: the same rows encoded beforehand, then only their COPY (and its commit) timed.
            try (Statement statement = connection.createStatement()) {
                statement.execute(rawTableDdl("copy_encoded"));
            }
            connection.commit();
            List<byte[]> chunks = new ArrayList<>();
            StringBuilder csv = new StringBuilder(16 << 20);
            Instant now = Instant.now();
            String connectionId = UUID.randomUUID().toString();
            for (int i = 0; i < items.size(); i++) {
                appendCsvRow(csv, items.get(i), connectionId, now);
                if ((i + 1) % 10_000 == 0 || i == items.size() - 1) {
                    chunks.add(csv.toString().getBytes(StandardCharsets.UTF_8));
                    csv.setLength(0);
                }
            }
            checkpoint();
            Map<Integer, Long> databaseCpuBefore = backendCpu(schema);
            long started = System.nanoTime();
            for (byte[] chunk : chunks) {
                copyIn(connection, "copy_encoded", chunk);
            }
            connection.commit();
            double seconds = (System.nanoTime() - started) / 1e9;
            result.put("encodedRate", items.size() / seconds);
            result.put("encodedDatabaseCpuSeconds", cpuSecondsSince(databaseCpuBefore, backendCpu(schema)));
            return result;
        }
    }

    /** One fetched record as a raw row in COPY's CSV form: serialised, hashed and quoted. */
    private static void appendCsvRow(StringBuilder csv, JsonNode item, String connectionId, Instant now) {
        String payload = item.toString();
        csv.append(TENANT).append(',').append(connectionId).append(",contacts,").append(item.get("id").asText()).append(',');
        quoteCsv(csv, payload);
        csv.append(',').append(sha256(payload)).append(',').append(item.get("updated_at").asText())
                .append(",f,1,").append(now).append(',').append(now).append('\n');
    }

    /** Sends the rows in {@code csv} to a COPY into {@code table} and empties it. */
    private static void copy(Connection connection, String table, StringBuilder csv) throws SQLException, IOException {
        if (csv.length() == 0) return;
        copyIn(connection, table, csv.toString().getBytes(StandardCharsets.UTF_8));
        csv.setLength(0);
    }

    private static void copyIn(Connection connection, String table, byte[] csv) throws SQLException, IOException {
        connection.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY " + table + " (tenant_id, connection_id, entity, external_id, "
                + "payload, content_hash, remote_updated_at, deleted, seen_pass, created_at, updated_at) FROM STDIN WITH (FORMAT csv)",
                new ByteArrayInputStream(csv));
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
        try (BulkSandbox clio = bulkSandbox(records); Schema schema = new Schema(); Connection connection = schema.connect()) {
            try (Statement statement = connection.createStatement()) {
                statement.execute(rawTableDdl("naive_raw", "connection_id, entity, external_id"));
            }
            connection.setAutoCommit(true);
            String connectionId = UUID.randomUUID().toString();
            checkpoint();
            Map<String, Object> result = new LinkedHashMap<>();
            try (Measurements memory = Measurements.start();
                    PreparedStatement upsert = connection.prepareStatement("INSERT INTO naive_raw (tenant_id, connection_id, entity, "
                            + "external_id, payload, content_hash, remote_updated_at, deleted, seen_pass, created_at, updated_at) "
                            + "VALUES (?, ?, 'contacts', ?, ?, ?, ?, FALSE, 1, now(), now()) ON CONFLICT (connection_id, entity, external_id) "
                            + "DO UPDATE SET payload = EXCLUDED.payload, content_hash = EXCLUDED.content_hash, "
                            + "remote_updated_at = EXCLUDED.remote_updated_at, updated_at = now()")) {
                long started = System.nanoTime();
                Map<Integer, Long> databaseCpuBefore = backendCpu(schema);
                long[] count = {0};
                fetchAll(clio.endpoint().apiBaseUrl(), clio.endpoint().accessToken(), item -> {
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
                result.put("databaseCpuSeconds", cpuSecondsSince(databaseCpuBefore, backendCpu(schema)));
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
        fetchAll(clio.apiBaseUrl(), clio.issueTokens(1).accessToken(), each);
    }

    /** Pages through contacts at {@code apiBaseUrl} with the query the Clio connector sends (same fields, order, limit). */
    static void fetchAll(String apiBaseUrl, String accessToken, Consumer<JsonNode> each) throws IOException {
        OkHttpClient http = new OkHttpClient();
        String url = apiBaseUrl + "/contacts.json?fields=" + java.net.URLEncoder.encode(CONTACT_FIELDS, StandardCharsets.UTF_8)
                + "&order=id(asc)&limit=200";
        while (url != null) {
            Request request = new Request.Builder().url(url).header("Authorization", "Bearer " + accessToken)
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
        try (BulkSandbox clio = bulkSandbox(records); Schema schema = new Schema()) {
            String connectionId;
            try (HikariDataSource pool = schema.pool(); Hub hub = hub(clio.endpoint(), pool, RateLimitPolicy.UNLIMITED, key)) {
                connectionId = connect(hub, clio.endpoint());
                requireSuccess(hub.startSync(TENANT, connectionId, SyncRequest.full().only("contacts")).await(), records);
            }
            phase(result, "resync", clio, schema, key, connectionId, SyncRequest.full().only("contacts"));
            int changed = (int) Math.round(records * changedShare);
            clio.change(changed);
            result.put("changed", changed);
            phase(result, "incremental", clio, schema, key, connectionId, SyncRequest.incremental().only("contacts"));
        }
        return result;
    }

    private void phase(Map<String, Object> result, String name, BulkSandbox clio, Schema schema, String key, String connectionId,
            SyncRequest request) throws SQLException, IOException {
        long rowsBefore = schema.rowsWritten();
        long requestsBefore = clio.requests();
        double seconds;
        EntitySyncStats stats;
        // A pool of its own, closed afterwards, so that PostgreSQL has flushed its row counters when they are read.
        try (HikariDataSource pool = schema.pool(); Hub hub = hub(clio.endpoint(), pool, RateLimitPolicy.UNLIMITED, key)) {
            long started = System.nanoTime();
            SyncRun run = hub.startSync(TENANT, connectionId, request).await();
            seconds = (System.nanoTime() - started) / 1e9;
            stats = run.entity("contacts").orElseThrow();
            if (run.status() != SyncStatus.SUCCEEDED) {
                throw new IllegalStateException(name + " ended " + run.status() + ": " + run.error());
            }
        }
        result.put(name + "Seconds", seconds);
        result.put(name + "Requests", clio.requests() - requestsBefore);
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
                Hub hub = hub(endpoint(clio), pool, options.getOrDefault("headers", "clio").equals("none") ? RateLimitPolicy.of(limit, window)
                        : new ClioProvider().rateLimitPolicy().withBudget(limit, window), dev.junction.core.crypto.SecretCipher.generateKey(), trace)) {
            String connectionId = connect(hub, endpoint(clio));
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
     * Signed Clio webhooks posted on loopback to hub-server's real HTTP stack and route ({@code POST
     * /v1/webhooks/{token}}: {@link HubServer} with its JDK HTTP server, 32 threads, dispatcher and 10-connection
     * pool) by a load generator in a JVM of its own ({@link WebhookLoad}: {@code --concurrency} keep-alive
     * connections, each sends, waits for the answer, sends the next); {@code --max-batch 1} turns group commit off
     * (the reference: one commit per webhook). The connection's webhooks are enabled at the Clio sandbox (its
     * handshake reaches the endpoint), and the generator signs with the secret the sandbox holds.
     *
     * <p>The server is measured warm: the generator sends at full concurrency until this JVM's JIT compiler has
     * settled (less than {@value #JIT_SETTLED_MS} ms of compilation in each of {@value #JIT_QUIET_SECONDS}
     * consecutive seconds, after at least 10 s; at most {@code --max-warmup-seconds}), then {@code --count} more are
     * measured: accepted/s, latency to the 2xx, this process's CPU over the window (split by thread: HTTP threads,
     * the group-commit writer, the apply worker with the sandbox it refetches from, and the rest: JIT, GC), the
     * generator's and PostgreSQL's. The hub's worker applies events meanwhile as in production (receipt first: see
     * {@code withWebhookApplyDeferral}); once the load stops, its rate is measured for {@code --apply-seconds}.
     * Finally every event sent must be in the inbox exactly once.
     */
    private Map<String, Object> webhookIngest() throws Exception {
        int count = Integer.parseInt(options.getOrDefault("count", "30000"));
        int concurrency = Integer.parseInt(options.getOrDefault("concurrency", "32"));
        int maxBatch = Integer.parseInt(options.getOrDefault("max-batch", "256"));
        int maxWarmupSeconds = Integer.parseInt(options.getOrDefault("max-warmup-seconds", "120"));
        int applySeconds = Integer.parseInt(options.getOrDefault("apply-seconds", "10"));
        try (ClioSandbox clio = unlimitedSandbox(1000); Schema schema = new Schema();
                HubServer server = HubServer.start(ServerConfig.of(serverSettings(schema, clio)),
                        new java.io.PrintStream(new java.io.ByteArrayOutputStream()),
                        builder -> builder.withRateLimit(ClioProvider.ID, RateLimitPolicy.UNLIMITED)
                                .withWebhookGroupCommit(maxBatch, Duration.ZERO))) {
            Hub hub = server.hub();
            String connectionId = connect(hub, endpoint(clio));
            hub.enableWebhooks(TENANT, connectionId, server.localUrl() + "/v1/webhooks");
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
            List<String> command = new ArrayList<>(List.of(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    // C1 only: the generator's loop is small, and C2 compiling it would take CPU from the measured process.
                    "-Xmx256m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), WebhookLoad.class.getName(),
                    "127.0.0.1", Integer.toString(server.port()), "/v1/webhooks/" + token, HexFormat.of().formatHex(secret),
                    Long.toString(webhookId), Integer.toString(concurrency), Integer.toString(count), Integer.toString(maxWarmupSeconds)));
            Process load = new ProcessBuilder(command).redirectErrorStream(true).start();
            Thread settle = new Thread(() -> awaitJitSettled(load, maxWarmupSeconds, () -> {
                // The window's own figures, taken here every second too: their first use in the window deoptimised
                // the PostgreSQL driver's hot methods (new result handler types) and set the compiler off again.
                processedCount(schema, connectionId);
                backendCpu(schema);
                ThreadCpu.now();
            }), "jit-settle");
            settle.setDaemon(true);
            settle.start();
            JsonNode loadResult = null;
            ThreadCpu before = null;
            ThreadCpu after = null;
            Map<String, Long> ticksAtStart = Map.of();
            Map<Integer, Long> backendsAtStart = Map.of();
            Map<Integer, Long> backendsAtEnd = Map.of();
            long appliedAtStart = 0;
            long appliedAtEnd = 0;
            long jitAtStart = 0;
            long jitAtEnd = 0;
            double stolenAtStart = Double.NaN;
            double stolenAtEnd = Double.NaN;
            try (java.io.BufferedReader out = new java.io.BufferedReader(new java.io.InputStreamReader(load.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    if (line.equals("START")) {
                        appliedAtStart = processedCount(schema, connectionId); // a scan of the inbox: before the window's CPU
                        backendsAtStart = backendCpu(schema);
                        jitAtStart = jitMillis();
                        stolenAtStart = Measurements.stolenSeconds();
                        before = ThreadCpu.now();
                        ticksAtStart = Boolean.getBoolean("bench.threads") ? threadTicks() : Map.of();
                        tell(load, "MEASURE");
                    } else if (line.equals("END")) {
                        after = ThreadCpu.now();
                        jitAtEnd = jitMillis();
                        stolenAtEnd = Measurements.stolenSeconds();
                        backendsAtEnd = backendCpu(schema);
                        appliedAtEnd = processedCount(schema, connectionId);
                        printInboxStatuses(schema);
                        if (Boolean.getBoolean("bench.threads")) {
                            printThreadCpu(ticksAtStart); // the measured window only
                        }
                    } else if (line.startsWith(RESULT_PREFIX)) {
                        loadResult = JSON.readTree(line.substring(RESULT_PREFIX.length()));
                    } else {
                        System.out.println("load | " + line);
                    }
                }
            }
            int exit = load.waitFor();
            if (exit != 0 || loadResult == null || before == null || after == null || loadResult.path("accepted").asInt() != count) {
                throw new IllegalStateException("the load generator failed (exit " + exit + "): "
                        + (loadResult == null ? "no result" : loadResult.toString()));
            }
            // The worker alone, once the load has stopped: how fast the backlog is applied.
            long appliedBefore = processedCount(schema, connectionId);
            ThreadCpu applyBefore = ThreadCpu.now();
            Map<Integer, Long> applyBackendsBefore = backendCpu(schema);
            long applyStarted = System.nanoTime();
            Thread.sleep(TimeUnit.SECONDS.toMillis(applySeconds));
            long applied = processedCount(schema, connectionId) - appliedBefore;
            double applyWindow = (System.nanoTime() - applyStarted) / 1e9;
            ThreadCpu applyAfter = ThreadCpu.now();
            double applyPostgres = cpuSecondsSince(applyBackendsBefore, backendCpu(schema));
            long sent = loadResult.get("sent").asLong();
            long[] inbox = inboxCounts(schema, connectionId);
            if (inbox[0] != sent || inbox[1] != sent) {
                throw new IllegalStateException("the inbox holds " + inbox[0] + " rows for " + inbox[1] + " distinct events, expected "
                        + sent + " exactly once");
            }
            double seconds = loadResult.get("seconds").asDouble();
            long processCpu = after.process() - before.process();
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("webhooks", count);
            result.put("warmupWebhooks", loadResult.get("warmupWebhooks").asLong());
            result.put("warmupSeconds", loadResult.get("warmupSeconds").asDouble());
            result.put("warmupEndedBySettledJit", loadResult.get("warmupEndedByGo").asBoolean());
            result.put("seconds", seconds);
            result.put("rate", count / seconds);
            result.put("p50Ms", loadResult.get("p50Ms").asDouble());
            result.put("p99Ms", loadResult.get("p99Ms").asDouble());
            result.put("maxMs", loadResult.get("maxMs").asDouble());
            result.put("cpuSeconds", processCpu / 1e9);
            result.put("jitSeconds", (jitAtEnd - jitAtStart) / 1e3);
            result.put("stolenSeconds", stolenAtEnd - stolenAtStart);
            result.put("httpCpuSeconds", after.since(before, "hub-http-") / 1e9);
            result.put("writerCpuSeconds", after.since(before, "junction-webhook-inbox") / 1e9);
            result.put("applyCpuSeconds", (after.since(before, "junction-webhooks") + after.since(before, "sandbox-")) / 1e9);
            result.put("otherCpuSeconds", (processCpu - after.since(before, "")) / 1e9);
            result.put("loadCpuSeconds", loadResult.get("loadCpuSeconds").asDouble());
            double postgresCpu = cpuSecondsSince(backendsAtStart, backendsAtEnd);
            if (!Double.isNaN(postgresCpu)) {
                result.put("postgresCpuSeconds", postgresCpu); // absent when PostgreSQL runs on another host
            }
            // The apply worker's CPU above is over the window, in which it applied this many events (it defers to receipt).
            result.put("appliedInWindow", appliedAtEnd - appliedAtStart);
            result.put("appliedAfter", applied);
            result.put("applyRate", applied / applyWindow);
            result.put("applyCpuPerEventUs", applied == 0 ? Double.NaN : 1e6 * (applyAfter.process() - applyBefore.process()) / 1e9 / applied);
            result.put("applyPostgresPerEventUs", applied == 0 ? Double.NaN : 1e6 * applyPostgres / applied);
            result.put("inboxRows", inbox[0]);
            result.put("inboxDistinct", inbox[1]);
            return result;
        }
    }

    /** A line to the load generator's standard input. */
    private static void tell(Process load, String line) throws IOException {
        java.io.OutputStream in = load.getOutputStream();
        synchronized (in) {
            in.write((line + "\n").getBytes(StandardCharsets.US_ASCII));
            in.flush();
        }
    }

    private static final long JIT_SETTLED_MS = 50;
    private static final int JIT_QUIET_SECONDS = 3;

    /** Total JIT compilation time of this JVM so far, in milliseconds. */
    private static long jitMillis() {
        return java.lang.management.ManagementFactory.getCompilationMXBean().getTotalCompilationTime();
    }

    /**
     * Tells the load generator to start measuring ({@code GO} on its standard input) once this JVM's JIT compiler has
     * compiled for less than {@link #JIT_SETTLED_MS} ms in each of {@link #JIT_QUIET_SECONDS} consecutive seconds,
     * after 10 s at least, running {@code probe} (the window's own measurements) every second meanwhile; the generator
     * stops warming up on its own after {@code maxSeconds}.
     */
    private static void awaitJitSettled(Process load, int maxSeconds, Probe probe) {
        try {
            long started = System.nanoTime();
            long previous = jitMillis();
            int quiet = 0;
            while (load.isAlive() && System.nanoTime() - started < TimeUnit.SECONDS.toNanos(maxSeconds)) {
                Thread.sleep(1000);
                probe.run();
                long now = jitMillis();
                quiet = now - previous < JIT_SETTLED_MS ? quiet + 1 : 0;
                previous = now;
                if (quiet >= JIT_QUIET_SECONDS && System.nanoTime() - started >= TimeUnit.SECONDS.toNanos(10)) {
                    tell(load, "GO");
                    return;
                }
            }
        } catch (Exception e) {
            // the generator ended, or will end its warm-up at its own limit
        }
    }

    /** What the measuring process does at the window's edges, exercised during the warm-up as well. */
    @FunctionalInterface
    private interface Probe {
        void run() throws Exception;
    }

    /**
     * CPU ticks (1/100 s) so far of the PostgreSQL backends serving the hub (found by application name), by process
     * id; empty when PostgreSQL runs elsewhere ({@code /proc} does not show its processes).
     */
    private Map<Integer, Long> backendCpu(Schema schema) throws SQLException {
        Map<Integer, Long> ticks = new java.util.HashMap<>();
        try (Connection connection = DriverManager.getConnection(pgUrl, pgUser, pgPassword);
                PreparedStatement query = connection.prepareStatement("SELECT pid FROM pg_stat_activity WHERE application_name = ?")) {
            query.setString(1, schema.name);
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    int pid = rows.getInt(1);
                    try {
                        ticks.put(pid, cpuTicks(java.nio.file.Files.readString(java.nio.file.Path.of("/proc", Integer.toString(pid), "stat"))));
                    } catch (IOException notHere) {
                        // not on this host, or the backend ended meanwhile
                    }
                }
            }
        }
        return ticks;
    }

    /**
     * CPU seconds the backends in {@code after} spent since {@code before} (a backend that started meanwhile counts
     * from zero); NaN when PostgreSQL runs elsewhere and {@code /proc} showed none.
     */
    static double cpuSecondsSince(Map<Integer, Long> before, Map<Integer, Long> after) {
        if (after.isEmpty()) return Double.NaN;
        long ticks = 0;
        for (Map.Entry<Integer, Long> backend : after.entrySet()) {
            ticks += backend.getValue() - before.getOrDefault(backend.getKey(), 0L);
        }
        return ticks / 100.0;
    }

    /** User plus system CPU ticks (1/100 s) from a {@code /proc/.../stat} line. */
    static long cpuTicks(String stat) {
        String[] rest = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(rest[11]) + Long.parseLong(rest[12]);
    }

    /** hub-server's settings for scenario 5: PostgreSQL in {@code schema}, Clio's OAuth client, no scheduler. */
    private Map<String, String> serverSettings(Schema schema, ClioSandbox clio) {
        Map<String, String> settings = new java.util.HashMap<>();
        settings.put("http.host", "127.0.0.1");
        settings.put("http.port", "0");
        settings.put("admin.key", "bench-admin-" + Long.toHexString(System.nanoTime()) + "-key");
        settings.put("encryption.key", dev.junction.core.crypto.SecretCipher.generateKey());
        settings.put("node.name", "bench-node");
        // The application name finds the hub's backends in pg_stat_activity, to read their CPU from /proc.
        settings.put("database.url", pgUrl + (pgUrl.contains("?") ? "&" : "?") + "currentSchema=" + schema.name
                + "&ApplicationName=" + schema.name);
        settings.put("database.user", pgUser);
        settings.put("database.password", pgPassword);
        settings.put("scheduler.enabled", "false");
        settings.put("provider.clio.client_id", clio.oauthClient().clientId());
        settings.put("provider.clio.client_secret", clio.oauthClient().clientSecret());
        return settings;
    }

    /** CPU time of this process and of each live Java thread (by name and id), at one moment. */
    private record ThreadCpu(long process, Map<String, Long> threads) {
        static ThreadCpu now() {
            java.lang.management.ThreadMXBean bean = java.lang.management.ManagementFactory.getThreadMXBean();
            Map<String, Long> threads = new java.util.HashMap<>();
            for (java.lang.management.ThreadInfo info : bean.getThreadInfo(bean.getAllThreadIds())) {
                if (info == null) continue;
                long nanos = bean.getThreadCpuTime(info.getThreadId());
                if (nanos > 0) threads.put(info.getThreadName() + "#" + info.getThreadId(), nanos);
            }
            return new ThreadCpu(cpuNanos(), threads);
        }

        /**
         * CPU spent since {@code earlier} by the Java threads whose name starts with {@code prefix} (a thread started
         * meanwhile counts whole; one that ended meanwhile is lost, and falls to the rest).
         */
        long since(ThreadCpu earlier, String prefix) {
            long total = 0;
            for (Map.Entry<String, Long> entry : threads.entrySet()) {
                if (entry.getKey().startsWith(prefix)) {
                    total += entry.getValue() - earlier.threads.getOrDefault(entry.getKey(), 0L);
                }
            }
            return total;
        }
    }

    /** Prints how many inbox entries are in each status (progress output). */
    private void printInboxStatuses(Schema schema) throws SQLException {
        try (Connection connection = schema.connect(); Statement query = connection.createStatement();
                ResultSet rows = query.executeQuery("SELECT status, attempts, COUNT(*) FROM junction_webhook_inbox GROUP BY status, attempts ORDER BY 1, 2")) {
            while (rows.next()) {
                System.out.println("inbox at END: " + rows.getString(1) + " attempts " + rows.getInt(2) + ": " + rows.getLong(3));
            }
        }
    }

    /** Inbox entries of the connection the apply worker has processed so far. */
    private long processedCount(Schema schema, String connectionId) throws SQLException {
        return inboxCounts(schema, connectionId, "COUNT(*) FILTER (WHERE status = 'processed')")[0];
    }

    /** Rows in the connection's inbox and distinct events among them. */
    private long[] inboxCounts(Schema schema, String connectionId) throws SQLException {
        return inboxCounts(schema, connectionId, "COUNT(*), COUNT(DISTINCT external_id)");
    }

    /** The given aggregates over the connection's inbox rows. */
    private long[] inboxCounts(Schema schema, String connectionId, String aggregates) throws SQLException {
        try (Connection connection = schema.connect();
                PreparedStatement query = connection.prepareStatement("SELECT " + aggregates
                        + " FROM junction_webhook_inbox WHERE tenant_id = ? AND connection_id = ?")) {
            query.setString(1, TENANT);
            query.setString(2, connectionId);
            try (ResultSet rows = query.executeQuery()) {
                rows.next();
                long[] values = new long[rows.getMetaData().getColumnCount()];
                for (int i = 0; i < values.length; i++) {
                    values[i] = rows.getLong(i + 1);
                }
                return values;
            }
        }
    }

    /** Prints the CPU time of this JVM's threads by name (JIT, GC and the others), from /proc, less {@code since}. */
    private static void printThreadCpu(Map<String, Long> since) throws IOException {
        Map<String, Long> ticks = new java.util.TreeMap<>(threadTicks());
        since.forEach((name, earlier) -> ticks.computeIfPresent(name, (key, now) -> now - earlier));
        ticks.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(12)
                .forEach(entry -> System.out.printf(Locale.ROOT, "  thread cpu %-24s %6.1f s%n", entry.getKey(), entry.getValue() / 100.0));
    }

    /**
     * CPU ticks (1/100 s) the JIT compiler threads (C1 and C2) took since {@code since}, from /proc: of the threads alive
     * at the end (HotSpot may stop a compiler thread it started; two cores start one of each, which stay).
     */
    private static long compilerTicksSince(Map<String, Long> since) throws IOException {
        long ticks = 0;
        for (Map.Entry<String, Long> thread : threadTicks().entrySet()) {
            if (thread.getKey().contains("CompilerThre")) { // "C1 CompilerThread0" and "C2 ...", cut to 15 characters
                ticks += thread.getValue() - since.getOrDefault(thread.getKey(), 0L);
            }
        }
        return ticks;
    }

    /** CPU ticks (1/100 s) of this JVM's threads, summed by name with digits blanked, from /proc. */
    private static Map<String, Long> threadTicks() throws IOException {
        Map<String, Long> ticks = new java.util.HashMap<>();
        try (java.util.stream.Stream<java.nio.file.Path> tasks = java.nio.file.Files.list(java.nio.file.Path.of("/proc/self/task"))) {
            for (java.nio.file.Path task : tasks.toList()) {
                String stat;
                try {
                    stat = java.nio.file.Files.readString(task.resolve("stat"));
                } catch (IOException gone) {
                    continue; // the thread ended meanwhile
                }
                String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')')).replaceAll("[0-9]+", "N");
                ticks.merge(name, cpuTicks(stat), Long::sum);
            }
        }
        return ticks;
    }

    /** CPU time of this whole JVM (sandbox and sync alike), the figure machine load does not distort. */
    static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** The sandbox of a bulk measurement and how to reach it; closes whichever it is. */
    private record BulkSandbox(SandboxProcess process, ClioSandbox inProcess, SandboxProcess.Endpoint endpoint)
            implements AutoCloseable {
        long requests() throws IOException {
            return process != null ? process.requests() : inProcess.requestLog().totalCount();
        }

        /** The sandbox process's CPU time so far in seconds; NaN when it runs in this JVM (then it is in this JVM's). */
        double cpuSeconds() {
            return process != null ? process.cpuSeconds() : Double.NaN;
        }

        void change(int count) throws IOException {
            if (process != null) process.change(count);
            else inProcess.updateRandom(ClioEntity.CONTACTS, count);
        }

        @Override
        public void close() throws Exception {
            if (process != null) process.close();
            if (inProcess != null) inProcess.close();
        }
    }

    /**
     * Scenario 1's and 3's sandbox: in a JVM of its own with its pages rendered before the clock starts (see
     * {@link SandboxProcess}), or with {@code --sandbox in-process} in this JVM, generating records as they are asked
     * for ({@code --keep-pages false} keeps the separate JVM but renders on demand).
     */
    private BulkSandbox bulkSandbox(long records) throws IOException, InterruptedException {
        if (options.getOrDefault("sandbox", "process").equals("in-process")) {
            ClioSandbox clio = unlimitedSandbox(records);
            return new BulkSandbox(null, clio, endpoint(clio));
        }
        SandboxProcess process = SandboxProcess.start(records, Boolean.parseBoolean(options.getOrDefault("keep-pages", "true")));
        return new BulkSandbox(process, null, process.endpoint());
    }

    private static SandboxProcess.Endpoint endpoint(ClioSandbox clio) {
        OAuthTokens tokens = clio.issueTokens(1);
        return new SandboxProcess.Endpoint(clio.baseUrl(), clio.apiBaseUrl(), clio.oauthClient().clientId(),
                clio.oauthClient().clientSecret(), tokens.accessToken(), tokens.refreshToken());
    }

    private static ClioSandbox unlimitedSandbox(long records) {
        return ClioSandbox.builder().withRecordCount(ClioEntity.CONTACTS, records)
                .withRateLimit(Integer.MAX_VALUE, Duration.ofSeconds(1)).start();
    }

    private Hub hub(SandboxProcess.Endpoint clio, HikariDataSource pool, RateLimitPolicy policy, String key) {
        return hub(clio, pool, policy, key, dev.junction.core.HubObserver.NONE);
    }

    private Hub hub(SandboxProcess.Endpoint clio, HikariDataSource pool, RateLimitPolicy policy, String key,
            dev.junction.core.HubObserver observer) {
        return Hub.builder().withDataSource(pool)
                .withObserver(observer)
                .withEncryptionKey("k1", key)
                .withProvider(new ClioProvider(), Settings.of(ClioProvider.CLIENT_ID, clio.clientId(),
                        ClioProvider.CLIENT_SECRET, clio.clientSecret()))
                .withRateLimit(ClioProvider.ID, policy)
                .withPageSize(200)
                .build();
    }

    private static String connect(Hub hub, SandboxProcess.Endpoint clio) {
        String connectionId = hub.createConnection(NewConnection.of(TENANT, ClioProvider.ID)
                .withSetting(ClioProvider.BASE_URL, clio.baseUrl())).id();
        hub.storeTokens(TENANT, connectionId, new Credentials.OAuthTokens(clio.accessToken(), clio.refreshToken(), null, null));
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

    /**
     * A table shaped like Junction's raw records, keyed like them by {@code (stream_id, external_id)} (the references
     * land one stream: the column's default); the naive loop's by the natural {@code (connection_id, entity,
     * external_id)}, as hand-written code would.
     */
    private static String rawTableDdl(String name) {
        return rawTableDdl(name, "stream_id, external_id");
    }

    private static String rawTableDdl(String name, String key) {
        return "CREATE TABLE " + name + " (stream_id BIGINT NOT NULL DEFAULT 1, tenant_id VARCHAR(128) NOT NULL, connection_id VARCHAR(64) NOT NULL, "
                + "entity VARCHAR(64) NOT NULL, external_id VARCHAR(255) NOT NULL, payload TEXT NOT NULL, "
                + "content_hash VARCHAR(64) NOT NULL, remote_updated_at TIMESTAMP WITH TIME ZONE, deleted BOOLEAN NOT NULL, "
                + "seen_pass BIGINT NOT NULL, created_at TIMESTAMP WITH TIME ZONE NOT NULL, "
                + "updated_at TIMESTAMP WITH TIME ZONE NOT NULL, PRIMARY KEY (" + key + "))";
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Runs a PostgreSQL checkpoint before a measured window, so that every bulk measurement starts at the same point of
     * the write-ahead log's cycle. A 200,000-row run writes about half of {@code max_wal_size} (1 GB by default) of log,
     * so a checkpoint fell inside some runs and not others, and after one, each page's next change logs a whole-page
     * image: a likely part of the spread of the same sync's database CPU (6.4–8.4 s here). Needs a superuser or
     * pg_checkpoint; without, the run goes on as before and says so.
     */
    private void checkpoint() {
        try (Connection connection = DriverManager.getConnection(pgUrl, pgUser, pgPassword);
                Statement statement = connection.createStatement()) {
            statement.execute("CHECKPOINT");
        } catch (SQLException e) {
            System.err.println("no checkpoint before the measured window: " + e.getMessage());
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
            java.util.Properties properties = new java.util.Properties();
            properties.setProperty("user", pgUser);
            properties.setProperty("password", pgPassword);
            properties.setProperty("ApplicationName", name); // so backendCpu() finds its backends
            Connection connection = DriverManager.getConnection(pgUrl, properties);
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
            config.addDataSourceProperty("ApplicationName", name);
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
