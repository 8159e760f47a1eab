package dev.junction.core.http;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import dev.junction.core.error.ErrorContext;
import dev.junction.core.error.ErrorKind;
import dev.junction.core.error.JunctionException;
import feign.Headers;
import feign.Param;
import feign.RequestLine;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class FeignTest {

    @RegisterExtension
    static WireMockExtension provider = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

    record Customer(String id, String name) {
    }

    interface CustomersApi {
        @RequestLine("GET /v1/customers/{id}")
        Customer customer(@Param("id") String id);

        @RequestLine("POST /v1/customers")
        @Headers({"Content-Type: application/json", "Idempotency-Key: {key}"})
        Customer create(@Param("key") String idempotencyKey, Customer customer);
    }

    @RegisterExtension
    final HttpStackExtension http = new HttpStackExtension();

    private CustomersApi api() {
        return http.client(HttpClientSpec.of("stripe", "connection-1", provider.baseUrl())
                .withAuthenticator(() -> Map.of("Authorization", "Bearer sk_test_feign"))
                .withDefaultHeader("Stripe-Version", "2024-06-20")
                .withIdempotencyHeader("Idempotency-Key")
                .withRetry(new RetrySettings(3, Duration.ofMillis(100), Duration.ofSeconds(1), 0, Duration.ofMinutes(1))))
                .feign(CustomersApi.class);
    }

    @Test
    void aFeignInterfaceGoesThroughTheStack() {
        // Given a provider that serves a customer
        provider.stubFor(get("/v1/customers/cus_1").willReturn(okJson("{\"id\":\"cus_1\",\"name\":\"Ada\",\"livemode\":false}")));

        // When it is fetched through a Feign interface
        Customer customer = api().customer("cus_1");

        // Then it was decoded, and the request carried the authenticator's and the default headers
        assertThat(customer).isEqualTo(new Customer("cus_1", "Ada"));
        provider.verify(getRequestedFor(urlPathEqualTo("/v1/customers/cus_1"))
                .withHeader("Authorization", equalTo("Bearer sk_test_feign"))
                .withHeader("Stripe-Version", equalTo("2024-06-20")));
    }

    @Test
    void aKeyedFeignPostIsRetried() {
        // Given a provider that fails once
        ProviderStubs.inSequence(provider, () -> post(urlPathEqualTo("/v1/customers")), "create",
                aResponse().withStatus(503), okJson("{\"id\":\"cus_9\",\"name\":\"Grace\"}"));

        // When a customer is created with an idempotency key
        Customer created = api().create("run-1:grace", new Customer(null, "Grace"));

        // Then the same keyed request was sent twice and the answer decoded
        assertThat(created.id()).isEqualTo("cus_9");
        provider.verify(2, postRequestedFor(urlPathEqualTo("/v1/customers"))
                .withHeader("Idempotency-Key", equalTo("run-1:grace"))
                .withRequestBody(equalToJson("{\"name\":\"Grace\"}", true, true)));
    }

    @Test
    void rateLimitedFeignCallsWaitAndRetry() {
        // Given a provider that answers 429 once
        ProviderStubs.inSequence(provider, "/v1/customers/cus_1",
                aResponse().withStatus(429).withHeader("Retry-After", "2"), okJson("{\"id\":\"cus_1\"}"));

        // When the customer is fetched
        Customer customer = api().customer("cus_1");

        // Then it waited as asked and succeeded
        assertThat(customer.id()).isEqualTo("cus_1");
        assertThat(http.sleeps()).containsExactly(Duration.ofSeconds(2));
    }

    @Test
    void feignErrorsAreMappedToTheTaxonomy() {
        // Given a customer that does not exist
        provider.stubFor(get("/v1/customers/cus_0").willReturn(aResponse().withStatus(404).withHeader("Request-Id", "req_404")
                .withBody("{\"error\":{\"message\":\"No such customer: 'cus_0'\"}}")));

        // When it is fetched
        JunctionException failure = catchThrowableOfType(() -> api().customer("cus_0"), JunctionException.class);

        // Then the error is Junction's, not Feign's
        assertThat(failure.kind()).isEqualTo(ErrorKind.NOT_FOUND);
        assertThat(failure.context()).isEqualTo(new ErrorContext("stripe", "connection-1", null, 404, "req_404"));
        assertThat(failure.getMessage()).contains("No such customer: 'cus_0'");
    }

    @Test
    void anUndecodableFeignResponseIsAnUnexpectedPayload() {
        // Given a body that is not JSON
        provider.stubFor(get("/v1/customers/cus_1").willReturn(okJson("{\"id\": cus_1}").withHeader("Request-Id", "req_bad")));

        // When it is fetched
        JunctionException failure = catchThrowableOfType(() -> api().customer("cus_1"), JunctionException.class);

        // Then it is an unexpected payload with the connection's context
        assertThat(failure.kind()).isEqualTo(ErrorKind.UNEXPECTED_PAYLOAD);
        assertThat(failure.context()).isEqualTo(new ErrorContext("stripe", "connection-1", null, 200, "req_bad"));
    }
}
