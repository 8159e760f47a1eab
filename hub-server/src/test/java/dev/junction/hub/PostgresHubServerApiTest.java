package dev.junction.hub;

import dev.junction.testkit.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** {@link HubServerApiTest} on PostgreSQL. */
class PostgresHubServerApiTest extends HubServerApiTest {

    @BeforeAll
    static void start() {
        setUpAll(TestDatabase.Kind.POSTGRESQL, "PostgresHubServerApiTest");
    }

    @AfterAll
    static void stop() {
        stopServer();
    }
}
