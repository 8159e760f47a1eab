package dev.junction.provider.chatwoot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.core.Connection;
import dev.junction.core.Hub;
import dev.junction.core.NewConnection;
import dev.junction.core.SyncRequest;
import dev.junction.core.SyncRun;
import dev.junction.core.SyncStatus;
import dev.junction.core.crypto.SecretCipher;
import dev.junction.core.spi.RateLimitPolicy;
import dev.junction.core.spi.Settings;
import dev.junction.provider.chatwoot.sandbox.ChatwootSandbox;
import dev.junction.testkit.TestDatabase;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A full sync of every entity against a sandbox throttled like rack-attack (fixed windows, 429 "Retry later" with no
 * Retry-After), scaled down to 20 requests per 2 s so the test is short: the proactive limiter, configured a little under
 * that budget, keeps the sync under it.
 */
class ChatwootRateLimitTest {

    private static final Logger LOG = LoggerFactory.getLogger(ChatwootRateLimitTest.class);

    @Test
    void aFullSyncOfEveryEntityStaysUnderTheThrottle() {
        try (ChatwootSandbox sandbox = ChatwootSandbox.builder().withContacts(150).withConversations(30)
                .withRateLimit(20, Duration.ofSeconds(2)).start();
                TestDatabase database = TestDatabase.create(TestDatabase.Kind.EMBEDDED, "ChatwootRateLimitTest");
                Hub hub = database.configure(Hub.builder())
                        .withEncryptionKey("k1", SecretCipher.generateKey())
                        .withBackgroundInterval(Duration.ZERO)
                        // A little under the throttle: the limiter's windows and rack-attack's fixed ones are not aligned.
                        .withRateLimit(ChatwootProvider.ID, RateLimitPolicy.of(18, Duration.ofSeconds(2)))
                        .withProvider(new ChatwootProvider(), Settings.EMPTY)
                        .build()) {
            Connection connection = hub.createConnection(NewConnection.of("t", ChatwootProvider.ID)
                    .withSetting(ChatwootProvider.BASE_URL, sandbox.baseUrl())
                    .withSetting(ChatwootProvider.ACCOUNT_ID, "1")
                    .withSetting(ChatwootProvider.API_ACCESS_TOKEN, sandbox.apiAccessToken()));
            long start = System.nanoTime();

            SyncRun run = hub.sync("t", connection.id(), SyncRequest.full());

            double seconds = (System.nanoTime() - start) / 1e9;
            long requests = sandbox.requestLog().totalCount();
            long throttled = sandbox.rateLimitStatistics().rejected();
            LOG.info("full sync: {} requests in {} s, {} throttled (429)", requests, String.format("%.1f", seconds), throttled);
            assertThat(run.status()).as(run.toString()).isEqualTo(SyncStatus.SUCCEEDED);
            assertThat(hub.liveIds("t", connection.id(), "contacts")).hasSize(150);
            assertThat(hub.liveIds("t", connection.id(), "messages")).hasSameSizeAs(sandbox.liveIds("messages"));
            assertThat(throttled).as("429 answers").isLessThanOrEqualTo(1);
            assertThat(requests / seconds).as("request rate").isLessThanOrEqualTo(10 * 1.3);
        }
    }
}
