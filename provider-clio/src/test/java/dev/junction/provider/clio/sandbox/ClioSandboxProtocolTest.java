package dev.junction.provider.clio.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.junction.sandbox.Fault;
import dev.junction.sandbox.LoggedRequest;
import dev.junction.sandbox.MutableClock;
import dev.junction.sandbox.OAuthTokens;
import dev.junction.sandbox.QueryParameters;
import dev.junction.sandbox.RateLimitStatistics;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ClioSandboxProtocolTest {

    /**
     * The 401 body Clio documents for a bad token (developers.support.clio.com article 360004657734,
     * also shared/fixtures/clio/error_401_invalid_token.json).
     */
    private static final String INVALID_TOKEN_DESCRIPTION =
            "The access token provided is expired, revoked, malformed or invalid for other reasons.";

    private final MutableClock clock = MutableClock.at(Instant.parse("2024-05-01T12:00:00Z"));
    private ClioSandbox sandbox;
    private OAuthTokens tokens;
    private ClioTestClient client;

    @BeforeEach
    void start() {
        sandbox = ClioSandbox.builder()
                .withClock(clock)
                .withRateLimit(10, Duration.ofSeconds(1))
                .withTokenLifetime(Duration.ofHours(1))
                .withOAuthClient("junction-test", "test-secret", "http://localhost:8080/oauth/clio/callback")
                .start();
        tokens = sandbox.issueTokens(1);
        client = new ClioTestClient(sandbox, tokens.accessToken());
    }

    @AfterEach
    void stop() {
        sandbox.close();
    }

    @Test
    void apiVersionIsEchoedAndDefaultsTo409() {
        assertThat(client.get("/users/who_am_i.json").header("X-API-VERSION")).contains("4.0.9");
        assertThat(client.get("/users/who_am_i.json", "X-API-VERSION", "4.0.4").header("X-API-VERSION"))
                .contains("4.0.4");
    }

    @Test
    void invalidOrUnsupportedApiVersionIsGone() {
        assertThat(client.get("/contacts.json", "X-API-VERSION", "3.0.0").status()).isEqualTo(410);
        assertThat(client.get("/contacts.json", "X-API-VERSION", "garbage").status()).isEqualTo(410);
    }

    @Test
    void missingUnknownExpiredOrRevokedTokensGetClioInvalidTokenError() {
        OAuthTokens expired = sandbox.issueTokens(1);
        OAuthTokens revoked = sandbox.issueTokens(1);
        sandbox.oauth().expireAccessToken(expired.accessToken());
        sandbox.oauth().revokeAccessToken(revoked.accessToken());

        for (String token : new String[] {null, "not-a-token", expired.accessToken(), revoked.accessToken()}) {
            ClioTestClient.Response response = new ClioTestClient(sandbox, token).get("/contacts.json");

            assertThat(response.status()).isEqualTo(401);
            assertThat(response.json().get("error").asText()).isEqualTo("invalid_token");
            assertThat(response.json().get("error_description").asText()).isEqualTo(INVALID_TOKEN_DESCRIPTION);
        }
        clock.advance(Duration.ofHours(1));
        assertThat(client.get("/contacts.json").status()).isEqualTo(401);
    }

    @Test
    void rateLimitCountsPerTokenAndAnswers429WithRetryAfter() {
        for (int request = 1; request <= 10; request++) {
            ClioTestClient.Response response = client.get("/contacts.json?limit=1");
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.header("X-RateLimit-Limit")).contains("10");
            assertThat(response.header("X-RateLimit-Remaining")).contains(Integer.toString(10 - request));
        }

        ClioTestClient.Response refused = client.get("/contacts.json?limit=1");
        ClioTestClient.Response otherToken = new ClioTestClient(sandbox, sandbox.issueTokens(2).accessToken())
                .get("/contacts.json?limit=1");

        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.header("Retry-After")).contains("1");
        assertThat(refused.header("X-RateLimit-Remaining")).contains("0");
        assertThat(refused.header("X-RateLimit-Reset")).contains(Long.toString(clock.instant().getEpochSecond() + 1));
        assertThat(otherToken.status()).isEqualTo(200);
        clock.advance(Duration.ofSeconds(1));
        assertThat(client.get("/contacts.json?limit=1").status()).isEqualTo(200);
        assertThat(sandbox.rateLimitStatistics()).isEqualTo(new RateLimitStatistics(13, 1));
    }

    @Test
    void authorizationCodeFlowAndReusableRefreshTokensWorkOverHttp() {
        String redirect = "http://localhost:8080/oauth/clio/callback";
        ClioTestClient anonymous = new ClioTestClient(sandbox, null);
        ClioTestClient.Response authorize = anonymous.get(sandbox.authorizeUrl()
                + "?response_type=code&client_id=junction-test&state=s1&redirect_uri=" + redirect);
        String code = QueryParameters.parse(URI.create(authorize.header("Location").orElseThrow()).getRawQuery())
                .first("code").orElseThrow();

        JsonNode issued = anonymous.postForm(sandbox.tokenUrl(), "grant_type=authorization_code"
                + "&client_id=junction-test&client_secret=test-secret&redirect_uri=" + redirect + "&code=" + code).json();
        String form = "grant_type=refresh_token&client_id=junction-test&client_secret=test-secret&refresh_token="
                + issued.get("refresh_token").asText();
        JsonNode refreshed = anonymous.postForm(sandbox.tokenUrl(), form).json();
        JsonNode refreshedAgain = anonymous.postForm(sandbox.tokenUrl(), form).json();

        assertThat(authorize.status()).isEqualTo(302);
        assertThat(issued.get("token_type").asText()).isEqualTo("bearer");
        assertThat(issued.get("expires_in").asLong()).isEqualTo(3_600);
        assertThat(refreshedAgain.get("refresh_token").asText()).isEqualTo(issued.get("refresh_token").asText());
        assertThat(new ClioTestClient(sandbox, refreshed.get("access_token").asText()).get("/users/who_am_i.json")
                .status()).isEqualTo(200);
        assertThat(sandbox.oauth().refreshGrantCount()).isEqualTo(2);
    }

    @Test
    void whoAmIReturnsTheTokensUser() {
        JsonNode user = new ClioTestClient(sandbox, sandbox.issueTokens(3).accessToken())
                .get("/users/who_am_i?fields=id,name,email").json().get("data");

        assertThat(user.get("id").asLong()).isEqualTo(3);
        assertThat(user.get("email").asText()).endsWith("@firm.example.com");
    }

    @Test
    void singleRecordCarriesEtagAndAnswersNotModifiedWhenItMatches() {
        ClioTestClient.Response first = client.get("/contacts/4.json?fields=id,etag");
        String etag = first.header("ETag").orElseThrow();

        ClioTestClient.Response again = client.get("/contacts/4.json", "If-None-Match", etag);

        assertThat(etag).isEqualTo(first.json().get("data").get("etag").asText());
        assertThat(first.header("Last-Modified")).isPresent();
        assertThat(again.status()).isEqualTo(304);
    }

    @Test
    void unknownRecordsAndEndpointsAreNotFoundWithClioErrors() {
        ClioTestClient.Response missing = client.get("/contacts/999999.json");

        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.json().path("error").path("message").asText()).contains("999999");
        assertThat(client.get("/documents.json").status()).isEqualTo(404);
    }

    @Test
    void injectedFaultsHitTheNextRequestsThenClear() {
        sandbox.faults().next(2).onPath("/api/v4/contacts.json").respondWith(Fault.status(503, Duration.ofSeconds(2)));

        ClioTestClient.Response first = client.get("/contacts.json");

        assertThat(first.status()).isEqualTo(503);
        assertThat(first.header("Retry-After")).contains("2");
        assertThat(client.get("/contacts.json").status()).isEqualTo(503);
        assertThat(client.get("/contacts.json").status()).isEqualTo(200);
    }

    @Test
    void requestLogRedactsTokensAndCountsByPath() {
        client.get("/contacts.json?fields=id");
        client.get("/contacts.json?fields=id");

        LoggedRequest logged = sandbox.requestLog().entries("/api/v4/contacts.json").get(0);

        assertThat(logged.queryParameter("fields")).isEqualTo("id");
        assertThat(logged.headers().get("Authorization")).endsWith("…").doesNotContain(tokens.accessToken());
        assertThat(sandbox.requestLog().count("/api/v4/contacts.json")).isEqualTo(2);
    }
}
