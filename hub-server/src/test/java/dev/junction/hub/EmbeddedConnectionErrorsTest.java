package dev.junction.hub;

import dev.junction.testkit.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** {@link ConnectionErrorsTest} on the embedded database. */
class EmbeddedConnectionErrorsTest extends ConnectionErrorsTest {

    @BeforeAll
    static void start() {
        setUpAll(TestDatabase.Kind.EMBEDDED, "EmbeddedConnectionErrorsTest");
    }

    @AfterAll
    static void stop() {
        stopServer();
    }
}
