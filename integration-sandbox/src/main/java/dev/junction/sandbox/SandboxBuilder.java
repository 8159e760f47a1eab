package dev.junction.sandbox;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * What every provider sandbox's builder takes: the data seed, the clock, the port and the request budget. A
 * sandbox's own {@code Builder} extends it with its data settings and reads these through the accessors.
 *
 * <pre>{@code
 * public static final class Builder extends SandboxBuilder<Builder> {
 *     private Builder() {
 *         super(120, Duration.ofMinutes(1)); // the provider's own rate limit
 *     }
 * }
 * }</pre>
 *
 * @param <B> the sandbox's builder, returned by every setter
 */
public abstract class SandboxBuilder<B extends SandboxBuilder<B>> {

    private long seed = 42;
    private Clock clock = Clock.systemUTC();
    private int port;
    private int rateLimit;
    private Duration rateWindow;

    /** A builder whose request budget defaults to {@code rateLimit} per {@code rateWindow}. */
    protected SandboxBuilder(int rateLimit, Duration rateWindow) {
        this.rateLimit = rateLimit;
        this.rateWindow = Objects.requireNonNull(rateWindow, "rateWindow");
    }

    @SuppressWarnings("unchecked")
    private B self() {
        return (B) this;
    }

    /** The data seed; the same seed gives the same records. Default 42. */
    public B withSeed(long value) {
        this.seed = value;
        return self();
    }

    /** The clock for timestamps, expiries and rate-limit windows. Default: system UTC. */
    public B withClock(Clock value) {
        this.clock = Objects.requireNonNull(value, "clock");
        return self();
    }

    /** The port on 127.0.0.1; 0 (the default) picks a free one. */
    public B withPort(int value) {
        this.port = value;
        return self();
    }

    /** Requests allowed per credential and window (the default is the provider's own limit). */
    public B withRateLimit(int limit, Duration window) {
        this.rateLimit = limit;
        this.rateWindow = Objects.requireNonNull(window, "window");
        return self();
    }

    public long seed() { return seed; }
    public Clock clock() { return clock; }
    public int port() { return port; }
    public int rateLimit() { return rateLimit; }
    public Duration rateWindow() { return rateWindow; }
}
