package dev.junction.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.junction.core.EntitySyncStats;
import dev.junction.core.SyncStatus;
import dev.junction.core.crypto.SecretCipher;
import dev.junction.core.model.Contact;
import dev.junction.provider.clio.ClioProvider;
import dev.junction.provider.clio.sandbox.ClioEntity;
import dev.junction.provider.clio.sandbox.ClioSandbox;
import dev.junction.testkit.TestDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The README's embedding example, run for real against the Clio sandbox on both databases. */
class EmbeddingExampleTest {

    private static final EmbeddingExample.ClioApp APP =
            new EmbeddingExample.ClioApp("embedding-test", "embedding-test-secret", "https://app.example/oauth/callback");
    private static final Map<String, ClioEntity> SYNCED = Map.of("users", ClioEntity.USERS,
            "custom_fields", ClioEntity.CUSTOM_FIELDS, "contacts", ClioEntity.CONTACTS, "matters", ClioEntity.MATTERS);

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void theExampleStoresExactlyTheSandboxesRecordsAndFindsTheGarcias(TestDatabase.Kind kind) {
        try (TestDatabase database = TestDatabase.create(kind, "EmbeddingExampleTest");
                ClioSandbox clio = ClioSandbox.builder()
                        .withRecordCount(ClioEntity.CONTACTS, 250)
                        .withOAuthClient(APP.clientId(), APP.clientSecret(), APP.redirectUri())
                        .withRateLimit(1_000, Duration.ofSeconds(1))
                        .start()) {

            EmbeddingExample.Result result = EmbeddingExample.run(
                    kind == TestDatabase.Kind.POSTGRESQL ? database.dataSource() : null, database.dataDirectory(),
                    SecretCipher.generateKey(), APP, clio.baseUrl(),
                    new ClioProvider().rateLimitPolicy().withBudget(1_000, Duration.ofSeconds(1)),
                    EmbeddingExample::followAuthorizeRedirect);

            assertThat(clio.oauth().authorizationCodeGrantCount()).isEqualTo(1);
            assertThat(result.sync().status()).isEqualTo(SyncStatus.SUCCEEDED);
            assertThat(result.sync().entities()).extracting(EntitySyncStats::entity)
                    .containsExactlyInAnyOrderElementsOf(SYNCED.keySet());
            SYNCED.forEach((name, entity) -> assertThat(result.sync().entity(name).orElseThrow().added())
                    .as(name).isEqualTo(clio.liveIds(entity).size()));
            assertThat(result.sync().entity("contacts").orElseThrow().pages()).isEqualTo(2);
            assertThat(result.contactIds()).containsExactlyInAnyOrderElementsOf(
                    clio.liveIds(ClioEntity.CONTACTS).stream().map(String::valueOf).toList());

            List<String> garcias = clio.liveIds(ClioEntity.CONTACTS).stream()
                    .filter(id -> mentionsGarcia(clio.record(ClioEntity.CONTACTS, id).orElseThrow().body()))
                    .map(String::valueOf).toList();
            assertThat(garcias).isNotEmpty();
            assertThat(result.garcias()).extracting(Contact::externalId).containsExactlyInAnyOrderElementsOf(garcias);
            assertThat(result.garcias()).allSatisfy(contact -> assertThat(contact.name()).isNotBlank());

            assertThat(result.changes()).isEqualTo(result.sync().total(EntitySyncStats::added));
        }
    }

    /** What the query's text filter matches: the label (a contact's name) or the e-mail address. */
    private static boolean mentionsGarcia(ObjectNode contact) {
        return contact.path("name").asText("").toLowerCase(Locale.ROOT).contains("garcia")
                || contact.path("primary_email_address").asText("").toLowerCase(Locale.ROOT).contains("garcia");
    }

    @Test
    void theReadmeShowsTheExampleVerbatim() throws IOException {
        List<String> source = Files.readAllLines(Path.of("src/main/java/dev/junction/examples/EmbeddingExample.java"));
        int begin = source.indexOf("        // README:begin");
        int end = source.indexOf("            // README:end");
        assertThat(begin).isPositive();
        assertThat(end).isGreaterThan(begin);
        String excerpt = source.subList(begin + 1, end).stream()
                .map(line -> line.startsWith("        ") ? line.substring(8) : line.strip())
                .collect(Collectors.joining("\n"));

        String readme = Files.readString(Path.of("..", "README.md"));

        assertThat(readme).as("README.md must show EmbeddingExample.java between its README markers, unindented by 8")
                .contains(excerpt);
    }
}
