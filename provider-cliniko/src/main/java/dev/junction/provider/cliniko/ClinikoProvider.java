package dev.junction.provider.cliniko;

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
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * Cliniko (API v1), the practice-management system for clinics. An API key per connection sent as the HTTP Basic
 * user name with an empty password; the key's suffix names its shard and so the host
 * {@code https://api.<shard>.cliniko.com/v1}; a {@code User-Agent} with a contact e-mail on every request; pages of
 * up to 100 followed through {@code links.next}; 200 requests a minute per user, a 429 carrying only
 * {@code X-RateLimit-Reset} ([CLINIKO-README]).
 *
 * <p>Cliniko has no webhooks (redguava/cliniko-api#150), so this provider declares none: freshness comes from
 * short incremental polls, each a few cheap requests ({@code q[]=updated_at:>=} on the main and state listings, and
 * the {@code /deleted} listings read as tombstones, hence {@link Capability#DELETION_SIGNALS}). Archived patients
 * and cancelled appointments are states, kept and flagged, never deletions. Typed writes are in
 * {@link ClinikoActions}; the "active patients" view over synced data is {@link ClinikoActivePatients}.
 *
 * <p>Listed by ServiceLoader. Stateless and thread-safe.
 */
public final class ClinikoProvider implements Provider {

    public static final String ID = "cliniko";

    /** Connection setting: the API key (secret), with its shard suffix ({@code …-au2}). */
    public static final String API_KEY = "api_key";
    /** Connection setting: overrides the shard's host, for the sandbox or a proxy ({@code http://127.0.0.1:8080}). */
    public static final String BASE_URL = "base_url";
    /** Provider setting: the {@code User-Agent}, an app name and contact e-mail: {@code Junction (ops@example.com)}. */
    public static final String USER_AGENT = "user_agent";

    /** 200 requests a minute per user; a 429 says when the window resets in {@code X-RateLimit-Reset}, unix seconds. */
    public static final RateLimitPolicy RATE_LIMIT = RateLimitPolicy.of(200, Duration.ofMinutes(1))
            .withHeaders(new RateLimitPolicy.RateLimitHeaders(null, null, "X-RateLimit-Reset", true));

    private static final List<Action> ACTIONS = ClinikoActions.all();

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String displayName() {
        return "Cliniko";
    }

    @Override
    public AuthMethod authMethod() {
        return new AuthMethod.Basic(API_KEY, null);
    }

    @Override
    public List<EntityType> entityTypes() {
        return ClinikoEntity.types();
    }

    @Override
    public RateLimitPolicy rateLimitPolicy() {
        return RATE_LIMIT;
    }

    @Override
    public Set<Capability> capabilities() {
        return Set.of(Capability.INCREMENTAL_SYNC, Capability.DELETION_SIGNALS, Capability.ACTIONS);
    }

    @Override
    public List<Setting> settings() {
        return List.of(
                Setting.provider(USER_AGENT, true, "User-Agent with your app name and contact e-mail, e.g. 'Junction (ops@example.com)'"),
                Setting.connectionSecret(API_KEY, "Cliniko API key; its suffix after the last '-' names the shard (au1 when none)"),
                Setting.connection(BASE_URL, false, "overrides the shard's host, e.g. the sandbox's URL"));
    }

    /** Refuses a malformed key, a key with an invalid shard suffix, or a bad {@code base_url}. */
    @Override
    public void validateConnectionSettings(Settings connectionSettings) {
        ClinikoApiKey key = ClinikoApiKey.parse(connectionSettings.get(API_KEY).orElse(null));
        apiBaseUrl(connectionSettings, key);
    }

    @Override
    public Connector connect(ConnectorContext context) {
        return new ClinikoConnector(context);
    }

    @Override
    public Transformer transformer() {
        return new ClinikoTransformer();
    }

    @Override
    public List<Action> actions() {
        return ACTIONS;
    }

    /** The API root: {@code base_url + /v1} when set, else the key's shard host. */
    static String apiBaseUrl(Settings settings, ClinikoApiKey key) {
        return settings.get(BASE_URL).map(ClinikoProvider::checkedBaseUrl).map(host -> host + "/v1").orElse(key.apiBaseUrl());
    }

    private static String checkedBaseUrl(String value) {
        try {
            URI uri = URI.create(value);
            if (uri.getHost() == null || !("https".equals(uri.getScheme()) || "http".equals(uri.getScheme()))) {
                throw new IllegalArgumentException();
            }
        } catch (IllegalArgumentException e) {
            throw new JunctionException(ErrorKind.INVALID_INPUT, "setting 'base_url' must be an http(s) URL with a host",
                    ErrorContext.provider(ID));
        }
        return value.endsWith("/") ? value.substring(0, value.length() - 1) : value;
    }
}
