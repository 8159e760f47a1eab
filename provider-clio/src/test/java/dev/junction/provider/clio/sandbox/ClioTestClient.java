package dev.junction.provider.clio.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import dev.junction.sandbox.SandboxJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A blocking JSON client for the sandbox's API, over real HTTP. */
final class ClioTestClient {

    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private final String apiBaseUrl;
    private final String accessToken;

    ClioTestClient(ClioSandbox sandbox, String accessToken) {
        this.apiBaseUrl = sandbox.apiBaseUrl();
        this.accessToken = accessToken;
    }

    /** One answer: status, headers and body. */
    record Response(int status, Map<String, List<String>> headers, String body) {

        JsonNode json() {
            return SandboxJson.parse(body);
        }

        Optional<String> header(String name) {
            return headers.entrySet().stream()
                    .filter(entry -> entry.getKey().equalsIgnoreCase(name))
                    .map(entry -> entry.getValue().get(0))
                    .findFirst();
        }
    }

    /**
     * GETs a path under {@code /api/v4} (such as {@code /contacts.json?fields=client{id}}) or an
     * absolute URL. Braces in a path are percent-encoded, as a browser would.
     */
    Response get(String pathOrUrl, String... headers) {
        return send("GET", pathOrUrl, null, headers);
    }

    /** POSTs a form-encoded body, as to the OAuth token endpoint. */
    Response postForm(String url, String form) {
        return send("POST", url, form, "Content-Type", "application/x-www-form-urlencoded");
    }

    Response send(String method, String pathOrUrl, String body, String... headers) {
        String url = pathOrUrl.startsWith("http")
                ? pathOrUrl
                : apiBaseUrl + pathOrUrl.replace("{", "%7B").replace("}", "%7D");
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(10))
                .method(method, body == null
                        ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (accessToken != null) {
            request.header("Authorization", "Bearer " + accessToken);
        }
        if (headers.length > 0) {
            request.headers(headers);
        } else if (body != null) {
            request.header("Content-Type", "application/json");
        }
        try {
            HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(response.statusCode(), response.headers().map(), response.body());
        } catch (IOException exception) {
            throw new UncheckedIOException(exception);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(interrupted);
        }
    }
}
