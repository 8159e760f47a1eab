package dev.junction.core.http;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import dev.junction.core.error.ErrorContext;
import dev.junction.core.error.NeedsReauthException;
import dev.junction.core.error.ProviderUnavailableException;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class AuthenticationTest {

    @RegisterExtension
    static WireMockExtension provider = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

    private static final String EXPIRED_TOKEN = "expired-access-token-0001";
    private static final String FRESH_TOKEN = "fresh-access-token-0002";

    @RegisterExtension
    final HttpStackExtension http = new HttpStackExtension();

    /** Bearer tokens that a refresh replaces, as core's OAuth authenticator does. */
    private static final class RefreshingAuthenticator implements RequestAuthenticator {
        private final boolean refreshSucceeds;
        private final AtomicInteger refreshes = new AtomicInteger();
        private volatile String token = EXPIRED_TOKEN;

        RefreshingAuthenticator(boolean refreshSucceeds) {
            this.refreshSucceeds = refreshSucceeds;
        }

        @Override
        public Map<String, String> headers() {
            return Map.of("Authorization", "Bearer " + token);
        }

        @Override
        public boolean onUnauthorized() {
            refreshes.incrementAndGet();
            if (refreshSucceeds) {
                token = FRESH_TOKEN;
            }
            return refreshSucceeds;
        }
    }

    private ProviderHttpClient client(RequestAuthenticator authenticator) {
        return http.client(HttpClientSpec.of("clio", "connection-1", provider.baseUrl()).withAuthenticator(authenticator));
    }

    private static void stubTokens() {
        provider.stubFor(get("/users/who_am_i.json").withHeader("Authorization", equalTo("Bearer " + EXPIRED_TOKEN))
                .willReturn(aResponse().withStatus(401)));
        provider.stubFor(get("/users/who_am_i.json").withHeader("Authorization", equalTo("Bearer " + FRESH_TOKEN))
                .willReturn(ok("{\"data\":{\"id\":1}}")));
    }

    @Test
    void unauthorizedRefreshesTheCredentialsAndRetriesOnce() {
        // Given an expired token that the authenticator can refresh
        RefreshingAuthenticator authenticator = new RefreshingAuthenticator(true);
        stubTokens();

        // When the call is made
        HttpResult result = client(authenticator).execute(HttpCall.get("users/who_am_i.json"));

        // Then it refreshed once and the second request carried the fresh token
        assertThat(result.status()).isEqualTo(200);
        assertThat(authenticator.refreshes).hasValue(1);
        provider.verify(1, getRequestedFor(urlPathEqualTo("/users/who_am_i.json"))
                .withHeader("Authorization", equalTo("Bearer " + FRESH_TOKEN)));
    }

    @Test
    void unauthorizedTwiceNeedsReauthorisation() {
        // Given a provider that rejects even the refreshed token
        RefreshingAuthenticator authenticator = new RefreshingAuthenticator(true);
        provider.stubFor(get("/users/who_am_i.json").willReturn(aResponse().withStatus(401).withHeader("X-Request-Id", "req-401")));

        // When the call is made
        NeedsReauthException failure = catchThrowableOfType(
                () -> client(authenticator).execute(HttpCall.get("users/who_am_i.json").withEntity("users")),
                NeedsReauthException.class);

        // Then it refreshed once, tried twice, and says the connection needs re-authorisation
        assertThat(authenticator.refreshes).hasValue(1);
        provider.verify(2, getRequestedFor(urlPathEqualTo("/users/who_am_i.json")));
        assertThat(failure.context()).isEqualTo(new ErrorContext("clio", "connection-1", "users", 401, "req-401"));
    }

    @Test
    void unauthorizedWithoutARefreshNeedsReauthorisationAtOnce() {
        // Given an authenticator that cannot refresh (an API key)
        RefreshingAuthenticator authenticator = new RefreshingAuthenticator(false);
        stubTokens();

        // When the call is made
        catchThrowableOfType(() -> client(authenticator).execute(HttpCall.get("users/who_am_i.json")), NeedsReauthException.class);

        // Then only one request was sent
        provider.verify(1, getRequestedFor(urlPathEqualTo("/users/who_am_i.json")));
    }

    @Test
    void theErrorNeverRepeatsTheTokenEvenWhenTheProviderEchoesIt() {
        // Given a provider whose 401 body quotes the token it was sent
        RefreshingAuthenticator authenticator = new RefreshingAuthenticator(false);
        provider.stubFor(get("/users/who_am_i.json").willReturn(aResponse().withStatus(401)
                .withBody("{\"error\":\"invalid_token\",\"error_description\":\"The access token " + EXPIRED_TOKEN + " is expired\"}")));

        // When the call is made
        NeedsReauthException failure = catchThrowableOfType(
                () -> client(authenticator).execute(HttpCall.get("users/who_am_i.json")), NeedsReauthException.class);

        // Then the provider's explanation is kept, the token is not
        assertThat(failure.getMessage()).contains("The access token [redacted] is expired").doesNotContain(EXPIRED_TOKEN);
    }

    @Test
    void aRefreshThatFailsForAMomentIsRetriedRatherThanNeedingReauthorisation() {
        // Given an authenticator whose token endpoint is down at the first refresh and back at the second
        AtomicInteger refreshes = new AtomicInteger();
        RequestAuthenticator flaky = new RequestAuthenticator() {
            private volatile String token = EXPIRED_TOKEN;

            @Override
            public Map<String, String> headers() {
                return Map.of("Authorization", "Bearer " + token);
            }

            @Override
            public boolean onUnauthorized() {
                if (refreshes.incrementAndGet() == 1) {
                    throw new ProviderUnavailableException("token endpoint answered 503", null, ErrorContext.EMPTY, null);
                }
                token = FRESH_TOKEN;
                return true;
            }
        };
        stubTokens();

        // When the call is made
        HttpResult result = client(flaky).execute(HttpCall.get("users/who_am_i.json"));

        // Then the failed refresh was retried like any unavailability, and the call succeeded
        assertThat(result.status()).isEqualTo(200);
        assertThat(refreshes).hasValue(2);
    }
}
