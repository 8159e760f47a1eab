package dev.junction.sandbox;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How to start a {@link Sandbox} through its {@link SandboxFactory}.
 *
 * @param seed the data seed; the same seed gives the same records
 * @param clock the time source, shared with the code under test in tests
 * @param port the port to bind on 127.0.0.1; 0 picks a free one
 * @param settings provider-specific settings, such as {@code records.contacts=1000}; each factory
 *     documents the keys it reads and ignores the others
 */
public record SandboxOptions(long seed, Clock clock, int port, Map<String, String> settings) {

    /** Checks for nulls and copies the settings. */
    public SandboxOptions {
        Objects.requireNonNull(clock, "clock");
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("Not a port: " + port);
        }
        settings = Map.copyOf(settings);
    }

    /** Seed 42, the system UTC clock, a random port and no settings. */
    public static SandboxOptions defaults() {
        return new SandboxOptions(42, Clock.systemUTC(), 0, Map.of());
    }

    /** Returns a copy with another seed. */
    public SandboxOptions withSeed(long value) {
        return new SandboxOptions(value, clock, port, settings);
    }

    /** Returns a copy with another clock. */
    public SandboxOptions withClock(Clock value) {
        return new SandboxOptions(seed, value, port, settings);
    }

    /** Returns a copy with another port. */
    public SandboxOptions withPort(int value) {
        return new SandboxOptions(seed, clock, value, settings);
    }

    /** Returns a copy with one setting added or replaced. */
    public SandboxOptions withSetting(String key, String value) {
        Map<String, String> copy = new LinkedHashMap<>(settings);
        copy.put(key, value);
        return new SandboxOptions(seed, clock, port, copy);
    }

    /** The value of one setting. */
    public Optional<String> setting(String key) {
        return Optional.ofNullable(settings.get(key));
    }
}
