package dev.junction.provider.clio;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.core.Connection;
import dev.junction.core.ConnectionStatus;
import dev.junction.core.Hub;
import dev.junction.core.SyncHandle;
import dev.junction.core.SyncRequest;
import dev.junction.core.SyncRun;
import dev.junction.core.SyncStatus;
import dev.junction.core.TokenMaintenance;
import dev.junction.core.crypto.SecretCipher;
import dev.junction.core.spi.RateLimitPolicy;
import dev.junction.provider.clio.sandbox.ClioSandbox;
import dev.junction.sandbox.MutableClock;
import dev.junction.testkit.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * OAuth token refresh against ClioSandbox's authorization server with one-hour access tokens and rotating refresh
 * tokens: two hubs on one database (two processes) syncing six entities at once refresh exactly once, the rotated
 * refresh token is persisted and used next time, and a revoked grant marks the connection as needing re-auth.
 */
class ClioTokenRefreshTest {

    private static final String TENANT = "refresh-firm";

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void concurrentCallersAcrossProcessesRefreshOnceAndRotatedTokensPersist(TestDatabase.Kind kind) {
        MutableClock clock = MutableClock.at(Instant.now().truncatedTo(ChronoUnit.SECONDS));
        try (ClioSandbox sandbox = ClioSandbox.builder().withClock(clock).withTokenLifetime(Duration.ofHours(1))
                        .withRotatingRefreshTokens(true)
                        .withOAuthClient(ClioConformanceTest.ClioConformanceSandbox.CLIENT_ID,
                                ClioConformanceTest.ClioConformanceSandbox.CLIENT_SECRET,
                                ClioConformanceTest.ClioConformanceSandbox.REDIRECT_URI)
                        .start();
                TestDatabase database = TestDatabase.create(kind, "ClioTokenRefreshTest")) {
            ClioConformanceTest.ClioConformanceSandbox driver = new ClioConformanceTest.ClioConformanceSandbox(sandbox);
            String key = SecretCipher.generateKey();
            try (Hub first = hub(database, key, clock, driver, "process-a");
                    Hub second = hub(database, key, clock, driver, "process-b")) {
                Connection connection = driver.connect(first, TENANT);
                assertThat(sandbox.oauth().authorizationCodeGrantCount()).isEqualTo(1);

                clock.advance(Duration.ofMinutes(58)); // inside the 5-minute refresh-ahead window
                List<SyncHandle> handles = new ArrayList<>();
                for (String entity : List.of("contacts", "matters", "tasks")) {
                    handles.add(first.startSync(TENANT, connection.id(), SyncRequest.full().only(entity)));
                }
                for (String entity : List.of("activities", "bills", "calendar_entries")) {
                    handles.add(second.startSync(TENANT, connection.id(), SyncRequest.full().only(entity)));
                }
                for (SyncHandle handle : handles) {
                    assertThat(handle.await().status()).isEqualTo(SyncStatus.SUCCEEDED);
                }
                assertThat(sandbox.oauth().refreshGrantCount()).as("refreshes served by Clio").isEqualTo(1);
                assertThat(first.tokenRefreshCount() + second.tokenRefreshCount()).isEqualTo(1);

                // The rotated refresh token was stored before use: the next refresh, from the other process, works.
                clock.advance(Duration.ofMinutes(58));
                SyncRun later = (first.tokenRefreshCount() == 1 ? second : first)
                        .sync(TENANT, connection.id(), SyncRequest.incremental().only("contacts"));
                assertThat(later.status()).isEqualTo(SyncStatus.SUCCEEDED);
                assertThat(sandbox.oauth().refreshGrantCount()).isEqualTo(2);

                // The user removes the app: refresh gets invalid_grant and the connection needs re-authorisation.
                sandbox.oauth().revokeAll("1");
                clock.advance(Duration.ofMinutes(58));
                SyncRun refused = first.sync(TENANT, connection.id(), SyncRequest.incremental().only("contacts"));
                assertThat(refused.status()).isEqualTo(SyncStatus.FAILED);
                assertThat(first.getConnection(TENANT, connection.id()).status()).isEqualTo(ConnectionStatus.NEEDS_REAUTH);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void theMaintenanceRoundRefreshesTokensExpiringWithinTheWindowOnce(TestDatabase.Kind kind) {
        MutableClock clock = MutableClock.at(Instant.now().truncatedTo(ChronoUnit.SECONDS));
        try (ClioSandbox sandbox = ClioSandbox.builder().withClock(clock).withTokenLifetime(Duration.ofHours(1))
                        .withRotatingRefreshTokens(true)
                        .withOAuthClient(ClioConformanceTest.ClioConformanceSandbox.CLIENT_ID,
                                ClioConformanceTest.ClioConformanceSandbox.CLIENT_SECRET,
                                ClioConformanceTest.ClioConformanceSandbox.REDIRECT_URI)
                        .start();
                TestDatabase database = TestDatabase.create(kind, "ClioTokenRefreshTest")) {
            ClioConformanceTest.ClioConformanceSandbox driver = new ClioConformanceTest.ClioConformanceSandbox(sandbox);
            String key = SecretCipher.generateKey();
            try (Hub first = hub(database, key, clock, driver, "process-a");
                    Hub second = hub(database, key, clock, driver, "process-b")) {
                Connection one = driver.connect(first, TENANT);
                Connection two = driver.connect(first, "other-firm");

                clock.advance(Duration.ofMinutes(30)); // 30 minutes left: outside a 15-minute window
                assertThat(first.refreshExpiringTokens(Duration.ofMinutes(15))).isEqualTo(new TokenMaintenance(0, 0));
                assertThat(sandbox.oauth().refreshGrantCount()).isZero();

                clock.advance(Duration.ofMinutes(20)); // 10 minutes left: both inside the window
                assertThat(first.refreshExpiringTokens(Duration.ofMinutes(15))).isEqualTo(new TokenMaintenance(2, 0));
                assertThat(sandbox.oauth().refreshGrantCount()).isEqualTo(2);
                // Another process's round right after finds nothing left to refresh.
                assertThat(second.refreshExpiringTokens(Duration.ofMinutes(15))).isEqualTo(new TokenMaintenance(0, 0));
                // The refreshed (rotated) tokens work.
                assertThat(second.sync(TENANT, one.id(), SyncRequest.full().only("contacts")).status()).isEqualTo(SyncStatus.SUCCEEDED);
                assertThat(second.sync("other-firm", two.id(), SyncRequest.full().only("contacts")).status()).isEqualTo(SyncStatus.SUCCEEDED);
                assertThat(sandbox.oauth().refreshGrantCount()).isEqualTo(2);

                // A refused refresh is counted and marks the connection; the round goes on.
                sandbox.oauth().revokeAll("1");
                clock.advance(Duration.ofMinutes(50));
                assertThat(first.refreshExpiringTokens(Duration.ofMinutes(15))).isEqualTo(new TokenMaintenance(0, 2));
                assertThat(first.getConnection(TENANT, one.id()).status()).isEqualTo(ConnectionStatus.NEEDS_REAUTH);
                // Connections needing re-authorisation are not tried again.
                assertThat(first.refreshExpiringTokens(Duration.ofMinutes(15))).isEqualTo(new TokenMaintenance(0, 0));
            }
        }
    }

    private static Hub hub(TestDatabase database, String key, MutableClock clock,
            ClioConformanceTest.ClioConformanceSandbox driver, String instance) {
        return database.configure(dev.junction.core.Hub.builder())
                .withEncryptionKey("k1", key)
                .withClock(clock)
                .withInstanceName(instance)
                .withBackgroundInterval(Duration.ZERO)
                .withRateLimit(ClioProvider.ID, RateLimitPolicy.UNLIMITED)
                .withProvider(new ClioProvider(), driver.providerSettings())
                .build();
    }
}
