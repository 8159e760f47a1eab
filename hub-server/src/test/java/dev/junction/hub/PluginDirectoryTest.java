package dev.junction.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.junction.core.crypto.SecretCipher;
import dev.junction.sandbox.Sandbox;
import dev.junction.sandbox.SandboxFactory;
import dev.junction.sandbox.SandboxOptions;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A third-party provider from {@code plugins/}: the ManyChat example's jar (copied by the build into
 * {@code target/test-plugins}; the example is on no class path of this module) next to a broken jar. The server
 * skips the broken one, lists ManyChat, and a tenant connects to the plug-in's own sandbox and syncs it over HTTP.
 */
class PluginDirectoryTest {

    static final String ADMIN_KEY = "plugin-test-admin-key-0123";
    static final Path BUILT_JAR = Path.of("target", "test-plugins", "provider-manychat-example.jar");

    @TempDir
    Path temp;

    @Test
    void aPluginProviderIsListedConnectedAndSyncedOverHttpAndABrokenJarIsSkipped() throws Exception {
        assertThat(BUILT_JAR).as("the example plug-in, copied by maven-dependency-plugin (run `mvn verify` or `package`)").isRegularFile();
        assertThatThrownBy(() -> Class.forName("dev.junction.examples.manychat.ManyChatProvider"))
                .as("the plug-in must not be on the test class path").isInstanceOf(ClassNotFoundException.class);
        Path plugins = Files.createDirectories(temp.resolve("plugins"));
        Files.copy(BUILT_JAR, plugins.resolve("provider-manychat-example.jar"));
        Files.write(plugins.resolve("broken.jar"), "PK but not really a zip".getBytes(StandardCharsets.UTF_8));

        Map<String, String> settings = new HashMap<>();
        settings.put("http.host", "127.0.0.1");
        settings.put("http.port", "0");
        settings.put("admin.key", ADMIN_KEY);
        settings.put("encryption.key", SecretCipher.generateKey());
        settings.put("data.dir", temp.resolve("data").toString());
        settings.put("plugins.dir", plugins.toString());
        settings.put("scheduler.enabled", "false"); // the test starts its sync itself; a scheduled one would contend with it
        Sandbox sandbox = null;
        try (HubServer server = HubServer.start(ServerConfig.of(settings), new PrintStream(new ByteArrayOutputStream()),
                builder -> builder.withBackgroundInterval(Duration.ZERO).withPageSize(100))) {
            assertThat(server.plugins().plugins()).singleElement()
                    .satisfies(plugin -> assertThat(plugin.providers()).containsOnlyKeys("manychat"));
            assertThat(server.plugins().skipped()).singleElement().satisfies(skipped -> {
                assertThat(skipped.jar().getFileName()).hasToString("broken.jar");
                assertThat(skipped.reason()).contains("not a readable jar");
            });
            ApiClient api = new ApiClient(server);
            assertThat(api.post("/v1/tenants", ADMIN_KEY, "{\"id\":\"chat-shop\",\"name\":\"Chat shop\"}").status()).isEqualTo(201);
            String key = api.post("/v1/tenants/chat-shop/api-keys", ADMIN_KEY, "{\"name\":\"tests\"}").json().get("key").asText();

            JsonNode providers = api.get("/v1/providers", key).json().get("items");
            assertThat(providers.findValuesAsText("id")).contains("manychat", "clio", "cliniko", "chatwoot", "stripe", "ascora");
            JsonNode manychat = find(providers, "manychat");
            assertThat(manychat.get("display_name").asText()).isEqualTo("ManyChat");
            assertThat(manychat.toString()).contains("tags", "custom_fields", "flows", "growth_tools", "api_key");

            // The plug-in's sandbox comes from the same jar, through the same class loader.
            List<SandboxFactory> factories = server.plugins().services(SandboxFactory.class);
            assertThat(factories).extracting(SandboxFactory::providerId).containsExactly("manychat");
            sandbox = factories.get(0).start(SandboxOptions.defaults().withSetting("records.tags", "250")
                    .withSetting("rate-limit.limit", "1000"));
            Map<String, String> properties = sandbox.connectionProperties();
            ApiClient.Response connection = api.post("/v1/connections", key, JsonSupport.MAPPER.createObjectNode()
                    .put("provider", "manychat").put("display_name", "ManyChat sandbox")
                    .set("settings", JsonSupport.MAPPER.createObjectNode().put("api_key", properties.get("api_key"))
                            .put("base_url", properties.get("base_url"))).toString());
            assertThat(connection.status()).as(connection.json().toString()).isEqualTo(201);
            String connectionId = connection.json().get("id").asText();
            assertThat(connection.json().get("status").asText()).isEqualTo("ACTIVE");
            assertThat(connection.json().toString()).doesNotContain(properties.get("api_key"));

            JsonNode run = sync(api, key, connectionId);
            assertThat(run.get("status").asText()).as(run.toString()).isEqualTo("SUCCEEDED");
            Map<String, Long> counts = sandbox.recordCounts();
            for (JsonNode entity : run.get("entities")) {
                assertThat(entity.get("added").asLong()).as(entity.toString()).isEqualTo(counts.get(entity.get("entity").asText()));
            }
            assertThat(find(run.get("entities"), "tags", "entity").get("pages").asInt()).as("250 tags in pages of 100").isEqualTo(3);

            JsonNode fields = api.get("/v1/records/custom_field?connection_id=" + connectionId, key).json().get("items");
            assertThat(fields).hasSize(counts.get("custom_fields").intValue());
            assertThat(fields.get(0).get("data").get("parent_type").asText()).isEqualTo("subscriber");
            String tagId = api.get("/v1/connections/" + connectionId + "/raw/tags/100000", key).json().get("external_id").asText();
            assertThat(tagId).isEqualTo("100000");
            JsonNode raw = api.get("/v1/connections/" + connectionId + "/raw/tags/100000", key).json();
            assertThat(raw.toString()).contains("Tag 1");
        } finally {
            if (sandbox != null) {
                sandbox.close();
            }
        }
    }

    private static JsonNode sync(ApiClient api, String key, String connectionId) throws InterruptedException {
        String runId = api.post("/v1/connections/" + connectionId + "/syncs", key, "{\"mode\":\"full\"}").json().get("run_id").asText();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            JsonNode run = api.get("/v1/syncs/" + runId, key).json();
            String status = run.get("status").asText();
            if (!status.equals("RUNNING") && !status.equals("PENDING")) {
                return run;
            }
            assertThat(System.nanoTime()).as("run finished in time: " + run).isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    private static JsonNode find(JsonNode items, String id) {
        return find(items, id, "id");
    }

    private static JsonNode find(JsonNode items, String value, String field) {
        for (JsonNode item : items) {
            if (item.path(field).asText().equals(value)) {
                return item;
            }
        }
        throw new AssertionError("no " + value + " in " + items);
    }
}
