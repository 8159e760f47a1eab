package dev.junction.hub;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code demo} starts the sandboxes, connects them through OAuth, syncs, and prints a key that works. */
class DemoTest {

    @TempDir
    Path data;

    @Test
    void theDemoSyncsEverySandboxAndPrintsCurlCommandsWithAWorkingKey() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ServerConfig config = ServerConfig.of(Map.of("data.dir", data.toString(), "http.port", "0", "http.host", "127.0.0.1",
                "demo.contacts", "40"));
        try (Demo.Running demo = Demo.run(config, new PrintStream(bytes, true, StandardCharsets.UTF_8))) {
            String out = bytes.toString(StandardCharsets.UTF_8);
            assertThat(out).contains("clio").contains("is ACTIVE").contains("full sync SUCCEEDED").contains("records synced")
                    .contains("curl -s").contains("/docs");
            Matcher key = Pattern.compile("export JUNCTION_KEY=(jk_\\S+)").matcher(out);
            assertThat(key.find()).as(out).isTrue();

            ApiClient api = new ApiClient(demo.server());
            JsonNode contacts = api.get("/v1/records/contact?limit=1000", key.group(1)).json();
            assertThat(contacts.get("items")).hasSize(40);
            assertThat(api.get("/v1/connections", key.group(1)).json().get("items")).hasSize(demo.sandboxes().size());
        }
    }
}
