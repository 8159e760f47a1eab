package dev.junction.core.http;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * How the HTTP stack waits: for the rate-limit budget, after a 429 and between retries. Injected into
 * {@link HttpStack} together with a {@link java.time.Clock} so tests can scale time down and never sleep for real.
 *
 * <p>Implementations must be thread-safe; many callers wait at once.
 */
@FunctionalInterface
public interface Sleeper {

    /** Blocks the calling thread for {@code duration}; returns at once when it is zero or negative. */
    void sleep(Duration duration) throws InterruptedException;

    /** Sleeps for real. */
    Sleeper SYSTEM = duration -> TimeUnit.NANOSECONDS.sleep(duration.toNanos());
}
