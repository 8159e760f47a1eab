package dev.junction.provider.ascora;

import dev.junction.core.Connection;
import dev.junction.core.Hub;
import dev.junction.core.HubBuilder;
import dev.junction.core.NewConnection;
import dev.junction.core.SyncRequest;
import dev.junction.core.SyncRun;
import dev.junction.core.crypto.SecretCipher;
import dev.junction.core.http.RetrySettings;
import dev.junction.core.spi.RateLimitPolicy;
import dev.junction.core.spi.Settings;
import dev.junction.provider.ascora.sandbox.AscoraSandbox;
import dev.junction.testkit.TestDatabase;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.function.UnaryOperator;

/** A small AscoraSandbox, a database and a hub with one Ascora connection; closed in reverse order. */
final class AscoraHubFixture implements AutoCloseable {

    static final String TENANT = "field-services";

    final AscoraSandbox sandbox;
    final TestDatabase database;
    final String key = SecretCipher.generateKey();
    Hub hub;
    final Connection connection;

    AscoraHubFixture(TestDatabase.Kind kind, String name, AscoraSandbox.Builder sandboxBuilder) {
        this.sandbox = sandboxBuilder.withRateLimit(1_000_000, Duration.ofMinutes(1)).start();
        this.database = TestDatabase.create(kind, name);
        this.hub = build(UnaryOperator.identity());
        this.connection = hub.createConnection(NewConnection.of(TENANT, AscoraProvider.ID)
                .withSetting(AscoraProvider.API_KEY, sandbox.apiKey())
                .withSetting(AscoraProvider.BASE_URL, sandbox.baseUrl()));
    }

    /** A hub on the fixture's database and key; a second call is what a restarted process would build. */
    Hub build(UnaryOperator<HubBuilder> customize) {
        return customize.apply(database.configure(Hub.builder())
                .withEncryptionKey("k1", key)
                .withBackgroundInterval(Duration.ZERO)
                .withPageSize(20)
                .withRateLimit(AscoraProvider.ID, RateLimitPolicy.UNLIMITED)
                .withRetry(RetrySettings.defaults().withMaxAttempts(3).withBackoff(Duration.ofMillis(10), Duration.ofMillis(50)))
                .withProvider(new AscoraProvider(), Settings.EMPTY)).build();
    }

    SyncRun sync(SyncRequest request) {
        return hub.sync(TENANT, connection.id(), request);
    }

    Set<String> stored(String entity) {
        return new HashSet<>(hub.liveIds(TENANT, connection.id(), entity));
    }

    @Override
    public void close() {
        if (hub != null) hub.close();
        database.close();
        sandbox.close();
    }
}
