package dev.junction.core.http;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Named.named;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import dev.junction.core.error.ErrorContext;
import dev.junction.core.error.ErrorKind;
import dev.junction.core.error.JunctionException;
import dev.junction.core.error.ProviderUnavailableException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class RetryTest {

    @RegisterExtension
    static WireMockExtension provider = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

    /** No jitter, so the backoff is exact: 100 ms, then 200 ms, then 400 ms. */
    private static final RetrySettings RETRIES = new RetrySettings(4, Duration.ofMillis(100), Duration.ofSeconds(5), 0,
            Duration.ofMinutes(1));

    private static final byte[] REFUND = "{\"charge\":\"ch_1\"}".getBytes(StandardCharsets.UTF_8);

    @RegisterExtension
    final HttpStackExtension http = new HttpStackExtension();

    private HttpClientSpec spec() {
        return HttpClientSpec.of("stripe", "connection-1", provider.baseUrl()).withRetry(RETRIES);
    }

    private ProviderHttpClient client() {
        return http.client(spec());
    }

    @Test
    void serverErrorsAreRetriedWithGrowingBackoffUntilSuccess() {
        // Given a provider that fails with 500, then 503, then answers
        ProviderHttpClient client = client();
        ProviderStubs.inSequence(provider, "/v1/customers",
                aResponse().withStatus(500), aResponse().withStatus(503), ok("{\"data\":[]}"));

        // When the call is made
        HttpResult result = client.execute(HttpCall.get("v1/customers"));

        // Then it succeeded on the third attempt after backing off twice, each time longer
        assertThat(result.status()).isEqualTo(200);
        assertThat(http.sleeps()).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200));
        provider.verify(3, getRequestedFor(urlPathEqualTo("/v1/customers")));
    }

    @Test
    void theProvidersRetryAdviceHeaderStopsOrAllowsRetries() {
        // Given a provider that says which failures to retry (Stripe-Should-Retry)
        ProviderHttpClient client = http.client(spec().withRetry(RETRIES.withAdviceHeader("Stripe-Should-Retry")));
        ProviderStubs.inSequence(provider, "/v1/charges",
                aResponse().withStatus(500).withHeader("Stripe-Should-Retry", "false"), ok("{}"));
        ProviderStubs.inSequence(provider, "/v1/customers",
                aResponse().withStatus(409).withHeader("Stripe-Should-Retry", "true"), ok("{\"data\":[]}"));

        // When a 500 says "do not retry", then a 409 says "retry"
        assertThatThrownBy(() -> client.execute(HttpCall.get("v1/charges")))
                .isInstanceOf(JunctionException.class).extracting("kind").isEqualTo(ErrorKind.PROVIDER_UNAVAILABLE);
        HttpResult result = client.execute(HttpCall.get("v1/customers"));

        // Then the 500 was sent once, and the 409 was retried into a success
        provider.verify(1, getRequestedFor(urlPathEqualTo("/v1/charges")));
        assertThat(result.status()).isEqualTo(200);
        provider.verify(2, getRequestedFor(urlPathEqualTo("/v1/customers")));
    }

    @Test
    void serviceUnavailableWithRetryAfterWaitsAsLongAsAsked() {
        // Given a 503 asking for three seconds, longer than the first backoff
        ProviderHttpClient client = client();
        ProviderStubs.inSequence(provider, "/v1/invoices",
                aResponse().withStatus(503).withHeader("Retry-After", "3"), ok("{}"));

        // When the call is made
        client.execute(HttpCall.get("v1/invoices"));

        // Then the retry waited the three seconds
        assertThat(http.sleeps()).containsExactly(Duration.ofSeconds(3));
    }

    @Test
    void serviceUnavailableAskingForMoreThanTheLongestDelayFailsAtOnce() {
        // Given a 503 asking to come back in an hour
        ProviderHttpClient client = client();
        provider.stubFor(get("/v1/invoices").willReturn(aResponse().withStatus(503).withHeader("Retry-After", "3600")));

        // When the call is made
        ProviderUnavailableException failure = catchThrowableOfType(() -> client.execute(HttpCall.get("v1/invoices")),
                ProviderUnavailableException.class);

        // Then it did not block a thread for an hour: the caller learns when to come back
        assertThat(failure.retryAfter()).contains(Duration.ofHours(1));
        assertThat(http.sleeps()).isEmpty();
        provider.verify(1, getRequestedFor(urlPathEqualTo("/v1/invoices")));
    }

    @Test
    void aTimedOutAttemptIsRetried() {
        // Given a 300 ms timeout and a provider that is slow once
        ProviderHttpClient client = http.client(spec().withTimeout(Duration.ofMillis(300)));
        ProviderStubs.inSequence(provider, "/v1/charges",
                ok("{}").withFixedDelay(1_000), ok("{\"data\":[]}"));

        // When the call is made
        HttpResult result = client.execute(HttpCall.get("v1/charges"));

        // Then the slow attempt timed out and the next one succeeded
        assertThat(result.bodyText()).isEqualTo("{\"data\":[]}");
        assertThat(http.sleeps()).containsExactly(Duration.ofMillis(100));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("failuresWorthRetrying")
    void anAttemptThatFailsOnceIsRetried(ResponseDefinitionBuilder failure) {
        // Given a provider that fails that way once
        ProviderHttpClient client = client();
        ProviderStubs.inSequence(provider, "/v1/refunds", failure, ok("{}"));

        // When the call is made
        HttpResult result = client.execute(HttpCall.get("v1/refunds"));

        // Then the second attempt succeeded
        assertThat(result.status()).isEqualTo(200);
        provider.verify(2, getRequestedFor(urlPathEqualTo("/v1/refunds")));
    }

    static Stream<Arguments> failuresWorthRetrying() {
        return Stream.of(
                arguments(named("a 408 Request Timeout status", aResponse().withStatus(408))),
                arguments(named("a reset connection", aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER))),
                arguments(named("a truncated response", aResponse().withFault(Fault.MALFORMED_RESPONSE_CHUNK))));
    }

    @Test
    void afterTheLastAttemptTheMappedErrorIsThrown() {
        // Given a provider that always answers 502
        ProviderHttpClient client = client();
        provider.stubFor(get("/v1/customers").willReturn(aResponse().withStatus(502).withHeader("Request-Id", "req_502")
                .withBody("{\"error\":{\"message\":\"Bad gateway upstream\"}}")));

        // When the call is made
        ProviderUnavailableException failure = catchThrowableOfType(
                () -> client.execute(HttpCall.get("v1/customers").withEntity("customers")), ProviderUnavailableException.class);

        // Then all four attempts were spent and the error says where and why
        provider.verify(4, getRequestedFor(urlPathEqualTo("/v1/customers")));
        assertThat(http.sleeps()).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(400));
        assertThat(failure.context()).isEqualTo(new ErrorContext("stripe", "connection-1", "customers", 502, "req_502"));
        assertThat(failure.getMessage()).contains("GET /v1/customers answered 502: Bad gateway upstream");
    }

    @ParameterizedTest(name = "{0} is {1}")
    @CsvSource({"400, INVALID_REQUEST", "404, NOT_FOUND", "422, INVALID_REQUEST"})
    void clientErrorsAreNotRetried(int status, ErrorKind kind) {
        // Given a provider that rejects the request
        ProviderHttpClient client = client();
        provider.stubFor(get("/v1/customers/cus_1").willReturn(aResponse().withStatus(status)));

        // When the call is made
        JunctionException failure = catchThrowableOfType(() -> client.execute(HttpCall.get("v1/customers/cus_1")),
                JunctionException.class);

        // Then it failed at once with the matching kind
        assertThat(failure.kind()).isEqualTo(kind);
        provider.verify(1, getRequestedFor(urlPathEqualTo("/v1/customers/cus_1")));
        assertThat(http.sleeps()).isEmpty();
    }

    @Test
    void postWithAnIdempotencyKeyIsRetriedAndSendsTheKeyEachTime() {
        // Given a provider with an idempotency header that fails once
        ProviderHttpClient client = http.client(spec().withIdempotencyHeader("Idempotency-Key"));
        ProviderStubs.inSequence(provider, () -> post(urlPathEqualTo("/v1/refunds")), "/v1/refunds", aResponse().withStatus(500), ok("{\"id\":\"re_1\"}"));

        // When a keyed POST is made
        HttpResult result = client.execute(HttpCall.post("v1/refunds", "application/json", REFUND).withIdempotencyKey("run-7:ch_1"));

        // Then it was retried, with the key both times
        assertThat(result.status()).isEqualTo(200);
        provider.verify(2, postRequestedFor(urlPathEqualTo("/v1/refunds")).withHeader("Idempotency-Key", equalTo("run-7:ch_1")));
    }

    @Test
    void postWithoutAnIdempotencyKeyIsNeverRetried() {
        // Given a provider with an idempotency header that fails once
        ProviderHttpClient client = http.client(spec().withIdempotencyHeader("Idempotency-Key"));
        ProviderStubs.inSequence(provider, () -> post(urlPathEqualTo("/v1/refunds")), "/v1/refunds", aResponse().withStatus(500), ok("{}"));

        // When a POST without a key is made
        ProviderUnavailableException failure = catchThrowableOfType(
                () -> client.execute(HttpCall.post("v1/refunds", "application/json", REFUND)), ProviderUnavailableException.class);

        // Then it failed after one request: repeating it could refund twice
        assertThat(failure.context().httpStatus()).isEqualTo(500);
        provider.verify(1, postRequestedFor(urlPathEqualTo("/v1/refunds")));
    }

    @Test
    void postWithAKeyIsNotRetriedWhenTheProviderHasNoIdempotencyHeader() {
        // Given a provider without idempotency support that fails once
        ProviderHttpClient client = client();
        ProviderStubs.inSequence(provider, () -> post(urlPathEqualTo("/Jobs/Job")), "/Jobs/Job", aResponse().withStatus(500), ok("{}"));

        // When a keyed POST is made
        catchThrowableOfType(() -> client.execute(HttpCall.post("Jobs/Job", "application/json", REFUND).withIdempotencyKey("key-1")),
                ProviderUnavailableException.class);

        // Then it was sent once, and without a header the provider would not understand
        provider.verify(1, postRequestedFor(urlPathEqualTo("/Jobs/Job")).withHeader("Idempotency-Key", absent()));
    }
}
