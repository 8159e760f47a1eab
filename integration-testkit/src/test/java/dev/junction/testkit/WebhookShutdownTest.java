package dev.junction.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.core.Connection;
import dev.junction.core.Hub;
import dev.junction.core.NewConnection;
import dev.junction.core.WebhookInboxEntry;
import dev.junction.core.crypto.SecretCipher;
import dev.junction.core.spi.WebhookRequest;
import dev.junction.sandbox.MutableClock;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Closing a hub while its worker is applying webhooks: the worker stops between entries before the database closes,
 * so every stored event is either applied or still pending untouched for the next start, never left claimed or
 * marked failed by a closed connection pool.
 */
class WebhookShutdownTest {

    private static final String TENANT = "tenant-s";
    private static final String SECRET = "whsec-shutdown-value";
    private static final String KEY = SecretCipher.generateKey();

    private final MutableClock clock = MutableClock.at(Instant.parse("2026-03-01T00:00:00Z"));
    private TestDatabase database;
    private Hub reopened;

    private Hub hub() {
        return new MemoryProvider(clock).hubBuilder(database, KEY).build();
    }

    @AfterEach
    void stop() {
        if (reopened != null) reopened.close();
        if (database != null) database.close();
    }

    private WebhookRequest signed(long id) {
        byte[] body = ("{\"delivery\":\"delivery-" + id + "\",\"event\":\"upsert\",\"person\":{\"id\":" + id
                + ",\"name\":\"Person " + id + "\",\"updated_at\":\"2026-03-01T00:00:00Z\"}}").getBytes(StandardCharsets.UTF_8);
        return new WebhookRequest(Map.of("x-memory-signature", List.of(MemoryProvider.sign(SECRET, body))), body, clock.instant());
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void closingWhileApplyingLeavesEveryEventAppliedOrPendingUntouched(TestDatabase.Kind kind) {
        database = TestDatabase.create(kind, "WebhookShutdownTest");
        Hub hub = hub();
        Connection connection = hub.createConnection(NewConnection.of(TENANT, "memory")
                .withSetting("api_key", "key-value").withSetting("webhook_secret", SECRET));
        for (long id = 1; id <= 300; id++) {
            assertThat(hub.receiveWebhook(connection.webhookToken(), signed(id)).accepted()).isEqualTo(1);
        }

        hub.close(); // the worker is most likely still applying the events accepted last

        reopened = hub();
        List<WebhookInboxEntry> inbox = reopened.webhookInbox(TENANT, connection.id(), null, 1000);
        assertThat(inbox).hasSize(300);
        assertThat(inbox).allSatisfy(entry -> {
            assertThat(entry.status()).as("entry %s", entry.externalId()).isIn("processed", "pending");
            assertThat(entry.lastError()).as("entry %s", entry.externalId()).isNull();
        });
        assertThat(inbox).filteredOn(entry -> entry.status().equals("pending"))
                .allSatisfy(entry -> assertThat(entry.attempts()).isZero());
        // What was left is applied by the next drain.
        reopened.processWebhooks();
        assertThat(reopened.webhookInbox(TENANT, connection.id(), null, 1000)).extracting(WebhookInboxEntry::status)
                .containsOnly("processed");
    }
}
