package dev.junction.hub;

import com.sun.net.httpserver.HttpServer;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.junction.core.Hub;
import dev.junction.core.HubBuilder;
import dev.junction.core.PluginJars;
import dev.junction.core.crypto.SecretCipher;
import dev.junction.core.spi.Provider;
import dev.junction.core.spi.Setting;
import dev.junction.core.spi.Settings;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running hub-server: the library's {@link Hub} on the configured database, hub-server's own tables, and the REST
 * API on the JDK's {@link HttpServer}. {@link #close()} stops the HTTP server, then the hub, then the pool.
 *
 * <p>Thread-safe.
 */
public final class HubServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(HubServer.class);
    /** The JDK HTTP server's switch for TCP_NODELAY on accepted connections, read once per JVM by its first server. */
    static final String NO_DELAY_PROPERTY = "sun.net.httpserver.nodelay";

    private final ServerConfig config;
    private final Hub hub;
    private final HikariDataSource pool;
    private final TenantStore tenants;
    private final String adminKey;
    private final HttpServer http;
    private final ExecutorService executor;
    private final HubApi api;
    private final String publicUrl;
    private final OutboundWebhooks outbound;
    private final SyncScheduler schedules;
    private final HubMetrics metrics;
    private final List<Route> routes;
    private final PluginJars plugins;

    private HubServer(ServerConfig config, Hub hub, HikariDataSource pool, TenantStore tenants, String adminKey,
            HttpServer http, ExecutorService executor, HubApi api, String publicUrl, SyncScheduler schedules, OutboundWebhooks outbound,
            HubMetrics metrics, List<Route> routes, PluginJars plugins) {
        this.schedules = schedules;
        this.metrics = metrics;
        this.routes = List.copyOf(routes);
        this.config = config;
        this.hub = hub;
        this.pool = pool;
        this.tenants = tenants;
        this.adminKey = adminKey;
        this.http = http;
        this.executor = executor;
        this.api = api;
        this.publicUrl = publicUrl;
        this.outbound = outbound;
        this.plugins = plugins;
    }

    /** Starts a server; {@code out} receives the startup warnings meant for a human (generated keys). */
    public static HubServer start(ServerConfig config, PrintStream out) {
        return start(config, out, UnaryOperator.identity());
    }

    /**
     * Starts a server; {@code customizer} may adjust the hub (the demo sets rate limits). The HTTP port is bound
     * before the hub is built, so {@code public.url} can default to the real port.
     */
    public static HubServer start(ServerConfig config, PrintStream out, UnaryOperator<HubBuilder> customizer) {
        return start(config, out, customizer, null);
    }

    /**
     * Loads the provider plug-in jars of {@code plugins.dir} (each in a class loader of its own; broken ones are
     * logged and skipped). The server closes them when it closes.
     */
    public static PluginJars loadPlugins(ServerConfig config) {
        try {
            return PluginJars.load(config.pluginsDirectory(), HubBuilder.installedProviders().keySet());
        } catch (java.io.UncheckedIOException e) {
            throw new ServerConfig.ConfigException("cannot read JUNCTION_PLUGINS_DIR " + config.pluginsDirectory().toAbsolutePath()
                    + ": " + e.getCause().getMessage());
        }
    }

    /**
     * Turns on TCP_NODELAY for the JDK HTTP server unless the operator set {@value #NO_DELAY_PROPERTY} themselves. The
     * server writes an answer as headers, then body; with Nagle's algorithm on, the body's small segment waits for the
     * client's delayed ACK of the headers (40 ms on Linux), so every keep-alive request took at least 40 ms: webhook
     * receipt (scenario 5) was capped near 32 connections / 40 ms whatever the CPU. The JDK reads the property once,
     * when the JVM's first HTTP server starts, so {@link HubServerMain} calls this first thing; an application that
     * starts a JDK HTTP server of its own (a sandbox, say) before the hub must call it (or set the property) first.
     */
    public static void preferNoDelay() {
        if (System.getProperty(NO_DELAY_PROPERTY) == null) {
            System.setProperty(NO_DELAY_PROPERTY, "true");
        }
    }

    /**
     * Starts a server with plug-ins the caller loaded with {@link #loadPlugins} (the demo needs their sandbox
     * factories first); {@code null} loads them here. Either way the server closes them.
     */
    static HubServer start(ServerConfig config, PrintStream out, UnaryOperator<HubBuilder> customizer, PluginJars loaded) {
        PluginJars plugins = loaded;
        preferNoDelay();
        HttpServer http;
        try {
            http = HttpServer.create(new InetSocketAddress(config.host(), config.port()), 128);
        } catch (IOException e) {
            if (plugins != null) {
                plugins.close();
            }
            throw new ServerConfig.ConfigException("cannot listen on " + config.host() + ":" + config.port() + ": " + e.getMessage());
        }
        int port = http.getAddress().getPort();
        String publicUrl = config.publicUrl().orElse("http://" + (config.host().equals("0.0.0.0") ? "localhost" : config.host()) + ":" + port);
        Hub hub = null;
        HikariDataSource pool = null;
        OutboundWebhooks outbound = null;
        SyncScheduler schedules = null;
        LogFormat.apply(config.logFormat());
        HubMetrics metrics = config.metricsEnabled() ? new HubMetrics(config.metricsKey(), Clock.systemUTC()) : null;
        try {
            Keys keys = Keys.resolve(config, out);
            if (plugins == null) {
                plugins = loadPlugins(config);
            }
            pool = config.databaseUrl().map(url -> dataSource(config, url)).orElse(null);
            HubBuilder builder = Hub.builder()
                    .withEncryptionKey(config.encryptionKeyId(), keys.encryptionKey())
                    .withSyncThreads(config.syncThreads())
                    .withInstanceName(config.nodeName())
                    .withLeaseDuration(config.syncLease());
            if (config.schedulerEnabled()) {
                // The scheduler's maintenance task does the webhook rounds, on one node at a time.
                builder.withBackgroundInterval(Duration.ZERO);
            }
            builder = pool != null ? builder.withDataSource(pool) : builder.withDataDirectory(config.dataDirectory().toAbsolutePath());
            registerProviders(builder, config, plugins);
            if (metrics != null) {
                builder.withObserver(metrics.observer());
            }
            hub = customizer.apply(builder).build();
            if (metrics != null) {
                metrics.readFreshnessFrom(hub);
            }
            TenantStore.migrate(hub.database().dataSource());
            TenantStore tenants = new TenantStore(hub.database().jdbi(), Clock.systemUTC());
            outbound = new OutboundWebhooks(hub, SecretCipher.single(config.encryptionKeyId(), keys.encryptionKey()),
                    Clock.systemUTC(), config.outboundSettings());
            schedules = new SyncScheduler(hub, tenants, hub.database().dataSource(), SyncScheduler.Settings.of(config), Clock.systemUTC());
            List<Route> moreRoutes = new java.util.ArrayList<>(new OutboundApi(hub, outbound).routes());
            moreRoutes.add(new ConnectionErrors(hub).route());
            HubApi api = new HubApi(hub, tenants, publicUrl, schedules, moreRoutes);
            AtomicInteger threads = new AtomicInteger();
            ExecutorService executor = Executors.newFixedThreadPool(32, runnable -> {
                Thread thread = new Thread(runnable, "hub-http-" + threads.incrementAndGet());
                thread.setDaemon(true);
                return thread;
            });
            List<Route> routes = new java.util.ArrayList<>(api.routes());
            if (metrics != null) {
                routes.add(metrics.route());
            }
            http.createContext("/", new HttpDispatcher(routes, tenants, keys.adminKey(), config.maxBodyBytes(),
                    OpenApi.document(routes, publicUrl), metrics == null ? (method, route, status, nanos) -> { } : metrics::request));
            http.setExecutor(executor);
            http.start();
            schedules.start();
            LOG.info("hub-server listening on {} ({} database, {} providers, {} plug-in jar(s) loaded from {}, {} skipped)", publicUrl,
                    pool != null ? "PostgreSQL" : "embedded", hub.providers().size(), plugins.plugins().size(),
                    config.pluginsDirectory().toAbsolutePath(), plugins.skipped().size());
            return new HubServer(config, hub, pool, tenants, keys.adminKey(), http, executor, api, publicUrl, schedules, outbound,
                    metrics, routes, plugins);
        } catch (RuntimeException e) {
            http.stop(0);
            if (schedules != null) {
                schedules.close();
            }
            if (outbound != null) {
                outbound.close();
            }
            if (plugins != null) {
                plugins.close();
            }
            if (hub != null) {
                hub.close();
            }
            if (pool != null) {
                pool.close();
            }
            if (metrics != null) {
                metrics.close();
            }
            throw e;
        }
    }

    /** Creates or updates the schema (the library's tables, then hub-server's) and returns. */
    public static void migrate(ServerConfig config, PrintStream out) {
        Keys keys = Keys.resolve(config, out);
        HikariDataSource pool = config.databaseUrl().map(url -> dataSource(config, url)).orElse(null);
        HubBuilder builder = Hub.builder().withEncryptionKey(config.encryptionKeyId(), keys.encryptionKey());
        builder = pool != null ? builder.withDataSource(pool) : builder.withDataDirectory(config.dataDirectory().toAbsolutePath());
        // The hub is opened only to migrate: it needs an active provider, not a configured one.
        for (Provider provider : HubBuilder.installedProviders().values()) {
            Map<String, String> settings = new java.util.TreeMap<>(config.providerSettings(provider.id()));
            provider.settings().stream().filter(setting -> setting.scope() == Setting.Scope.PROVIDER && setting.required())
                    .forEach(setting -> settings.putIfAbsent(setting.name(), "unconfigured"));
            builder.withProvider(provider, Settings.of(settings));
        }
        try (Hub hub = builder.build()) {
            int applied = TenantStore.migrate(hub.database().dataSource());
            out.println("Migrated " + (pool != null ? "PostgreSQL" : "the embedded database in " + config.dataDirectory().toAbsolutePath())
                    + " (" + applied + " hub-server migration(s) applied; the library's are applied as the hub opens)");
        } finally {
            if (pool != null) {
                pool.close();
            }
        }
    }

    private static HikariDataSource dataSource(ServerConfig config, String url) {
        HikariConfig hikari = new HikariConfig();
        hikari.setJdbcUrl(url);
        hikari.setUsername(config.databaseUser());
        hikari.setPassword(config.databasePassword());
        hikari.setMaximumPoolSize(config.databasePoolSize());
        hikari.setPoolName("hub-server");
        try {
            return new HikariDataSource(hikari);
        } catch (RuntimeException e) {
            throw new ServerConfig.ConfigException("cannot connect to PostgreSQL at " + url + ": " + e.getMessage());
        }
    }

    /**
     * Registers every installed provider whose provider-wide settings are configured; one that lacks a required
     * setting is skipped with a warning naming the variables to set (a server is useful with the others).
     */
    private static void registerProviders(HubBuilder builder, ServerConfig config, PluginJars plugins) {
        int registered = 0;
        Map<String, Provider> installed = new java.util.LinkedHashMap<>(HubBuilder.installedProviders());
        installed.putAll(plugins.providers());
        for (Map.Entry<String, Provider> entry : installed.entrySet()) {
            Provider provider = entry.getValue();
            Map<String, String> configured = config.providerSettings(provider.id());
            Map<String, String> settings = configured;
            List<String> missing = provider.settings().stream()
                    .filter(setting -> setting.scope() == Setting.Scope.PROVIDER && setting.required())
                    .map(Setting::name).filter(name -> !configured.containsKey(name)).toList();
            if (!missing.isEmpty()) {
                List<String> variables = missing.stream()
                        .map(name -> "JUNCTION_PROVIDER_" + provider.id().toUpperCase() + "_" + name.toUpperCase()).toList();
                if (config.production()) {
                    LOG.warn("Provider '{}' is installed but not configured, so it is off: set {}", provider.id(), variables);
                    continue;
                }
                // The library needs at least one active provider, and a development server should start with no
                // configuration at all: register it with placeholders, so only its OAuth fails until configured.
                LOG.warn("Provider '{}' is not configured; using placeholder settings ({}): set {}", provider.id(),
                        provider.authMethod() instanceof dev.junction.core.spi.AuthMethod.OAuth2 ? "its OAuth will fail"
                                : "its connections fail when they sync", variables);
                Map<String, String> withPlaceholders = new java.util.TreeMap<>(settings);
                missing.forEach(name -> withPlaceholders.put(name, "unconfigured"));
                settings = withPlaceholders;
            }
            builder.withProvider(provider, Settings.of(settings));
            registered++;
        }
        if (registered == 0) {
            throw new ServerConfig.ConfigException("no provider is configured; set the JUNCTION_PROVIDER_<ID>_<SETTING> variables named above");
        }
    }

    public Hub hub() { return hub; }
    public TenantStore tenants() { return tenants; }
    public String adminKey() { return adminKey; }
    public String publicUrl() { return publicUrl; }
    public int port() { return http.getAddress().getPort(); }
    public List<Route> routes() { return routes; }
    /** The meters behind {@code /metrics}; empty when {@code metrics.enabled} is false. */
    Optional<HubMetrics> metrics() { return Optional.ofNullable(metrics); }
    public ServerConfig config() { return config; }
    /** Outbound webhooks; {@link OutboundWebhooks#deliverDue()} runs one delivery round (tests, or a scheduler). */
    public OutboundWebhooks outbound() { return outbound; }
    public SyncScheduler scheduler() { return schedules; }
    /** The PostgreSQL connection pool (its active and total connections, for benchmarks and operators); empty on H2. */
    public Optional<com.zaxxer.hikari.HikariPoolMXBean> poolStats() {
        return Optional.ofNullable(pool).map(HikariDataSource::getHikariPoolMXBean);
    }
    /** The plug-in jars loaded from {@code plugins.dir} (and those skipped). */
    public PluginJars plugins() { return plugins; }

    /** The base URL tests and the demo's curl lines use: loopback and the bound port. */
    public String localUrl() {
        return "http://127.0.0.1:" + port();
    }

    @Override
    public void close() {
        http.stop(0);
        executor.shutdownNow();
        schedules.close();
        outbound.close();
        api.close();
        hub.close();
        if (pool != null) {
            pool.close();
        }
        if (metrics != null) {
            metrics.close();
        }
        plugins.close();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The encryption and admin keys: configured, or (development only) generated once and kept beside the data. */
    record Keys(String encryptionKey, String adminKey) {

        static Keys resolve(ServerConfig config, PrintStream out) {
            if (config.production()) {
                StringBuilder missing = new StringBuilder();
                if (config.encryptionKey().isEmpty()) {
                    missing.append("\n  JUNCTION_ENCRYPTION_KEY: a base64 AES-256 key (openssl rand -base64 32); it encrypts tokens at rest");
                }
                if (config.adminKey().isEmpty()) {
                    missing.append("\n  JUNCTION_ADMIN_KEY: the bearer key for the admin endpoints (at least 16 characters)");
                }
                if (missing.length() > 0) {
                    throw new ServerConfig.ConfigException("production mode needs these settings:" + missing);
                }
            }
            String encryption = config.encryptionKey().orElseGet(() -> stored(config, "encryption.key", SecretCipher::generateKey, out));
            try {
                byte[] decoded = Base64.getDecoder().decode(encryption);
                if (decoded.length != 32) {
                    throw new ServerConfig.ConfigException("JUNCTION_ENCRYPTION_KEY must be 32 bytes in base64, was " + decoded.length + " bytes");
                }
            } catch (IllegalArgumentException e) {
                throw new ServerConfig.ConfigException("JUNCTION_ENCRYPTION_KEY is not base64");
            }
            String admin = config.adminKey().orElseGet(() -> stored(config, "admin.key", Keys::randomAdminKey, out));
            if (admin.length() < 16) {
                throw new ServerConfig.ConfigException("JUNCTION_ADMIN_KEY must be at least 16 characters");
            }
            return new Keys(encryption, admin);
        }

        private static String randomAdminKey() {
            byte[] bytes = new byte[24];
            new SecureRandom().nextBytes(bytes);
            return "ja_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        }

        private static String stored(ServerConfig config, String fileName, java.util.function.Supplier<String> generator, PrintStream out) {
            Path directory = config.dataDirectory().toAbsolutePath();
            Path file = directory.resolve(fileName);
            try {
                Files.createDirectories(directory);
                if (Files.exists(file)) {
                    return Files.readString(file, StandardCharsets.UTF_8).trim();
                }
                String value = generator.get();
                try {
                    Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                } catch (UnsupportedOperationException e) {
                    Files.createFile(file);
                } catch (FileAlreadyExistsException e) {
                    return Files.readString(file, StandardCharsets.UTF_8).trim();
                }
                Files.writeString(file, value + "\n", StandardCharsets.UTF_8);
                out.println("WARNING: no " + new ServerConfig.Setting(fileName, "", "").environmentName()
                        + " configured; generated one and stored it in " + file
                        + " (mode 600). Keep it with the data; set JUNCTION_MODE=production to require configured keys.");
                return value;
            } catch (IOException e) {
                throw new ServerConfig.ConfigException("cannot keep the generated " + fileName + " in " + directory + ": " + e.getMessage());
            }
        }
    }
}
