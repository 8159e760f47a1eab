package dev.junction.core.http;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A sleeper that never sleeps: it records each wait and, unless the clock is meant to stand still, moves the
 * manual clock on by it. Thread-safe.
 */
final class RecordingSleeper implements Sleeper {

    private final ManualClock clock;
    private final List<Duration> sleeps = new ArrayList<>();

    private RecordingSleeper(ManualClock clock) {
        this.clock = clock;
    }

    /** Each sleep moves {@code clock} on, as if the thread had slept. */
    static RecordingSleeper advancing(ManualClock clock) {
        return new RecordingSleeper(clock);
    }

    /** Time stands still, so each recorded wait is exactly the distance to the slot the limiter handed out. */
    static RecordingSleeper frozen() {
        return new RecordingSleeper(null);
    }

    @Override
    public void sleep(Duration duration) {
        synchronized (sleeps) {
            sleeps.add(duration);
        }
        if (clock != null) {
            clock.advance(duration);
        }
    }

    List<Duration> sleeps() {
        synchronized (sleeps) {
            return List.copyOf(sleeps);
        }
    }
}
