package dev.junction.hub;

import dev.junction.testkit.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** {@link ConnectionErrorsTest} on the PostgreSQL. */
class PostgresConnectionErrorsTest extends ConnectionErrorsTest {

    @BeforeAll
    static void start() {
        setUpAll(TestDatabase.Kind.POSTGRESQL, "PostgresConnectionErrorsTest");
    }

    @AfterAll
    static void stop() {
        stopServer();
    }
}
