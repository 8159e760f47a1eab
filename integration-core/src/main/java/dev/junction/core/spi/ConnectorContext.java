package dev.junction.core.spi;

import dev.junction.core.http.HttpClientSpec;
import dev.junction.core.http.ProviderHttpClient;
import java.time.Clock;

/**
 * What core hands a provider when it binds a {@link Connector} to one connection. Core builds it per sync run,
 * webhook or action; it is thread-safe.
 */
public interface ConnectorContext {

    String tenantId();

    String connectionId();

    /** The connection's settings, secrets included (decrypted in memory only). */
    Settings connectionSettings();

    /** The provider-wide settings (the OAuth client, for example), secrets included. */
    Settings providerSettings();

    /** The clock the hub runs on. */
    Clock clock();

    /**
     * An HTTP client for this connection going through core's stack: the connection's credentials (refreshed
     * when needed), its shared rate-limit budget, retries, logging with secrets redacted and the error
     * taxonomy. {@code customizer} lets the provider set default headers and, for API keys, how it
     * authenticates; core fills provider, connection, rate limit and OAuth bearer tokens.
     */
    ProviderHttpClient http(String baseUrl, HttpCustomizer customizer);

    /** Adjusts the client spec core prepared for this connection. */
    @FunctionalInterface
    interface HttpCustomizer {
        HttpClientSpec customize(HttpClientSpec prepared, Credentials credentials);
    }
}
