package dev.junction.provider.clio;

import java.time.Duration;

/**
 * Retries an assertion for a short while. The sandbox records a request in its log just after it has written the
 * response, so a test that reads the log right after a call may be a few milliseconds early.
 */
final class Eventually {

    private static final Duration LIMIT = Duration.ofSeconds(2);

    private Eventually() {
    }

    static void assertEventually(Runnable assertion) {
        long deadline = System.nanoTime() + LIMIT.toNanos();
        while (true) {
            try {
                assertion.run();
                return;
            } catch (AssertionError notYet) {
                if (System.nanoTime() > deadline) {
                    throw notYet;
                }
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting", interrupted);
            }
        }
    }
}
