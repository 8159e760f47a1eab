package dev.junction.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FaultInjectorTest {

    private static final String PAGE = "/api/v4/contacts.json";
    private static final String BODY = "{\"data\":[{\"id\":1},{\"id\":2},{\"id\":3}],\"meta\":{\"records\":3}}";

    private final SandboxServer server = SandboxServer.builder().build();

    @BeforeEach
    void startServer() {
        server.route("GET", PAGE, request -> SandboxResponse.bytes(200, SandboxResponse.JSON_CONTENT_TYPE,
                BODY.getBytes(StandardCharsets.UTF_8)));
        server.route("GET", "/other", request -> SandboxResponse.json(200, Map.of()));
        server.start();
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    private HttpResponse<String> getPage() {
        return TestHttp.get(server.baseUrl() + PAGE);
    }

    @Test
    void statusFaultAppliesToTheNextCountRequestsOnItsPathOnly() {
        server.faults().next(3).onPath(PAGE).respondWith(Fault.status(503, Duration.ofMillis(1_500)));

        HttpResponse<String> failed = getPage();
        assertThat(TestHttp.get(server.baseUrl() + "/other").statusCode()).isEqualTo(200);
        assertThat(getPage().statusCode()).isEqualTo(503);
        assertThat(getPage().statusCode()).isEqualTo(503);

        assertThat(failed.statusCode()).isEqualTo(503);
        assertThat(failed.headers().firstValue("Retry-After")).contains("2");
        assertThat(getPage().statusCode()).isEqualTo(200);
        assertThat(server.faults().activeRules()).isZero();
        assertThat(server.requestLog().entries(PAGE)).extracting(LoggedRequest::status)
                .containsExactly(503, 503, 503, 200);
    }

    @Test
    void methodRestrictedFaultIgnoresOtherMethods() {
        server.faults().next(1).onMethod("POST").respondWith(Fault.status(500));

        assertThat(getPage().statusCode()).isEqualTo(200);
        assertThat(server.faults().activeRules()).isEqualTo(1);
    }

    @Test
    void alwaysRuleLastsUntilCleared() {
        server.faults().always().onPath("/api/**").respondWith(Fault.status(502));

        assertThat(getPage().statusCode()).isEqualTo(502);
        assertThat(getPage().statusCode()).isEqualTo(502);
        server.faults().clear();
        assertThat(getPage().statusCode()).isEqualTo(200);
    }

    @Test
    void expiredTokenFaultAnswersInvalidToken() {
        server.faults().next(1).respondWith(Fault.expiredToken());

        HttpResponse<String> response = getPage();

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(SandboxJson.parse(response.body()).get("error").asText()).isEqualTo("invalid_token");
    }

    @Test
    void malformedJsonFaultSendsHalfTheBodyWithAMatchingLength() {
        server.faults().next(1).onPath(PAGE).respondWith(Fault.malformedJson());

        HttpResponse<String> response = getPage();

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo(BODY.substring(0, BODY.length() / 2));
        assertThatThrownBy(() -> SandboxJson.parse(response.body())).isInstanceOf(UncheckedIOException.class);
    }

    @Test
    void truncatedBodyFaultCutsTheConnectionMidBody() {
        server.faults().next(1).onPath(PAGE).respondWith(Fault.truncatedBody());

        assertThatThrownBy(this::getPage).isInstanceOf(UncheckedIOException.class);
        assertThat(getPage().body()).isEqualTo(BODY);
    }

    @Test
    void delayFaultMakesAShortClientTimeoutExpire() {
        server.faults().next(1).onPath(PAGE).respondWith(Fault.delay(Duration.ofMillis(400)));

        assertThatThrownBy(() -> TestHttp.CLIENT.send(
                TestHttp.request(server.baseUrl() + PAGE).timeout(Duration.ofMillis(100)).GET().build(),
                HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(HttpTimeoutException.class);
    }

    @Test
    void slowBodyFaultStillDeliversTheWholeBody() {
        server.faults().next(1).onPath(PAGE).respondWith(Fault.slowBody(Duration.ofMillis(100)));

        long started = System.nanoTime();
        HttpResponse<String> response = getPage();

        assertThat(response.body()).isEqualTo(BODY);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(100));
    }
}
