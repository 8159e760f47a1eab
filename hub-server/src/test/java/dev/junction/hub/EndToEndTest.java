package dev.junction.hub;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.junction.core.crypto.SecretCipher;
import dev.junction.core.spi.RateLimitPolicy;
import dev.junction.provider.clio.ClioProvider;
import dev.junction.provider.clio.sandbox.ClioEntity;
import dev.junction.provider.clio.sandbox.ClioSandbox;
import dev.junction.testkit.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The whole path a user's application takes, over HTTP only, on a server configured as in production apart from the
 * loopback addresses: the scheduler and the webhook worker on (nothing is called on the server object), once on the
 * embedded database and once on PostgreSQL. Creates a tenant and its key, connects the Clio sandbox through the OAuth
 * code flow, lets the scheduler run the first sync, triggers an incremental one, queries records and the raw payload,
 * reads the change feed, registers an outbound webhook, turns provider webhooks on, changes a contact in the sandbox,
 * and sees the change arrive by webhook in the record, in the change feed, in the signed outbound delivery and in the
 * metrics.
 */
class EndToEndTest {

    private static final String ADMIN_KEY = "e2e-admin-key-0123456789";
    private static final String CLIENT_ID = "e2e-client";

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void aTenantConnectsClioSyncsQueriesAndSeesAWebhookChangeOverHttpOnly(TestDatabase.Kind kind) throws Exception {
        String clientSecret = "e2e-" + Long.toHexString(System.nanoTime());
        try (TestDatabase database = TestDatabase.create(kind, "EndToEndTest");
             WebhookReceiver receiver = new WebhookReceiver()) {
            Map<String, String> settings = new HashMap<>();
            settings.put("http.host", "127.0.0.1");
            settings.put("http.port", "0");
            settings.put("admin.key", ADMIN_KEY);
            settings.put("encryption.key", SecretCipher.generateKey());
            settings.put("provider.clio.client_id", CLIENT_ID);
            settings.put("provider.clio.client_secret", clientSecret);
            settings.put("sync.interval", "1h");
            settings.put("scheduler.poll-interval", "200ms");
            settings.put("scheduler.heartbeat", "1s");
            settings.put("maintenance.interval", "1s");
            settings.put("outbound.poll-interval", "200ms");
            if (kind == TestDatabase.Kind.POSTGRESQL) {
                settings.put("database.url", database.jdbcUrl().orElseThrow());
                settings.put("database.pool-size", "6");
            } else {
                settings.put("data.dir", database.dataDirectory().toString());
            }
            try (HubServer server = HubServer.start(ServerConfig.of(settings), new PrintStream(new ByteArrayOutputStream()),
                    builder -> builder.withRateLimit(ClioProvider.ID, RateLimitPolicy.UNLIMITED))) {
                ClioSandbox.Builder sandboxBuilder = ClioSandbox.builder()
                        .withOAuthClient(CLIENT_ID, clientSecret, server.localUrl() + "/v1/oauth/callback")
                        .withRateLimit(100_000, Duration.ofSeconds(1));
                for (ClioEntity entity : ClioEntity.values()) {
                    sandboxBuilder.withRecordCount(entity, entity == ClioEntity.CONTACTS ? 40 : 4);
                }
                try (ClioSandbox clio = sandboxBuilder.start()) {
                    run(server, clio, receiver);
                }
            }
        }
    }

    private static void run(HubServer server, ClioSandbox clio, WebhookReceiver receiver) throws Exception {
        ApiClient api = new ApiClient(server);

        // a tenant and its key (admin key), then a Clio connection through the OAuth code flow
        assertThat(api.post("/v1/tenants", ADMIN_KEY, "{\"id\":\"acme-law\",\"name\":\"Acme Law\"}").status()).isEqualTo(201);
        ApiClient.Response created = api.post("/v1/tenants/acme-law/api-keys", ADMIN_KEY, "{\"name\":\"crm\"}");
        assertThat(created.status()).isEqualTo(201);
        String key = created.json().get("key").asText();

        ApiClient.Response connection = api.post("/v1/connections", key,
                "{\"provider\":\"clio\",\"display_name\":\"Acme's Clio\",\"settings\":{\"region\":\"us\",\"base_url\":\"" + clio.baseUrl() + "\"}}");
        assertThat(connection.status()).as(connection.json().toString()).isEqualTo(201);
        String id = connection.json().get("id").asText();
        String authorizeUrl = api.post("/v1/connections/" + id + "/oauth/start", key, null).json().get("authorize_url").asText();
        HttpResponse<String> callback = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).build()
                .send(HttpRequest.newBuilder(URI.create(authorizeUrl)).timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(callback.statusCode()).as(callback.body()).isEqualTo(200);
        assertThat(api.get("/v1/connections/" + id, key).json().get("status").asText()).isEqualTo("ACTIVE");

        // the scheduler runs the first (full) sync on its own; then an incremental one is triggered over the API
        await("the scheduled first sync", () -> {
            for (JsonNode run : api.get("/v1/connections/" + id + "/syncs", key).json().get("items")) {
                if (run.get("status").asText().equals("SUCCEEDED")) {
                    return true;
                }
            }
            return false;
        });
        long contacts = clio.liveIds(ClioEntity.CONTACTS).size();
        assertThat(api.get("/v1/records/contact?limit=1000&connection_id=" + id, key).json().get("items")).hasSize((int) contacts);
        JsonNode incremental = syncAndWait(api, key, id, "{\"mode\":\"incremental\"}");
        assertThat(incremental.get("status").asText()).isEqualTo("SUCCEEDED");

        // query: one record, its raw payload, text search
        long contactId = clio.liveIds(ClioEntity.CONTACTS).iterator().next();
        JsonNode record = api.get("/v1/connections/" + id + "/records/contact/" + contactId, key).json();
        assertThat(record.get("external_id").asText()).isEqualTo(Long.toString(contactId));
        assertThat(api.get("/v1/connections/" + id + "/raw/contacts/" + contactId, key).status()).isEqualTo(200);

        // the change feed: one created event per stored record so far; remember where it ends
        JsonNode feed = api.get("/v1/changes?limit=1000&connection_id=" + id, key).json();
        assertThat(feed.get("items").findValuesAsText("entity")).contains("contacts");
        long cursor = feed.get("items").get(feed.get("items").size() - 1).get("sequence").asLong();

        // an outbound webhook for the tenant's changes from now on
        ApiClient.Response endpoint = api.post("/v1/outbound-webhooks", key, "{\"url\":\"" + receiver.url() + "\"}");
        assertThat(endpoint.status()).as(endpoint.json().toString()).isEqualTo(201);
        String secret = endpoint.json().get("secret").asText();

        // provider webhooks on; a contact changed in Clio reaches the hub by webhook, no sync involved
        assertThat(api.post("/v1/connections/" + id + "/webhooks/enable", key, null).status()).isEqualTo(200);
        await("webhooks active at Clio", () -> {
            JsonNode items = api.get("/v1/connections/" + id + "/webhooks", key).json().get("items");
            return items.size() > 0 && items.findValuesAsText("status").stream().allMatch("enabled"::equals);
        });
        clio.updateRecord(ClioEntity.CONTACTS, contactId, JsonNodeFactory.instance.objectNode()
                .put("name", "Changed By Webhook").put("first_name", "Changed"));
        await("the webhook change in the record", () -> api.get("/v1/connections/" + id + "/records/contact/" + contactId, key)
                .json().get("data").get("name").asText().equals("Changed By Webhook"));
        JsonNode after = api.get("/v1/changes?limit=100&after=" + cursor + "&connection_id=" + id, key).json().get("items");
        assertThat(after).anySatisfy(change -> {
            assertThat(change.get("source").asText()).isEqualTo("webhook");
            assertThat(change.get("external_id").asText()).isEqualTo(Long.toString(contactId));
        });
        assertThat(api.get("/v1/connections/" + id + "/webhooks/inbox", key).json().get("items").findValuesAsText("status"))
                .contains("processed");

        // the tenant's own endpoint receives that change, signed with its secret
        await("the outbound delivery", () -> receiver.received().stream().anyMatch(request -> request.body().contains("Changed By Webhook")
                || request.body().contains("\"external_id\":\"" + contactId + "\"")));
        WebhookReceiver.Received delivery = receiver.received().stream()
                .filter(request -> request.body().contains("\"external_id\":\"" + contactId + "\"")).findFirst().orElseThrow();
        assertThat(verifies(secret, delivery)).isTrue();

        // and the metrics saw it
        String metrics = new String(api.get("/metrics", null).raw().body(), StandardCharsets.UTF_8);
        assertThat(metrics).containsPattern("junction_webhook_events_total\\{[^}]*outcome=\"processed\"[^}]*} [1-9]");
        assertThat(metrics).containsPattern("junction_syncs_total\\{[^}]*outcome=\"succeeded\"[^}]*} [1-9]");
    }

    private static boolean verifies(String secret, WebhookReceiver.Received request) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(Base64.getDecoder().decode(secret.substring("whsec_".length())), "HmacSHA256"));
        String expected = "v1," + Base64.getEncoder().encodeToString(mac.doFinal((request.header("webhook-id") + "."
                + request.header("webhook-timestamp") + "." + request.body()).getBytes(StandardCharsets.UTF_8)));
        return List.of(request.header("webhook-signature").split(" ")).contains(expected);
    }

    private static JsonNode syncAndWait(ApiClient api, String key, String connectionId, String body) throws InterruptedException {
        ApiClient.Response started = api.post("/v1/connections/" + connectionId + "/syncs", key, body);
        assertThat(started.status()).as(String.valueOf(started.json())).isEqualTo(202);
        String run = "/v1/syncs/" + started.json().get("run_id").asText();
        await("the run to end", () -> !List.of("PENDING", "RUNNING").contains(api.get(run, key).json().get("status").asText()));
        return api.get(run, key).json();
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(50);
        }
    }
}
