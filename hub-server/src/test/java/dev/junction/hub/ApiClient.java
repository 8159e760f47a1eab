package dev.junction.hub;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/**
 * A test's HTTP client for one server: sends real requests over loopback and checks every answer against the
 * OpenAPI document (documented status, body matching the schema, request id header), so each test also proves the
 * document right for the responses it sees.
 */
final class ApiClient {

    record Response(int status, HttpResponse<byte[]> raw, JsonNode json) {
        String header(String name) {
            return raw.headers().firstValue(name).orElse(null);
        }
    }

    private final HubServer server;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final SchemaChecker checker;

    ApiClient(HubServer server) {
        this.server = server;
        this.checker = new SchemaChecker(get("/openapi.json", null).json());
    }

    Response get(String path, String key) {
        return send("GET", path, key, null, Map.of());
    }

    Response post(String path, String key, String body) {
        return send("POST", path, key, body, Map.of());
    }

    Response delete(String path, String key) {
        return send("DELETE", path, key, null, Map.of());
    }

    Response send(String method, String path, String key, String body, Map<String, String> headers) {
        return sendBytes(method, path, key, body == null ? null : body.getBytes(java.nio.charset.StandardCharsets.UTF_8), headers);
    }

    Response sendBytes(String method, String path, String key, byte[] body, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.localUrl() + path)).timeout(Duration.ofSeconds(20))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        headers.forEach(request::header);
        HttpResponse<byte[]> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        JsonNode json = null;
        String type = response.headers().firstValue("Content-Type").orElse("");
        if (type.startsWith("application/json") || type.startsWith("application/problem+json")) {
            try {
                json = JsonSupport.MAPPER.readTree(response.body());
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + new String(response.body()), e);
            }
        }
        assertThat(response.headers().firstValue("X-Request-Id")).as("request id header").isPresent();
        if (response.statusCode() >= 400) {
            assertThat(type).as("errors are problem+json").startsWith("application/problem+json");
            assertThat(json.get("request_id").asText()).isEqualTo(response.headers().firstValue("X-Request-Id").get());
        }
        if (checker != null && (path.startsWith("/v1/") || path.startsWith("/metrics"))) {
            checker.check(method, path.contains("?") ? path.substring(0, path.indexOf('?')) : path, response.statusCode(), json);
        }
        return new Response(response.statusCode(), response, json);
    }
}
