package dev.junction.provider.clio;

import com.fasterxml.jackson.databind.JsonNode;
import dev.junction.core.http.HttpCall;
import dev.junction.core.http.HttpClientSpec;
import dev.junction.core.http.HttpResult;
import dev.junction.core.http.HttpStack;
import dev.junction.core.http.PageResponse;
import dev.junction.core.http.PaginationStrategy;
import dev.junction.core.http.ProviderHttpClient;
import dev.junction.core.http.RateLimiterStats;
import dev.junction.core.http.RetrySettings;
import dev.junction.core.http.Sleeper;
import dev.junction.core.spi.ConnectorContext;
import dev.junction.core.spi.Credentials;
import dev.junction.core.spi.Settings;
import dev.junction.provider.clio.sandbox.ClioSandbox;
import dev.junction.sandbox.OAuthTokens;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A {@link ConnectorContext} for one sandbox user, built the way core's {@code ConnectorContextImpl} builds one but
 * through public API only: a real {@link HttpStack} client with a bearer token the sandbox issued, and the
 * provider's customizer applied to the prepared spec.
 *
 * <p>Two differences from core, both for fast, deterministic tests: no proactive rate limit (the tests run on a
 * frozen clock, on which a spent budget would never refill; the sandbox's own limit is raised instead), and
 * retries back off for milliseconds. {@link #beforeEachCall} lets a test act just before a chosen request leaves
 * (to inject a sandbox fault into the third webhook creation, say). Thread-safe.
 */
final class SandboxConnectorContext implements ConnectorContext, AutoCloseable {

    private final ClioSandbox sandbox;
    private final Clock clock;
    private final HttpStack stack;
    private final OAuthTokens tokens;
    private volatile Consumer<HttpCall> beforeEachCall = call -> { };

    SandboxConnectorContext(ClioSandbox sandbox, Clock clock, long userId) {
        this.sandbox = sandbox;
        this.clock = clock;
        this.stack = HttpStack.create(clock, Sleeper.SYSTEM);
        this.tokens = sandbox.issueTokens(userId);
    }

    void beforeEachCall(Consumer<HttpCall> hook) {
        this.beforeEachCall = hook;
    }

    @Override
    public String tenantId() {
        return "tenant-1";
    }

    @Override
    public String connectionId() {
        return "connection-1";
    }

    @Override
    public Settings connectionSettings() {
        return Settings.of(ClioProvider.BASE_URL, sandbox.baseUrl());
    }

    @Override
    public Settings providerSettings() {
        return Settings.EMPTY;
    }

    @Override
    public Clock clock() {
        return clock;
    }

    @Override
    public ProviderHttpClient http(String baseUrl, HttpCustomizer customizer) {
        HttpClientSpec prepared = HttpClientSpec.of(ClioProvider.ID, connectionId(), baseUrl)
                .withAuthenticator(() -> Map.of("Authorization", "Bearer " + tokens.accessToken()))
                .withRetry(RetrySettings.defaults().withBackoff(Duration.ofMillis(5), Duration.ofMillis(20)));
        Credentials credentials = new Credentials.OAuthTokens(tokens.accessToken(), tokens.refreshToken(), null, null);
        ProviderHttpClient client = stack.client(customizer.customize(prepared, credentials));
        return new HookedClient(client);
    }

    @Override
    public void close() {
        stack.close();
    }

    /** Runs the test's hook, then the real client. */
    private final class HookedClient implements ProviderHttpClient {

        private final ProviderHttpClient delegate;

        HookedClient(ProviderHttpClient delegate) {
            this.delegate = delegate;
        }

        @Override
        public HttpResult execute(HttpCall call) {
            beforeEachCall.accept(call);
            return delegate.execute(call);
        }

        @Override
        public JsonNode executeJson(HttpCall call) {
            beforeEachCall.accept(call);
            return delegate.executeJson(call);
        }

        @Override
        public PageResponse fetchPage(HttpCall firstPage, PaginationStrategy strategy, Optional<String> cursor) {
            return delegate.fetchPage(firstPage, strategy, cursor);
        }

        @Override
        public <T> T feign(Class<T> api) {
            return delegate.feign(api);
        }

        @Override
        public RateLimiterStats rateLimitStats() {
            return delegate.rateLimitStats();
        }
    }
}
