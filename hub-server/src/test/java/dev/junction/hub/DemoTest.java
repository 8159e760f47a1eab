package dev.junction.hub;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.junction.core.HubBuilder;
import dev.junction.core.spi.EntityType;
import dev.junction.core.spi.Provider;
import dev.junction.sandbox.Sandbox;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code demo} starts every installed provider's sandbox, connects each (OAuth, API key or access token), syncs them
 * all, and prints a key that works. Every count is checked against what the sandbox holds.
 */
class DemoTest {

    @TempDir
    Path data;

    @Test
    void theDemoConnectsAndSyncsEveryInstalledProviderExactlyAndPrintsCurlCommandsWithAWorkingKey() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ServerConfig config = ServerConfig.of(Map.of("data.dir", data.toString(), "http.port", "0", "http.host", "127.0.0.1",
                "demo.contacts", "40", "plugins.dir", data.resolve("no-plugins").toString()));
        try (Demo.Running demo = Demo.run(config, new PrintStream(bytes, true, StandardCharsets.UTF_8))) {
            String out = bytes.toString(StandardCharsets.UTF_8);
            System.out.println(out); // kept in the test's output file: what the demo printed
            Map<String, Provider> installed = HubBuilder.installedProviders();
            assertThat(installed).containsKeys("clio", "cliniko", "chatwoot", "stripe", "ascora");
            assertThat(demo.connections()).as(out).containsOnlyKeys(installed.keySet());
            assertThat(demo.succeeded()).as(out).isTrue();
            assertThat(out).doesNotContain("\r").contains("curl -s").contains("/docs").contains("every count matches its sandbox");
            assertThat(Pattern.compile("full sync SUCCEEDED").matcher(out).results().count()).isEqualTo(installed.size());

            Matcher key = Pattern.compile("export JUNCTION_KEY=(jk_\\S+)").matcher(out);
            assertThat(key.find()).as(out).isTrue();
            ApiClient api = new ApiClient(demo.server());
            Map<String, Sandbox> sandboxes = new HashMap<>();
            demo.sandboxes().forEach(sandbox -> sandboxes.put(sandbox.providerId(), sandbox));
            assertThat(api.get("/v1/connections", key.group(1)).json().get("items")).hasSize(installed.size());
            for (Map.Entry<String, String> connection : demo.connections().entrySet()) {
                Provider provider = installed.get(connection.getKey());
                JsonNode stored = api.get("/v1/connections/" + connection.getValue(), key.group(1)).json();
                assertThat(stored.get("status").asText()).as(connection.getKey()).isEqualTo("ACTIVE");
                JsonNode runs = api.get("/v1/connections/" + connection.getValue() + "/syncs", key.group(1)).json().get("items");
                assertThat(runs).as(connection.getKey()).hasSize(1);
                JsonNode run = runs.get(0);
                assertThat(run.get("mode").asText()).isEqualTo("full");
                assertThat(run.get("status").asText()).as(connection.getKey() + ": " + run).isEqualTo("SUCCEEDED");

                Map<String, Long> counts = demo.expected().get(connection.getKey());
                Map<String, Long> now = sandboxes.get(connection.getKey()).recordCounts();
                Map<String, Long> added = new HashMap<>();
                run.get("entities").forEach(entity -> added.put(entity.get("entity").asText(), entity.get("added").asLong()));
                for (EntityType entity : provider.entityTypes()) {
                    assertThat(counts).as(connection.getKey() + " sandbox count of " + entity.name()).containsKey(entity.name());
                    assertThat(added.get(entity.name())).as(connection.getKey() + " " + entity.name())
                            .isEqualTo(counts.get(entity.name()));
                    if (provider.listsEveryRecord(entity)) { // a queue (Ascora's invoices) empties as it is synced
                        assertThat(now.get(entity.name())).as(connection.getKey() + " " + entity.name()).isEqualTo(counts.get(entity.name()));
                    }
                }
                assertThat(counts.values().stream().mapToLong(Long::longValue).sum()).as(connection.getKey()).isPositive();
            }
            JsonNode contacts = api.get("/v1/records/contact?limit=1000&connection_id=" + demo.connections().get("clio"), key.group(1)).json();
            assertThat(contacts.get("items")).hasSize(sandboxes.get("clio").recordCounts().get("contacts").intValue());
        }
    }

    @Test
    void theProgressLineShowsRecordsRateAndAnEtaOnlyWhenTheTotalIsKnown() {
        JsonNode progress = JsonSupport.MAPPER.createObjectNode().put("records", 250).put("records_per_second", 100.0)
                .put("elapsed_seconds", 2.5).put("current_entity", "patients");
        assertThat(Demo.progressLine("cliniko", progress, 1000))
                .contains("cliniko").contains("patients").contains("250/1,000 records").contains("100/s").contains("ETA 7.5 s");
        assertThat(Demo.progressLine("cliniko", progress, 1000).length()).as("fits an 80-column terminal").isLessThan(80);
        assertThat(Demo.progressLine("cliniko", progress, 0)).contains("250 records").doesNotContain("ETA").doesNotContain("/1");
    }
}
