package dev.junction.provider.stripe;

import dev.junction.core.error.JunctionException;
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
import java.util.regex.Pattern;

/**
 * Stripe (REST API {@code /v1}, form-encoded writes, JSON answers). A connection authenticates with a secret or
 * restricted API key ({@code sk_test_}, {@code sk_live_}, {@code rk_test_}, {@code rk_live_}) sent as a Bearer
 * token; every request pins {@link #API_VERSION} in {@code Stripe-Version}. Lists page with {@code limit=100} and
 * {@code starting_after}; incremental passes read the Events API; deletions arrive as {@code *.deleted} events
 * (tombstones), so the provider declares {@link Capability#DELETION_SIGNALS}. Webhooks are registered through
 * {@code /v1/webhook_endpoints} and verified with {@code Stripe-Signature} ({@link StripeWebhookHandler}); writes
 * are {@link StripeActions} with an {@code Idempotency-Key}. Listed by ServiceLoader. Stateless and thread-safe.
 *
 * <p><b>Rate limits.</b> Stripe allows 100 operations a second in live mode and 25 in test mode ([STRIPE-DOCS]
 * https://docs.stripe.com/rate-limits) and sends no rate-limit headers. {@link #rateLimitPolicy()} is the live
 * budget; a connection whose key is a test key is narrowed to 25 a second when its HTTP client is built (the
 * stricter of that and any budget the hub was configured with), so no SPI change was needed.
 */
public final class StripeProvider implements Provider {

    public static final String ID = "stripe";
    /** The API version every request and every registered webhook endpoint pins (providers.md, 4. Stripe). */
    public static final String API_VERSION = "2026-09-30.endive";
    public static final String DEFAULT_BASE_URL = "https://api.stripe.com";

    /** The secret or restricted API key of the account. */
    public static final String API_KEY = "api_key";
    /** Overrides {@link #DEFAULT_BASE_URL}, for the sandbox or a proxy: {@code http://127.0.0.1:8080}. */
    public static final String BASE_URL = "base_url";
    /**
     * The signing secret ({@code whsec_...}) of an endpoint registered in the Dashboard rather than through
     * {@link dev.junction.core.Hub#enableWebhooks}; optional.
     */
    public static final String WEBHOOK_SECRET = "webhook_secret";

    public static final RateLimitPolicy LIVE_RATE_LIMIT = RateLimitPolicy.of(100, Duration.ofSeconds(1));
    public static final RateLimitPolicy TEST_RATE_LIMIT = RateLimitPolicy.of(25, Duration.ofSeconds(1));

    private static final Pattern KEY = Pattern.compile("(sk|rk)_(test|live)_[A-Za-z0-9]{8,247}");
    private static final WebhookHandler WEBHOOK_HANDLER = new StripeWebhookHandler();

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String displayName() {
        return "Stripe";
    }

    @Override
    public AuthMethod authMethod() {
        return new AuthMethod.ApiKey(API_KEY);
    }

    @Override
    public List<EntityType> entityTypes() {
        return StripeEntity.types();
    }

    /** Live mode's 100 requests a second; test keys get {@link #TEST_RATE_LIMIT} (see the class comment). */
    @Override
    public RateLimitPolicy rateLimitPolicy() {
        return LIVE_RATE_LIMIT;
    }

    @Override
    public Set<Capability> capabilities() {
        return Set.of(Capability.INCREMENTAL_SYNC, Capability.FETCH_ONE, Capability.DELETION_SIGNALS, Capability.WEBHOOKS,
                Capability.WEBHOOK_REGISTRATION, Capability.ACTIONS);
    }

    @Override
    public List<Setting> settings() {
        return List.of(
                Setting.connectionSecret(API_KEY, "secret (sk_test_/sk_live_) or restricted (rk_test_/rk_live_) API key"),
                Setting.connection(BASE_URL, false, "overrides https://api.stripe.com, e.g. the sandbox's URL"),
                new Setting(WEBHOOK_SECRET, Setting.Scope.CONNECTION, true, false,
                        "whsec_ signing secret of a Dashboard-registered endpoint (optional)"));
    }

    /** Refuses a malformed API key or base URL with {@code INVALID_INPUT}, before anything is stored. */
    @Override
    public void validateConnectionSettings(Settings connectionSettings) {
        checkedKey(connectionSettings.get(API_KEY).orElse(null));
        baseUrl(connectionSettings);
        connectionSettings.get(WEBHOOK_SECRET).ifPresent(secret -> {
            if (!secret.startsWith("whsec_") || secret.length() < 10) {
                throw JunctionException.invalidInput("setting '" + WEBHOOK_SECRET + "' must be a whsec_ signing secret");
            }
        });
    }

    @Override
    public Connector connect(ConnectorContext context) {
        return new StripeConnector(context);
    }

    @Override
    public Transformer transformer() {
        return new StripeTransformer();
    }

    @Override
    public WebhookHandler webhookHandler() {
        return WEBHOOK_HANDLER;
    }

    @Override
    public List<Action> actions() {
        return StripeActions.all();
    }

    /** The key, checked; the message never echoes it. */
    static String checkedKey(String key) {
        if (key == null || !KEY.matcher(key).matches()) {
            throw JunctionException.invalidInput("setting '" + API_KEY + "' must be a Stripe secret or restricted key "
                    + "(sk_test_, sk_live_, rk_test_ or rk_live_ followed by letters and digits)");
        }
        return key;
    }

    /** Whether the key is a test-mode key (sandbox rate limit). */
    static boolean testMode(String key) {
        return key.startsWith("sk_test_") || key.startsWith("rk_test_");
    }

    static String baseUrl(Settings settings) {
        return settings.get(BASE_URL).map(StripeProvider::checkedBaseUrl).orElse(DEFAULT_BASE_URL);
    }

    private static String checkedBaseUrl(String value) {
        try {
            URI uri = URI.create(value);
            if (uri.getHost() == null || !("https".equals(uri.getScheme()) || "http".equals(uri.getScheme()))) {
                throw new IllegalArgumentException();
            }
        } catch (IllegalArgumentException e) {
            throw JunctionException.invalidInput("setting '" + BASE_URL + "' must be an http(s) URL with a host");
        }
        return value.endsWith("/") ? value.substring(0, value.length() - 1) : value;
    }
}
