package dev.junction.core.internal.sync;

import dev.junction.core.spi.Connector;
import dev.junction.core.spi.Provider;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * A connector bound to a connection, with its provider and the cumulative time the connection's rate limiter
 * has made callers wait (for progress reporting).
 */
public record OpenedConnector(Provider provider, Connector connector, dev.junction.core.spi.ConnectorContext context,
        Supplier<Duration> rateLimitWait) {

    /** Opens connectors for connections; implemented by the hub. */
    @FunctionalInterface
    public interface Opener {
        OpenedConnector open(String tenantId, String connectionId);
    }
}
