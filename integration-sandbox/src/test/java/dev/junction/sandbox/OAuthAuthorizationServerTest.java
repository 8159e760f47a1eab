package dev.junction.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class OAuthAuthorizationServerTest {

    private static final String REDIRECT = "http://localhost:9999/callback";

    private final MutableClock clock = MutableClock.at(Instant.parse("2024-05-01T12:00:00Z"));
    private SandboxServer server;
    private OAuthAuthorizationServer oauth;

    @AfterEach
    void stopServer() {
        server.close();
    }

    private void start(boolean rotatingRefreshTokens) {
        oauth = OAuthAuthorizationServer.builder()
                .withClock(clock)
                .withAccessTokenLifetime(Duration.ofHours(1))
                .withRotatingRefreshTokens(rotatingRefreshTokens)
                .withClient(OAuthClient.of("app", "s3cret", REDIRECT))
                .build();
        server = SandboxServer.builder().withClock(clock).build();
        oauth.install(server, "/oauth/authorize", "/oauth/token");
        server.route("GET", "/api/me", request -> SandboxResponse.json(200,
                Map.of("subject", oauth.authenticate(request).subject())));
        server.start();
    }

    private URI authorize(String extraQuery) {
        HttpResponse<String> response = TestHttp.get(server.baseUrl()
                + "/oauth/authorize?response_type=code&client_id=app&state=xyz&redirect_uri=" + REDIRECT + extraQuery);
        assertThat(response.statusCode()).isEqualTo(302);
        return URI.create(response.headers().firstValue("Location").orElseThrow());
    }

    private static String code(URI redirect) {
        return QueryParameters.parse(redirect.getRawQuery()).first("code").orElseThrow();
    }

    private HttpResponse<String> token(String form) {
        return TestHttp.postForm(server.baseUrl() + "/oauth/token", form);
    }

    private HttpResponse<String> exchange(String code, String extraForm) {
        return token("grant_type=authorization_code&client_id=app&client_secret=s3cret&redirect_uri=" + REDIRECT
                + "&code=" + code + extraForm);
    }

    private HttpResponse<String> me(String accessToken) {
        return TestHttp.get(server.baseUrl() + "/api/me", "Authorization", "Bearer " + accessToken);
    }

    private static JsonNode json(HttpResponse<String> response) {
        return SandboxJson.parse(response.body());
    }

    @Test
    void authorizationCodeFlowIssuesBearerTokensThatOpenResourceEndpoints() {
        start(false);

        URI redirect = authorize("&login_hint=42");
        HttpResponse<String> tokens = exchange(code(redirect), "");

        assertThat(redirect.toString()).startsWith(REDIRECT + "?code=").endsWith("&state=xyz");
        assertThat(tokens.statusCode()).isEqualTo(200);
        assertThat(tokens.headers().firstValue("Cache-Control")).contains("no-store");
        assertThat(json(tokens).get("token_type").asText()).isEqualTo("bearer");
        assertThat(json(tokens).get("expires_in").asLong()).isEqualTo(3_600);
        assertThat(json(tokens).get("refresh_token").asText()).isNotBlank();
        assertThat(json(me(json(tokens).get("access_token").asText())).get("subject").asText()).isEqualTo("42");
        assertThat(oauth.authorizationCodeGrantCount()).isEqualTo(1);
    }

    @Test
    void clientMayAuthenticateWithHttpBasic() {
        start(false);
        String basic = Base64.getEncoder().encodeToString("app:s3cret".getBytes(StandardCharsets.UTF_8));

        HttpResponse<String> tokens = TestHttp.postForm(server.baseUrl() + "/oauth/token",
                "grant_type=authorization_code&redirect_uri=" + REDIRECT + "&code=" + code(authorize("")),
                "Authorization", "Basic " + basic);

        assertThat(tokens.statusCode()).isEqualTo(200);
    }

    @Test
    void wrongClientSecretIsInvalidClient() {
        start(false);

        HttpResponse<String> response = token("grant_type=authorization_code&client_id=app&client_secret=wrong&code="
                + code(authorize("")));

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(json(response).get("error").asText()).isEqualTo("invalid_client");
    }

    @Test
    void authorizationCodeWorksOnlyOnce() {
        start(false);
        String code = code(authorize(""));

        assertThat(exchange(code, "").statusCode()).isEqualTo(200);
        HttpResponse<String> reused = exchange(code, "");

        assertThat(reused.statusCode()).isEqualTo(400);
        assertThat(json(reused).get("error").asText()).isEqualTo("invalid_grant");
    }

    @Test
    void pkceS256VerifierMustMatchTheChallenge() {
        start(false);
        String verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        String challenge = OAuthAuthorizationServer.s256(verifier);

        HttpResponse<String> wrong = exchange(code(authorize("&code_challenge_method=S256&code_challenge=" + challenge)),
                "&code_verifier=wrong-verifier");
        HttpResponse<String> right = exchange(code(authorize("&code_challenge_method=S256&code_challenge=" + challenge)),
                "&code_verifier=" + verifier);

        assertThat(challenge).isEqualTo("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
        assertThat(json(wrong).get("error").asText()).isEqualTo("invalid_grant");
        assertThat(right.statusCode()).isEqualTo(200);
    }

    @Test
    void unknownClientOrRedirectUriIsRefusedWithoutRedirecting() {
        start(false);

        HttpResponse<String> unknownClient =
                TestHttp.get(server.baseUrl() + "/oauth/authorize?response_type=code&client_id=nope");
        HttpResponse<String> foreignRedirect = TestHttp.get(server.baseUrl()
                + "/oauth/authorize?response_type=code&client_id=app&redirect_uri=https://evil.example/cb");

        assertThat(unknownClient.statusCode()).isEqualTo(400);
        assertThat(foreignRedirect.statusCode()).isEqualTo(400);
        assertThat(foreignRedirect.headers().firstValue("Location")).isEmpty();
    }

    @Test
    void reusableRefreshTokenKeepsWorkingAndIsCounted() {
        start(false);
        String refreshToken = json(exchange(code(authorize("")), "")).get("refresh_token").asText();
        String form = "grant_type=refresh_token&client_id=app&client_secret=s3cret&refresh_token=" + refreshToken;

        HttpResponse<String> first = token(form);
        HttpResponse<String> second = token(form);

        assertThat(second.statusCode()).isEqualTo(200);
        assertThat(json(first).get("refresh_token").asText()).isEqualTo(refreshToken);
        assertThat(json(first).get("access_token").asText()).isNotEqualTo(json(second).get("access_token").asText());
        assertThat(oauth.refreshGrantCount()).isEqualTo(2);
    }

    @Test
    void rotatingRefreshTokenRetiresTheOldOne() {
        start(true);
        String original = json(exchange(code(authorize("")), "")).get("refresh_token").asText();

        String form = "grant_type=refresh_token&client_id=app&client_secret=s3cret&refresh_token=" + original;
        HttpResponse<String> rotated = token(form);
        HttpResponse<String> reused = token(form);
        String replacement = json(rotated).get("refresh_token").asText();

        assertThat(replacement).isNotEqualTo(original);
        assertThat(json(reused).get("error").asText()).isEqualTo("invalid_grant");
        assertThat(token("grant_type=refresh_token&client_id=app&client_secret=s3cret&refresh_token=" + replacement)
                .statusCode()).isEqualTo(200);
        assertThat(oauth.refreshGrantCount()).isEqualTo(2);
    }

    @Test
    void revokedRefreshTokenIsInvalidGrant() {
        start(false);
        OAuthTokens tokens = oauth.issueTokens("app", "7");

        assertThat(oauth.revokeRefreshToken(tokens.refreshToken())).isTrue();

        HttpResponse<String> response = token("grant_type=refresh_token&client_id=app&client_secret=s3cret&refresh_token="
                + tokens.refreshToken());
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(json(response).get("error").asText()).isEqualTo("invalid_grant");
        assertThat(oauth.refreshGrantCount()).isZero();
    }

    @Test
    void expiredRevokedOrUnknownAccessTokensAreInvalidToken() {
        start(false);
        OAuthTokens expiring = oauth.issueTokens("app", "7");
        OAuthTokens expired = oauth.issueTokens("app", "7");
        OAuthTokens revoked = oauth.issueTokens("app", "7");

        assertThat(me(expiring.accessToken()).statusCode()).isEqualTo(200);
        oauth.expireAccessToken(expired.accessToken());
        oauth.revokeAccessToken(revoked.accessToken());
        clock.advance(Duration.ofMinutes(30));
        assertThat(me(expiring.accessToken()).statusCode()).isEqualTo(200);
        clock.advance(Duration.ofMinutes(30));

        for (String token : new String[] {expiring.accessToken(), expired.accessToken(), revoked.accessToken(), "unknown"}) {
            HttpResponse<String> response = me(token);
            assertThat(response.statusCode()).isEqualTo(401);
            assertThat(json(response).get("error").asText()).isEqualTo("invalid_token");
            assertThat(json(response).get("error_description").asText()).isNotBlank();
        }
        assertThat(TestHttp.get(server.baseUrl() + "/api/me").statusCode()).isEqualTo(401);
    }

    @Test
    void unsupportedGrantTypeIsRefused() {
        start(false);

        HttpResponse<String> response = token("grant_type=password&client_id=app&client_secret=s3cret");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(json(response).get("error").asText()).isEqualTo("unsupported_grant_type");
    }
}
