package dev.junction.provider.stripe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.core.http.HttpClientSpec;
import dev.junction.core.http.ProviderHttpClient;
import dev.junction.core.spi.ConnectorContext;
import dev.junction.core.spi.Credentials;
import dev.junction.core.spi.RateLimitPolicy;
import dev.junction.core.spi.Settings;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** How the connector configures a connection's HTTP client: key, version, idempotency header, and budget by key mode. */
class StripeHttpClientSpecTest {

    private static HttpClientSpec specFor(String key, RateLimitPolicy hubBudget) {
        AtomicReference<HttpClientSpec> captured = new AtomicReference<>();
        ConnectorContext context = new ConnectorContext() {
            @Override public String tenantId() { return "t"; }
            @Override public String connectionId() { return "c"; }
            @Override public Settings connectionSettings() { return Settings.of(StripeProvider.API_KEY, key); }
            @Override public Settings providerSettings() { return Settings.EMPTY; }
            @Override public Clock clock() { return Clock.systemUTC(); }
            @Override public ProviderHttpClient http(String baseUrl, HttpCustomizer customizer) {
                captured.set(customizer.customize(HttpClientSpec.of("stripe", "c", baseUrl).withRateLimit(hubBudget), new Credentials.None()));
                return null;
            }
        };
        StripeConnector.httpClient(context);
        return captured.get();
    }

    @Test
    void aTestKeyGetsTestModesTwentyFiveASecondAndALiveKeyTheLiveHundred() {
        assertThat(specFor("sk_test_abcdefghijkl", StripeProvider.LIVE_RATE_LIMIT).rateLimit()).isEqualTo(StripeProvider.TEST_RATE_LIMIT);
        assertThat(specFor("rk_test_abcdefghijkl", StripeProvider.LIVE_RATE_LIMIT).rateLimit()).isEqualTo(StripeProvider.TEST_RATE_LIMIT);
        assertThat(specFor(FakeKeys.live("abcdefghijkl"), StripeProvider.LIVE_RATE_LIMIT).rateLimit()).isEqualTo(StripeProvider.LIVE_RATE_LIMIT);
    }

    @Test
    void aBudgetTheHubWasConfiguredWithIsKept() {
        RateLimitPolicy configured = RateLimitPolicy.of(8, Duration.ofSeconds(1));

        assertThat(specFor("sk_test_abcdefghijkl", configured).rateLimit()).isEqualTo(configured);
    }

    @Test
    void everyRequestCarriesTheKeyThePinnedVersionAndWritesAnIdempotencyKeyHeader() {
        HttpClientSpec spec = specFor("sk_test_abcdefghijkl", StripeProvider.LIVE_RATE_LIMIT);

        assertThat(spec.baseUrl()).isEqualTo("https://api.stripe.com/v1");
        assertThat(spec.authenticator().headers()).containsEntry("Authorization", "Bearer sk_test_abcdefghijkl");
        assertThat(spec.defaultHeaders()).containsEntry("Stripe-Version", StripeProvider.API_VERSION);
        assertThat(spec.idempotencyHeader()).isEqualTo("Idempotency-Key");
        assertThat(spec.retry().adviceHeader()).as("Stripe-Should-Retry is honoured").isEqualTo("Stripe-Should-Retry");
    }
}
