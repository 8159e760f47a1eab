package dev.junction.provider.clio;

import dev.junction.core.spi.Action;
import dev.junction.core.spi.AuthMethod;
import dev.junction.core.spi.Capability;
import dev.junction.core.spi.Connector;
import dev.junction.core.spi.ConnectorContext;
import dev.junction.core.spi.EntityType;
import dev.junction.core.spi.Provider;
import dev.junction.core.spi.RateLimitPolicy;
import dev.junction.core.spi.Setting;
import dev.junction.core.spi.Settings;
import dev.junction.core.spi.Transformer;
import dev.junction.core.spi.WebhookHandler;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * Clio Manage (API v4). OAuth 2.0 authorization code per region, {@code X-API-VERSION} pinned, cursor paging with
 * {@code order=id(asc)}, {@code updated_since} incremental sync, 50 requests a minute per token at peak with
 * {@code X-RateLimit-*} headers. Webhooks with the {@code X-Hook-Secret} handshake and {@code X-Hook-Signature} HMAC
 * ({@link ClioWebhookHandler}, {@link ClioWebhookSubscriptions}), and custom actions as typed writes
 * ({@link ClioActions}). Listed by ServiceLoader. Stateless and thread-safe.
 */
public final class ClioProvider implements Provider {

    public static final String ID = "clio";
    /** The API minor version every request pins (activity quantities are seconds from 4.0.4 on). */
    public static final String API_VERSION = "4.0.9";

    public static final String CLIENT_ID = "client_id";
    public static final String CLIENT_SECRET = "client_secret";
    public static final String REGION = "region";
    /** Overrides the region's host, for the sandbox or a proxy: {@code http://127.0.0.1:8080}. */
    public static final String BASE_URL = "base_url";

    private static final WebhookHandler WEBHOOK_HANDLER = new ClioWebhookHandler();
    private static final List<Action> ACTIONS = ClioActions.all();

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String displayName() {
        return "Clio Manage";
    }

    @Override
    public AuthMethod authMethod() {
        // Scopes are chosen in the Clio app settings, not per request.
        return new AuthMethod.OAuth2(List.of(), false);
    }

    @Override
    public AuthMethod.OAuthEndpoints oauthEndpoints(Settings connectionSettings, Settings providerSettings) {
        String host = host(connectionSettings);
        return new AuthMethod.OAuthEndpoints(host + "/oauth/authorize", host + "/oauth/token");
    }

    @Override
    public List<EntityType> entityTypes() {
        return ClioEntity.types();
    }

    @Override
    public RateLimitPolicy rateLimitPolicy() {
        return RateLimitPolicy.of(50, Duration.ofMinutes(1)).withHeaders(RateLimitPolicy.RateLimitHeaders.X_RATE_LIMIT_EPOCH_SECONDS);
    }

    @Override
    public Set<Capability> capabilities() {
        return Set.of(Capability.INCREMENTAL_SYNC, Capability.FETCH_ONE, Capability.WEBHOOKS,
                Capability.WEBHOOK_REGISTRATION, Capability.ACTIONS);
    }

    @Override
    public List<Setting> settings() {
        return List.of(
                Setting.provider(CLIENT_ID, true, "OAuth client id of the Clio app"),
                Setting.providerSecret(CLIENT_SECRET, "OAuth client secret of the Clio app"),
                Setting.connection(REGION, false, "us (default), eu, ca or au"),
                Setting.connection(BASE_URL, false, "overrides the region's host, e.g. the sandbox's URL"));
    }

    @Override
    public void validateConnectionSettings(Settings connectionSettings) {
        host(connectionSettings);
    }

    @Override
    public Connector connect(ConnectorContext context) {
        return new ClioConnector(context, apiBaseUrl(context.connectionSettings()));
    }

    @Override
    public Transformer transformer() {
        return new ClioTransformer();
    }

    /** Verifies Clio's {@code X-Hook-Signature} and answers its {@code X-Hook-Secret} handshake. */
    @Override
    public WebhookHandler webhookHandler() {
        return WEBHOOK_HANDLER;
    }

    /** The custom-action writes and the click verification of {@link ClioActions}. */
    @Override
    public List<Action> actions() {
        return ACTIONS;
    }

    /** The API root for a connection, {@code https://app.clio.com/api/v4} or the region's or {@code base_url}'s. */
    static String apiBaseUrl(Settings connectionSettings) {
        return host(connectionSettings) + "/api/v4";
    }

    static String host(Settings settings) {
        ClioRegion region = ClioRegion.parse(settings.get(REGION).orElse(null));
        return settings.get(BASE_URL).map(ClioProvider::checkedBaseUrl).orElse(region.host());
    }

    private static String checkedBaseUrl(String value) {
        try {
            URI uri = URI.create(value);
            if (uri.getHost() == null || !("https".equals(uri.getScheme()) || "http".equals(uri.getScheme()))) {
                throw new IllegalArgumentException();
            }
        } catch (IllegalArgumentException e) {
            throw dev.junction.core.error.JunctionException.invalidInput("setting 'base_url' must be an http(s) URL with a host");
        }
        return value.endsWith("/") ? value.substring(0, value.length() - 1) : value;
    }
}
