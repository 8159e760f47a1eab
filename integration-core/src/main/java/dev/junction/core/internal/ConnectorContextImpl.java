package dev.junction.core.internal;

import dev.junction.core.http.HttpClientSpec;
import dev.junction.core.http.HttpStack;
import dev.junction.core.http.ProviderHttpClient;
import dev.junction.core.http.RequestAuthenticator;
import dev.junction.core.http.RetrySettings;
import dev.junction.core.internal.auth.TokenManager;
import dev.junction.core.spi.AuthMethod;
import dev.junction.core.spi.ConnectorContext;
import dev.junction.core.spi.Credentials;
import dev.junction.core.spi.Provider;
import dev.junction.core.spi.RateLimitPolicy;
import dev.junction.core.spi.Setting;
import dev.junction.core.spi.Settings;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/**
 * The {@link ConnectorContext} core hands a provider for one connection. HTTP clients it creates authenticate with
 * the connection's current OAuth token (refreshed by {@link TokenManager}) and share the connection's rate limiter.
 */
public final class ConnectorContextImpl implements ConnectorContext {

    /**
     * How long an OAuth connection's tokens, once read from the store, are reused for further requests (a page-by-page
     * sync sends several a second; each read is a query and a decryption). Tokens about to expire are never reused; a
     * 401 drops them, and the refresh finds whatever another process stored meanwhile; so the only cost of the reuse
     * is that a token replaced elsewhere may still be sent for this long, which the provider answers with a 401.
     */
    static final Duration TOKEN_REUSE = Duration.ofSeconds(1);

    private final String tenantId;
    private final String connectionId;
    private final Provider provider;
    private final Settings connectionSettings;
    private final Settings providerSettings;
    private final Credentials credentials;
    private final Clock clock;
    private final HttpStack http;
    private final TokenManager tokens;
    private final RateLimitPolicy rateLimit;
    private final RetrySettings retry;
    private final Duration timeout;
    private final List<ProviderHttpClient> clients = new CopyOnWriteArrayList<>();

    public ConnectorContextImpl(String tenantId, String connectionId, Provider provider, Settings connectionSettings,
            Settings providerSettings, Credentials credentials, Clock clock, HttpStack http, TokenManager tokens,
            RateLimitPolicy rateLimit, RetrySettings retry, Duration timeout) {
        this.tenantId = tenantId;
        this.connectionId = connectionId;
        this.provider = provider;
        this.connectionSettings = connectionSettings;
        this.providerSettings = providerSettings;
        this.credentials = credentials;
        this.clock = clock;
        this.http = http;
        this.tokens = tokens;
        this.rateLimit = rateLimit;
        this.retry = retry;
        this.timeout = timeout;
    }

    @Override
    public String tenantId() {
        return tenantId;
    }

    @Override
    public String connectionId() {
        return connectionId;
    }

    @Override
    public Settings connectionSettings() {
        return connectionSettings;
    }

    @Override
    public Settings providerSettings() {
        return providerSettings;
    }

    @Override
    public Clock clock() {
        return clock;
    }

    @Override
    public ProviderHttpClient http(String baseUrl, HttpCustomizer customizer) {
        HttpClientSpec prepared = new HttpClientSpec(provider.id(), connectionId, baseUrl, rateLimit, authenticator(),
                Map.of(), secretHeaderNames(), null, retry, timeout);
        ProviderHttpClient client = http.client(customizer.customize(prepared, credentials));
        clients.add(client);
        return client;
    }

    /** Total time this connection's callers waited for rate-limit budget (the limiter is per connection). */
    public Duration rateLimitWait() {
        return clients.isEmpty() ? Duration.ZERO : clients.get(0).rateLimitStats().timeWaited();
    }

    private RequestAuthenticator authenticator() {
        if (!(provider.authMethod() instanceof AuthMethod.OAuth2)) {
            return RequestAuthenticator.NONE;
        }
        return new RequestAuthenticator() {
            private volatile String lastToken;
            /** Tokens read from the store, and when (System.nanoTime): reused for {@link #TOKEN_REUSE}. */
            private volatile Credentials.OAuthTokens read;
            private volatile long readAt;

            @Override
            public Map<String, String> headers() {
                Credentials.OAuthTokens current = read;
                if (current == null || System.nanoTime() - readAt > TOKEN_REUSE.toNanos() || !tokens.stillFresh(current)) {
                    current = tokens.currentTokens(tenantId, connectionId);
                    readAt = System.nanoTime();
                    read = current;
                }
                lastToken = current.accessToken();
                return Map.of("Authorization", "Bearer " + lastToken);
            }

            @Override
            public boolean onUnauthorized() {
                String rejected = lastToken;
                if (rejected == null) {
                    return false;
                }
                read = null; // the next request reads (or refreshes) again
                tokens.refresh(tenantId, connectionId, rejected);
                return true;
            }
        };
    }

    private Set<String> secretHeaderNames() {
        return provider.settings().stream().filter(Setting::secret).map(Setting::name).collect(Collectors.toSet());
    }
}
