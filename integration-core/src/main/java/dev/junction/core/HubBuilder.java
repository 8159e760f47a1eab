package dev.junction.core;

import dev.junction.core.crypto.SecretCipher;
import dev.junction.core.error.JunctionException;
import dev.junction.core.http.RetrySettings;
import dev.junction.core.http.Sleeper;
import dev.junction.core.spi.Provider;
import dev.junction.core.spi.RateLimitPolicy;
import dev.junction.core.spi.Settings;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import javax.sql.DataSource;

/**
 * Configures a {@link Hub}. Not thread-safe; {@link #build()} copies its state.
 *
 * <pre>{@code
 * Hub hub = Hub.builder()
 *     .withDataDirectory(Path.of("data"))            // or .withDataSource(postgres)
 *     .withEncryptionKey("k1", base64Key)
 *     .withProvider(new ClioProvider(), Settings.of("client_id", id, "client_secret", secret))
 *     .build();
 * }</pre>
 */
public final class HubBuilder {

    DataSource dataSource;
    Path dataDirectory;
    SecretCipher cipher;
    Clock clock = Clock.systemUTC();
    Sleeper sleeper = Sleeper.SYSTEM;
    final Map<String, Provider> providers = new LinkedHashMap<>();
    final Map<String, Settings> providerSettings = new LinkedHashMap<>();
    final Map<String, RateLimitPolicy> rateLimitOverrides = new LinkedHashMap<>();
    final Set<String> discoveredToActivate = new LinkedHashSet<>();
    int pageSize = 200;
    Duration lookback = Duration.ofMinutes(5);
    Duration leaseDuration = Duration.ofMinutes(2);
    double maxSweepShare = 0.5;
    Duration refreshAhead = Duration.ofMinutes(5);
    RetrySettings retry = RetrySettings.defaults();
    Duration httpTimeout = Duration.ofSeconds(30);
    int syncThreads = 4;
    Duration webhookLifetime = Duration.ofDays(30);
    Duration webhookRenewAhead = Duration.ofDays(7);
    Duration backgroundInterval = Duration.ofSeconds(30);
    int webhookMaxBatch = 256;
    Duration webhookLinger = Duration.ZERO;
    Duration webhookCacheTtl = Duration.ofSeconds(10);
    Duration webhookApplyDeferral = Duration.ofSeconds(1);
    String instanceName = "junction-" + ProcessHandle.current().pid();
    HubObserver observer = HubObserver.NONE;

    HubBuilder() {
    }

    /** Use this database (PostgreSQL recommended). The caller owns and closes it. */
    public HubBuilder withDataSource(DataSource value) {
        this.dataSource = JunctionException.requireArgument(value, "dataSource");
        return this;
    }

    /** Use the embedded database in this directory (created when missing) when no data source is given. */
    public HubBuilder withDataDirectory(Path value) {
        this.dataDirectory = JunctionException.requireArgument(value, "dataDirectory");
        return this;
    }

    /** The key that encrypts secrets at rest: an id and a base64 32-byte key. */
    public HubBuilder withEncryptionKey(String keyId, String base64Key) {
        this.cipher = SecretCipher.single(keyId, base64Key);
        return this;
    }

    /** A key ring for rotation: new secrets use the primary, old ones stay readable. */
    public HubBuilder withEncryptionKeys(String primaryKeyId, Map<String, String> base64Keys) {
        this.cipher = SecretCipher.of(primaryKeyId, base64Keys);
        return this;
    }

    public HubBuilder withClock(Clock value) {
        this.clock = JunctionException.requireArgument(value, "clock");
        return this;
    }

    /** How waits (rate limits, backoff) sleep; tests pass one that advances a fake clock. */
    public HubBuilder withSleeper(Sleeper value) {
        this.sleeper = JunctionException.requireArgument(value, "sleeper");
        return this;
    }

    /** Registers a provider explicitly (tests, or providers not on the class path's service list). */
    public HubBuilder withProvider(Provider provider, Settings settings) {
        JunctionException.requireArgument(provider, "provider");
        providers.put(provider.id(), provider);
        providerSettings.put(provider.id(), settings == null ? Settings.EMPTY : settings);
        return this;
    }

    /**
     * Activates a provider found by {@link ServiceLoader} on the class path. Fails at {@link #build()} when no
     * such provider is installed.
     */
    public HubBuilder withDiscoveredProvider(String providerId, Settings settings) {
        JunctionException.requireArgument(providerId, "providerId");
        discoveredToActivate.add(providerId);
        providerSettings.put(providerId, settings == null ? Settings.EMPTY : settings);
        return this;
    }

    /** Overrides a provider's published budget (a negotiated higher limit, or a scaled-down test). */
    public HubBuilder withRateLimit(String providerId, RateLimitPolicy policy) {
        rateLimitOverrides.put(JunctionException.requireArgument(providerId, "providerId"), JunctionException.requireArgument(policy, "policy"));
        return this;
    }

    public HubBuilder withPageSize(int value) {
        if (value < 1) throw JunctionException.invalidInput("page size must be positive");
        this.pageSize = value;
        return this;
    }

    public HubBuilder withIncrementalLookback(Duration value) {
        this.lookback = JunctionException.requireArgument(value, "lookback");
        return this;
    }

    public HubBuilder withLeaseDuration(Duration value) {
        this.leaseDuration = JunctionException.requireArgument(value, "leaseDuration");
        return this;
    }

    /** The largest share (0..1) of an entity's records one deletion sweep may remove. */
    public HubBuilder withMaxSweepShare(double value) {
        if (value < 0 || value > 1) throw JunctionException.invalidInput("max sweep share must be within 0..1");
        this.maxSweepShare = value;
        return this;
    }

    public HubBuilder withTokenRefreshAhead(Duration value) {
        this.refreshAhead = JunctionException.requireArgument(value, "refreshAhead");
        return this;
    }

    public HubBuilder withRetry(RetrySettings value) {
        this.retry = JunctionException.requireArgument(value, "retry");
        return this;
    }

    public HubBuilder withHttpTimeout(Duration value) {
        this.httpTimeout = JunctionException.requireArgument(value, "httpTimeout");
        return this;
    }

    public HubBuilder withSyncThreads(int value) {
        if (value < 1) throw JunctionException.invalidInput("sync threads must be positive");
        this.syncThreads = value;
        return this;
    }

    /** How long webhook subscriptions are registered for at the provider (clamped by the provider's own maximum). */
    public HubBuilder withWebhookLifetime(Duration value) {
        this.webhookLifetime = positive(value, "webhookLifetime");
        return this;
    }

    /** Subscriptions expiring within this span are renewed by {@link Hub#maintainWebhooks()}. */
    public HubBuilder withWebhookRenewAhead(Duration value) {
        this.webhookRenewAhead = positive(value, "webhookRenewAhead");
        return this;
    }

    /**
     * How often the hub's background worker retries due webhook events and maintains subscriptions (renewal,
     * activation). {@link Duration#ZERO} turns the worker off; then call {@link Hub#processWebhooks()} and
     * {@link Hub#maintainWebhooks()} yourself.
     */
    public HubBuilder withBackgroundInterval(Duration value) {
        JunctionException.requireArgument(value, "backgroundInterval");
        if (value.isNegative()) throw JunctionException.invalidInput("backgroundInterval must not be negative");
        this.backgroundInterval = value;
        return this;
    }

    /**
     * Group commit of received webhooks: concurrent requests' verified events are stored together, up to
     * {@code maxBatch} events in one transaction, and each request is acknowledged only after its batch committed.
     * The writer takes whatever queued while the previous commit ran and waits up to {@code linger} for more
     * ({@link Duration#ZERO}, the default, never waits: a lone webhook pays only its own commit). {@code maxBatch} 1
     * turns group commit off (one commit per request, in the request's thread). Defaults: 256 and zero.
     */
    public HubBuilder withWebhookGroupCommit(int maxBatch, Duration linger) {
        if (maxBatch < 1 || maxBatch > 10_000) throw JunctionException.invalidInput("webhook maxBatch must be between 1 and 10000");
        JunctionException.requireArgument(linger, "linger");
        if (linger.isNegative() || linger.compareTo(Duration.ofSeconds(1)) > 0) {
            throw JunctionException.invalidInput("webhook linger must be between zero and one second");
        }
        this.webhookMaxBatch = maxBatch;
        this.webhookLinger = linger;
        return this;
    }

    /**
     * How long a node may reuse what it looked up to verify a webhook: the connection its token names, and each
     * subscription's entity and decrypted secret (in memory only, never logged). Changes made through this node
     * (handshakes, registration, renewal, deletion) take effect at once; a change made by another node is seen within
     * {@code ttl}, and a request that fails verification with what is remembered is verified again from the
     * database, so a secret rotated elsewhere is never the reason for a rejection. {@link Duration#ZERO} looks
     * everything up per request. Default 10 seconds, at most 10 minutes.
     */
    public HubBuilder withWebhookCache(Duration ttl) {
        JunctionException.requireArgument(ttl, "ttl");
        if (ttl.isNegative() || ttl.compareTo(Duration.ofMinutes(10)) > 0) {
            throw JunctionException.invalidInput("webhook cache ttl must be between zero and ten minutes");
        }
        this.webhookCacheTtl = ttl;
        return this;
    }

    /**
     * Receipt before application. While this node is receiving webhooks concurrently (two or more requests in
     * progress), the inbox worker waits before it claims its next entries, for receipts to quiet down, but never
     * longer than {@code maxWait} per chunk of entries: a burst is acknowledged at full speed (the provider is timing
     * the answer, and each answered event is already durable in the inbox), and the events are applied as soon as it
     * ebbs. Under load that never ebbs, the worker still applies a chunk every {@code maxWait}. {@link Duration#ZERO}
     * never waits. Default one second, at most one minute.
     */
    public HubBuilder withWebhookApplyDeferral(Duration maxWait) {
        JunctionException.requireArgument(maxWait, "maxWait");
        if (maxWait.isNegative() || maxWait.compareTo(Duration.ofMinutes(1)) > 0) {
            throw JunctionException.invalidInput("webhook apply deferral must be between zero and one minute");
        }
        this.webhookApplyDeferral = maxWait;
        return this;
    }

    private static Duration positive(Duration value, String name) {
        JunctionException.requireArgument(value, name);
        if (value.isNegative() || value.isZero()) throw JunctionException.invalidInput(name + " must be positive");
        return value;
    }

    /** A name for this process in leases and logs (defaults to junction-PID). */
    public HubBuilder withInstanceName(String value) {
        this.instanceName = JunctionException.requireArgument(value, "instanceName");
        return this;
    }

    /**
     * Hears finished syncs, records written, provider API calls, rate-limit waits, token refreshes and webhook events
     * (for metrics). Called inline on the hub's threads; one that throws never breaks what it observes.
     */
    public HubBuilder withObserver(HubObserver value) {
        this.observer = JunctionException.requireArgument(value, "observer");
        return this;
    }

    public Hub build() {
        if (cipher == null) {
            throw JunctionException.invalidInput("an encryption key is required (withEncryptionKey); generate one with SecretCipher.generateKey()");
        }
        if (dataSource == null && dataDirectory == null) {
            throw JunctionException.invalidInput("give a data source (PostgreSQL) or a data directory for the embedded database");
        }
        if (!discoveredToActivate.isEmpty()) {
            Map<String, Provider> installed = new LinkedHashMap<>();
            ServiceLoader.load(Provider.class).stream().forEach(entry -> {
                Provider provider = entry.get();
                installed.put(provider.id(), provider);
            });
            for (String id : discoveredToActivate) {
                Provider provider = installed.get(id);
                if (provider == null) {
                    throw JunctionException.invalidInput("provider '" + id + "' is not installed; found " + installed.keySet());
                }
                providers.putIfAbsent(id, provider);
            }
        }
        if (providers.isEmpty()) {
            throw JunctionException.invalidInput("no provider is active: register one with withProvider or withDiscoveredProvider");
        }
        return new Hub(this);
    }

    /** Every provider listed by {@link ServiceLoader} on the class path, by id. */
    public static Map<String, Provider> installedProviders() {
        Map<String, Provider> installed = new LinkedHashMap<>();
        ServiceLoader.load(Provider.class).stream().forEach(entry -> installed.put(entry.get().id(), entry.get()));
        return installed;
    }

    /**
     * Every provider {@link ServiceLoader} finds through {@code classLoader} (which sees its parents' providers too),
     * by id. For plug-in jars use {@link PluginJars}, which loads each jar in its own class loader and skips broken
     * ones.
     */
    public static Map<String, Provider> installedProviders(ClassLoader classLoader) {
        Map<String, Provider> installed = new LinkedHashMap<>();
        ServiceLoader.load(Provider.class, classLoader).stream().forEach(entry -> installed.put(entry.get().id(), entry.get()));
        return installed;
    }
}
