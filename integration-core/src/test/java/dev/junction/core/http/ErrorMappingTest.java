package dev.junction.core.http;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.ok;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import dev.junction.core.error.ErrorContext;
import dev.junction.core.error.ErrorKind;
import dev.junction.core.error.JunctionException;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ErrorMappingTest {

    @RegisterExtension
    static WireMockExtension provider = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

    @RegisterExtension
    final HttpStackExtension http = new HttpStackExtension();

    private ProviderHttpClient client() {
        return http.client(HttpClientSpec.of("clio", "connection-1", provider.baseUrl() + "/api/v4")
                .withAuthenticator(() -> Map.of("Authorization", "Bearer secret-token-value")));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(ints = {400, 403, 409, 410, 422})
    void rejectedRequestsAreInvalidAndQuoteTheProvidersExplanation(int status) {
        // Given a provider that rejects the request with a short explanation, as Clio does
        provider.stubFor(get(urlPathEqualTo("/api/v4/matters.json")).willReturn(aResponse().withStatus(status)
                .withHeader("X-Request-ID", "req-" + status)
                .withBody("{\"error\":{\"type\":\"ArgumentError\",\"message\":\"Offset is too large\"}}")));

        // When the call is made
        JunctionException failure = catchThrowableOfType(
                () -> client().execute(HttpCall.get("matters.json").withQuery("offset", "10000").withEntity("matters")),
                JunctionException.class);

        // Then it is an invalid request saying where it happened and what the provider said, without our headers
        assertThat(failure.kind()).isEqualTo(ErrorKind.INVALID_REQUEST);
        assertThat(failure.context()).isEqualTo(new ErrorContext("clio", "connection-1", "matters", status, "req-" + status));
        assertThat(failure.getMessage()).contains("GET /api/v4/matters.json answered " + status + ": Offset is too large")
                .doesNotContain("secret-token-value");
    }

    @Test
    void notFoundIsNotFound() {
        // Given a record that does not exist
        provider.stubFor(get(urlPathEqualTo("/api/v4/matters/9.json")).willReturn(aResponse().withStatus(404)));

        // When it is fetched
        JunctionException failure = catchThrowableOfType(() -> client().execute(HttpCall.get("matters/9.json")), JunctionException.class);

        // Then the error says so
        assertThat(failure.kind()).isEqualTo(ErrorKind.NOT_FOUND);
        assertThat(failure.context().httpStatus()).isEqualTo(404);
    }

    @Test
    void aLongErrorPageIsNotQuoted() {
        // Given a proxy's HTML error page
        provider.stubFor(get(urlPathEqualTo("/api/v4/matters.json")).willReturn(aResponse().withStatus(400)
                .withBody("<html><body>" + "Bad request ".repeat(50) + "</body></html>")));

        // When the call is made
        JunctionException failure = catchThrowableOfType(() -> client().execute(HttpCall.get("matters.json")), JunctionException.class);

        // Then the message stays one short line
        assertThat(failure.reason()).isEqualTo("GET /api/v4/matters.json answered 400");
    }

    @Test
    void malformedJsonIsAnUnexpectedPayload() {
        // Given a body that is not JSON
        provider.stubFor(get(urlPathEqualTo("/api/v4/contacts.json")).willReturn(ok("{\"data\": [oops]}").withHeader("X-Request-Id", "req-7")));

        // When it is read as JSON
        JunctionException failure = catchThrowableOfType(() -> client().executeJson(HttpCall.get("contacts.json").withEntity("contacts")),
                JunctionException.class);

        // Then it is an unexpected payload, located but not quoted
        assertThat(failure.kind()).isEqualTo(ErrorKind.UNEXPECTED_PAYLOAD);
        assertThat(failure.context()).isEqualTo(new ErrorContext("clio", "connection-1", "contacts", 200, "req-7"));
        assertThat(failure.reason()).isEqualTo("GET /api/v4/contacts.json answered with malformed JSON (line 1, column 16)");
    }

    @Test
    void truncatedJsonIsAnUnexpectedPayload() {
        // Given a complete HTTP response whose JSON stops halfway
        provider.stubFor(get(urlPathEqualTo("/api/v4/contacts.json")).willReturn(okJson("{\"data\": [{\"id\": 1}, {\"id\"")));

        // When it is read as JSON
        JunctionException failure = catchThrowableOfType(() -> client().executeJson(HttpCall.get("contacts.json")), JunctionException.class);

        // Then it is an unexpected payload that says the JSON ends early
        assertThat(failure.kind()).isEqualTo(ErrorKind.UNEXPECTED_PAYLOAD);
        assertThat(failure.reason()).contains("JSON that ends early");
    }

    @Test
    void anEmptyBodyIsAnUnexpectedPayloadWhenJsonWasExpected() {
        // Given a success with no body
        provider.stubFor(get(urlPathEqualTo("/api/v4/contacts.json")).willReturn(ok()));

        // When it is read as JSON
        JunctionException failure = catchThrowableOfType(() -> client().executeJson(HttpCall.get("contacts.json")), JunctionException.class);

        // Then it is an unexpected payload
        assertThat(failure.kind()).isEqualTo(ErrorKind.UNEXPECTED_PAYLOAD);
    }

    @Test
    void jsonIsParsed() {
        // Given a JSON body
        provider.stubFor(get(urlPathEqualTo("/api/v4/contacts/1.json")).willReturn(okJson("{\"data\":{\"id\":1,\"name\":\"Ada\"}}")));

        // When it is read as JSON
        JsonNode body = client().executeJson(HttpCall.get("/contacts/1.json"));

        // Then the tree is there, the leading slash of the path notwithstanding
        assertThat(body.at("/data/name").asText()).isEqualTo("Ada");
    }

    @Test
    void anAbsoluteUrlToAnotherHostIsRefused() {
        // Given a next-page link that points somewhere else
        HttpCall call = HttpCall.get("https://attacker.example.com/api/v4/matters.json?page_token=x");

        // When it is followed
        JunctionException failure = catchThrowableOfType(() -> client().execute(call), JunctionException.class);

        // Then nothing was sent, so the token stayed home
        assertThat(failure.kind()).isEqualTo(ErrorKind.INVALID_REQUEST);
        assertThat(failure.getMessage()).contains("attacker.example.com");
        provider.verify(0, anyRequestedFor(anyUrl()));
    }

    @Test
    void anAbsoluteUrlThatIsNotHttpIsRefused() {
        // Given a link with another scheme
        HttpCall call = HttpCall.get("ftp://" + "localhost:" + provider.getPort() + "/matters.json");

        // When it is followed
        JunctionException failure = catchThrowableOfType(() -> client().execute(call), JunctionException.class);

        // Then it is refused
        assertThat(failure.kind()).isEqualTo(ErrorKind.INVALID_REQUEST);
    }

    @Test
    void anAbsoluteUrlOnTheBaseHostIsUsedVerbatim() {
        // Given a next-page link on the provider's own host, outside the base path
        provider.stubFor(get(urlPathEqualTo("/elsewhere/matters.json")).willReturn(okJson("{}")));

        // When it is followed
        client().execute(HttpCall.get(provider.baseUrl() + "/elsewhere/matters.json?page_token=abc"));

        // Then it went exactly there
        provider.verify(1, getRequestedFor(urlPathEqualTo("/elsewhere/matters.json")));
    }

    @Test
    void redirectsAreNotFollowed() {
        // Given a provider that redirects to another host
        provider.stubFor(get(urlPathEqualTo("/api/v4/matters.json"))
                .willReturn(aResponse().withStatus(302).withHeader("Location", "https://attacker.example.com/")));

        // When the call is made
        JunctionException failure = catchThrowableOfType(() -> client().execute(HttpCall.get("matters.json")), JunctionException.class);

        // Then the redirect is an error, not a request to that host
        assertThat(failure.kind()).isEqualTo(ErrorKind.INVALID_REQUEST);
        assertThat(failure.getMessage()).contains("redirects are not followed");
    }

    @Test
    void notModifiedIsReturnedToAConditionalRequest() {
        // Given a record that has not changed since its ETag
        provider.stubFor(get(urlPathEqualTo("/api/v4/matters/1.json")).willReturn(aResponse().withStatus(304)));

        // When it is fetched conditionally
        HttpResult result = client().execute(HttpCall.get("matters/1.json").withHeader("If-None-Match", "\"abc\""));

        // Then the 304 comes back as a result
        assertThat(result.status()).isEqualTo(304);
    }
}
