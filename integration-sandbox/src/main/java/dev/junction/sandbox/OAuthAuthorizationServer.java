package dev.junction.sandbox;

import java.net.URI;
import java.net.URLDecoder;
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
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An OAuth 2.0 authorization server for the authorization-code grant (RFC 6749), with PKCE (RFC
 * 7636) and refresh tokens, that approves every request on its own.
 *
 * <ul>
 *   <li>{@code GET authorize?response_type=code&client_id&redirect_uri&state[&code_challenge&code_challenge_method]}
 *       redirects (302) to the redirect URI with {@code code} and {@code state}. The resource owner
 *       is {@code login_hint} when given, else the default subject.
 *   <li>{@code POST token} (form-encoded; client credentials in the form or in HTTP Basic) with
 *       {@code grant_type=authorization_code} or {@code refresh_token} answers {@code
 *       {access_token, token_type: "bearer", expires_in, refresh_token}}; bad, used or revoked codes
 *       and refresh tokens answer {@code 400 {"error": "invalid_grant"}}.
 *   <li>Refresh tokens are reusable by default, or rotate (each use returns a new one and retires
 *       the old) with {@link Builder#withRotatingRefreshTokens(boolean)}.
 * </ul>
 *
 * <p>Resource endpoints call {@link #authenticate(SandboxRequest)}, which answers {@code 401
 * {"error": "invalid_token"}} for missing, unknown, expired or revoked tokens. Tests use {@link
 * #issueTokens(String, String)} to skip the browser step, and the revoke and expire methods to
 * break tokens on purpose.
 *
 * <p>Thread-safe.
 */
public final class OAuthAuthorizationServer {

    private static final Logger LOG = LoggerFactory.getLogger(OAuthAuthorizationServer.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String INVALID_TOKEN_DESCRIPTION =
            "The access token provided is expired, revoked, malformed or invalid for other reasons.";

    private final Clock clock;
    private final Duration accessTokenLifetime;
    private final Duration authorizationCodeLifetime;
    private final boolean rotatingRefreshTokens;
    private final String defaultSubject;
    private final Map<String, OAuthClient> clients = new ConcurrentHashMap<>();
    private final Map<String, AuthorizationCode> codes = new ConcurrentHashMap<>();
    private final Map<String, AccessTokenState> accessTokens = new ConcurrentHashMap<>();
    private final Map<String, RefreshTokenState> refreshTokens = new ConcurrentHashMap<>();
    private final LongAdder refreshGrants = new LongAdder();
    private final LongAdder authorizationCodeGrants = new LongAdder();

    private OAuthAuthorizationServer(Builder builder) {
        this.clock = builder.clock;
        this.accessTokenLifetime = builder.accessTokenLifetime;
        this.authorizationCodeLifetime = builder.authorizationCodeLifetime;
        this.rotatingRefreshTokens = builder.rotatingRefreshTokens;
        this.defaultSubject = builder.defaultSubject;
        builder.clients.values().forEach(this::registerClient);
    }

    /** Starts a builder: one-hour access tokens, ten-minute codes, reusable refresh tokens, subject "1". */
    public static Builder builder() {
        return new Builder();
    }

    /** Adds the authorize ({@code GET}) and token ({@code POST}) routes to {@code server}. */
    public void install(SandboxServer server, String authorizePath, String tokenPath) {
        server.route("GET", authorizePath, this::authorize);
        server.route("POST", tokenPath, this::token);
    }

    /** Registers (or replaces) a client application. */
    public void registerClient(OAuthClient client) {
        clients.put(client.clientId(), client);
    }

    /** The authorization endpoint: validates the client and redirect URI, then redirects with a code. */
    public SandboxResponse authorize(SandboxRequest request) {
        QueryParameters query = request.query();
        OAuthClient client = query.first("client_id").map(clients::get).orElse(null);
        if (client == null) {
            return error(400, "invalid_client", "Unknown client_id");
        }
        Optional<String> requestedRedirect = query.first("redirect_uri");
        String redirectUri = requestedRedirect
                .orElse(client.redirectUris().size() == 1 ? client.redirectUris().get(0) : null);
        if (redirectUri == null || !client.redirectUris().contains(redirectUri)) {
            // Never redirect to an unregistered URI (RFC 6749, section 4.1.2.1).
            return error(400, "invalid_request", "redirect_uri is missing or not registered for this client");
        }
        String state = query.first("state").orElse(null);
        if (!"code".equals(query.first("response_type").orElse(""))) {
            return redirect(redirectUri, Map.of("error", "unsupported_response_type"), state);
        }
        String challenge = query.first("code_challenge").orElse(null);
        String challengeMethod = query.first("code_challenge_method").orElse(challenge == null ? null : "plain");
        if (challenge != null && !challengeMethod.equals("S256") && !challengeMethod.equals("plain")) {
            return redirect(redirectUri, Map.of("error", "invalid_request",
                    "error_description", "Unsupported code_challenge_method"), state);
        }
        String code = newToken();
        codes.put(code, new AuthorizationCode(client.clientId(), requestedRedirect.orElse(null),
                query.first("login_hint").orElse(defaultSubject), challenge, challengeMethod,
                clock.instant().plus(authorizationCodeLifetime)));
        return redirect(redirectUri, Map.of("code", code), state);
    }

    /** The token endpoint for the {@code authorization_code} and {@code refresh_token} grants. */
    public SandboxResponse token(SandboxRequest request) {
        QueryParameters form = request.formParameters();
        Optional<OAuthClient> client = authenticateClient(request, form);
        if (client.isEmpty()) {
            return error(401, "invalid_client", "Client authentication failed")
                    .withHeader("WWW-Authenticate", "Basic realm=\"sandbox\"");
        }
        String grantType = form.first("grant_type").orElse("");
        SandboxResponse response = switch (grantType) {
            case "authorization_code" -> exchangeCode(client.get(), form);
            case "refresh_token" -> refresh(client.get(), form);
            default -> error(400, "unsupported_grant_type", "Unsupported grant_type: " + grantType);
        };
        return response.withHeader("Cache-Control", "no-store");
    }

    /** Issues tokens directly, as if {@code subject} had approved {@code clientId}: for tests and demos. */
    public OAuthTokens issueTokens(String clientId, String subject) {
        if (!clients.containsKey(clientId)) {
            throw new IllegalArgumentException("Unknown client: " + clientId);
        }
        String refreshToken = newToken();
        refreshTokens.put(refreshToken, new RefreshTokenState(clientId, subject, false));
        return new OAuthTokens(newAccessToken(clientId, subject).accessToken(), accessTokenLifetime.toSeconds(),
                refreshToken);
    }

    /** The grant behind a valid access token; empty when unknown, expired or revoked. */
    public Optional<AccessGrant> validate(String accessToken) {
        AccessTokenState state = accessTokens.get(accessToken);
        if (state == null || state.revoked() || !clock.instant().isBefore(state.grant().expiresAt())) {
            return Optional.empty();
        }
        return Optional.of(state.grant());
    }

    /**
     * Checks the request's bearer token.
     *
     * @return the grant of a valid token
     * @throws RequestRejectedException with {@code 401 {"error": "invalid_token"}} otherwise
     */
    public AccessGrant authenticate(SandboxRequest request) {
        return request.bearerToken().flatMap(this::validate).orElseThrow(() -> new RequestRejectedException(
                error(401, "invalid_token", INVALID_TOKEN_DESCRIPTION)
                        .withHeader("WWW-Authenticate", "Bearer error=\"invalid_token\"")));
    }

    /**
     * Revokes an access token.
     *
     * @return whether the token was known
     */
    public boolean revokeAccessToken(String accessToken) {
        return accessTokens.computeIfPresent(accessToken, (token, state) -> new AccessTokenState(state.grant(), true))
                != null;
    }

    /**
     * Revokes a refresh token; later uses get {@code invalid_grant}. Access tokens already issued
     * keep working until they expire or are revoked themselves.
     *
     * @return whether the token was known
     */
    public boolean revokeRefreshToken(String refreshToken) {
        return refreshTokens.computeIfPresent(refreshToken,
                (token, state) -> new RefreshTokenState(state.clientId(), state.subject(), true)) != null;
    }

    /**
     * Revokes every access and refresh token issued to {@code subject}, as when the user removes the application:
     * API calls get {@code 401} and refreshing gets {@code invalid_grant}.
     *
     * @return how many tokens were revoked
     */
    public int revokeAll(String subject) {
        int[] revoked = {0};
        accessTokens.replaceAll((token, state) -> {
            if (state.grant().subject().equals(subject) && !state.revoked()) {
                revoked[0]++;
                return new AccessTokenState(state.grant(), true);
            }
            return state;
        });
        refreshTokens.replaceAll((token, state) -> {
            if (state.subject().equals(subject) && !state.revoked()) {
                revoked[0]++;
                return new RefreshTokenState(state.clientId(), state.subject(), true);
            }
            return state;
        });
        return revoked[0];
    }

    /**
     * Makes an access token expire now, as if its lifetime had passed.
     *
     * @return whether the token was known
     */
    public boolean expireAccessToken(String accessToken) {
        Instant now = clock.instant();
        return accessTokens.computeIfPresent(accessToken, (token, state) -> new AccessTokenState(
                new AccessGrant(token, state.grant().clientId(), state.grant().subject(), now), state.revoked()))
                != null;
    }

    /** How many refresh-token grants were served successfully. */
    public long refreshGrantCount() {
        return refreshGrants.sum();
    }

    /** How many authorization codes were exchanged successfully. */
    public long authorizationCodeGrantCount() {
        return authorizationCodeGrants.sum();
    }

    private SandboxResponse exchangeCode(OAuthClient client, QueryParameters form) {
        String code = form.first("code").orElse("");
        // remove(): a code works once, even when the exchange below fails.
        AuthorizationCode grant = codes.remove(code);
        if (grant == null || !grant.clientId().equals(client.clientId())
                || !clock.instant().isBefore(grant.expiresAt())) {
            return error(400, "invalid_grant", "The authorization code is invalid, expired or already used");
        }
        if (grant.redirectUri() != null && !grant.redirectUri().equals(form.first("redirect_uri").orElse(null))) {
            return error(400, "invalid_grant", "redirect_uri does not match the authorization request");
        }
        if (grant.codeChallenge() != null && !verifierMatches(grant, form.first("code_verifier").orElse(null))) {
            return error(400, "invalid_grant", "PKCE code_verifier does not match the code_challenge");
        }
        authorizationCodeGrants.increment();
        return SandboxResponse.json(200, issueTokens(client.clientId(), grant.subject()).toResponseBody());
    }

    private SandboxResponse refresh(OAuthClient client, QueryParameters form) {
        String presented = form.first("refresh_token").orElse("");
        RefreshTokenState state = refreshTokens.get(presented);
        if (state == null || state.revoked() || !state.clientId().equals(client.clientId())) {
            return error(400, "invalid_grant", "The refresh token is invalid, revoked or already used");
        }
        String refreshToken = presented;
        if (rotatingRefreshTokens) {
            // Retire the presented token atomically, so two concurrent refreshes cannot both win.
            RefreshTokenState retired = new RefreshTokenState(state.clientId(), state.subject(), true);
            if (!refreshTokens.replace(presented, state, retired)) {
                return error(400, "invalid_grant", "The refresh token is invalid, revoked or already used");
            }
            refreshToken = newToken();
            refreshTokens.put(refreshToken, new RefreshTokenState(state.clientId(), state.subject(), false));
        }
        refreshGrants.increment();
        AccessGrant grant = newAccessToken(client.clientId(), state.subject());
        LOG.debug("Refreshed an access token for client {}", client.clientId());
        return SandboxResponse.json(200,
                new OAuthTokens(grant.accessToken(), accessTokenLifetime.toSeconds(), refreshToken).toResponseBody());
    }

    private AccessGrant newAccessToken(String clientId, String subject) {
        AccessGrant grant = new AccessGrant(newToken(), clientId, subject, clock.instant().plus(accessTokenLifetime));
        accessTokens.put(grant.accessToken(), new AccessTokenState(grant, false));
        return grant;
    }

    private Optional<OAuthClient> authenticateClient(SandboxRequest request, QueryParameters form) {
        String clientId = form.first("client_id").orElse(null);
        String clientSecret = form.first("client_secret").orElse(null);
        Optional<String> basic = request.header("Authorization")
                .filter(value -> value.regionMatches(true, 0, "Basic ", 0, 6));
        if (basic.isPresent()) {
            try {
                String decoded = new String(Base64.getDecoder().decode(basic.get().substring(6).trim()),
                        StandardCharsets.UTF_8);
                int colon = decoded.indexOf(':');
                if (colon < 0) {
                    return Optional.empty();
                }
                // RFC 6749, section 2.3.1: both parts are form-encoded before Base64.
                clientId = URLDecoder.decode(decoded.substring(0, colon), StandardCharsets.UTF_8);
                clientSecret = URLDecoder.decode(decoded.substring(colon + 1), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException malformed) {
                return Optional.empty();
            }
        }
        OAuthClient client = clientId == null ? null : clients.get(clientId);
        if (client == null || clientSecret == null) {
            return Optional.empty();
        }
        boolean secretMatches = MessageDigest.isEqual(
                client.clientSecret().getBytes(StandardCharsets.UTF_8), clientSecret.getBytes(StandardCharsets.UTF_8));
        return secretMatches ? Optional.of(client) : Optional.empty();
    }

    private static boolean verifierMatches(AuthorizationCode grant, String verifier) {
        if (verifier == null) {
            return false;
        }
        String expected = grant.codeChallengeMethod().equals("S256") ? s256(verifier) : verifier;
        return MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
                grant.codeChallenge().getBytes(StandardCharsets.US_ASCII));
    }

    /** The PKCE {@code S256} transformation: Base64url (no padding) of the SHA-256 of the verifier. */
    public static String s256(String verifier) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException impossible) {
            throw new IllegalStateException("Every JVM has SHA-256", impossible);
        }
    }

    private static SandboxResponse redirect(String redirectUri, Map<String, String> parameters, String state) {
        QueryParameters query = QueryParameters.of(parameters);
        if (state != null) {
            query = query.with("state", state);
        }
        String separator = redirectUri.contains("?") ? "&" : "?";
        return SandboxResponse.redirect(URI.create(redirectUri + separator + query.encode()));
    }

    private static SandboxResponse error(int status, String code, String description) {
        Map<String, String> body = new LinkedHashMap<>();
        body.put("error", code);
        body.put("error_description", description);
        return SandboxResponse.json(status, body);
    }

    private static String newToken() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private record AuthorizationCode(
            String clientId,
            String redirectUri,
            String subject,
            String codeChallenge,
            String codeChallengeMethod,
            Instant expiresAt) {
    }

    private record AccessTokenState(AccessGrant grant, boolean revoked) {
    }

    private record RefreshTokenState(String clientId, String subject, boolean revoked) {
    }

    /** Configures an {@link OAuthAuthorizationServer}. Not thread-safe. */
    public static final class Builder {

        private Clock clock = Clock.systemUTC();
        private Duration accessTokenLifetime = Duration.ofHours(1);
        private Duration authorizationCodeLifetime = Duration.ofMinutes(10);
        private boolean rotatingRefreshTokens;
        private String defaultSubject = "1";
        private final Map<String, OAuthClient> clients = new LinkedHashMap<>();

        private Builder() {
        }

        /** The clock for expiry; default {@link Clock#systemUTC()}. */
        public Builder withClock(Clock value) {
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /** How long access tokens live; default one hour. */
        public Builder withAccessTokenLifetime(Duration value) {
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException("The access token lifetime must be positive: " + value);
            }
            this.accessTokenLifetime = value;
            return this;
        }

        /** How long authorization codes live; default ten minutes. */
        public Builder withAuthorizationCodeLifetime(Duration value) {
            this.authorizationCodeLifetime = Objects.requireNonNull(value, "lifetime");
            return this;
        }

        /** Whether each refresh returns a new refresh token and retires the old one; default false (reusable). */
        public Builder withRotatingRefreshTokens(boolean value) {
            this.rotatingRefreshTokens = value;
            return this;
        }

        /** The resource owner when the authorize request has no {@code login_hint}; default "1". */
        public Builder withDefaultSubject(String value) {
            this.defaultSubject = Objects.requireNonNull(value, "subject");
            return this;
        }

        /** Registers a client application. */
        public Builder withClient(OAuthClient client) {
            clients.put(client.clientId(), client);
            return this;
        }

        /** Creates the server. */
        public OAuthAuthorizationServer build() {
            return new OAuthAuthorizationServer(this);
        }
    }
}
