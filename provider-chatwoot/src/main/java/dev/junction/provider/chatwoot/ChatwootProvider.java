package dev.junction.provider.chatwoot;

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
import java.util.regex.Pattern;

/**
 * Chatwoot (Application API {@code /api/v1/accounts/{account_id}}), cloud ({@code https://app.chatwoot.com}) or
 * self-hosted. A user access token per connection, sent as the {@code api_access_token} header.
 *
 * <p><b>Incremental sync.</b> Chatwoot's lists have no {@code updated_since}. Contacts are read with
 * {@code sort=-last_activity_at} and conversations in their default order (last activity, newest first), and an
 * incremental pass stops paging at the first record whose last activity is older than the window
 * ({@link dev.junction.core.spi.FetchRequest#since()}). Edits that are not activity (a contact's e-mail changed in the
 * UI) reach Junction through webhooks, the change feed; deletions (Chatwoot sends no delete webhook) through the
 * periodic full pass, whose mark-and-sweep removes what is gone: the provider declares no
 * {@link Capability#DELETION_SIGNALS}, so schedule a full sync (daily, say) as the reconciliation pass. Messages,
 * agents and inboxes are full-only.
 *
 * <p><b>Webhooks.</b> One account webhook per connection is registered through the API; its returned secret signs
 * deliveries ({@code X-Chatwoot-Signature}), see {@link ChatwootWebhookHandler}. Installations older than v4.11.2
 * send unsigned webhooks, accepted only with the connection setting {@code accept_unsigned_webhooks=true}.
 *
 * <p>Listed by ServiceLoader. Stateless and thread-safe.
 */
public final class ChatwootProvider implements Provider {

    public static final String ID = "chatwoot";

    /** Connection setting: the installation URL, {@code https://app.chatwoot.com} or a self-hosted one. */
    public static final String BASE_URL = "base_url";
    /** Connection setting (secret): the user's access token (Profile Settings, Access Token). */
    public static final String API_ACCESS_TOKEN = "api_access_token";
    /** Connection setting: the account id, a positive integer. */
    public static final String ACCOUNT_ID = "account_id";
    /** Connection setting: {@code true} to accept unsigned webhooks from installations older than v4.11.2. */
    public static final String ACCEPT_UNSIGNED_WEBHOOKS = "accept_unsigned_webhooks";

    public static final String CLOUD_URL = "https://app.chatwoot.com";

    /**
     * Self-hosted rack-attack default, 3000 requests a minute per IP; a throttled request gets 429 "Retry later"
     * without {@code Retry-After}, so the proactive limiter keeps a sync under it. Cloud limits are not published.
     */
    public static final RateLimitPolicy RATE_LIMIT = RateLimitPolicy.of(3000, Duration.ofMinutes(1));

    private static final Pattern ACCOUNT = Pattern.compile("[1-9][0-9]{0,17}");

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String displayName() {
        return "Chatwoot";
    }

    @Override
    public AuthMethod authMethod() {
        return new AuthMethod.ApiKey(API_ACCESS_TOKEN);
    }

    @Override
    public List<EntityType> entityTypes() {
        return ChatwootEntity.types();
    }

    @Override
    public RateLimitPolicy rateLimitPolicy() {
        return RATE_LIMIT;
    }

    @Override
    public Set<Capability> capabilities() {
        return Set.of(Capability.INCREMENTAL_SYNC, Capability.WEBHOOKS, Capability.WEBHOOK_REGISTRATION,
                Capability.FETCH_ONE, Capability.ACTIONS);
    }

    @Override
    public List<Setting> settings() {
        return List.of(
                Setting.connection(BASE_URL, false, "installation URL, default " + CLOUD_URL),
                Setting.connectionSecret(API_ACCESS_TOKEN, "Chatwoot user access token"),
                Setting.connection(ACCOUNT_ID, true, "Chatwoot account id (a positive integer)"),
                Setting.connection(ACCEPT_UNSIGNED_WEBHOOKS, false,
                        "true to accept unsigned webhooks from installations older than v4.11.2; default false"));
    }

    @Override
    public void validateConnectionSettings(Settings settings) {
        apiBaseUrl(settings);
        acceptUnsigned(settings);
        String token = settings.get(API_ACCESS_TOKEN).orElse("");
        if (token.isBlank() || token.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
            throw invalid("setting 'api_access_token' must be a non-blank token without spaces");
        }
    }

    @Override
    public Connector connect(ConnectorContext context) {
        return new ChatwootConnector(context);
    }

    @Override
    public Transformer transformer() {
        return new ChatwootTransformer();
    }

    @Override
    public WebhookHandler webhookHandler() {
        return new ChatwootWebhookHandler();
    }

    @Override
    public List<Action> actions() {
        return ChatwootActions.all();
    }

    /** {@code <base_url>/api/v1/accounts/<account_id>}, after checking both settings. */
    static String apiBaseUrl(Settings settings) {
        String account = settings.get(ACCOUNT_ID).orElse("").trim();
        if (!ACCOUNT.matcher(account).matches()) {
            throw invalid("setting 'account_id' must be a positive integer");
        }
        return baseUrl(settings) + "/api/v1/accounts/" + account;
    }

    static boolean acceptUnsigned(Settings settings) {
        String value = settings.get(ACCEPT_UNSIGNED_WEBHOOKS).orElse("false").trim();
        if (!value.equalsIgnoreCase("true") && !value.equalsIgnoreCase("false")) {
            throw invalid("setting 'accept_unsigned_webhooks' must be true or false");
        }
        return Boolean.parseBoolean(value);
    }

    private static String baseUrl(Settings settings) {
        String value = settings.get(BASE_URL).orElse(CLOUD_URL).trim();
        try {
            URI uri = new URI(value);
            if (uri.getHost() == null || !("https".equals(uri.getScheme()) || "http".equals(uri.getScheme()))
                    || uri.getQuery() != null || uri.getFragment() != null || uri.getUserInfo() != null) {
                throw new IllegalArgumentException();
            }
        } catch (java.net.URISyntaxException | IllegalArgumentException e) {
            throw invalid("setting 'base_url' must be an http(s) URL with a host, such as " + CLOUD_URL);
        }
        return value.endsWith("/") ? value.substring(0, value.length() - 1) : value;
    }

    private static JunctionException invalid(String message) {
        return new JunctionException(ErrorKind.INVALID_INPUT, message, ErrorContext.provider(ID));
    }
}
