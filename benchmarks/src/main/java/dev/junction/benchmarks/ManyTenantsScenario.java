package dev.junction.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.zaxxer.hikari.HikariPoolMXBean;
import dev.junction.core.crypto.SecretCipher;
import dev.junction.core.spi.RateLimitPolicy;
import dev.junction.hub.HubServer;
import dev.junction.hub.ServerConfig;
import dev.junction.provider.cliniko.ClinikoProvider;
import dev.junction.provider.cliniko.sandbox.ClinikoSandbox;
import dev.junction.provider.cliniko.sandbox.SandboxEntity;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Scenario 6, many tenants: one hub-server node on PostgreSQL with {@code --connections} Cliniko connections (API
 * key, no OAuth) spread over {@code --tenants} tenants and a few shared Cliniko sandboxes with small datasets, all
 * created over the REST API so the scheduler runs their first full syncs. Then, in one measuring JVM:
 *
 * <ul>
 *   <li>the node idle with every connection scheduled (the scheduler polling, one maintenance round per
 *       {@code maintenance.interval}): process CPU and the database's transactions per second
 *       ({@code pg_stat_database}; this PostgreSQL has no {@code pg_stat_statements});</li>
 *   <li>one maintenance round timed on its own, with its transactions;</li>
 *   <li>one round of incremental syncs: every connection's scheduled execution moved to one due time (the worst case:
 *       all due at once, as after the first syncs of connections created together), then the time from that due time
 *       to the last finished run, the delay to the first start, the peak database connections of the database
 *       ({@code pg_stat_activity}) and Hikari's peak active and total;</li>
 *   <li>the same node restarted with {@code scheduler.enabled=false}: idle CPU and transactions per second, the
 *       reference without the scheduler.</li>
 * </ul>
 *
 * The scheduler runs with hub-server's defaults (poll every 10 s, maintenance every 30 s, 4 threads, pool of 10)
 * except {@code sync.interval}, set to an hour so that only the benchmark's forced round runs while it measures.
 */
final class ManyTenantsScenario {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DATABASE = "junction_bench_tenants";
    private static final int SANDBOXES = 4;
    private static final long SETTLE_MILLIS = 11_000;

    private final Map<String, String> options;
    private final String adminUrl;
    private final String user;
    private final String password;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private ManyTenantsScenario(Map<String, String> options) {
        this.options = options;
        this.adminUrl = System.getenv().getOrDefault("JUNCTION_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:5432/postgres");
        this.user = System.getenv().getOrDefault("JUNCTION_TEST_PG_USER", "postgres");
        this.password = System.getenv().getOrDefault("PGPASSWORD", "");
    }

    /** The arguments the harness passes to the measuring JVM. */
    static String[] args(Map<String, String> options) {
        return new String[] {"--connections", options.get("connections"), "--tenants", options.get("tenants"),
                "--idle-seconds", options.get("idle-seconds")};
    }

    /** Runs the scenario once (in a measuring JVM) and returns its figures. */
    static Map<String, Object> measure(Map<String, String> options) throws Exception {
        return new ManyTenantsScenario(options).run();
    }

    /** The table rows of the runs' results. */
    static List<Benchmarks.Row> rows(List<JsonNode> results, Map<String, String> options) {
        String s = "6 many tenants";
        JsonNode first = results.get(0);
        String setup = String.format(Locale.ROOT, "%,d Cliniko connections over %d tenants, one node (pool %d, %d scheduler threads)",
                first.get("connections").asInt(), first.get("tenants").asInt(), first.get("poolSize").asInt(), first.get("threads").asInt());
        String round = "one round of incremental syncs, all due at once";
        String idle = String.format(Locale.ROOT, "node idle between rounds, %s s", options.get("idle-seconds"));
        List<Benchmarks.Row> rows = new ArrayList<>();
        rows.add(row(s, setup, "first full syncs of all connections (created over the API)", results, "firstRoundSeconds", "s"));
        rows.add(row(s, round, "due time to last finished run", results, "roundSeconds", "s"));
        rows.add(row(s, round, "due time to first start", results, "roundFirstStartSeconds", "s"));
        rows.add(row(s, round, "connection syncs/s", results, "roundSyncsPerSecond", ""));
        rows.add(row(s, round, "DB transactions per connection sync", results, "roundTransactionsPerSync", ""));
        rows.add(row(s, round, "node CPU (share of one core)", results, "roundCpuPercent", "%"));
        rows.add(row(s, round, "peak DB connections (pg_stat_activity)", results, "peakDbConnections", ""));
        rows.add(row(s, round, "peak Hikari active connections", results, "peakHikariActive", ""));
        rows.add(row(s, round, "Hikari total connections", results, "peakHikariTotal", ""));
        rows.add(row(s, idle, "node CPU with the scheduler (share of one core)", results, "idleCpuPercent", "%"));
        rows.add(row(s, idle, "node CPU without the scheduler (share of one core)", results, "idleOffCpuPercent", "%"));
        rows.add(row(s, idle, "DB transactions/s with the scheduler", results, "idleTransactionsPerSecond", ""));
        rows.add(row(s, idle, "DB transactions/s without the scheduler", results, "idleOffTransactionsPerSecond", ""));
        rows.add(row(s, idle, "DB connections open with the scheduler", results, "idleDbConnections", ""));
        rows.add(row(s, "one maintenance round (run on its own)", "time", results, "maintenanceMillis", "ms"));
        rows.add(row(s, "one maintenance round (run on its own)", "DB transactions (the idle rate subtracted)", results, "maintenanceTransactions", ""));
        return rows;
    }

    private static Benchmarks.Row row(String scenario, String measurement, String metric, List<JsonNode> results, String field,
            String unit) {
        return new Benchmarks.Row(scenario, measurement, metric, results.stream().map(r -> r.path(field).asDouble(Double.NaN)).toList(), unit);
    }

    // ---------------------------------------------------------------- the measurement

    private Map<String, Object> run() throws Exception {
        int connections = Integer.parseInt(options.getOrDefault("connections", "1000"));
        int tenants = Integer.parseInt(options.getOrDefault("tenants", "100"));
        Duration idle = Duration.ofSeconds(Long.parseLong(options.getOrDefault("idle-seconds", "30")));
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("connections", connections);
        result.put("tenants", tenants);
        recreateDatabase();
        List<ClinikoSandbox> sandboxes = new ArrayList<>();
        try (Connection stats = DriverManager.getConnection(adminUrl, user, password)) {
            for (int i = 0; i < SANDBOXES; i++) {
                sandboxes.add(ClinikoSandbox.builder().withSeed(42 + i).withRateLimit(1_000_000_000, Duration.ofSeconds(1))
                        .withRecordCount(SandboxEntity.BUSINESSES, 1).withRecordCount(SandboxEntity.PRACTITIONERS, 3)
                        .withRecordCount(SandboxEntity.APPOINTMENT_TYPES, 3).withRecordCount(SandboxEntity.PATIENTS, 30)
                        .withRecordCount(SandboxEntity.INDIVIDUAL_APPOINTMENTS, 20).withRecordCount(SandboxEntity.INVOICES, 10).start());
            }
            String adminKey = "bench-admin-" + Long.toHexString(System.nanoTime()) + "-key";
            String encryptionKey = SecretCipher.generateKey();
            Map<String, String> settings = settings(adminKey, encryptionKey, true);
            result.put("poolSize", ServerConfig.of(settings).databasePoolSize());
            result.put("threads", ServerConfig.of(settings).schedulerThreads());
            try (HubServer server = start(settings)) {
                // Tenants, keys and connections over the API; each connection's first (full) sync is due at once.
                long created = System.nanoTime();
                List<String> keys = new ArrayList<>();
                for (int t = 0; t < tenants; t++) {
                    String tenant = String.format(Locale.ROOT, "tenant-%04d", t);
                    call(server, "POST", "/v1/tenants", adminKey, "{\"id\":\"" + tenant + "\"}", 201);
                    keys.add(call(server, "POST", "/v1/tenants/" + tenant + "/api-keys", adminKey, "{\"name\":\"bench\"}", 201)
                            .get("key").asText());
                }
                for (int c = 0; c < connections; c++) {
                    ClinikoSandbox sandbox = sandboxes.get(c % SANDBOXES);
                    ObjectNode body = JSON.createObjectNode().put("provider", ClinikoProvider.ID).put("display_name", "clinic " + c);
                    body.putObject("settings").put("api_key", sandbox.apiKey()).put("base_url", sandbox.baseUrl());
                    call(server, "POST", "/v1/connections", keys.get(c % tenants), body.toString(), 201);
                }
                awaitCount(server, "first full syncs", connections, Duration.ofMinutes(20),
                        "SELECT COUNT(DISTINCT connection_id) FROM junction_sync_run WHERE status = 'SUCCEEDED'");
                result.put("firstRoundSeconds", (System.nanoTime() - created) / 1e9);
                awaitCount(server, "every first run rescheduled", 0, Duration.ofMinutes(2),
                        "SELECT COUNT(*) FROM hub_scheduled_tasks WHERE task_name = 'junction-sync' AND (picked OR execution_time < now())");
                System.out.printf(Locale.ROOT, "%,d connections synced once in %.1f s%n", connections, result.get("firstRoundSeconds"));

                // Idle with the scheduler: polling and maintenance rounds only. PostgreSQL counts an idle backend's
                // transactions up to 10 s late, so every window starts after a settling pause and ends after one.
                Thread.sleep(SETTLE_MILLIS);
                Window window = Window.open(stats);
                Thread.sleep(idle.toMillis());
                window.close(stats);
                result.put("idleCpuPercent", window.cpuPercent());
                result.put("idleTransactionsPerSecond", window.transactionsPerSecond());
                result.put("idleDbConnections", window.connections);

                // One maintenance round on its own.
                window = Window.open(stats);
                long maintenance = System.nanoTime();
                server.scheduler().maintain();
                result.put("maintenanceMillis", (System.nanoTime() - maintenance) / 1e6);
                Thread.sleep(SETTLE_MILLIS);
                window.close(stats);
                double idleRate = (double) result.get("idleTransactionsPerSecond");
                result.put("maintenanceTransactions", Math.max(0, window.transactions - idleRate * window.nanos / 1e9));

                // One round: every connection's sync due at the same moment.
                Instant due = Instant.now().plusSeconds(2);
                int moved = server.hub().database().jdbi().withHandle(handle -> handle.createUpdate(
                                "UPDATE hub_scheduled_tasks SET execution_time = :due WHERE task_name = 'junction-sync' AND NOT picked")
                        .bind("due", Timestamp.from(due)).execute());
                if (moved != connections) {
                    throw new IllegalStateException("moved " + moved + " scheduled syncs, expected " + connections);
                }
                boolean statements = Boolean.parseBoolean(options.getOrDefault("statements", "false"));
                if (statements) {
                    statementsReset(stats);
                }
                Peaks peaks = Peaks.start(stats, server.poolStats().orElseThrow());
                window = Window.open(stats);
                String roundRuns = "FROM junction_sync_run WHERE started_at >= '" + Timestamp.from(due.minusMillis(50)) + "'::timestamptz";
                awaitCount(server, "one round of incremental syncs", connections, Duration.ofMinutes(20),
                        "SELECT COUNT(DISTINCT connection_id) " + roundRuns + " AND status = 'SUCCEEDED'");
                peaks.close();
                Thread.sleep(SETTLE_MILLIS);
                window.close(stats);
                if (statements) {
                    printStatements(stats, connections);
                }
                Map<String, Object> round = server.hub().database().jdbi().withHandle(handle -> handle.createQuery(
                        "SELECT MIN(started_at) AS first_start, MAX(finished_at) AS last_finish, COUNT(*) AS runs, "
                                + "SUM(CASE WHEN status <> 'SUCCEEDED' THEN 1 ELSE 0 END) AS failed " + roundRuns).mapToMap().one());
                double roundSeconds = Duration.between(due, ((Timestamp) round.get("last_finish")).toInstant()).toMillis() / 1e3;
                result.put("roundSeconds", roundSeconds);
                result.put("roundFirstStartSeconds", Duration.between(due, ((Timestamp) round.get("first_start")).toInstant()).toMillis() / 1e3);
                result.put("roundRuns", round.get("runs"));
                result.put("roundFailedRuns", round.get("failed"));
                result.put("roundSyncsPerSecond", connections / roundSeconds);
                result.put("roundTransactionsPerSync", (double) window.transactions / connections);
                result.put("roundCpuPercent", window.cpuPercent());
                result.put("peakDbConnections", peaks.dbConnections.get());
                result.put("peakHikariActive", peaks.hikariActive.get());
                result.put("peakHikariTotal", peaks.hikariTotal.get());
            }

            // The same node without the scheduler: the reference for the idle cost.
            try (HubServer server = start(settings(adminKey, encryptionKey, false))) {
                Thread.sleep(SETTLE_MILLIS);
                Window window = Window.open(stats);
                Thread.sleep(idle.toMillis());
                window.close(stats);
                result.put("idleOffCpuPercent", window.cpuPercent());
                result.put("idleOffTransactionsPerSecond", window.transactionsPerSecond());
            }
        } finally {
            sandboxes.forEach(ClinikoSandbox::close);
            if (!Boolean.getBoolean("bench.keep")) {
                dropDatabase(); // 1,000 connections' rows; -Dbench.keep=true leaves them for inspection
            }
        }
        return result;
    }

    private Map<String, String> settings(String adminKey, String encryptionKey, boolean scheduler) {
        Map<String, String> settings = new HashMap<>();
        settings.put("http.host", "127.0.0.1");
        settings.put("http.port", "0");
        settings.put("admin.key", adminKey);
        settings.put("encryption.key", encryptionKey);
        settings.put("node.name", "bench-node");
        settings.put("database.url", adminUrl.replaceFirst("/[^/?]*(\\?.*)?$", "/" + DATABASE));
        settings.put("database.user", user);
        settings.put("database.password", password);
        settings.put("provider.cliniko.user_agent", "Junction benchmark (bench@example.com)");
        settings.put("sync.interval", "1h");
        settings.put("scheduler.enabled", Boolean.toString(scheduler));
        return settings;
    }

    private static HubServer start(Map<String, String> settings) {
        return HubServer.start(ServerConfig.of(settings), new PrintStream(new ByteArrayOutputStream()),
                builder -> builder.withRateLimit(ClinikoProvider.ID, RateLimitPolicy.UNLIMITED));
    }

    private void dropDatabase() throws SQLException {
        try (Connection admin = DriverManager.getConnection(adminUrl, user, password); Statement statement = admin.createStatement()) {
            statement.execute("DROP DATABASE IF EXISTS " + DATABASE + " WITH (FORCE)");
        }
    }

    private void recreateDatabase() throws SQLException {
        dropDatabase();
        try (Connection admin = DriverManager.getConnection(adminUrl, user, password); Statement statement = admin.createStatement()) {
            statement.execute("CREATE DATABASE " + DATABASE);
        }
    }

    private JsonNode call(HubServer server, String method, String path, String key, String body, int expected) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(server.localUrl() + path)).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(body)).build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != expected) {
            throw new IllegalStateException(method + " " + path + " answered " + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body());
    }

    private static void awaitCount(HubServer server, String what, long expected, Duration timeout, String sql) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long last = -1;
        long lastPrinted = System.nanoTime();
        while (true) {
            last = server.hub().database().jdbi().withHandle(handle -> handle.createQuery(sql).mapTo(Long.class).one());
            if (last == expected) return;
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out waiting for " + what + ": " + last + ", expected " + expected);
            }
            if (System.nanoTime() - lastPrinted > 15e9) {
                System.out.printf(Locale.ROOT, "  %s: %,d of %,d%n", what, last, expected);
                lastPrinted = System.nanoTime();
            }
            Thread.sleep(250);
        }
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** The database's transactions and this process's CPU over a stretch of wall time. */
    private static final class Window {
        long startNanos;
        long startCpu;
        long startTransactions;
        long nanos;
        long cpu;
        long transactions;
        int connections;

        static Window open(Connection stats) throws SQLException {
            Window window = new Window();
            window.startTransactions = transactions(stats);
            window.startNanos = System.nanoTime();
            window.startCpu = processCpuNanos();
            return window;
        }

        void close(Connection stats) throws SQLException {
            nanos = System.nanoTime() - startNanos;
            cpu = processCpuNanos() - startCpu;
            transactions = transactions(stats) - startTransactions;
            connections = dbConnections(stats);
        }

        double cpuPercent() {
            return 100.0 * cpu / nanos;
        }

        double transactionsPerSecond() {
            return transactions / (nanos / 1e9);
        }

        private static long transactions(Connection stats) throws SQLException {
            try (Statement statement = stats.createStatement()) {
                statement.execute("SELECT pg_stat_clear_snapshot()");
                try (ResultSet rs = statement.executeQuery("SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = '"
                        + DATABASE + "'")) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        }
    }

    private static int dbConnections(Connection stats) throws SQLException {
        try (PreparedStatement statement = stats.prepareStatement("SELECT COUNT(*) FROM pg_stat_activity WHERE datname = ?")) {
            statement.setString(1, DATABASE);
            try (ResultSet rs = statement.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    /** Samples the database's connections and Hikari's pool every 100 ms and keeps the peaks. */
    private static final class Peaks implements AutoCloseable {
        final AtomicInteger dbConnections = new AtomicInteger();
        final AtomicInteger hikariActive = new AtomicInteger();
        final AtomicInteger hikariTotal = new AtomicInteger();
        private final Thread thread;

        private Peaks(Connection stats, HikariPoolMXBean pool) {
            thread = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    try {
                        dbConnections.accumulateAndGet(ManyTenantsScenario.dbConnections(stats), Math::max);
                        hikariActive.accumulateAndGet(pool.getActiveConnections(), Math::max);
                        hikariTotal.accumulateAndGet(pool.getTotalConnections(), Math::max);
                        Thread.sleep(100);
                    } catch (InterruptedException e) {
                        return;
                    } catch (SQLException e) {
                        throw new IllegalStateException(e);
                    }
                }
            }, "connection-sampler");
            thread.setDaemon(true);
        }

        static Peaks start(Connection stats, HikariPoolMXBean pool) {
            Peaks peaks = new Peaks(stats, pool);
            peaks.thread.start();
            return peaks;
        }

        @Override
        public void close() throws InterruptedException {
            thread.interrupt();
            thread.join();
        }
    }

    /**
     * With {@code --statements true} (PostgreSQL with {@code pg_stat_statements} loaded): the round's statements are
     * counted from zero (in every database: the node's and the measurement's own), and printed afterwards per connection
     * sync, most frequent first.
     */
    private static void statementsReset(Connection stats) throws SQLException {
        try (Statement statement = stats.createStatement()) {
            statement.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
            statement.execute("SELECT pg_stat_statements_reset()");
        }
    }

    private static void printStatements(Connection stats, int connections) throws SQLException {
        try (Statement statement = stats.createStatement();
                java.sql.ResultSet rows = statement.executeQuery("SELECT calls, rows, regexp_replace(query, '\\s+', ' ', 'g') "
                        + "FROM pg_stat_statements ORDER BY calls DESC LIMIT 60")) {
            System.out.println("statements in the round, per connection sync (calls, rows):");
            while (rows.next()) {
                String query = rows.getString(3);
                System.out.printf(Locale.ROOT, "  %6.2f %7.2f  %s%n", rows.getLong(1) / (double) connections,
                        rows.getLong(2) / (double) connections, query.length() > 160 ? query.substring(0, 160) : query);
            }
        }
    }
}
