package dev.junction.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.junction.core.EntitySyncStats;
import dev.junction.core.SyncStatus;
import dev.junction.examples.ClioSandboxSyncExample.Options;
import dev.junction.examples.ClioSandboxSyncExample.RateLimit;
import dev.junction.examples.ClioSandboxSyncExample.Summary;
import dev.junction.provider.clio.sandbox.ClioEntity;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The quick-start example's logic, with a small sandbox, on a fresh data directory and again on the same one. */
class ClioSandboxSyncExampleTest {

    @Test
    void theExampleSyncsTheSandboxFindsEveryChangeAndRunsAgainOnTheSameDataDirectory(@TempDir Path directory) {
        Options options = Options.defaults().withContacts(60).withDataDirectory(directory.resolve("data"))
                .withRateLimit(RateLimit.NONE);
        Map<ClioEntity, Long> sandbox = ClioSandboxSyncExample.sandboxCounts(60);

        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        Summary first = new ClioSandboxSyncExample(options, new PrintStream(printed, true, StandardCharsets.UTF_8)).run();

        assertThat(first.problems()).isEmpty();
        assertThat(first.existingDatabase()).isFalse();
        assertThat(first.fullSync().run().status()).isEqualTo(SyncStatus.SUCCEEDED);
        sandbox.forEach((entity, count) -> {
            if (!ClioSandboxSyncExample.SKIPPED_ENTITIES.contains(entity.path())) {
                assertThat(first.fullSync().run().entity(entity.path()).orElseThrow().added()).as(entity.path()).isEqualTo(count);
            }
        });
        EntitySyncStats incremental = first.incrementalSync().run().entity("contacts").orElseThrow();
        assertThat(incremental.added()).isEqualTo(3);
        assertThat(incremental.updated()).isEqualTo(5);
        assertThat(first.incrementalSync().run().total(EntitySyncStats::records)).isEqualTo(8);
        assertThat(first.deletionSweep().run().entity("contacts").orElseThrow().deleted()).isEqualTo(2);
        assertThat(first.storedLiveRecords()).containsEntry("contacts", 60L + 3 - 2).containsEntry("matters", 24L)
                .containsKey("bills");
        long fullyAdded = first.fullSync().run().total(EntitySyncStats::added);
        assertThat(first.changeFeed()).containsEntry("created", fullyAdded + 3).containsEntry("updated", 5L)
                .containsEntry("deleted", 2L);
        assertThat(first.sampleContacts()).extracting(record -> record.record().name()).startsWith(
                "Ada Lovelace", "Grace Hopper", "Katherine Johnson");
        String output = printed.toString(StandardCharsets.UTF_8);
        assertThat(output).contains("is ACTIVE", "Store vs sandbox: identical ids", "OK in");

        ByteArrayOutputStream printedAgain = new ByteArrayOutputStream();
        Summary second = new ClioSandboxSyncExample(options, new PrintStream(printedAgain, true, StandardCharsets.UTF_8)).run();

        assertThat(second.problems()).isEmpty();
        assertThat(second.existingDatabase()).isTrue();
        assertThat(second.connectionId()).isNotEqualTo(first.connectionId());
        assertThat(second.changeFeed()).isEqualTo(first.changeFeed());
        assertThat(printedAgain.toString(StandardCharsets.UTF_8))
                .contains("removed the earlier run's connection " + first.connectionId());
    }

    @Test
    void optionsComeFromArgumentsAndElseSystemProperties() {
        Properties properties = new Properties();
        properties.setProperty("example.contacts", "5000");
        properties.setProperty("example.rateLimit", "clio");

        Options fromProperties = Options.parse(new String[0], properties);
        Options fromArguments = Options.parse(new String[] {"--contacts", "300", "--rate-limit=10/2s", "--data-dir", "x"}, properties);

        assertThat(fromProperties.contacts()).isEqualTo(5000);
        assertThat(fromProperties.rateLimit()).isEqualTo(RateLimit.CLIO);
        assertThat(fromProperties.dataDirectory()).isEqualTo(Path.of("data", "example"));
        assertThat(fromArguments.contacts()).isEqualTo(300);
        assertThat(fromArguments.rateLimit()).isEqualTo(new RateLimit(10, Duration.ofSeconds(2)));
        assertThat(fromArguments.dataDirectory()).isEqualTo(Path.of("x"));
        assertThat(Options.parse(new String[] {"", "--help"}, new Properties()).help()).isTrue();
    }

    @Test
    void badArgumentsAreRefusedWithTheReason() {
        Properties none = new Properties();
        assertThatThrownBy(() -> Options.parse(new String[] {"--contact", "5"}, none)).hasMessageContaining("unknown argument '--contact'");
        assertThatThrownBy(() -> Options.parse(new String[] {"--contacts"}, none)).hasMessageContaining("needs a value");
        assertThatThrownBy(() -> Options.parse(new String[] {"--contacts", "many"}, none)).hasMessageContaining("not a number");
        assertThatThrownBy(() -> Options.parse(new String[] {"--rate-limit", "fast"}, none)).hasMessageContaining("'clio', 'none'");
    }
}
