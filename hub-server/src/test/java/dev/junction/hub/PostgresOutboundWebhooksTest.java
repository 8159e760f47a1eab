package dev.junction.hub;

import dev.junction.testkit.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** {@link OutboundWebhooksTest} on the PostgreSQL. */
class PostgresOutboundWebhooksTest extends OutboundWebhooksTest {

    @BeforeAll
    static void start() {
        setUpAll(TestDatabase.Kind.POSTGRESQL, "PostgresOutboundWebhooksTest");
    }

    @AfterAll
    static void stop() {
        stopServer();
    }
}
