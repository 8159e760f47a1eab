package dev.junction.provider.ascora;

import dev.junction.core.error.ErrorContext;
import dev.junction.core.error.ErrorKind;
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

/**
 * Ascora, the Australian field-service CRM ([ASC-MC], [ASC-PD]; facts in providers.md section 5). An API key per
 * connection sent in the {@code Auth} header; lists paged with {@code Page} (1-based) and {@code PageSize}, items in
 * {@code results[]}, read until an empty page (no total or has-more field is documented).
 *
 * <p>Capabilities: {@link Capability#FETCH_ONE} (single-record GETs for customers, jobs, quotes),
 * {@link Capability#WEBHOOKS} and {@link Capability#WEBHOOK_REGISTRATION} (unsigned; every event is refetched),
 * {@link Capability#PUSH} (customers, jobs) and {@link Capability#ACTIONS}. Not declared: incremental sync (no
 * {@code updated_since}), deletion signals (none documented). Ascora's public API has no endpoints for job notes,
 * attachments or tasks, so Junction offers none for Ascora.
 *
 * <p>Listed by ServiceLoader. Stateless and thread-safe.
 */
public final class AscoraProvider implements Provider {

    public static final String ID = "ascora";
    /** Connection setting: the API key (secret), from Administration &gt; API Settings in Ascora. */
    public static final String API_KEY = "api_key";
    /** Connection setting: overrides {@code https://api.ascora.com.au}, for the sandbox or a proxy. */
    public static final String BASE_URL = "base_url";
    public static final String DEFAULT_BASE_URL = "https://api.ascora.com.au";

    /** Ascora documents no rate limit; a modest default keeps one account from being hammered. Configurable. */
    public static final RateLimitPolicy RATE_LIMIT = RateLimitPolicy.of(120, Duration.ofMinutes(1));

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String displayName() {
        return "Ascora";
    }

    @Override
    public AuthMethod authMethod() {
        return new AuthMethod.ApiKey(API_KEY);
    }

    @Override
    public List<EntityType> entityTypes() {
        return AscoraEntity.types();
    }

    @Override
    public RateLimitPolicy rateLimitPolicy() {
        return RATE_LIMIT;
    }

    @Override
    public Set<Capability> capabilities() {
        return Set.of(Capability.FETCH_ONE, Capability.WEBHOOKS, Capability.WEBHOOK_REGISTRATION, Capability.PUSH,
                Capability.ACTIONS);
    }

    /** The accounting queues list only what has not been acknowledged yet, so a full pass must not sweep them. */
    @Override
    public boolean listsEveryRecord(EntityType entity) {
        return AscoraEntity.byName(entity.name()).map(known -> !known.queue()).orElse(true);
    }

    @Override
    public List<Setting> settings() {
        return List.of(
                Setting.connectionSecret(API_KEY, "Ascora API key (Administration > API Settings), sent in the 'Auth' header"),
                Setting.connection(BASE_URL, false, "overrides https://api.ascora.com.au, e.g. the sandbox's URL"));
    }

    @Override
    public void validateConnectionSettings(Settings connectionSettings) {
        apiKey(connectionSettings);
        baseUrl(connectionSettings);
    }

    @Override
    public Connector connect(ConnectorContext context) {
        return new AscoraConnector(context);
    }

    @Override
    public Transformer transformer() {
        return new AscoraTransformer();
    }

    @Override
    public WebhookHandler webhookHandler() {
        return new AscoraWebhookHandler();
    }

    @Override
    public List<Action> actions() {
        return AscoraActions.all();
    }

    static String apiKey(Settings settings) {
        String key = settings.get(API_KEY).map(String::trim).orElse("");
        if (key.isEmpty()) {
            throw invalid("setting 'api_key' is required");
        }
        if (!key.matches("[\\x21-\\x7E]{8,512}")) {
            throw invalid("setting 'api_key' must be 8 to 512 printable characters without spaces");
        }
        return key;
    }

    static String baseUrl(Settings settings) {
        String value = settings.get(BASE_URL).orElse(DEFAULT_BASE_URL);
        try {
            URI uri = URI.create(value);
            if (uri.getHost() == null || !("https".equals(uri.getScheme()) || "http".equals(uri.getScheme()))) {
                throw new IllegalArgumentException();
            }
        } catch (IllegalArgumentException e) {
            throw invalid("setting 'base_url' must be an http(s) URL with a host");
        }
        return value.endsWith("/") ? value.substring(0, value.length() - 1) : value;
    }

    static JunctionException invalid(String message) {
        return new JunctionException(ErrorKind.INVALID_INPUT, message, ErrorContext.provider(ID));
    }
}
