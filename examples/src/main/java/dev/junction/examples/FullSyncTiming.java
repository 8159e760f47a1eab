package dev.junction.examples;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.junction.core.EntitySyncStats;
import dev.junction.core.Hub;
import dev.junction.core.HubBuilder;
import dev.junction.core.NewConnection;
import dev.junction.core.SyncHandle;
import dev.junction.core.SyncProgress;
import dev.junction.core.SyncRequest;
import dev.junction.core.SyncRun;
import dev.junction.core.SyncStatus;
import dev.junction.core.crypto.SecretCipher;
import dev.junction.core.spi.Credentials;
import dev.junction.core.spi.RateLimitPolicy;
import dev.junction.core.spi.Settings;
import dev.junction.provider.clio.ClioProvider;
import dev.junction.provider.clio.sandbox.ClioEntity;
import dev.junction.provider.clio.sandbox.ClioSandbox;
import dev.junction.sandbox.OAuthTokens;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * A timed harness, run on demand (not a test): a full sync of N Clio sandbox contacts, with no rate limit on either
 * side, into (a) a fresh embedded database and (b) a fresh PostgreSQL schema, printing wall time, records per
 * second and heap use. The sandbox serves from the same JVM over loopback, so its CPU and memory are included.
 *
 * <pre>
 * mvn -B -q -Prun-example package -Dexample.mainClass=dev.junction.examples.FullSyncTiming \
 *     -Dexample.args="--contacts 100000"
 * </pre>
 *
 * Arguments: {@code --contacts N} (default 100000), {@code --targets embedded,postgres}, {@code --postgres-url URL}
 * (default {@code jdbc:postgresql://127.0.0.1:5432/postgres}, or {@code JUNCTION_TEST_PG_URL}), {@code --postgres-user}
 * (default postgres, password from {@code PGPASSWORD}), {@code --warmup N} contacts synced first into a throwaway
 * embedded database so that both targets run on a warm JVM (default 10000; 0 to measure a cold start), {@code --page-size N}
 * (default 200, Clio's maximum), {@code --keep} to keep the databases. Exit code 1 when a sync fails or stores the
 * wrong number of records.
 */
public final class FullSyncTiming {

    private static final String TENANT = "timing";
    private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

    /** One measured sync. */
    public record Measurement(String target, long records, long stored, Duration duration, long peakHeapBytes,
            long heapAfterBytes, long gcCount, Duration gcTime, SyncStatus status) {

        double recordsPerSecond() {
            return records / Math.max(duration.toMillis() / 1000.0, 0.001);
        }
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new LinkedHashMap<>(Map.of(
                "contacts", "100000",
                "targets", "embedded,postgres",
                "postgres-url", System.getenv().getOrDefault("JUNCTION_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:5432/postgres"),
                "postgres-user", System.getenv().getOrDefault("JUNCTION_TEST_PG_USER", "postgres"),
                "warmup", "10000",
                "page-size", "200",
                "keep", "false"));
        for (int i = 0; i < args.length; i++) {
            if (args[i].isBlank()) continue;
            String name = args[i].replaceFirst("^--", "");
            if (!options.containsKey(name)) {
                System.out.println("unknown argument " + args[i] + "; known: " + options.keySet());
                System.exit(2);
            }
            options.put(name, name.equals("keep") ? "true" : args[++i]);
        }
        long contacts = Long.parseLong(options.get("contacts").replace("_", ""));
        int pageSize = Integer.parseInt(options.get("page-size"));
        boolean keep = Boolean.parseBoolean(options.get("keep"));

        System.out.printf(Locale.ROOT, "Full sync timing: %,d Clio sandbox contacts, page size %d, no rate limit%n", contacts, pageSize);
        System.out.printf(Locale.ROOT, "  JVM %s, %d processors, max heap %,d MB, GC %s%n", Runtime.version(),
                Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20,
                ManagementFactory.getGarbageCollectorMXBeans().stream().map(GarbageCollectorMXBean::getName).toList());
        long warmup = Long.parseLong(options.get("warmup").replace("_", ""));
        if (warmup > 0) {
            Path directory = Files.createTempDirectory("junction-timing-warmup");
            try {
                Measurement measured = measure("warm-up", warmup, pageSize, builder -> builder.withDataDirectory(directory));
                System.out.printf(Locale.ROOT, "  warm-up: %,d contacts into a throwaway embedded database in %.1f s (not counted)%n",
                        measured.records(), measured.duration().toMillis() / 1000.0);
            } finally {
                delete(directory);
            }
        }

        List<Measurement> results = new ArrayList<>();
        for (String target : options.get("targets").split(",")) {
            switch (target.trim()) {
                case "embedded" -> {
                    Path directory = Files.createTempDirectory("junction-timing");
                    try {
                        results.add(measure("embedded H2", contacts, pageSize, builder -> builder.withDataDirectory(directory)));
                        System.out.printf(Locale.ROOT, "    database size on disk: %,d MB%n", size(directory) >> 20);
                    } finally {
                        if (keep) System.out.println("    kept " + directory);
                        else delete(directory);
                    }
                }
                case "postgres" -> {
                    String url = options.get("postgres-url");
                    String user = options.get("postgres-user");
                    String password = System.getenv().getOrDefault("PGPASSWORD", "");
                    String schema = "junction_timing_" + UUID.randomUUID().toString().substring(0, 8);
                    execute(url, user, password, "CREATE SCHEMA " + schema);
                    HikariConfig config = new HikariConfig();
                    config.setJdbcUrl(url);
                    config.setUsername(user);
                    config.setPassword(password);
                    config.setSchema(schema);
                    config.setMaximumPoolSize(8);
                    config.setPoolName("timing");
                    try (HikariDataSource pool = new HikariDataSource(config)) {
                        results.add(measure("PostgreSQL", contacts, pageSize, builder -> builder.withDataSource(pool)));
                    } finally {
                        if (keep) System.out.println("    kept schema " + schema + " at " + url);
                        else execute(url, user, password, "DROP SCHEMA " + schema + " CASCADE");
                    }
                }
                default -> {
                    System.out.println("unknown target '" + target + "'; use embedded and/or postgres");
                    System.exit(2);
                }
            }
        }

        System.out.println();
        String format = "  %-12s %10s %9s %10s %10s %15s %12s%n";
        System.out.printf(Locale.ROOT, format, "target", "records", "time", "records/s", "peak heap", "heap after GC", "GC pauses");
        boolean ok = true;
        for (Measurement m : results) {
            System.out.printf(Locale.ROOT, format, m.target(), String.format(Locale.ROOT, "%,d", m.records()),
                    String.format(Locale.ROOT, "%.1f s", m.duration().toMillis() / 1000.0),
                    String.format(Locale.ROOT, "%,.0f", m.recordsPerSecond()),
                    String.format(Locale.ROOT, "%,d MB", m.peakHeapBytes() >> 20),
                    String.format(Locale.ROOT, "%,d MB", m.heapAfterBytes() >> 20),
                    String.format(Locale.ROOT, "%d, %.1f s", m.gcCount(), m.gcTime().toMillis() / 1000.0));
            if (m.status() != SyncStatus.SUCCEEDED || m.stored() != contacts || m.records() != contacts) {
                System.out.printf(Locale.ROOT, "  FAILED: %s ended %s with %,d of %,d contacts stored%n", m.target(), m.status(),
                        m.stored(), contacts);
                ok = false;
            }
        }
        System.out.println("  (peak heap: the most heap in use, garbage included, sampled every 10 ms; heap after GC: live data"
                + " after the sync and a full GC)");
        System.exit(ok ? 0 : 1);
    }

    /** Runs one full sync of {@code contacts} contacts into a fresh database configured by {@code database}. */
    static Measurement measure(String target, long contacts, int pageSize, java.util.function.UnaryOperator<HubBuilder> database) {
        try (ClioSandbox clio = ClioSandbox.builder()
                .withRecordCount(ClioEntity.CONTACTS, contacts)
                .withRateLimit(Integer.MAX_VALUE, Duration.ofSeconds(1))
                .start();
                Hub hub = database.apply(Hub.builder())
                        .withEncryptionKey("k1", SecretCipher.generateKey())
                        .withProvider(new ClioProvider(), Settings.of(ClioProvider.CLIENT_ID, clio.oauthClient().clientId(),
                                ClioProvider.CLIENT_SECRET, clio.oauthClient().clientSecret()))
                        .withRateLimit(ClioProvider.ID, RateLimitPolicy.UNLIMITED)
                        .withPageSize(pageSize)
                        .build()) {
            String connectionId = hub.createConnection(NewConnection.of(TENANT, ClioProvider.ID)
                    .withSetting(ClioProvider.BASE_URL, clio.baseUrl())).id();
            // The OAuth flow is the quick-start example's subject; here the tokens are issued directly.
            OAuthTokens tokens = clio.issueTokens(1);
            hub.storeTokens(TENANT, connectionId, new Credentials.OAuthTokens(tokens.accessToken(), tokens.refreshToken(),
                    null, null));

            System.gc();
            long gcCountBefore = gcCount();
            long gcMillisBefore = gcMillis();
            AtomicLong peak = new AtomicLong(MEMORY.getHeapMemoryUsage().getUsed());
            Thread sampler = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    peak.accumulateAndGet(MEMORY.getHeapMemoryUsage().getUsed(), Math::max);
                    try {
                        Thread.sleep(10);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "heap-sampler");
            sampler.setDaemon(true);
            sampler.start();

            System.out.printf(Locale.ROOT, "%n  %s: full sync of %,d contacts%n", target, contacts);
            long started = System.nanoTime();
            SyncHandle handle = hub.startSync(TENANT, connectionId, SyncRequest.full().only("contacts"));
            long nextPrint = started + 5_000_000_000L;
            while (!handle.done()) {
                Thread.sleep(50);
                if (System.nanoTime() >= nextPrint && !handle.done()) {
                    SyncProgress progress = handle.progress();
                    System.out.printf(Locale.ROOT, "    [%5.1f s] %,9d records, %,6.0f records/s, heap in use %,d MB%n",
                            progress.elapsed().toMillis() / 1000.0, progress.records(), progress.recordsPerSecond(),
                            MEMORY.getHeapMemoryUsage().getUsed() >> 20);
                    nextPrint += 5_000_000_000L;
                }
            }
            SyncRun run = handle.await();
            Duration duration = Duration.ofNanos(System.nanoTime() - started);
            sampler.interrupt();
            sampler.join();
            long gcs = gcCount() - gcCountBefore;
            Duration gcTime = Duration.ofMillis(gcMillis() - gcMillisBefore);
            System.gc();
            long after = MEMORY.getHeapMemoryUsage().getUsed();
            long stored = hub.liveIds(TENANT, connectionId, "contacts").size();
            EntitySyncStats stats = run.entity("contacts").orElseThrow();
            System.out.printf(Locale.ROOT, "    %s: %,d pages, %,d added, %,d stored, %.1f s, %,.0f records/s%n", run.status(),
                    stats.pages(), stats.added(), stored, duration.toMillis() / 1000.0,
                    stats.records() / Math.max(duration.toMillis() / 1000.0, 0.001));
            return new Measurement(target, stats.records(), stored, duration, peak.get(), after, gcs, gcTime, run.status());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static long gcCount() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream().mapToLong(GarbageCollectorMXBean::getCollectionCount).sum();
    }

    private static long gcMillis() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream().mapToLong(GarbageCollectorMXBean::getCollectionTime).sum();
    }

    private static void execute(String url, String user, String password, String sql) throws SQLException {
        try (Connection connection = DriverManager.getConnection(url, user, password);
                Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    private static long size(Path directory) throws IOException {
        try (Stream<Path> files = Files.walk(directory)) {
            return files.filter(Files::isRegularFile).mapToLong(path -> path.toFile().length()).sum();
        }
    }

    private static void delete(Path directory) {
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
