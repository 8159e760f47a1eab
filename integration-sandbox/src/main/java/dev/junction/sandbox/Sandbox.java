package dev.junction.sandbox;

import java.util.Map;

/**
 * A running provider simulator, started by a {@link SandboxFactory}.
 *
 * <p>Implementations are thread-safe; {@link #close()} stops the simulator and may be called more
 * than once.
 */
public interface Sandbox extends AutoCloseable {

    /** The provider this sandbox simulates, such as {@code clio}. */
    String providerId();

    /** Where the simulator listens, such as {@code http://127.0.0.1:54321}, without a trailing slash. */
    String baseUrl();

    /**
     * What a client needs to connect, by well-known key: for example {@code api_base_url}, {@code
     * authorize_url}, {@code token_url}, {@code client_id}, {@code client_secret}, {@code
     * redirect_uri}, {@code access_token}, {@code refresh_token}. Each provider documents its keys.
     * These are sandbox credentials, safe to print.
     */
    default Map<String, String> connectionProperties() {
        return Map.of();
    }

    /**
     * How many records a full sync of each entity would list now, by the provider's entity name (such as {@code
     * contacts}); a demo shows progress against it and a test checks a sync stored exactly that many. Empty when the
     * sandbox does not say.
     */
    default Map<String, Long> recordCounts() {
        return Map.of();
    }

    /** Stops the simulator and releases its port. */
    @Override
    void close();
}
