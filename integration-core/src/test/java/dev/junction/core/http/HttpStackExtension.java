package dev.junction.core.http;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The {@link HttpStack} under test, for tests where WireMock plays the provider: it runs on a {@link ManualClock},
 * waits with a {@link RecordingSleeper} that moves that clock on instead of sleeping, and is closed after each test.
 * Register it on an instance field, so that each test has its own clock, sleeps and stack:
 *
 * <pre>{@code
 * @RegisterExtension
 * final HttpStackExtension http = new HttpStackExtension();
 * }</pre>
 */
final class HttpStackExtension implements AfterEachCallback {

    private final ManualClock clock = new ManualClock();
    private RecordingSleeper sleeper = RecordingSleeper.advancing(clock);
    private HttpStack stack = HttpStack.create(clock, sleeper);

    ProviderHttpClient client(HttpClientSpec spec) {
        return stack.client(spec);
    }

    ManualClock clock() {
        return clock;
    }

    /** The waits the stack has asked for, in order. */
    List<Duration> sleeps() {
        return sleeper.sleeps();
    }

    /** Closes the stack and starts another on the same clock that waits with {@code other}. */
    void restartWith(RecordingSleeper other) {
        stack.close();
        sleeper = other;
        stack = HttpStack.create(clock, other);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        stack.close();
    }
}
