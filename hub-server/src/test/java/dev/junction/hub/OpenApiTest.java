package dev.junction.hub;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.junction.testkit.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The OpenAPI document covers every route, its references resolve, and /docs serves a page that reads it. */
class OpenApiTest extends HubServerTestBase {

    @BeforeAll
    static void start() {
        startServer(TestDatabase.Kind.EMBEDDED, "OpenApiTest");
    }

    @AfterAll
    static void stop() {
        stopServer();
    }

    @Test
    void everyRegisteredRouteIsInTheDocumentWithAUniqueOperationId() {
        JsonNode document = api.get("/openapi.json", null).json();
        assertThat(document.get("openapi").asText()).isEqualTo("3.1.0");
        Set<String> operationIds = new HashSet<>();
        for (Route route : server.routes()) {
            JsonNode operation = document.get("paths").path(route.path()).get(route.method().toLowerCase());
            assertThat(operation).as("%s %s in /openapi.json", route.method(), route.path()).isNotNull();
            assertThat(operationIds.add(operation.get("operationId").asText())).as("unique operationId").isTrue();
            assertThat(operation.get("responses").size()).isPositive();
            route.pathParameters().forEach(name -> assertThat(operation.get("parameters").findValuesAsText("name")).contains(name));
        }
        int documented = 0;
        for (JsonNode item : document.get("paths")) {
            documented += item.size();
        }
        assertThat(documented).as("no documented operation without a route").isEqualTo(server.routes().size());
    }

    @Test
    void everySchemaReferenceResolves() {
        JsonNode document = api.get("/openapi.json", null).json();
        List<String> references = new ArrayList<>();
        document.findValues("$ref").forEach(node -> references.add(node.asText()));
        assertThat(references).isNotEmpty();
        for (String reference : references) {
            assertThat(document.get("components").get("schemas").get(reference.substring("#/components/schemas/".length())))
                    .as(reference).isNotNull();
        }
    }

    @Test
    void everyRouteAnswersWithADocumentedStatusAndBodyEvenForUnknownIds() {
        String key = tenantWithKey("openapi-tenant");
        for (Route route : server.routes()) {
            String path = route.path().replaceAll("\\{[A-Za-z]+}", "unknown-id");
            String auth = switch (route.access()) {
                case ADMIN -> ADMIN_KEY;
                case TENANT -> key;
                case PUBLIC -> null;
            };
            String body = route.method().equals("POST") ? "{}" : null;
            // ApiClient checks the status is documented and the body matches the schema
            ApiClient.Response response = api.send(route.method(), path, auth, body, Map.of("Idempotency-Key", "k1"));
            assertThat(response.status()).as("%s %s", route.method(), path).isLessThan(500);
            // and without credentials, protected routes answer 401 (documented too)
            if (route.access() != Route.Access.PUBLIC) {
                assertThat(api.send(route.method(), path, null, body, Map.of()).status()).isEqualTo(401);
            }
        }
    }

    @Test
    void theDocsPageLoadsTheDocument() throws Exception {
        HttpResponse<String> page = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(server.localUrl() + "/docs")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
        assertThat(page.body()).contains("/openapi.json");
        assertThat(api.get("/health/live", null).status()).isEqualTo(200);
        assertThat(api.get("/health/ready", null).json().get("database").asText()).isEqualTo("UP");
    }
}
