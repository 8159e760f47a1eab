package dev.junction.core.internal.auth;

import dev.junction.core.Connection;
import dev.junction.core.ConnectionStatus;
import dev.junction.core.OAuthStart;
import dev.junction.core.error.ErrorContext;
import dev.junction.core.error.ErrorKind;
import dev.junction.core.error.JunctionException;
import dev.junction.core.error.UnsupportedCapabilityException;
import dev.junction.core.internal.ConnectionManager;
import dev.junction.core.internal.ProviderRegistry;
import dev.junction.core.internal.store.ConnectionRepository;
import dev.junction.core.internal.store.ConnectionRow;
import dev.junction.core.spi.AuthMethod;
import dev.junction.core.spi.Credentials;
import dev.junction.core.spi.Provider;
import dev.junction.core.spi.Settings;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;
import org.jdbi.v3.core.Jdbi;

/**
 * The OAuth 2.0 authorization-code flow: builds the authorize URL with a one-time {@code state} (and a PKCE S256
 * challenge when the provider takes one), then exchanges the returned code. States live in the database for
 * ten minutes and are consumed on first use, so the flow works across processes and a replayed callback fails.
 */
public final class OAuthFlow {

    private static final Duration STATE_LIFETIME = Duration.ofMinutes(10);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Jdbi jdbi;
    private final ConnectionRepository connections;
    private final ConnectionManager manager;
    private final ProviderRegistry providers;
    private final TokenEndpoint endpoint;
    private final Clock clock;

    public OAuthFlow(Jdbi jdbi, ConnectionRepository connections, ConnectionManager manager, ProviderRegistry providers,
            TokenEndpoint endpoint, Clock clock) {
        this.jdbi = jdbi;
        this.connections = connections;
        this.manager = manager;
        this.providers = providers;
        this.endpoint = endpoint;
        this.clock = clock;
    }

    public OAuthStart start(String tenantId, String connectionId, String redirectUri) {
        JunctionException.requireArgument(redirectUri, "redirectUri");
        URI redirect;
        try {
            redirect = URI.create(redirectUri);
        } catch (IllegalArgumentException e) {
            throw JunctionException.invalidInput("redirectUri is not a valid URI");
        }
        if (redirect.getScheme() == null || !(redirect.getScheme().equals("https") || redirect.getScheme().equals("http"))) {
            throw JunctionException.invalidInput("redirectUri must be an http(s) URL");
        }
        ConnectionRow row = manager.row(tenantId, connectionId);
        Provider provider = providers.require(row.providerId());
        if (!(provider.authMethod() instanceof AuthMethod.OAuth2 oauth)) {
            throw new UnsupportedCapabilityException(provider.id(), "OAuth (it authenticates with " + provider.authMethod().getClass().getSimpleName() + ")");
        }
        Settings providerSettings = providers.settings(provider.id());
        AuthMethod.OAuthEndpoints endpoints = provider.oauthEndpoints(manager.settings(row), providerSettings);

        String state = randomToken(32);
        String verifier = oauth.pkce() ? randomToken(48) : null;
        connections.insertOAuthState(state, tenantId, connectionId,
                verifier == null ? null : manager.cipher().encrypt(verifier, "oauth-state/" + state),
                redirectUri, clock.instant().plus(STATE_LIFETIME));

        Map<String, String> query = new LinkedHashMap<>();
        query.put("response_type", "code");
        query.put("client_id", providerSettings.require("client_id"));
        query.put("redirect_uri", redirectUri);
        query.put("state", state);
        if (!oauth.scopes().isEmpty()) {
            query.put("scope", String.join(" ", oauth.scopes()));
        }
        if (verifier != null) {
            query.put("code_challenge", challenge(verifier));
            query.put("code_challenge_method", "S256");
        }
        StringJoiner joined = new StringJoiner("&");
        query.forEach((name, value) -> joined.add(encode(name) + "=" + encode(value)));
        String separator = endpoints.authorizeUrl().contains("?") ? "&" : "?";
        return new OAuthStart(connectionId, endpoints.authorizeUrl() + separator + joined, state);
    }

    /** Completes the flow for the connection that {@code state} was issued to, and activates it. */
    public Connection complete(String state, String code) {
        JunctionException.requireArgument(state, "state");
        JunctionException.requireArgument(code, "code");
        ConnectionRepository.OAuthStateRow stored = connections.takeOAuthState(state)
                .orElseThrow(() -> JunctionException.invalidInput("unknown or already used OAuth state"));
        if (clock.instant().isAfter(stored.expiresAt())) {
            throw JunctionException.invalidInput("OAuth state expired; start the flow again");
        }
        ConnectionRow row = manager.row(stored.tenantId(), stored.connectionId());
        Provider provider = providers.require(row.providerId());
        Settings providerSettings = providers.settings(provider.id());
        AuthMethod.OAuthEndpoints endpoints = provider.oauthEndpoints(manager.settings(row), providerSettings);
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "authorization_code");
        form.put("code", code);
        form.put("redirect_uri", stored.redirectUri());
        form.put("client_id", providerSettings.require("client_id"));
        form.put("client_secret", providerSettings.get("client_secret").orElse(null));
        if (stored.encryptedVerifier() != null) {
            form.put("code_verifier", manager.cipher().decrypt(stored.encryptedVerifier(), "oauth-state/" + state));
        }
        ErrorContext context = ErrorContext.provider(provider.id()).withConnection(row.id());
        Credentials.OAuthTokens tokens = endpoint.exchangeCode(endpoints.tokenUrl(), form, context);
        Instant now = clock.instant();
        jdbi.useTransaction(handle -> connections.updateCredentials(handle, row.tenantId(), row.id(),
                manager.encryptCredentials(row.tenantId(), row.id(), tokens), tokens.expiresAt(),
                ConnectionStatus.ACTIVE.name(), now));
        return manager.get(row.tenantId(), row.id());
    }

    /** Stores tokens obtained elsewhere (a migration from another system, a test). */
    public Connection storeTokens(String tenantId, String connectionId, Credentials.OAuthTokens tokens) {
        JunctionException.requireArgument(tokens, "tokens");
        ConnectionRow row = manager.row(tenantId, connectionId);
        jdbi.useTransaction(handle -> connections.updateCredentials(handle, row.tenantId(), row.id(),
                manager.encryptCredentials(row.tenantId(), row.id(), tokens), tokens.expiresAt(),
                ConnectionStatus.ACTIVE.name(), clock.instant()));
        return manager.get(tenantId, connectionId);
    }

    static String challenge(String verifier) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String randomToken(int bytes) {
        byte[] buffer = new byte[bytes];
        RANDOM.nextBytes(buffer);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(buffer);
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    static JunctionException unexpected(String message, ErrorContext context) {
        return new JunctionException(ErrorKind.UNEXPECTED_PAYLOAD, message, context);
    }
}
