package dev.junction.provider.stripe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.core.Connection;
import dev.junction.core.Hub;
import dev.junction.core.NewConnection;
import dev.junction.core.SyncRequest;
import dev.junction.core.SyncRun;
import dev.junction.core.SyncStatus;
import dev.junction.core.crypto.SecretCipher;
import dev.junction.core.spi.Settings;
import dev.junction.provider.stripe.sandbox.StripeSandbox;
import dev.junction.testkit.TestDatabase;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A full sync of every entity with the provider's own budget: the test key narrows the live 100/s to test mode's
 * 25/s, which the sandbox enforces like Stripe (429 without any rate-limit header). Pages of 10 make the sync
 * request-bound rather than database-bound, so the limiter is what sets the pace.
 */
class StripeRateLimitTest {

    @Test
    void aFullSyncWithATestKeyStaysUnderTwentyFiveRequestsASecond() {
        int customers = 1_500;
        try (StripeSandbox sandbox = StripeSandbox.builder().withCount("customers", customers).withCount("subscriptions", 40)
                     .withItemsOnFirstSubscription(15).start();
             TestDatabase database = TestDatabase.create(TestDatabase.Kind.EMBEDDED, "StripeRateLimitTest");
             Hub hub = database.configure(Hub.builder()).withEncryptionKey("k1", SecretCipher.generateKey())
                     .withBackgroundInterval(Duration.ZERO).withPageSize(10)
                     .withProvider(new StripeProvider(), Settings.EMPTY).build()) {
            Connection connection = hub.createConnection(NewConnection.of("t", StripeProvider.ID)
                    .withSetting(StripeProvider.BASE_URL, sandbox.baseUrl()).withSetting(StripeProvider.API_KEY, StripeSandbox.DEFAULT_KEY));
            long start = System.nanoTime();

            SyncRun run = hub.sync("t", connection.id(), SyncRequest.full());

            double seconds = (System.nanoTime() - start) / 1e9;
            long requests = sandbox.requestLog().totalCount();
            long limited = sandbox.rateLimitStatistics().rejected();
            System.out.printf("Stripe full sync: %d requests, %d answered 429, %.2f s, %.1f requests/s%n", requests, limited,
                    seconds, requests / seconds);
            assertThat(run.status()).isEqualTo(SyncStatus.SUCCEEDED);
            assertThat(hub.liveIds("t", connection.id(), "customers")).hasSize(customers);
            assertThat(limited).as("429 answers").isLessThanOrEqualTo(1);
            assertThat(requests / seconds).as("request rate").isLessThanOrEqualTo(25 * 1.3);
            // Pages are fetched one after another and each commits its own transaction, so the pace is also bounded
            // by the page's round trip plus its database work (about 65 ms here), below the 40 ms the budget allows.
            assertThat(requests / seconds).as("request rate").isGreaterThan(25 * 0.3);
        }
    }

    @Test
    void aBudgetAboveTheSandboxsLimitMeets429sWithoutHeadersPausesAndStillCompletes() {
        String liveKey = FakeKeys.live("sandbox0000000000");
        int customers = 100;
        // 2 a second: two page requests take well under a second on any machine, so 429s are certain.
        try (StripeSandbox sandbox = StripeSandbox.builder().withCount("customers", customers).withApiKey(liveKey)
                     .withRateLimit(2, Duration.ofSeconds(1)).start();
             TestDatabase database = TestDatabase.create(TestDatabase.Kind.EMBEDDED, "StripeRateLimitTest");
             Hub hub = database.configure(Hub.builder()).withEncryptionKey("k1", SecretCipher.generateKey())
                     .withBackgroundInterval(Duration.ZERO).withPageSize(10).withSyncThreads(1)
                     .withProvider(new StripeProvider(), Settings.EMPTY).build()) {
            // A live key gets the live 100/s budget; this sandbox allows 2/s, as an account with a lowered limit would.
            Connection connection = hub.createConnection(NewConnection.of("t", StripeProvider.ID)
                    .withSetting(StripeProvider.BASE_URL, sandbox.baseUrl()).withSetting(StripeProvider.API_KEY, liveKey));
            long start = System.nanoTime();

            SyncRun run = hub.sync("t", connection.id(), SyncRequest.full().only("customers"));

            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("Stripe over-budget sync: %d requests, %d answered 429, %.2f s%n", sandbox.requestLog().totalCount(),
                    sandbox.rateLimitStatistics().rejected(), seconds);
            assertThat(run.status()).isEqualTo(SyncStatus.SUCCEEDED);
            assertThat(hub.liveIds("t", connection.id(), "customers")).hasSize(customers);
            assertThat(sandbox.rateLimitStatistics().rejected()).as("429 answers, each pausing the connection").isPositive();
        }
    }
}
