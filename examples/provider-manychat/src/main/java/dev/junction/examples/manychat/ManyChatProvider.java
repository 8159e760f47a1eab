package dev.junction.examples.manychat;

import dev.junction.core.error.ErrorContext;
import dev.junction.core.error.ErrorKind;
import dev.junction.core.error.JunctionException;
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
 * ManyChat (chat marketing on Messenger, Instagram, WhatsApp), as a third party would write it: built only against
 * Junction's provider SPI, shipped as a plug-in jar for hub-server's {@code plugins/} directory.
 *
 * <p>ManyChat's public API ({@code https://api.manychat.com}, Bearer API key from Settings > API) is action-oriented.
 * The page-level lists it offers are synced: {@code tags} ({@code GET /fb/page/getTags}), {@code custom_fields}
 * ({@code /fb/page/getCustomFields}, unified {@code CustomField}), {@code bot_fields} ({@code /fb/page/getBotFields}),
 * {@code flows} ({@code /fb/page/getFlows}, {@code data.flows}) and {@code growth_tools}
 * ({@code /fb/page/getGrowthTools}). Subscribers are not listable in bulk (only {@code getInfo} by id and
 * {@code findBySystemField}/{@code findByName}/{@code findByCustomField} lookups), so they are not an entity here.
 *
 * <p>Every response has the envelope {@code {"status":"success","data":...}}; none is paged and none carries a
 * modification time, so every pass reads whole lists (unchanged records are skipped by hash) and deletions are found by the sweep of a requested full pass; the provider declares neither {@code INCREMENTAL_SYNC} nor {@code DELETION_SIGNALS}.
 * Thread-safe and stateless.
 */
public final class ManyChatProvider implements Provider {

    public static final String ID = "manychat";
    public static final String API_KEY = "api_key";
    public static final String BASE_URL = "base_url";
    public static final String DEFAULT_BASE_URL = "https://api.manychat.com";
    /** The tightest documented read limit among the endpoints synced ({@code getFlows}: 10 queries per second). */
    static final RateLimitPolicy RATE_LIMIT = RateLimitPolicy.of(10, Duration.ofSeconds(1));

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String displayName() {
        return "ManyChat";
    }

    @Override
    public AuthMethod authMethod() {
        return new AuthMethod.ApiKey(API_KEY);
    }

    @Override
    public List<EntityType> entityTypes() {
        return ManyChatEntity.types();
    }

    @Override
    public RateLimitPolicy rateLimitPolicy() {
        return RATE_LIMIT;
    }

    @Override
    public Set<Capability> capabilities() {
        return Set.of();
    }

    @Override
    public List<Setting> settings() {
        return List.of(
                Setting.connectionSecret(API_KEY, "ManyChat API key (Settings > API), sent as a Bearer token"),
                Setting.connection(BASE_URL, false, "overrides " + DEFAULT_BASE_URL + ", e.g. the sandbox's URL"));
    }

    @Override
    public void validateConnectionSettings(Settings settings) {
        if (settings.get(API_KEY).map(String::isBlank).orElse(true)) {
            throw new JunctionException(ErrorKind.INVALID_INPUT, "api_key must not be blank", ErrorContext.provider(ID));
        }
        settings.get(BASE_URL).ifPresent(ManyChatProvider::checkBaseUrl);
    }

    static void checkBaseUrl(String value) {
        try {
            URI uri = URI.create(value);
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null || uri.getQuery() != null) {
                throw new IllegalArgumentException();
            }
        } catch (IllegalArgumentException e) {
            throw new JunctionException(ErrorKind.INVALID_INPUT, "base_url must be an http(s) URL with a host and no query, was '"
                    + value + "'", ErrorContext.provider(ID));
        }
    }

    @Override
    public Connector connect(ConnectorContext context) {
        return new ManyChatConnector(context);
    }

    @Override
    public Transformer transformer() {
        return new ManyChatTransformer();
    }
}
