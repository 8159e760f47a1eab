package dev.junction.hub;

import dev.junction.testkit.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** {@link OutboundWebhooksTest} on the embedded database. */
class EmbeddedOutboundWebhooksTest extends OutboundWebhooksTest {

    @BeforeAll
    static void start() {
        setUpAll(TestDatabase.Kind.EMBEDDED, "EmbeddedOutboundWebhooksTest");
    }

    @AfterAll
    static void stop() {
        stopServer();
    }
}
