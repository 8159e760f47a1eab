package dev.junction.hub;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.junction.core.spi.RateLimitPolicy;
import dev.junction.provider.clio.ClioProvider;
import dev.junction.provider.clio.sandbox.ClioEntity;
import dev.junction.provider.clio.sandbox.ClioSandbox;
import dev.junction.testkit.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/** Shared set-up of the scheduling tests: nodes with time scaled down, tenants, Clio connections over OAuth. */
final class SchedulingSupport {

    static final String ADMIN_KEY = "test-admin-key-0123456789";
    static final String CLIENT_ID = "sched-test-client";
    static final String CLIENT_SECRET = "sched-test-secret";
    static final int PAGE_SIZE = 20;

    private SchedulingSupport() {
    }

    /** A node's settings: loopback, random port, the test database, seconds instead of minutes. */
    static Map<String, String> nodeSettings(TestDatabase database, String encryptionKey, String nodeName) {
        Map<String, String> settings = nodeSettings(database.jdbcUrl().orElse(null), encryptionKey, nodeName);
        if (database.jdbcUrl().isEmpty()) {
            settings.put("data.dir", database.dataDirectory().toString());
        }
        return settings;
    }

    /** The same for a node in another process: PostgreSQL only ({@code jdbcUrl} null: the caller sets data.dir). */
    static Map<String, String> nodeSettings(String jdbcUrl, String encryptionKey, String nodeName) {
        Map<String, String> settings = new HashMap<>();
        settings.put("http.host", "127.0.0.1");
        settings.put("http.port", "0");
        settings.put("admin.key", ADMIN_KEY);
        settings.put("encryption.key", encryptionKey);
        settings.put("provider.clio.client_id", CLIENT_ID);
        settings.put("provider.clio.client_secret", CLIENT_SECRET);
        settings.put("node.name", nodeName);
        settings.put("sync.interval", "1s");
        settings.put("sync.retry-delay", "500ms");
        settings.put("sync.lease", "2s");
        settings.put("scheduler.poll-interval", "200ms");
        settings.put("scheduler.heartbeat", "500ms");
        settings.put("scheduler.missed-heartbeats", "6"); // dead after 3 s without a heartbeat, after the 2 s lease
        settings.put("maintenance.interval", "1s");
        if (jdbcUrl != null) {
            settings.put("database.url", jdbcUrl);
            settings.put("database.pool-size", "6");
        }
        return settings;
    }

    static HubServer start(Map<String, String> settings) {
        return HubServer.start(ServerConfig.of(settings), new PrintStream(new ByteArrayOutputStream()),
                builder -> builder.withRateLimit(ClioProvider.ID, RateLimitPolicy.UNLIMITED).withPageSize(PAGE_SIZE));
    }

    /** A Clio sandbox whose OAuth redirects to {@code server}; {@code contacts} contacts, a few of everything else. */
    static ClioSandbox sandbox(HubServer server, int contacts) {
        ClioSandbox.Builder sandbox = ClioSandbox.builder()
                .withOAuthClient(CLIENT_ID, CLIENT_SECRET, server.localUrl() + "/v1/oauth/callback")
                .withRateLimit(100_000, Duration.ofSeconds(1));
        for (ClioEntity entity : ClioEntity.values()) {
            sandbox.withRecordCount(entity, entity == ClioEntity.CONTACTS ? contacts : 4);
        }
        return sandbox.start();
    }

    static String tenantWithKey(ApiClient api, String tenantId) {
        assertThat(api.post("/v1/tenants", ADMIN_KEY, "{\"id\":\"" + tenantId + "\"}").status()).isEqualTo(201);
        ApiClient.Response key = api.post("/v1/tenants/" + tenantId + "/api-keys", ADMIN_KEY, "{\"name\":\"tests\"}");
        assertThat(key.status()).isEqualTo(201);
        return key.json().get("key").asText();
    }

    /** Creates a Clio connection and completes OAuth as a browser would; returns its id. */
    static String connectClio(ApiClient api, String key, ClioSandbox clio) {
        ApiClient.Response connection = api.post("/v1/connections", key,
                "{\"provider\":\"clio\",\"settings\":{\"region\":\"us\",\"base_url\":\"" + clio.baseUrl() + "\"}}");
        assertThat(connection.status()).as(connection.json().toString()).isEqualTo(201);
        String connectionId = connection.json().get("id").asText();
        ApiClient.Response start = api.post("/v1/connections/" + connectionId + "/oauth/start", key, null);
        assertThat(start.status()).isEqualTo(200);
        JsonNode callback = HubServerTestBase.browse(start.json().get("authorize_url").asText());
        assertThat(callback.get("status").asText()).isEqualTo("ACTIVE");
        return connectionId;
    }

    /** The connection's runs, newest first (up to 100). */
    static List<JsonNode> runs(ApiClient api, String key, String connectionId) {
        List<JsonNode> runs = new ArrayList<>();
        api.get("/v1/connections/" + connectionId + "/syncs?limit=100", key).json().get("items").forEach(runs::add);
        return runs;
    }

    static void await(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }
}
