package dev.junction.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SandboxServerTest {

    private final MutableClock clock = MutableClock.at(Instant.parse("2024-05-01T12:00:00Z"));
    private final SandboxServer server = SandboxServer.builder().withClock(clock).build();

    @AfterEach
    void stopServer() {
        server.close();
    }

    @Test
    void serverListensOnLoopbackWithARandomPort() {
        server.start();

        assertThat(server.baseUrl()).startsWith("http://127.0.0.1:");
        assertThat(server.port()).isPositive();
    }

    @Test
    void routeReceivesPathParametersQueryAndJsonBody() {
        server.route("PATCH", "/api/v4/contacts/{id}.json", request -> SandboxResponse.json(200, Map.of(
                "id", request.pathParameter("id"),
                "fields", request.queryParameter("fields").orElse(""),
                "name", request.bodyAsJson().path("data").path("name").asText())));
        server.start();

        String url = server.baseUrl() + "/api/v4/contacts/12.json?fields=id%2Cname";
        HttpResponse<String> response = TestHttp.send(TestHttp.request(url)
                .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"data\":{\"name\":\"Ada\"}}"))
                .build());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).contains(SandboxResponse.JSON_CONTENT_TYPE);
        assertThat(SandboxJson.parse(response.body()))
                .isEqualTo(SandboxJson.parse("{\"id\":\"12\",\"fields\":\"id,name\",\"name\":\"Ada\"}"));
    }

    @Test
    void firstMatchingRouteWins() {
        server.route("GET", "/users/who_am_i", request -> SandboxResponse.json(200, Map.of("route", "who_am_i")));
        server.route("GET", "/users/{id}", request -> SandboxResponse.json(200, Map.of("route", "show")));
        server.start();

        assertThat(TestHttp.get(server.baseUrl() + "/users/who_am_i").body()).contains("who_am_i");
        assertThat(TestHttp.get(server.baseUrl() + "/users/7").body()).contains("show");
    }

    @Test
    void unknownPathOrMethodIsNotFound() {
        server.route("GET", "/ping", request -> SandboxResponse.json(200, Map.of()));
        server.start();

        assertThat(TestHttp.get(server.baseUrl() + "/missing").statusCode()).isEqualTo(404);
        assertThat(TestHttp.postForm(server.baseUrl() + "/ping", "").statusCode()).isEqualTo(404);
    }

    @Test
    void rejectionBecomesItsResponseAndOtherFailuresBecome500() {
        server.route("GET", "/rejected", request -> {
            throw new RequestRejectedException(SandboxResponse.json(422, Map.of("error", "nope")));
        });
        server.route("GET", "/broken", request -> {
            throw new IllegalStateException("bug");
        });
        server.start();

        assertThat(TestHttp.get(server.baseUrl() + "/rejected").statusCode()).isEqualTo(422);
        assertThat(TestHttp.get(server.baseUrl() + "/broken").statusCode()).isEqualTo(500);
    }

    @Test
    void filtersRunInRegistrationOrderOnlyOnTheirPathsAndSeeRejectionsAsResponses() {
        List<String> calls = new ArrayList<>();
        server.filter("/api/**", (request, next) -> {
            calls.add("outer");
            return next.handle(request).withHeader("X-Outer", "yes");
        });
        server.filter("/api/**", (request, next) -> {
            calls.add("inner");
            return next.handle(request);
        });
        server.route("GET", "/api/bad", request -> {
            throw new RequestRejectedException(SandboxResponse.json(400, Map.of()));
        });
        server.route("GET", "/public", request -> SandboxResponse.json(200, Map.of()));
        server.start();

        HttpResponse<String> bad = TestHttp.get(server.baseUrl() + "/api/bad");
        HttpResponse<String> publicPath = TestHttp.get(server.baseUrl() + "/public");

        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.headers().firstValue("X-Outer")).contains("yes");
        assertThat(publicPath.headers().firstValue("X-Outer")).isEmpty();
        assertThat(calls).containsExactly("outer", "inner");
    }

    @Test
    void requestLogRecordsRequestsWithRedactedAuthorization() {
        server.route("GET", "/api/contacts", request -> SandboxResponse.json(200, Map.of()));
        server.start();

        TestHttp.get(server.baseUrl() + "/api/contacts?limit=5", "Authorization", "Bearer secret-token-value",
                "X-API-VERSION", "4.0.9");
        TestHttp.get(server.baseUrl() + "/api/contacts");

        LoggedRequest first = server.requestLog().entries().get(0);
        assertThat(first.method()).isEqualTo("GET");
        assertThat(first.path()).isEqualTo("/api/contacts");
        assertThat(first.queryParameter("limit")).isEqualTo("5");
        assertThat(first.status()).isEqualTo(200);
        assertThat(first.timestamp()).isEqualTo(clock.instant());
        assertThat(first.headers()).containsEntry("Authorization", "Bearer secr…").containsEntry("X-API-VERSION", "4.0.9");
        assertThat(server.requestLog().count("/api/contacts")).isEqualTo(2);
        assertThat(server.requestLog().countsByPath()).containsEntry("/api/contacts", 2L);

        server.requestLog().clear();

        assertThat(server.requestLog().entries()).isEmpty();
        assertThat(server.requestLog().totalCount()).isZero();
    }

    @Test
    void requestsAreServedConcurrently() throws Exception {
        CountDownLatch bothArrived = new CountDownLatch(2);
        server.route("GET", "/wait", request -> {
            bothArrived.countDown();
            try {
                return SandboxResponse.json(bothArrived.await(5, TimeUnit.SECONDS) ? 200 : 504, Map.of());
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                return SandboxResponse.empty(500);
            }
        });
        server.start();

        String url = server.baseUrl() + "/wait";
        CompletableFuture<HttpResponse<String>> first = CompletableFuture.supplyAsync(() -> TestHttp.get(url));
        CompletableFuture<HttpResponse<String>> second = CompletableFuture.supplyAsync(() -> TestHttp.get(url));

        assertThat(first.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        assertThat(second.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    }

    @Test
    void baseUrlNeedsAStartedServerAndCloseIsIdempotent() {
        assertThatThrownBy(server::baseUrl).isInstanceOf(IllegalStateException.class);

        server.start();
        server.close();
        server.close();

        assertThatThrownBy(server::baseUrl).isInstanceOf(IllegalStateException.class);
    }
}
