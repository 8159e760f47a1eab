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
            new Setting("demo.contacts", "200", "`demo` only: contacts in each sandbox (other entities in proportion)"),
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
