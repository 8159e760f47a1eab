package dev.junction.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The benchmark harness, run on demand (never by {@code mvn verify}):
 *
 * <pre>
 * mvn -B -q -Pbenchmarks -pl benchmarks -am package -Dbench.args="--runs 3"
 * </pre>
 *
 * Each scenario runs beside its references in one invocation; every measurement runs in a fresh JVM (cold, with
 * the heap the scenario asks for), {@code --runs} times, interleaved with its references so that a noisy
 * neighbour hurts all of them alike. Prints a table of medians with min and max and writes it as Markdown and CSV
 * to {@code --out} (default {@code benchmarks/results}).
 *
 * <p>Arguments: {@code --scenarios 1,2,3,4,5,6} (5: {@code --webhooks 30000} signed webhooks measured from
 * {@code --webhook-concurrency 32} clients once the server is warm; 6 runs one hub-server node with {@code --connections 1000} over
 * {@code --tenants 100}, idle windows of {@code --idle-seconds 30}, see {@link ManyTenantsScenario}),
 * {@code --runs 3}, {@code --records 200000}, {@code --naive-records 50000} (the naive loop's rate does not depend
 * on the count, and it is slow), {@code --large-records 1000000} and {@code --large-runs 1} (scenario 3),
 * {@code --rate-limit 5} requests per {@code --window-ms 1000} (Clio's 50 a minute, ten times faster) and
 * {@code --rate-records 8000} per entity (scenario 4), {@code --webhooks 30000} posted by
 * {@code --webhook-concurrency 32} clients after a warm-up that lasts until the server's JIT compiler has settled, at
 * most {@code --webhook-max-warmup-seconds 120} (scenario 5),
 * {@code --jvm-args "..."} added to every measuring JVM (e.g. to record a flight recording).
 */
public final class Benchmarks {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final double MB = 1024.0 * 1024.0;

    /** One line of the table: a figure measured over several runs. */
    record Row(String scenario, String measurement, String metric, List<Double> values, String unit) {
        double median() {
            double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            int n = sorted.length;
            return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        }

        double min() {
            return values.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
        }

        double max() {
            return values.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
        }
    }

    private final Map<String, String> options;
    private final List<Row> rows = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    private Benchmarks(Map<String, String> options) {
        this.options = options;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new LinkedHashMap<>(Map.of(
                "scenarios", "1,2,3,4",
                "runs", "3",
                "records", "200000",
                "naive-records", "50000",
                "large-records", "1000000",
                "large-runs", "1",
                "rate-limit", "5",
                "window-ms", "1000",
                "rate-records", "8000",
                "out", "benchmarks/results"));
        options.put("jvm-args", "");
        options.put("webhooks", "30000");
        options.put("webhook-concurrency", "32");
        options.put("webhook-max-warmup-seconds", "120");
        options.putAll(Map.of("connections", "1000", "tenants", "100", "idle-seconds", "30")); // scenario 6
        for (int i = 0; i < args.length; i++) {
            if (args[i].isBlank()) continue;
            String name = args[i].replaceFirst("^--", "");
            if (!options.containsKey(name) || i + 1 >= args.length) {
                System.out.println("unknown or incomplete argument " + args[i] + "; known: " + options.keySet());
                System.exit(2);
            }
            options.put(name, args[++i]);
        }
        new Benchmarks(options).run();
    }

    private int option(String name) {
        return Integer.parseInt(options.get(name).replace("_", ""));
    }

    private void run() throws Exception {
        List<String> scenarios = Arrays.stream(options.get("scenarios").split(",")).map(String::trim).toList();
        System.out.printf(Locale.ROOT, "Junction benchmarks: scenarios %s, %d runs each, JVM %s, %d processors%n", scenarios,
                option("runs"), Runtime.version(), Runtime.getRuntime().availableProcessors());
        for (String scenario : scenarios) {
            switch (scenario) {
                case "1" -> bulkSync();
                case "2" -> resync();
                case "3" -> memory();
                case "4" -> rateLimit();
                case "5" -> webhookIngest();
                case "6" -> manyTenants();
                default -> throw new IllegalArgumentException("unknown scenario " + scenario);
            }
        }
        report();
    }

    // ---------------------------------------------------------------- scenarios

    private void bulkSync() throws Exception {
        int runs = option("runs");
        String records = options.get("records");
        String naiveRecords = options.get("naive-records");
        List<JsonNode> junction = new ArrayList<>();
        List<JsonNode> warm = new ArrayList<>();
        List<JsonNode> copy = new ArrayList<>();
        List<JsonNode> naive = new ArrayList<>();
        for (int run = 1; run <= runs; run++) {
            System.out.printf(Locale.ROOT, "%n[1] bulk sync, run %d of %d%n", run, runs);
            junction.add(measure(List.of(), "junction", "--records", records));
            warm.add(measure(List.of(), "junction", "--records", records, "--warm-syncs", "2"));
            copy.add(measure(List.of(), "copy", "--records", records));
            naive.add(measure(List.of(), "naive", "--records", naiveRecords));
        }
        String s = "1 bulk sync";
        String j = String.format(Locale.ROOT, "Junction full sync, %,d contacts (raw + unified + change feed)", Long.parseLong(records));
        rows.add(row(s, j, "records/s", junction, r -> r.get("rate").asDouble(), ""));
        rows.add(row(s, j, "peak heap after GC", junction, r -> r.get("peakHeapAfterGc").asDouble() / MB, "MB"));
        rows.add(row(s, j, "peak RSS (the sandbox runs in its own JVM)", junction, r -> r.get("peakRss").asDouble() / MB, "MB"));
        rows.add(row(s, j, "CPU taken by the hypervisor (steal) during the sync", junction,
                r -> r.path("stolenSeconds").asDouble(Double.NaN), "s"));
        String w = "the same sync in a warm JVM (after two unmeasured syncs of the same contacts)";
        rows.add(row(s, w, "records/s", warm, r -> r.get("rate").asDouble(), ""));
        rows.add(row(s, w, "CPU of the syncing JVM", warm, r -> r.get("cpuSeconds").asDouble(), "s"));
        rows.add(row(s, w, "of it, the JIT compiler threads (C1 and C2)", warm, r -> r.get("jitCpuSeconds").asDouble(), "s"));
        rows.add(row(s, w, "CPU of PostgreSQL", warm, r -> r.get("databaseCpuSeconds").asDouble(), "s"));
        rows.add(row(s, w, "records/s were every core busy with that CPU (the three processes')", warm,
                r -> r.path("cpuBoundRate").asDouble(Double.NaN), ""));
        rows.add(row(s, w, "the machine's CPU idle during the sync", warm, r -> r.path("idleShare").asDouble(Double.NaN), "%"));
        rows.add(row(s, j, "CPU of the syncing JVM (JIT compilation included)", junction, r -> r.get("cpuSeconds").asDouble(), "s"));
        rows.add(row(s, j, "of it, the JIT compiler threads (C1 and C2)", junction, r -> r.get("jitCpuSeconds").asDouble(), "s"));
        rows.add(row(s, j, "CPU of PostgreSQL", junction, r -> r.get("databaseCpuSeconds").asDouble(), "s"));
        rows.add(row(s, j, "CPU of the sandbox's JVM", junction, r -> r.path("sandboxCpuSeconds").asDouble(Double.NaN), "s"));
        // With every core busy the whole time, the CPU these three spent allows this rate on this machine: the sync's
        // waits are the gap between it and records/s; the CPU itself is what the ceiling asks to cut.
        rows.add(row(s, j, "records/s were every core busy with that CPU (the three processes')", junction,
                r -> r.path("cpuBoundRate").asDouble(Double.NaN), ""));
        rows.add(row(s, j, "the machine's CPU idle during the sync", junction, r -> r.path("idleShare").asDouble(Double.NaN), "%"));
        // Pages are fetched and prepared on a helper thread while the one before is written: the writer's wait tells
        // which side bounds the sync (near zero: the writes, that is the database and the commit).
        rows.add(row(s, j, "pages' stages, summed: fetch (request and parse)", junction, r -> r.path("fetchSeconds").asDouble(Double.NaN), "s"));
        rows.add(row(s, j, "pages' stages, summed: prepare (transform, serialise, hash)", junction,
                r -> r.path("prepareSeconds").asDouble(Double.NaN), "s"));
        rows.add(row(s, j, "pages' stages, summed: the writer waiting for the next page", junction,
                r -> r.path("waitSeconds").asDouble(Double.NaN), "s"));
        rows.add(row(s, j, "pages' stages, summed: write (the page's transaction, commit included)", junction,
                r -> r.path("writeSeconds").asDouble(Double.NaN), "s"));
        String c = String.format(Locale.ROOT, "reference: PostgreSQL COPY of the same raw rows, %,d, encoded as they go", Long.parseLong(records));
        rows.add(row(s, c, "records/s", copy, r -> r.get("rate").asDouble(), ""));
        String e = String.format(Locale.ROOT, "reference: PostgreSQL COPY of the same raw rows, %,d, encoded beforehand (the database alone)",
                Long.parseLong(records));
        rows.add(row(s, e, "records/s", copy, r -> r.get("encodedRate").asDouble(), ""));
        rows.add(row(s, e, "CPU of PostgreSQL", copy, r -> r.get("encodedDatabaseCpuSeconds").asDouble(), "s"));
        String n = String.format(Locale.ROOT, "reference: naive autocommit upsert loop, %,d", Long.parseLong(naiveRecords));
        rows.add(row(s, n, "records/s", naive, r -> r.get("rate").asDouble(), ""));
        List<Double> ofCopy = new ArrayList<>();
        List<Double> ofEncoded = new ArrayList<>();
        List<Double> ofNaive = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            ofCopy.add(100 * junction.get(i).get("rate").asDouble() / copy.get(i).get("rate").asDouble());
            ofEncoded.add(100 * junction.get(i).get("rate").asDouble() / copy.get(i).get("encodedRate").asDouble());
            ofNaive.add(junction.get(i).get("rate").asDouble() / naive.get(i).get("rate").asDouble());
        }
        rows.add(new Row(s, "Junction vs references (per run)", "share of COPY rate (rows encoded as they go)", ofCopy, "%"));
        rows.add(new Row(s, "Junction vs references (per run)", "share of COPY rate (rows encoded beforehand)", ofEncoded, "%"));
        rows.add(new Row(s, "Junction vs references (per run)", "times the naive loop", ofNaive, "x"));
    }

    private void resync() throws Exception {
        int runs = option("runs");
        String records = options.get("records");
        List<JsonNode> results = new ArrayList<>();
        for (int run = 1; run <= runs; run++) {
            System.out.printf(Locale.ROOT, "%n[2] re-sync and incremental, run %d of %d%n", run, runs);
            results.add(measure(List.of(), "resync", "--records", records, "--changed-share", "0.01"));
        }
        String s = "2 re-sync";
        for (String phase : List.of("resync", "incremental")) {
            String label = phase.equals("resync")
                    ? String.format(Locale.ROOT, "full re-sync of %,d contacts, nothing changed", Long.parseLong(records))
                    : String.format(Locale.ROOT, "incremental sync, 1%% of %,d changed", Long.parseLong(records));
            rows.add(row(s, label, "time", results, r -> r.get(phase + "Seconds").asDouble(), "s"));
            rows.add(row(s, label, "requests sent", results, r -> r.get(phase + "Requests").asDouble(), ""));
            rows.add(row(s, label, "records changed", results, r -> r.get(phase + "Changed").asDouble(), ""));
            rows.add(row(s, label, "rows written (all tables)", results, r -> r.get(phase + "RowsWritten").asDouble(), ""));
        }
    }

    private void memory() throws Exception {
        int runs = option("runs");
        int largeRuns = option("large-runs");
        String s = "3 memory";
        List<JsonNode> small = new ArrayList<>();
        List<JsonNode> large = new ArrayList<>();
        List<JsonNode> tiny = new ArrayList<>();
        List<JsonNode> roomy = new ArrayList<>();
        String records = options.get("records");
        long large1 = Long.parseLong(options.get("large-records"));
        String hundredK = Long.toString(large1 / 10);
        for (int run = 1; run <= runs; run++) {
            System.out.printf(Locale.ROOT, "%n[3] memory, run %d of %d%n", run, runs);
            tiny.add(measure(List.of("-Xmx64m"), "junction", "--records", records));
            roomy.add(measure(List.of("-Xmx2g"), "junction", "--records", records));
            small.add(measure(List.of("-Xmx256m"), "junction", "--records", hundredK));
        }
        for (int run = 1; run <= largeRuns; run++) {
            System.out.printf(Locale.ROOT, "%n[3] memory, %,d records, run %d of %d%n", large1, run, largeRuns);
            large.add(measure(List.of("-Xmx256m"), "junction", "--records", Long.toString(large1)));
        }
        for (var entry : List.of(Map.entry(String.format(Locale.ROOT, "%,d contacts, -Xmx256m", Long.parseLong(hundredK)), small),
                Map.entry(String.format(Locale.ROOT, "%,d contacts, -Xmx256m", large1), large))) {
            rows.add(row(s, entry.getKey(), "records/s", entry.getValue(), r -> r.get("rate").asDouble(), ""));
            rows.add(row(s, entry.getKey(), "peak heap after GC", entry.getValue(), r -> r.get("peakHeapAfterGc").asDouble() / MB, "MB"));
            rows.add(row(s, entry.getKey(), "peak heap in use", entry.getValue(), r -> r.get("peakHeapUsed").asDouble() / MB, "MB"));
            rows.add(row(s, entry.getKey(), "peak RSS", entry.getValue(), r -> r.get("peakRss").asDouble() / MB, "MB"));
        }
        String t = String.format(Locale.ROOT, "%,d contacts, -Xmx64m vs -Xmx2g", Long.parseLong(records));
        rows.add(row(s, t, "records/s at -Xmx64m", tiny, r -> r.get("rate").asDouble(), ""));
        rows.add(row(s, t, "records/s at -Xmx2g", roomy, r -> r.get("rate").asDouble(), ""));
        List<Double> loss = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            loss.add(100 * (1 - tiny.get(i).get("rate").asDouble() / roomy.get(i).get("rate").asDouble()));
        }
        rows.add(new Row(s, t, "speed lost at 64 MB (per run pair)", loss, "%"));
    }

    private void rateLimit() throws Exception {
        int runs = option("runs");
        String limit = options.get("rate-limit");
        String window = options.get("window-ms");
        String records = options.get("rate-records");
        List<JsonNode> single = new ArrayList<>();
        List<JsonNode> shared = new ArrayList<>();
        for (int run = 1; run <= runs; run++) {
            System.out.printf(Locale.ROOT, "%n[4] rate limit, run %d of %d%n", run, runs);
            single.add(measure(List.of(), "ratelimit", "--records", records, "--limit", limit, "--window-ms", window,
                    "--entities", "contacts"));
            shared.add(measure(List.of(), "ratelimit", "--records", records, "--limit", limit, "--window-ms", window,
                    "--entities", "contacts,matters"));
        }
        String s = "4 rate limit";
        String budget = limit + " requests per " + window + " ms";
        for (var entry : List.of(Map.entry("one sync (contacts), " + budget, single),
                Map.entry("two syncs at once (contacts + matters, one connection), " + budget, shared))) {
            rows.add(row(s, entry.getKey(), "achieved share of the allowed rate, first to last request", entry.getValue(),
                    r -> 100 * r.path("steadyEfficiency").asDouble(Double.NaN), "%"));
            rows.add(row(s, entry.getKey(), "achieved share of the allowed rate, whole run (start and finish included)",
                    entry.getValue(), r -> 100 * r.get("efficiency").asDouble(), "%"));
            rows.add(row(s, entry.getKey(), "budget used in the windows between the first request's and the last one's",
                    entry.getValue(), r -> 100 * r.path("windowShare").asDouble(Double.NaN), "%"));
            rows.add(row(s, entry.getKey(), "time callers waited in the limiter while their window's budget went unused",
                    entry.getValue(), r -> r.path("limiterHeldSeconds").asDouble(Double.NaN), "s"));
            rows.add(row(s, entry.getKey(), "429 responses", entry.getValue(), r -> r.get("rejected").asDouble(), ""));
            rows.add(row(s, entry.getKey(), "requests", entry.getValue(), r -> r.get("requests").asDouble(), ""));
            rows.add(row(s, entry.getKey(), "time", entry.getValue(), r -> r.get("seconds").asDouble(), "s"));
        }
    }

    private void webhookIngest() throws Exception {
        int runs = option("runs");
        String count = options.get("webhooks");
        String concurrency = options.get("webhook-concurrency");
        String maxWarmup = options.get("webhook-max-warmup-seconds");
        List<JsonNode> grouped = new ArrayList<>();
        List<JsonNode> single = new ArrayList<>();
        for (int run = 1; run <= runs; run++) {
            System.out.printf(Locale.ROOT, "%n[5] webhook ingest, run %d of %d%n", run, runs);
            grouped.add(measure(List.of(), "webhooks", "--count", count, "--concurrency", concurrency, "--max-warmup-seconds", maxWarmup,
                    "--max-batch", "256"));
            single.add(measure(List.of(), "webhooks", "--count", count, "--concurrency", concurrency, "--max-warmup-seconds", maxWarmup,
                    "--max-batch", "1"));
        }
        String s = "5 webhook ingest";
        String suffix = String.format(Locale.ROOT, ", %,d signed Clio webhooks measured once the server is warm, %s keep-alive "
                + "clients in another JVM, hub-server, PostgreSQL", Long.parseLong(count), concurrency);
        for (var entry : List.of(Map.entry("Junction, group commit (up to 256 per commit)" + suffix, grouped),
                Map.entry("reference: one commit per webhook" + suffix, single))) {
            rows.add(row(s, entry.getKey(), "accepted/s", entry.getValue(), r -> r.get("rate").asDouble(), ""));
            rows.add(row(s, entry.getKey(), "p50 latency to the 2xx", entry.getValue(), r -> r.get("p50Ms").asDouble(), "ms"));
            rows.add(row(s, entry.getKey(), "p99 latency to the 2xx", entry.getValue(), r -> r.get("p99Ms").asDouble(), "ms"));
            rows.add(row(s, entry.getKey(), "max latency to the 2xx", entry.getValue(), r -> r.get("maxMs").asDouble(), "ms"));
            rows.add(row(s, entry.getKey(), "warm-up before measuring (until the JIT compiler settled or the limit), webhooks", entry.getValue(),
                    r -> r.get("warmupWebhooks").asDouble(), ""));
            rows.add(row(s, entry.getKey(), "warm-up before measuring, time", entry.getValue(), r -> r.get("warmupSeconds").asDouble(), "s"));
            rows.add(row(s, entry.getKey(), "JIT compilation during the measured window", entry.getValue(),
                    r -> r.get("jitSeconds").asDouble(), "s"));
            rows.add(row(s, entry.getKey(), "CPU taken by the hypervisor (steal) during the measured window", entry.getValue(),
                    r -> r.path("stolenSeconds").asDouble(Double.NaN), "s"));
            rows.add(row(s, entry.getKey(), "CPU per webhook, receiving JVM (hub-server, apply worker, Clio sandbox)", entry.getValue(),
                    r -> perWebhook(r, "cpuSeconds"), "us"));
            rows.add(row(s, entry.getKey(), "  of which HTTP threads (route, verification, waiting for the commit)", entry.getValue(),
                    r -> perWebhook(r, "httpCpuSeconds"), "us"));
            rows.add(row(s, entry.getKey(), "  of which the group-commit writer", entry.getValue(), r -> perWebhook(r, "writerCpuSeconds"), "us"));
            rows.add(row(s, entry.getKey(), "  of which the apply worker and the sandbox it refetches from", entry.getValue(),
                    r -> perWebhook(r, "applyCpuSeconds"), "us"));
            rows.add(row(s, entry.getKey(), "  of which JIT, GC and other non-Java threads", entry.getValue(),
                    r -> perWebhook(r, "otherCpuSeconds"), "us"));
            rows.add(row(s, entry.getKey(), "  of which other Java threads (the JDK HTTP servers' dispatchers, pool housekeeping)",
                    entry.getValue(), r -> perWebhook(r, "cpuSeconds") - perWebhook(r, "httpCpuSeconds") - perWebhook(r, "writerCpuSeconds")
                            - perWebhook(r, "applyCpuSeconds") - perWebhook(r, "otherCpuSeconds"), "us"));
            rows.add(row(s, entry.getKey(), "CPU per webhook, load generator JVM (sends and reads; the measured requests were signed beforehand)", entry.getValue(),
                    r -> perWebhook(r, "loadCpuSeconds"), "us"));
            rows.add(row(s, entry.getKey(), "CPU per webhook, the hub's PostgreSQL backends (receipt and apply)", entry.getValue(),
                    r -> perWebhook(r, "postgresCpuSeconds"), "us"));
            rows.add(row(s, entry.getKey(), "inbox entries applied during the measured window (the worker defers to receipt)",
                    entry.getValue(), r -> r.path("appliedInWindow").asDouble(Double.NaN), ""));
            rows.add(row(s, entry.getKey(), "events applied per second once the load stopped (refetch from the sandbox, transform, store)",
                    entry.getValue(), r -> r.get("applyRate").asDouble(), ""));
            rows.add(row(s, entry.getKey(), "  CPU per applied event, receiving JVM (with the sandbox serving the refetch)",
                    entry.getValue(), r -> r.get("applyCpuPerEventUs").asDouble(), "us"));
            rows.add(row(s, entry.getKey(), "  CPU per applied event, PostgreSQL", entry.getValue(),
                    r -> r.path("applyPostgresPerEventUs").asDouble(Double.NaN), "us"));
        }
        notes.add("Scenario 5: after every run the inbox held each posted event (warm-up included) exactly once (checked, or the run fails).");
    }

    private static double perWebhook(JsonNode result, String cpuField) {
        return 1e6 * result.path(cpuField).asDouble(Double.NaN) / result.get("webhooks").asDouble();
    }

    private void manyTenants() throws Exception {
        List<JsonNode> results = new ArrayList<>();
        for (int run = 1; run <= option("runs"); run++) {
            System.out.printf(Locale.ROOT, "%n[6] many tenants, run %d of %d%n", run, option("runs"));
            results.add(measure(List.of(), "tenants", ManyTenantsScenario.args(options)));
        }
        rows.addAll(ManyTenantsScenario.rows(results, options));
    }

    // ---------------------------------------------------------------- running and reporting

    private static Row row(String scenario, String measurement, String metric, List<JsonNode> results, ToDoubleFunction<JsonNode> value,
            String unit) {
        return new Row(scenario, measurement, metric, results.stream().map(value::applyAsDouble).toList(), unit);
    }

    /** Runs one measurement in a fresh JVM and returns its result. */
    private JsonNode measure(List<String> jvmArgs, String kind, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmArgs);
        for (String extra : options.get("jvm-args").trim().split("\\s+")) {
            if (!extra.isBlank()) command.add(extra.replace("{kind}", kind));
        }
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(Worker.class.getName());
        command.add(kind);
        command.addAll(List.of(args));
        System.out.printf(Locale.ROOT, "  %s %s %s%n", kind, String.join(" ", jvmArgs), String.join(" ", args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        JsonNode result = null;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                if (line.startsWith(Worker.RESULT_PREFIX)) {
                    result = JSON.readTree(line.substring(Worker.RESULT_PREFIX.length()));
                } else {
                    System.out.println("    | " + line);
                }
            }
        }
        int exit = process.waitFor();
        if (exit != 0 || result == null) {
            throw new IllegalStateException(kind + " measurement failed (exit " + exit + ")");
        }
        System.out.println("    -> " + result);
        return result;
    }

    private void report() throws IOException {
        StringBuilder md = new StringBuilder();
        md.append("| scenario | measurement | metric | median | min | max | runs |\n");
        md.append("|---|---|---|---:|---:|---:|---:|\n");
        StringBuilder csv = new StringBuilder("scenario,measurement,metric,unit,median,min,max,runs\n");
        for (Row row : rows) {
            md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %d |%n", row.scenario(), row.measurement(), row.metric(),
                    format(row.median(), row.unit()), format(row.min(), row.unit()), format(row.max(), row.unit()), row.values().size()));
            csv.append(String.format(Locale.ROOT, "\"%s\",\"%s\",\"%s\",%s,%.3f,%.3f,%.3f,%d%n", row.scenario(), row.measurement(),
                    row.metric(), row.unit(), row.median(), row.min(), row.max(), row.values().size()));
        }
        for (String note : notes) {
            md.append("\n").append(note).append("\n");
        }
        String header = String.format(Locale.ROOT, "Measured %s, JVM %s, %d processors, options %s.%n%n", Instant.now(),
                Runtime.version(), Runtime.getRuntime().availableProcessors(), options);
        System.out.println();
        System.out.println(md);
        Path out = Path.of(options.get("out"));
        Files.createDirectories(out);
        Files.writeString(out.resolve("latest.md"), header + md);
        Files.writeString(out.resolve("latest.csv"), csv);
        System.out.println("written to " + out.resolve("latest.md") + " and " + out.resolve("latest.csv"));
    }

    private static String format(double value, String unit) {
        if (Double.isNaN(value)) return "-";
        String number = Math.abs(value) >= 100 || unit.isEmpty() && value == Math.rint(value)
                ? String.format(Locale.ROOT, "%,.0f", value) : String.format(Locale.ROOT, "%,.1f", value);
        return unit.isEmpty() ? number : number + " " + unit;
    }
}
