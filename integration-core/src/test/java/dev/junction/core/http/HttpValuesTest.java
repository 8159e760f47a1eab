package dev.junction.core.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HttpValuesTest {

    @Test
    void aCallsTextShowsNoHeaderValuesQueryValuesOrBody() {
        // Given a call carrying credentials in a header, the query and the body
        HttpCall call = HttpCall.post("oauth/token", "application/x-www-form-urlencoded",
                        "client_secret=body-secret".getBytes(StandardCharsets.UTF_8))
                .withHeader("Authorization", "Basic header-secret")
                .withQuery("code", "query-secret");

        // When it is turned into text
        String text = call.toString();

        // Then the shape is there and the secrets are not
        assertThat(text).contains("POST oauth/token", "Authorization", "code", "25 bytes")
                .doesNotContain("body-secret", "header-secret", "query-secret");
    }

    @Test
    void callsDeriveNewValuesAndCompareByContent() {
        // Given a call with a query parameter
        HttpCall call = HttpCall.get("contacts").withQuery("page", "1");

        // When the parameter is replaced, and an equal call is built separately
        HttpCall next = call.withQuery("page", "2");

        // Then the original is unchanged and equality follows content, bodies included
        assertThat(call.queryValue("page")).contains("1");
        assertThat(next.queryValue("page")).contains("2");
        assertThat(HttpCall.put("a", "text/plain", new byte[] {1})).isEqualTo(HttpCall.put("a", "text/plain", new byte[] {1}));
    }

    @Test
    void aResultsHeadersAreCaseInsensitiveAndCarryTheRequestId() {
        // Given a result built from lower-case headers, as OkHttp reports them
        HttpResult result = HttpResult.of(200, Map.of("x-request-id", List.of("req-1"), "link", List.of("<a>", "<b>")), null);

        // When headers are read in any case
        // Then they are found, and the request id was picked up
        assertThat(result.header("X-Request-ID")).contains("req-1");
        assertThat(result.headerValues("Link")).containsExactly("<a>", "<b>");
        assertThat(result.requestId()).isEqualTo("req-1");
        assertThat(result.body()).isEmpty();
    }
}
