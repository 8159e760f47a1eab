package dev.junction.sandbox;

/**
 * A sandbox a test can steer and observe: inject faults, read the request log and the rate limiter's counts. Every
 * provider simulator built on this module implements it; the conformance kit drives sandboxes through it.
 */
public interface ControllableSandbox extends Sandbox {

    /** Faults to answer the next or every matching request with. */
    FaultInjector faults();

    /** Every request the sandbox received, in order. */
    RequestLog requestLog();

    /** How many requests the rate limiter saw and how many it answered with 429. */
    RateLimitStatistics rateLimitStatistics();
}
