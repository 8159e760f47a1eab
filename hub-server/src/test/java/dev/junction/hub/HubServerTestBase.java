package dev.junction.hub;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.junction.core.crypto.SecretCipher;
import dev.junction.core.spi.RateLimitPolicy;
import dev.junction.provider.clio.ClioProvider;
import dev.junction.provider.clio.sandbox.ClioEntity;
import dev.junction.provider.clio.sandbox.ClioSandbox;
import dev.junction.testkit.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * Starts one hub-server on a random loopback port over a fresh database of the given kind, a Clio sandbox with a
 * few hundred records, and two tenants with API keys. Subclasses talk to it over HTTP only.
 */
abstract class HubServerTestBase {

    static final String ADMIN_KEY = "test-admin-key-0123456789";
    static final String CLIENT_ID = "hub-test-client";
    static final String CLIENT_SECRET = "hub-test-secret";

    static TestDatabase database;
    static HubServer server;
    static ClioSandbox clio;
    static ApiClient api;

    static void startServer(TestDatabase.Kind kind, String owner) {
        startServer(kind, owner, Map.of());
    }

    /** Starts the server with more settings; the outbound webhook poller is off unless {@code extra} turns it on. */
    static void startServer(TestDatabase.Kind kind, String owner, Map<String, String> extra) {
        database = TestDatabase.create(kind, owner);
        Map<String, String> settings = new HashMap<>();
        settings.put("outbound.poll-interval", "0");
        settings.put("http.host", "127.0.0.1");
        settings.put("http.port", "0");
        settings.put("admin.key", ADMIN_KEY);
        settings.put("encryption.key", SecretCipher.generateKey());
        settings.put("provider.clio.client_id", CLIENT_ID);
        settings.put("provider.clio.client_secret", CLIENT_SECRET);
        settings.put("http.max-body-bytes", "65536");
        settings.put("scheduler.enabled", "false"); // these tests start every sync themselves (scheduling: Scheduled*Test)
        if (kind == TestDatabase.Kind.POSTGRESQL) {
            settings.put("database.url", database.jdbcUrl().orElseThrow());
            settings.put("database.pool-size", "4");
        } else {
            settings.put("data.dir", database.dataDirectory().toString());
        }
        settings.putAll(extra);
        server = HubServer.start(ServerConfig.of(settings), new PrintStream(new ByteArrayOutputStream()),
                builder -> builder.withRateLimit(ClioProvider.ID, RateLimitPolicy.UNLIMITED).withBackgroundInterval(Duration.ZERO));
        ClioSandbox.Builder sandbox = ClioSandbox.builder()
                .withOAuthClient(CLIENT_ID, CLIENT_SECRET, server.localUrl() + "/v1/oauth/callback")
                .withRateLimit(100_000, Duration.ofSeconds(1));
        for (ClioEntity entity : ClioEntity.values()) {
            sandbox.withRecordCount(entity, entity == ClioEntity.CONTACTS ? 60 : 6);
        }
        clio = sandbox.start();
        api = new ApiClient(server);
    }

    static void stopServer() {
        if (clio != null) {
            clio.close();
        }
        if (server != null) {
            server.close();
        }
        if (database != null) {
            database.close();
        }
    }

    /** Creates a tenant and returns a new API key for it. */
    static String tenantWithKey(String tenantId) {
        ApiClient.Response created = api.post("/v1/tenants", ADMIN_KEY, "{\"id\":\"" + tenantId + "\",\"name\":\"Tenant " + tenantId + "\"}");
        assertThat(created.status()).isEqualTo(201);
        ApiClient.Response key = api.post("/v1/tenants/" + tenantId + "/api-keys", ADMIN_KEY, "{\"name\":\"tests\"}");
        assertThat(key.status()).isEqualTo(201);
        return key.json().get("key").asText();
    }

    /** Creates a Clio connection for the key's tenant and completes OAuth the way a browser would. */
    static String connectClio(String key) {
        ApiClient.Response connection = api.post("/v1/connections", key,
                "{\"provider\":\"clio\",\"display_name\":\"Clio sandbox\",\"settings\":{\"region\":\"us\",\"base_url\":\"" + clio.baseUrl() + "\"}}");
        assertThat(connection.status()).as(connection.json().toString()).isEqualTo(201);
        String connectionId = connection.json().get("id").asText();
        assertThat(connection.json().get("status").asText()).isEqualTo("PENDING_AUTH");
        ApiClient.Response start = api.post("/v1/connections/" + connectionId + "/oauth/start", key, null);
        assertThat(start.status()).isEqualTo(200);
        JsonNode callback = browse(start.json().get("authorize_url").asText());
        assertThat(callback.get("connection_id").asText()).isEqualTo(connectionId);
        assertThat(callback.get("status").asText()).isEqualTo("ACTIVE");
        return connectionId;
    }

    /** Follows the authorize URL; the sandbox approves and redirects to the server's callback, whose JSON is returned. */
    static JsonNode browse(String authorizeUrl) {
        HttpClient browser = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).build();
        try {
            HttpResponse<String> page = browser.send(HttpRequest.newBuilder(URI.create(authorizeUrl)).timeout(Duration.ofSeconds(20)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(page.uri().getPath()).as(page.body()).isEqualTo("/v1/oauth/callback");
            assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
            return JsonSupport.MAPPER.readTree(page.body());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Starts a sync over HTTP and polls its run until it ends (at most 30 s). */
    static JsonNode syncAndWait(String key, String connectionId, String body) {
        ApiClient.Response started = api.post("/v1/connections/" + connectionId + "/syncs", key, body);
        assertThat(started.status()).as(String.valueOf(started.json())).isEqualTo(202);
        String runId = started.json().get("run_id").asText();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            JsonNode run = api.get("/v1/syncs/" + runId, key).json();
            String status = run.get("status").asText();
            if (!status.equals("RUNNING") && !status.equals("PENDING")) {
                return run;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("run did not finish: " + run);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }
}
