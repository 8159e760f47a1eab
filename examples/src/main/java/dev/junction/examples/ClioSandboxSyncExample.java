package dev.junction.examples;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.junction.core.ChangeEvent;
import dev.junction.core.ChangePage;
import dev.junction.core.Connection;
import dev.junction.core.EntitySyncStats;
import dev.junction.core.Hub;
import dev.junction.core.NewConnection;
import dev.junction.core.OAuthStart;
import dev.junction.core.RecordQuery;
import dev.junction.core.StoredRecord;
import dev.junction.core.SyncHandle;
import dev.junction.core.SyncMode;
import dev.junction.core.SyncProgress;
import dev.junction.core.SyncRequest;
import dev.junction.core.SyncRun;
import dev.junction.core.SyncStatus;
import dev.junction.core.crypto.SecretCipher;
import dev.junction.core.model.Contact;
import dev.junction.core.model.UnifiedType;
import dev.junction.core.spi.EntityType;
import dev.junction.core.spi.RateLimitPolicy;
import dev.junction.core.spi.Settings;
import dev.junction.provider.clio.ClioProvider;
import dev.junction.provider.clio.sandbox.ClioEntity;
import dev.junction.provider.clio.sandbox.ClioSandbox;
import dev.junction.sandbox.SandboxJson;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Junction's main job, end to end, with nothing to set up: starts the Clio sandbox on loopback, opens a hub on the
 * embedded database in a data directory, connects a tenant to "Clio" through the real OAuth authorization-code
 * flow, runs a full sync while printing progress, changes some contacts in the sandbox, runs an incremental sync
 * and a full pass of contacts (Clio's API does not list deletions, so a full pass's sweep finds them), checks that
 * the store holds exactly the sandbox's records, and prints what it did.
 *
 * <p>Run it with {@code mvn -B -q -Prun-example package} from the repository root (README, "Quick start"), or
 * with {@code java -cp ... dev.junction.examples.ClioSandboxSyncExample --help}. Exit code 0 when every sync
 * succeeded and the store matches the sandbox, 1 otherwise, 2 for bad arguments. A re-run on the same data
 * directory removes the previous run's connection (the sandbox is new each run) and starts over.
 */
public final class ClioSandboxSyncExample {

    /** The tenant the example connects. */
    public static final String TENANT = "demo-law-firm";
    /** Entities left out of the example's syncs (none: every Clio entity syncs against the sandbox). */
    static final Set<String> SKIPPED_ENTITIES = Set.of();
    static final int CREATED = 3;
    static final int UPDATED = 5;
    static final int DELETED = 2;

    private final Options options;
    private final PrintStream out;

    public ClioSandboxSyncExample(Options options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    public static void main(String[] args) {
        Options options;
        try {
            options = Options.parse(args, System.getProperties());
        } catch (IllegalArgumentException e) {
            System.out.println("error: " + e.getMessage());
            System.out.println(Options.USAGE);
            System.exit(2);
            return;
        }
        if (options.help()) {
            System.out.println(Options.USAGE);
            System.exit(0);
        }
        int exitCode;
        try {
            Summary summary = new ClioSandboxSyncExample(options, System.out).run();
            exitCode = summary.problems().isEmpty() ? 0 : 1;
        } catch (RuntimeException e) {
            System.out.println();
            System.out.println("FAILED: " + e.getMessage());
            e.printStackTrace(System.out);
            exitCode = 1;
        }
        System.out.flush();
        System.exit(exitCode);
    }

    /** Runs the whole example, printing as it goes, and returns what happened (problems are listed, not thrown). */
    public Summary run() {
        long started = System.nanoTime();
        Path dataDirectory = options.dataDirectory().toAbsolutePath().normalize();
        boolean existing = Files.exists(dataDirectory.resolve("junction.mv.db"));
        String clientId = "junction-example";
        String clientSecret = randomHex(16);
        String encryptionKey = System.getenv().getOrDefault("JUNCTION_ENCRYPTION_KEY", SecretCipher.generateKey());
        Map<ClioEntity, Long> counts = sandboxCounts(options.contacts());

        out.println("Junction example: sync the Clio sandbox into the embedded database");
        out.printf(Locale.ROOT, "  data directory  %s (%s)%n", dataDirectory,
                existing ? "existing embedded database from an earlier run" : "new embedded database");

        try (Hub hub = Hub.builder()
                .withDataDirectory(dataDirectory)
                .withEncryptionKey("k1", encryptionKey)
                .withProvider(new ClioProvider(), Settings.of(ClioProvider.CLIENT_ID, clientId, ClioProvider.CLIENT_SECRET, clientSecret))
                .withRateLimit(ClioProvider.ID, options.rateLimit().policy())
                .build();
                OAuthCallbackServer callback = OAuthCallbackServer.start(hub::completeOAuth);
                ClioSandbox clio = startSandbox(counts, clientId, clientSecret, callback.redirectUri())) {

            out.printf(Locale.ROOT, "  Clio sandbox    %s with %s%n", clio.baseUrl(), describe(counts));
            out.printf(Locale.ROOT, "  rate limit      %s%n", options.rateLimit().description());
            for (Connection old : hub.listConnections(TENANT)) {
                hub.deleteConnection(TENANT, old.id());
                out.printf(Locale.ROOT, "  removed the earlier run's connection %s and its records (that sandbox is gone)%n", old.id());
            }

            out.println();
            out.println("Connecting the tenant '" + TENANT + "' to Clio (OAuth 2.0 authorization code)");
            Connection connection = hub.createConnection(NewConnection.of(TENANT, ClioProvider.ID)
                    .withDisplayName("Clio sandbox")
                    .withSetting(ClioProvider.REGION, "us")
                    .withSetting(ClioProvider.BASE_URL, clio.baseUrl()));
            OAuthStart start = hub.startOAuth(TENANT, connection.id(), callback.redirectUri());
            out.println("  authorize URL   " + redact(start.authorizeUrl()));
            connection = callback.authorizeInBrowser(start.authorizeUrl(), Duration.ofSeconds(30));
            out.println("  callback        " + callback.lastCallback().map(uri -> redact(uri.toString())).orElse("?"));
            out.printf(Locale.ROOT, "  connection      %s is %s (tokens encrypted at rest)%n", connection.id(), connection.status());
            String connectionId = connection.id();

            List<String> entities = hub.provider(ClioProvider.ID).entityTypes().stream().map(EntityType::name)
                    .filter(name -> !SKIPPED_ENTITIES.contains(name)).toList();
            out.println();
            out.println("Full sync of " + entities.size() + " entities");
            RunReport full = watch(hub.startSync(TENANT, connectionId, new SyncRequest(SyncMode.FULL, entities)));

            Mutations mutations = mutate(clio);
            out.println();
            out.printf(Locale.ROOT, "Changed the sandbox: created contacts %s, updated %s, deleted %s%n",
                    mutations.created(), mutations.updated(), mutations.deleted());

            out.println();
            out.println("Incremental sync (updated_since the last run, minus a 5-minute lookback)");
            RunReport incremental = watch(hub.startSync(TENANT, connectionId, new SyncRequest(SyncMode.INCREMENTAL, entities)));

            out.println();
            out.println("Full pass of contacts: Clio's API does not list deleted records, so the sweep finds them");
            RunReport sweep = watch(hub.startSync(TENANT, connectionId, SyncRequest.full().only("contacts")));

            Map<String, Long> stored = new LinkedHashMap<>();
            List<String> problems = new ArrayList<>();
            for (RunReport report : List.of(full, incremental, sweep)) {
                if (report.run().status() != SyncStatus.SUCCEEDED) {
                    problems.add(report.run().mode() + " sync ended " + report.run().status()
                            + (report.run().error() == null ? "" : ": " + report.run().error()));
                }
            }
            checkCounts(incremental.run(), sweep.run(), problems);
            for (String entity : entities) {
                List<String> ids = hub.liveIds(TENANT, connectionId, entity);
                stored.put(entity, (long) ids.size());
                Set<String> expected = sandboxEntity(entity).map(sandboxEntity -> clio.liveIds(sandboxEntity).stream()
                        .map(String::valueOf).collect(Collectors.toCollection(LinkedHashSet::new))).orElse(new LinkedHashSet<>());
                if (!new LinkedHashSet<>(ids).equals(expected)) {
                    problems.add(entity + ": Junction holds " + ids.size() + " live records, the sandbox " + expected.size()
                            + " (ids differ)");
                }
            }
            long storedTotal = stored.values().stream().mapToLong(Long::longValue).sum();
            out.println();
            out.printf(Locale.ROOT, "Store vs sandbox: %s%n", problems.isEmpty()
                    ? String.format(Locale.ROOT, "identical ids for all %d entities synced (%,d live records)", stored.size(), storedTotal)
                    : "DIFFERENT");

            List<StoredRecord<Contact>> sample = new ArrayList<>();
            for (long id : mutations.created()) {
                hub.getRecord(TENANT, connectionId, Contact.class, Long.toString(id)).ifPresent(sample::add);
            }
            sample.addAll(hub.query(RecordQuery.of(TENANT, UnifiedType.CONTACT).withConnection(connectionId)
                    .withText("garcia").withLimit(3), Contact.class).items());
            out.println();
            out.println("Some unified contacts (hub.getRecord, and hub.query with text \"garcia\"):");
            for (StoredRecord<Contact> record : sample) {
                Contact contact = record.record();
                out.printf(Locale.ROOT, "  %-6s %-8s %-26s %-34s client=%-5s updated %s%n", contact.externalId(), contact.kind(),
                        contact.name(), contact.email(), contact.client(), contact.updatedAt());
            }

            Map<String, Long> feed = changeFeed(hub, connectionId);
            long feedTotal = feed.values().stream().mapToLong(Long::longValue).sum();
            out.println();
            out.printf(Locale.ROOT, "Change feed for this connection: %,d events %s%n", feedTotal, feed);

            Duration total = Duration.ofNanos(System.nanoTime() - started);
            Summary summary = new Summary(dataDirectory, existing, connectionId, counts, full, mutations, incremental, sweep,
                    stored, sample, feed, problems, total);
            out.println();
            if (problems.isEmpty()) {
                out.printf(Locale.ROOT, "OK in %.1f s. The database stays in %s; run again to start over with a new sandbox.%n",
                        total.toMillis() / 1000.0, dataDirectory);
            } else {
                out.println("FAILED:");
                problems.forEach(problem -> out.println("  - " + problem));
            }
            return summary;
        }
    }

    private ClioSandbox startSandbox(Map<ClioEntity, Long> counts, String clientId, String clientSecret, String redirectUri) {
        ClioSandbox.Builder builder = ClioSandbox.builder()
                .withSeed(options.seed())
                .withOAuthClient(clientId, clientSecret, redirectUri)
                .withRateLimit(options.rateLimit().requests(), options.rateLimit().window());
        counts.forEach(builder::withRecordCount);
        return builder.start();
    }

    /** Contacts as asked, the other entities in the proportions of Clio's sandbox defaults (50 contacts, 20 matters...). */
    static Map<ClioEntity, Long> sandboxCounts(long contacts) {
        Map<ClioEntity, Long> counts = new LinkedHashMap<>();
        counts.put(ClioEntity.USERS, Math.max(5, contacts / 100));
        counts.put(ClioEntity.CUSTOM_FIELDS, 6L);
        counts.put(ClioEntity.CONTACTS, contacts);
        for (ClioEntity entity : List.of(ClioEntity.MATTERS, ClioEntity.TASKS, ClioEntity.ACTIVITIES,
                ClioEntity.CALENDAR_ENTRIES, ClioEntity.BILLS)) {
            counts.put(entity, contacts * entity.defaultCount() / ClioEntity.CONTACTS.defaultCount());
        }
        return counts;
    }

    private Mutations mutate(ClioSandbox clio) {
        List<Long> created = new ArrayList<>();
        String[][] people = {{"Ada", "Lovelace"}, {"Grace", "Hopper"}, {"Katherine", "Johnson"}};
        for (int i = 0; i < CREATED; i++) {
            ObjectNode fields = SandboxJson.object()
                    .put("type", "Person")
                    .put("first_name", people[i][0])
                    .put("last_name", people[i][1])
                    .put("name", people[i][0] + " " + people[i][1])
                    .put("primary_email_address", people[i][0].toLowerCase(Locale.ROOT) + "@example.org");
            created.add(clio.createRecord(ClioEntity.CONTACTS, fields).id());
        }
        List<Long> updated = clio.updateRandom(ClioEntity.CONTACTS, UPDATED);
        List<Long> deleted = clio.liveIds(ClioEntity.CONTACTS).stream()
                .filter(id -> !updated.contains(id) && !created.contains(id))
                .skip(clio.recordCount(ClioEntity.CONTACTS) / 2)
                .limit(DELETED)
                .toList();
        deleted.forEach(id -> clio.deleteRecord(ClioEntity.CONTACTS, id));
        return new Mutations(created, updated, deleted);
    }

    /** The example checks itself: the incremental sync must see exactly the creates and updates, the sweep the deletes. */
    private static void checkCounts(SyncRun incremental, SyncRun sweep, List<String> problems) {
        EntitySyncStats contacts = incremental.entity("contacts").orElse(null);
        if (contacts == null || contacts.added() != CREATED || contacts.updated() != UPDATED) {
            problems.add("the incremental sync should add " + CREATED + " and update " + UPDATED + " contacts, but did "
                    + (contacts == null ? "nothing" : contacts.added() + " and " + contacts.updated()));
        }
        long deleted = sweep.entity("contacts").map(EntitySyncStats::deleted).orElse(0L);
        if (deleted != DELETED) {
            problems.add("the full pass should mark " + DELETED + " contacts deleted, but marked " + deleted);
        }
    }

    private RunReport watch(SyncHandle handle) {
        long started = System.nanoTime();
        long printed = -1;
        long nextPrint = started + 1_000_000_000L;
        while (!handle.done()) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                handle.cancel();
                throw new IllegalStateException("interrupted", e);
            }
            if (System.nanoTime() >= nextPrint && !handle.done()) {
                SyncProgress progress = handle.progress();
                if (progress.records() != printed) {
                    out.printf(Locale.ROOT, "  [%5.1f s] %-17s %,9d records %,7.0f records/s, %5.1f s waiting for the rate limit%n",
                            progress.elapsed().toMillis() / 1000.0,
                            progress.currentEntity() == null ? "" : progress.currentEntity(), progress.records(),
                            progress.recordsPerSecond(), progress.rateLimitWait().toMillis() / 1000.0);
                    printed = progress.records();
                }
                nextPrint += 1_000_000_000L;
            }
        }
        SyncRun run = handle.await();
        Duration duration = Duration.ofNanos(System.nanoTime() - started);
        RunReport report = new RunReport(run, duration);
        printTable(report);
        return report;
    }

    private void printTable(RunReport report) {
        String format = "  %-17s %-9s %6s %8s %8s %9s %8s %7s %9s%n";
        out.printf(Locale.ROOT, format, "entity", "status", "pages", "added", "updated", "unchanged", "deleted", "failed", "waited");
        for (EntitySyncStats stats : report.run().entities()) {
            out.printf(Locale.ROOT, format, stats.entity(), stats.status(), number(stats.pages()), number(stats.added()),
                    number(stats.updated()), number(stats.unchanged()), number(stats.deleted()), number(stats.failed()),
                    String.format(Locale.ROOT, "%.1f s", stats.rateLimitWait().toMillis() / 1000.0));
            if (stats.error() != null) {
                out.println("      " + stats.error());
            }
        }
        SyncRun run = report.run();
        out.printf(Locale.ROOT, format, "total", run.status(), number(run.total(EntitySyncStats::pages)),
                number(run.total(EntitySyncStats::added)), number(run.total(EntitySyncStats::updated)),
                number(run.total(EntitySyncStats::unchanged)), number(run.total(EntitySyncStats::deleted)),
                number(run.total(EntitySyncStats::failed)), String.format(Locale.ROOT, "%.1f s",
                        run.total(stats -> stats.rateLimitWait().toMillis()) / 1000.0));
        out.printf(Locale.ROOT, "  %,d records in %.1f s = %,.0f records/s%n", report.records(),
                report.duration().toMillis() / 1000.0, report.recordsPerSecond());
    }

    private static Map<String, Long> changeFeed(Hub hub, String connectionId) {
        Map<String, Long> byOperation = new TreeMap<>();
        long cursor = 0;
        while (true) {
            ChangePage page = hub.changes(TENANT, cursor, connectionId, 1000);
            if (page.events().isEmpty()) {
                return byOperation;
            }
            for (ChangeEvent event : page.events()) {
                byOperation.merge(event.operation(), 1L, Long::sum);
            }
            cursor = page.nextCursor();
        }
    }

    private static java.util.Optional<ClioEntity> sandboxEntity(String name) {
        return Arrays.stream(ClioEntity.values()).filter(entity -> entity.path().equals(name)).findFirst();
    }

    private static String describe(Map<ClioEntity, Long> counts) {
        return counts.entrySet().stream()
                .map(entry -> String.format(Locale.ROOT, "%,d %s", entry.getValue(), entry.getKey().path()))
                .collect(Collectors.joining(", "));
    }

    /** Codes and states are one-time secrets: show only their start. */
    private static String redact(String url) {
        return url.replaceAll("((?:code|state)=[^&]{6})[^&]*", "$1…");
    }

    private static String number(long value) {
        return String.format(Locale.ROOT, "%,d", value);
    }

    private static String randomHex(int bytes) {
        byte[] buffer = new byte[bytes];
        new SecureRandom().nextBytes(buffer);
        return HexFormat.of().formatHex(buffer);
    }

    /** One sync run as watched: the stored run and how long the caller waited for it. */
    public record RunReport(SyncRun run, Duration duration) {

        /** Records the run processed (added, updated, unchanged and failed, every entity). */
        public long records() {
            return run.total(EntitySyncStats::records);
        }

        public double recordsPerSecond() {
            return records() / Math.max(duration.toMillis() / 1000.0, 0.001);
        }
    }

    /** What the example changed in the sandbox between the full and the incremental sync (contact ids). */
    public record Mutations(List<Long> created, List<Long> updated, List<Long> deleted) {}

    /**
     * What the example did.
     *
     * @param existingDatabase whether the data directory held a database from an earlier run
     * @param storedLiveRecords live records in Junction at the end, by entity
     * @param changeFeed this connection's change events by operation
     * @param problems why the run failed; empty on success
     */
    public record Summary(Path dataDirectory, boolean existingDatabase, String connectionId, Map<ClioEntity, Long> sandboxCounts,
            RunReport fullSync, Mutations mutations, RunReport incrementalSync, RunReport deletionSweep,
            Map<String, Long> storedLiveRecords, List<StoredRecord<Contact>> sampleContacts, Map<String, Long> changeFeed,
            List<String> problems, Duration duration) {

        public long changeFeedLength() {
            return changeFeed.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /** A request budget for both the sandbox and the hub: {@code requests} per {@code window}, or none. */
    public record RateLimit(int requests, Duration window) {

        /** Clio's published limit, 50 requests a minute per token. */
        public static final RateLimit CLIO = new RateLimit(50, Duration.ofSeconds(60));
        /** Clio's 50 requests with the window scaled down from a minute to five seconds, so the demo is short. */
        public static final RateLimit DEMO = new RateLimit(50, Duration.ofSeconds(5));
        public static final RateLimit NONE = new RateLimit(Integer.MAX_VALUE, Duration.ofSeconds(1));

        /** {@code clio}, {@code none}, or {@code <requests>/<seconds>s} such as {@code 50/5s}. */
        public static RateLimit parse(String value) {
            String text = value.trim().toLowerCase(Locale.ROOT);
            if (text.equals("clio")) return CLIO;
            if (text.equals("none")) return NONE;
            String[] parts = text.split("/");
            try {
                if (parts.length == 2) {
                    int requests = Integer.parseInt(parts[0].trim());
                    long seconds = Long.parseLong(parts[1].trim().replaceAll("s$", ""));
                    if (requests > 0 && seconds > 0) {
                        return new RateLimit(requests, Duration.ofSeconds(seconds));
                    }
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new IllegalArgumentException("rate limit must be 'clio', 'none' or like '50/5s', not '" + value + "'");
        }

        RateLimitPolicy policy() {
            RateLimitPolicy clio = new ClioProvider().rateLimitPolicy();
            return this.equals(NONE) ? RateLimitPolicy.UNLIMITED : clio.withBudget(requests, window);
        }

        String description() {
            if (equals(NONE)) return "none (sandbox and hub)";
            String text = String.format(Locale.ROOT, "%d requests per %d s", requests, window.toSeconds());
            if (equals(CLIO)) return text + ", Clio's published limit";
            if (equals(DEMO)) return text + " (Clio allows 50 per 60 s; the window is scaled down so the demo is short;"
                    + " --rate-limit clio for the real one)";
            return text;
        }
    }

    /**
     * The example's settings, from arguments ({@code --contacts 5000}) or, when absent, system properties
     * ({@code -Dexample.contacts=5000}).
     */
    public record Options(long contacts, Path dataDirectory, RateLimit rateLimit, long seed, boolean help) {

        static final String USAGE = """
                usage: ClioSandboxSyncExample [--contacts N] [--data-dir PATH] [--rate-limit clio|none|R/Ns] [--seed N]
                  --contacts N       contacts in the sandbox (default 2000); other entities in proportion
                  --data-dir PATH    embedded database directory (default data/example)
                  --rate-limit L     request budget of the sandbox and the hub: 'clio' (50/60s), 'none', or like
                                     '50/5s' (the default: Clio's 50 requests, window scaled down to 5 seconds)
                  --seed N           sandbox data seed (default 42)
                each also reads a system property: example.contacts, example.dataDir, example.rateLimit, example.seed""";

        public static Options defaults() {
            return new Options(2_000, Path.of("data", "example"), RateLimit.DEMO, 42, false);
        }

        public Options withContacts(long value) {
            return new Options(value, dataDirectory, rateLimit, seed, help);
        }

        public Options withDataDirectory(Path value) {
            return new Options(contacts, value, rateLimit, seed, help);
        }

        public Options withRateLimit(RateLimit value) {
            return new Options(contacts, dataDirectory, value, seed, help);
        }

        static Options parse(String[] args, java.util.Properties properties) {
            Map<String, String> values = new LinkedHashMap<>();
            values.put("contacts", properties.getProperty("example.contacts"));
            values.put("data-dir", properties.getProperty("example.dataDir"));
            values.put("rate-limit", properties.getProperty("example.rateLimit"));
            values.put("seed", properties.getProperty("example.seed"));
            boolean help = false;
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                if (arg.isBlank()) continue;
                if (arg.equals("--help") || arg.equals("-h")) {
                    help = true;
                    continue;
                }
                String name = arg.replaceFirst("^--?", "");
                String value = null;
                int equals = name.indexOf('=');
                if (equals >= 0) {
                    value = name.substring(equals + 1);
                    name = name.substring(0, equals);
                } else if (i + 1 < args.length) {
                    value = args[++i];
                }
                if (!values.containsKey(name) || !arg.startsWith("-")) {
                    throw new IllegalArgumentException("unknown argument '" + arg + "'");
                }
                if (value == null) {
                    throw new IllegalArgumentException("--" + name + " needs a value");
                }
                values.put(name, value);
            }
            Options defaults = defaults();
            try {
                long contacts = values.get("contacts") == null ? defaults.contacts() : Long.parseLong(values.get("contacts").replace("_", ""));
                long seed = values.get("seed") == null ? defaults.seed() : Long.parseLong(values.get("seed"));
                if (contacts < 10) {
                    throw new IllegalArgumentException("--contacts must be at least 10");
                }
                return new Options(contacts,
                        values.get("data-dir") == null ? defaults.dataDirectory() : Path.of(values.get("data-dir")),
                        values.get("rate-limit") == null ? defaults.rateLimit() : RateLimit.parse(values.get("rate-limit")),
                        seed, help);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not a number: " + e.getMessage());
            }
        }
    }
}
