package dev.junction.core;

import java.time.Duration;

/** A sync started with {@link Hub#startSync}: watch it, wait for it, or cancel it. Thread-safe. */
public interface SyncHandle {

    String runId();

    /** A snapshot of progress right now. */
    SyncProgress progress();

    /** Waits for the run to end and returns it as stored. */
    SyncRun await();

    /** Waits at most {@code timeout}; throws {@link java.util.concurrent.TimeoutException} wrapped when it is not done. */
    SyncRun await(Duration timeout);

    /** Asks the run to stop after the current page; the checkpoint keeps what was done. */
    void cancel();

    boolean done();
}
