package dev.junction.hub;

import dev.junction.testkit.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** {@link HubServerApiTest} on the embedded database. */
class EmbeddedHubServerApiTest extends HubServerApiTest {

    @BeforeAll
    static void start() {
        setUpAll(TestDatabase.Kind.EMBEDDED, "EmbeddedHubServerApiTest");
    }

    @AfterAll
    static void stop() {
        stopServer();
    }
}
