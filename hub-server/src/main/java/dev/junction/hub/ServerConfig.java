package dev.junction.hub;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;

/**
 * hub-server's settings, read from environment variables ({@code JUNCTION_HTTP_PORT}) and an optional properties file
 * ({@code http.port=...}); the environment wins over the file. {@link #SETTINGS} documents every setting and its
 * default (the README's table is written from it).
 *
 * <p>Provider settings are {@code JUNCTION_PROVIDER_<ID>_<SETTING>} ({@code provider.<id>.<setting>} in the file),
 * such as {@code JUNCTION_PROVIDER_CLIO_CLIENT_ID}.
 *
 * <p>Immutable and thread-safe.
 */
public final class ServerConfig {

    /** One documented setting. */
    public record Setting(String key, String defaultValue, String description) {
        public String environmentName() {
            return "JUNCTION_" + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
        }
    }

    public static final List<Setting> SETTINGS = List.of(
            new Setting("mode", "development", "`development` or `production`. Production refuses to start without an encryption key and an admin key"),
            new Setting("http.host", "0.0.0.0", "the interface to listen on"),
            new Setting("http.port", "8080", "the port to listen on (0 picks a free one)"),
            new Setting("public.url", "http://localhost:<port>", "the URL clients and providers reach this server at; OAuth redirect URIs and webhook callbacks are built from it"),
            new Setting("data.dir", "./data", "the embedded database's directory, and where generated keys are kept"),
            new Setting("database.url", "(none: embedded database)", "a PostgreSQL JDBC URL, such as `jdbc:postgresql://db:5432/junction`"),
            new Setting("database.user", "postgres", "the PostgreSQL user"),
            new Setting("database.password", "(empty)", "the PostgreSQL password"),
            new Setting("database.pool-size", "10", "the PostgreSQL connection pool's size"),
            new Setting("encryption.key", "(generated in development)", "base64 AES-256 key that encrypts tokens and secrets at rest (`SecretCipher.generateKey()`, or `openssl rand -base64 32`)"),
            new Setting("encryption.key-id", "k1", "the id stored with each ciphertext, for key rotation"),
            new Setting("admin.key", "(generated in development)", "the bearer key for the admin endpoints (tenants and their API keys)"),
            new Setting("http.max-body-bytes", "1048576", "request bodies larger than this are refused with 413"),
            new Setting("sync.threads", "4", "sync worker threads"),
            new Setting("outbound.poll-interval", "5s", "how often this process sends due outbound webhooks (`500ms`, `5s`, `1m`); `0` turns the poller off. Several processes may poll one database"),
            new Setting("outbound.retry-base", "30s", "the first retry delay of a failed outbound delivery; each further retry doubles it (±20 % jitter, at most 1 h)"),
            new Setting("outbound.max-attempts", "8", "attempts of an outbound delivery before it is marked `failed` (redeliverable)"),
            new Setting("outbound.timeout", "10s", "connect and answer timeout of one outbound delivery"),
            new Setting("outbound.allow-private-urls", "false", "`true` lets outbound webhook URLs point at loopback or private addresses in production (development always allows them)"),
            new Setting("node.name", "<host>-<pid>", "this process's name in the scheduler's table and in sync leases; unique per node"),
            new Setting("scheduler.enabled", "true", "run scheduled work on this node (syncs, maintenance); `false` makes an API-only node that still writes schedules"),
            new Setting("sync.interval", "15m", "default interval of a connection's scheduled incremental sync (`30s`, `15m`, `2h`; per connection over the API)"),
            new Setting("sync.retry-delay", "30s", "first retry after a failed or contended scheduled sync; doubles per failure, capped at the interval"),
            new Setting("sync.lease", "2m", "how long a sync's (connection, entity) lease lasts without renewal; a dead node's entities are taken over after it"),
            new Setting("scheduler.poll-interval", "10s", "how often each node looks for due work"),
            new Setting("scheduler.heartbeat", "30s", "how often a node marks its running executions alive"),
            new Setting("scheduler.missed-heartbeats", "6", "missed heartbeats after which an execution counts as dead and is run again by another node"),
            new Setting("scheduler.threads", "(sync.threads)", "scheduled executions one node runs at once"),
            new Setting("maintenance.interval", "30s", "how often one node refreshes expiring tokens, renews webhooks and retries due webhook events"),
            new Setting("token.refresh-ahead", "10m", "the maintenance round refreshes OAuth tokens expiring within this span"),
            new Setting("demo.contacts", "200", "`demo` only: contacts in each sandbox (other entities in proportion)"),
            new Setting("metrics.enabled", "true", "`true` serves Prometheus metrics at `GET /metrics`; `false` turns the endpoint and the meters off"),
            new Setting("metrics.key", "(none: no key)", "when set (at least 16 characters), `/metrics` requires `Authorization: Bearer <metrics.key>`"),
            new Setting("log.format", "text", "`text` (one line per event with the request, tenant, connection and run ids) or `json` (one JSON object per line, ids under `mdc`)"),
            new Setting("demo.exit", "false", "`demo` only: `true` exits after the summary (status 0 when every sync succeeded) instead of serving; also `demo --exit`"),
            new Setting("plugins.dir", "./plugins", "provider plug-in jars: each `*.jar` here loads in a class loader of its own; a broken jar is logged and skipped"));

    private final Map<String, String> values;
    private final Map<String, String> providerValues;

    private ServerConfig(Map<String, String> values, Map<String, String> providerValues) {
        this.values = Map.copyOf(values);
        this.providerValues = Map.copyOf(providerValues);
    }

    /** Reads the environment and, when given, a properties file. */
    public static ServerConfig load(Map<String, String> environment, Path file) {
        Map<String, String> values = new TreeMap<>();
        Map<String, String> providers = new TreeMap<>();
        if (file != null) {
            Properties properties = new Properties();
            try (InputStream in = Files.newInputStream(file)) {
                properties.load(in);
            } catch (IOException e) {
                throw new ConfigException("cannot read the configuration file " + file + ": " + e.getMessage());
            }
            for (String name : properties.stringPropertyNames()) {
                String value = properties.getProperty(name).trim();
                if (name.startsWith("provider.")) {
                    providers.put(name.substring("provider.".length()).toLowerCase(Locale.ROOT), value);
                } else if (known(name)) {
                    values.put(name, value);
                } else {
                    throw new ConfigException("unknown setting '" + name + "' in " + file);
                }
            }
        }
        for (Setting setting : SETTINGS) {
            String value = environment.get(setting.environmentName());
            if (value != null) {
                values.put(setting.key(), value.trim());
            }
        }
        environment.forEach((name, value) -> {
            if (name.startsWith("JUNCTION_PROVIDER_")) {
                String rest = name.substring("JUNCTION_PROVIDER_".length()).toLowerCase(Locale.ROOT);
                int underscore = rest.indexOf('_');
                if (underscore > 0) {
                    providers.put(rest.substring(0, underscore) + "." + rest.substring(underscore + 1), value.trim());
                }
            }
        });
        values.values().removeIf(String::isEmpty);
        ServerConfig config = new ServerConfig(values, providers);
        config.validate();
        return config;
    }

    /** Settings given in code (tests and the demo); unknown keys are refused. */
    public static ServerConfig of(Map<String, String> settings) {
        Map<String, String> values = new TreeMap<>();
        Map<String, String> providers = new TreeMap<>();
        settings.forEach((name, value) -> {
            if (name.startsWith("provider.")) {
                providers.put(name.substring("provider.".length()), value);
            } else if (known(name)) {
                values.put(name, value);
            } else {
                throw new ConfigException("unknown setting '" + name + "'");
            }
        });
        ServerConfig config = new ServerConfig(values, providers);
        config.validate();
        return config;
    }

    /** A copy with one more setting. */
    public ServerConfig with(String key, String value) {
        Map<String, String> all = new LinkedHashMap<>(values);
        providerValues.forEach((name, v) -> all.put("provider." + name, v));
        all.put(key, value);
        return of(all);
    }

    private static boolean known(String key) {
        return SETTINGS.stream().anyMatch(setting -> setting.key().equals(key));
    }

    private void validate() {
        String mode = mode();
        if (!mode.equals("development") && !mode.equals("production")) {
            throw new ConfigException("JUNCTION_MODE must be 'development' or 'production', was '" + mode + "'");
        }
        integer("http.port", 8080, 0, 65_535);
        integer("http.max-body-bytes", 1_048_576, 1024, 64 * 1024 * 1024);
        integer("sync.threads", 4, 1, 64);
        integer("database.pool-size", 10, 1, 200);
        integer("demo.contacts", 200, 1, 1_000_000);
        integer("outbound.max-attempts", 8, 1, 50);
        outboundSettings();
        schedulerEnabled();
        syncInterval();
        syncRetryDelay();
        syncLease();
        schedulerPollInterval();
        schedulerHeartbeat();
        schedulerMissedHeartbeats();
        schedulerThreads();
        maintenanceInterval();
        tokenRefreshAhead();
        if (nodeName().length() > 100) {
            throw new ConfigException("JUNCTION_NODE_NAME must be at most 100 characters");
        }
        metricsEnabled();
        metricsKey().ifPresent(key -> {
            if (key.length() < 16) {
                throw new ConfigException("JUNCTION_METRICS_KEY must be at least 16 characters");
            }
        });
        logFormat();
        String exit = values.getOrDefault("demo.exit", "false");
        if (!exit.equals("true") && !exit.equals("false")) {
            throw new ConfigException(environmentName("demo.exit") + " must be 'true' or 'false', was '" + exit + "'");
        }
        databaseUrl().ifPresent(url -> {
            if (!url.startsWith("jdbc:postgresql:")) {
                throw new ConfigException("JUNCTION_DATABASE_URL must be a PostgreSQL JDBC URL (jdbc:postgresql://...), was '" + url + "'");
            }
        });
    }

    public Optional<String> get(String key) {
        return Optional.ofNullable(values.get(key));
    }

    public String mode() {
        return values.getOrDefault("mode", "development").toLowerCase(Locale.ROOT);
    }

    public boolean production() {
        return mode().equals("production");
    }

    public String host() {
        return values.getOrDefault("http.host", "0.0.0.0");
    }

    public int port() {
        return integer("http.port", 8080, 0, 65_535);
    }

    public Optional<String> publicUrl() {
        return get("public.url").map(url -> url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
    }

    public Path dataDirectory() {
        return Path.of(values.getOrDefault("data.dir", "data"));
    }

    public Optional<String> databaseUrl() {
        return get("database.url");
    }

    public String databaseUser() {
        return values.getOrDefault("database.user", "postgres");
    }

    public String databasePassword() {
        return values.getOrDefault("database.password", "");
    }

    public int databasePoolSize() {
        return integer("database.pool-size", 10, 1, 200);
    }

    public Optional<String> encryptionKey() {
        return get("encryption.key");
    }

    public String encryptionKeyId() {
        return values.getOrDefault("encryption.key-id", "k1");
    }

    public Optional<String> adminKey() {
        return get("admin.key");
    }

    public int maxBodyBytes() {
        return integer("http.max-body-bytes", 1_048_576, 1024, 64 * 1024 * 1024);
    }

    public int syncThreads() {
        return integer("sync.threads", 4, 1, 64);
    }

    public int demoContacts() {
        return integer("demo.contacts", 200, 1, 1_000_000);
    }

    /** The outbound webhook settings ({@code outbound.*}). */
    public OutboundWebhooks.Settings outboundSettings() {
        OutboundWebhooks.Settings defaults = OutboundWebhooks.Settings.defaults();
        String allow = values.getOrDefault("outbound.allow-private-urls", "false").toLowerCase(Locale.ROOT);
        if (!allow.equals("true") && !allow.equals("false")) {
            throw new ConfigException(environmentName("outbound.allow-private-urls") + " must be true or false, was '" + allow + "'");
        }
        java.time.Duration timeout = duration("outbound.timeout", defaults.timeout());
        if (timeout.isZero()) {
            throw new ConfigException(environmentName("outbound.timeout") + " must be more than 0");
        }
        return new OutboundWebhooks.Settings(duration("outbound.poll-interval", defaults.pollInterval()),
                duration("outbound.retry-base", defaults.retryBase()), defaults.retryMax(),
                integer("outbound.max-attempts", defaults.maxAttempts(), 1, 50), timeout,
                !production() || allow.equals("true"));
    }

    /** A duration with no bounds (see {@link #duration(String, String, java.time.Duration, java.time.Duration)}). */
    private java.time.Duration duration(String key, java.time.Duration defaultValue) {
        return values.containsKey(key)
                ? duration(key, values.get(key), java.time.Duration.ZERO, java.time.Duration.ofDays(365)) : defaultValue;
    }

    public String nodeName() {
        return get("node.name").orElseGet(() -> {
            String host;
            try {
                host = java.net.InetAddress.getLocalHost().getHostName();
            } catch (java.io.IOException e) {
                host = "localhost";
            }
            return host + "-" + ProcessHandle.current().pid();
        });
    }

    public boolean schedulerEnabled() {
        String raw = values.getOrDefault("scheduler.enabled", "true").toLowerCase(Locale.ROOT);
        if (!raw.equals("true") && !raw.equals("false")) {
            throw new ConfigException(environmentName("scheduler.enabled") + " must be true or false, was '" + raw + "'");
        }
        return raw.equals("true");
    }

    public java.time.Duration syncInterval() {
        return duration("sync.interval", "15m", java.time.Duration.ofSeconds(1), java.time.Duration.ofDays(7));
    }

    public java.time.Duration syncRetryDelay() {
        return duration("sync.retry-delay", "30s", java.time.Duration.ofMillis(100), java.time.Duration.ofDays(1));
    }

    public java.time.Duration syncLease() {
        return duration("sync.lease", "2m", java.time.Duration.ofSeconds(1), java.time.Duration.ofHours(1));
    }

    public java.time.Duration schedulerPollInterval() {
        return duration("scheduler.poll-interval", "10s", java.time.Duration.ofMillis(50), java.time.Duration.ofHours(1));
    }

    public java.time.Duration schedulerHeartbeat() {
        return duration("scheduler.heartbeat", "30s", java.time.Duration.ofMillis(100), java.time.Duration.ofHours(1));
    }

    public int schedulerMissedHeartbeats() {
        return integer("scheduler.missed-heartbeats", 6, 2, 100);
    }

    public int schedulerThreads() {
        return integer("scheduler.threads", syncThreads(), 1, 64);
    }

    public java.time.Duration maintenanceInterval() {
        return duration("maintenance.interval", "30s", java.time.Duration.ofMillis(100), java.time.Duration.ofHours(24));
    }

    public java.time.Duration tokenRefreshAhead() {
        return duration("token.refresh-ahead", "10m", java.time.Duration.ZERO, java.time.Duration.ofDays(1));
    }

    public boolean metricsEnabled() {
        String value = values.getOrDefault("metrics.enabled", "true").toLowerCase(Locale.ROOT);
        if (!value.equals("true") && !value.equals("false")) {
            throw new ConfigException("JUNCTION_METRICS_ENABLED must be 'true' or 'false', was '" + value + "'");
        }
        return value.equals("true");
    }

    public Optional<String> metricsKey() {
        return get("metrics.key");
    }

    /** {@code text} or {@code json}. */
    public String logFormat() {
        String value = values.getOrDefault("log.format", "text").toLowerCase(Locale.ROOT);
        if (!value.equals("text") && !value.equals("json")) {
            throw new ConfigException("JUNCTION_LOG_FORMAT must be 'text' or 'json', was '" + value + "'");
        }
        return value;
    }

    /** {@code demo} exits after its summary instead of serving. */
    public boolean demoExit() {
        return values.getOrDefault("demo.exit", "false").equals("true");
    }

    /** Where provider plug-in jars are loaded from. */
    public Path pluginsDirectory() {
        return Path.of(values.getOrDefault("plugins.dir", "plugins"));
    }

    /** Settings for one provider: {@code provider.<id>.<name>} without the prefix. */
    public Map<String, String> providerSettings(String providerId) {
        Map<String, String> settings = new TreeMap<>();
        String prefix = providerId.toLowerCase(Locale.ROOT) + ".";
        providerValues.forEach((name, value) -> {
            if (name.startsWith(prefix)) {
                settings.put(name.substring(prefix.length()), value);
            }
        });
        return settings;
    }

    private int integer(String key, int defaultValue, int min, int max) {
        String raw = values.get(key);
        if (raw == null) {
            return defaultValue;
        }
        try {
            int value = Integer.parseInt(raw);
            if (value < min || value > max) {
                throw new ConfigException(environmentName(key) + " must be between " + min + " and " + max + ", was " + value);
            }
            return value;
        } catch (NumberFormatException e) {
            throw new ConfigException(environmentName(key) + " must be a number, was '" + raw + "'");
        }
    }

    /**
     * A duration: a number with {@code ms}, {@code s}, {@code m}, {@code h} or {@code d} (a bare number is seconds), or
     * ISO-8601 ({@code PT15M}).
     */
    private java.time.Duration duration(String key, String defaultValue, java.time.Duration min, java.time.Duration max) {
        String raw = values.getOrDefault(key, defaultValue).trim();
        java.time.Duration value;
        try {
            java.util.regex.Matcher matcher = java.util.regex.Pattern.compile("(\\d{1,9})\\s*(ms|s|m|h|d)?").matcher(raw.toLowerCase(Locale.ROOT));
            if (matcher.matches()) {
                long amount = Long.parseLong(matcher.group(1));
                value = switch (matcher.group(2) == null ? "s" : matcher.group(2)) {
                    case "ms" -> java.time.Duration.ofMillis(amount);
                    case "s" -> java.time.Duration.ofSeconds(amount);
                    case "m" -> java.time.Duration.ofMinutes(amount);
                    case "h" -> java.time.Duration.ofHours(amount);
                    default -> java.time.Duration.ofDays(amount);
                };
            } else {
                value = java.time.Duration.parse(raw.toUpperCase(Locale.ROOT));
            }
        } catch (java.time.format.DateTimeParseException e) {
            throw new ConfigException(environmentName(key) + " must be a duration such as 500ms, 30s, 15m or 2h, was '" + raw + "'");
        }
        if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
            throw new ConfigException(environmentName(key) + " must be between " + min + " and " + max + ", was " + raw);
        }
        return value;
    }

    private static String environmentName(String key) {
        return new Setting(key, "", "").environmentName();
    }

    /** A setting is missing or wrong; the message says which and how to fix it. */
    public static final class ConfigException extends RuntimeException {
        public ConfigException(String message) {
            super(message);
        }
    }
}
