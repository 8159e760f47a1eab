package dev.junction.provider.cliniko;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.junction.core.Connection;
import dev.junction.core.Hub;
import dev.junction.core.NewConnection;
import dev.junction.core.SyncRequest;
import dev.junction.core.crypto.SecretCipher;
import dev.junction.core.error.ErrorKind;
import dev.junction.core.error.JunctionException;
import dev.junction.core.spi.Capability;
import dev.junction.core.spi.RateLimitPolicy;
import dev.junction.core.spi.Settings;
import dev.junction.provider.cliniko.sandbox.ClinikoSandbox;
import dev.junction.testkit.TestDatabase;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Key parsing, shard routing, the User-Agent rule and what the provider declares; bad input gets typed errors. */
class ClinikoProviderTest {

    private static final String TENANT = "clinic";

    private ClinikoSandbox sandbox;
    private TestDatabase database;
    private Hub hub;

    @AfterEach
    void stop() {
        if (hub != null) hub.close();
        if (database != null) database.close();
        if (sandbox != null) sandbox.close();
    }

    @Test
    void theShardComesFromTheKeySuffixAndAKeyWithoutOneIsAu1() {
        assertThat(ClinikoApiKey.parse("MS0xLTEyMzQ1Njc4OTA-uk1").apiBaseUrl()).isEqualTo("https://api.uk1.cliniko.com/v1");
        assertThat(ClinikoApiKey.parse("MS0xLTEyMzQ1Njc4OTA-au5").shard()).isEqualTo("au5");
        assertThat(ClinikoApiKey.parse("MS0xLTEyMzQ1Njc4OTA").apiBaseUrl()).isEqualTo("https://api.au1.cliniko.com/v1");
        assertThat(ClinikoApiKey.parse("MS0xLTEyMzQ1Njc4OTA-us12").shard()).isEqualTo("us12");
        assertThat(ClinikoApiKey.parse("MS0xLTEyMzQ1Njc4OTA-uk1").toString()).doesNotContain("MS0x");
    }

    @ParameterizedTest
    @ValueSource(strings = {"MS0xLTEyMzQ1Njc4OTA-", "MS0xLTEyMzQ1Njc4OTA-AU1", "MS0xLTEyMzQ1Njc4OTA-au", "MS0xLTEyMzQ1Njc4OTA-1au",
            "MS0xLTEyMzQ1Njc4OTA-au123", "MS0xLTEyMzQ1Njc4OTA-a_1", "short", "has space-au1", "has:colon-au1"})
    void aMalformedKeyOrShardIsRefusedAtConnectionCreation(String key) {
        startHub(Settings.of(ClinikoProvider.USER_AGENT, "Junction (ops@example.com)"));

        assertThatThrownBy(() -> hub.createConnection(NewConnection.of(TENANT, ClinikoProvider.ID)
                .withSetting(ClinikoProvider.API_KEY, key)))
                .isInstanceOf(JunctionException.class)
                .satisfies(error -> {
                    assertThat(((JunctionException) error).kind()).isEqualTo(ErrorKind.INVALID_INPUT);
                    assertThat(error.getMessage()).contains("api_key").doesNotContain(key.length() > 8 ? key : "\u0000");
                });
        assertThat(hub.listConnections(TENANT)).isEmpty();
    }

    @Test
    void aMissingKeyOrABadBaseUrlIsRefused() {
        startHub(Settings.of(ClinikoProvider.USER_AGENT, "Junction (ops@example.com)"));

        assertThatThrownBy(() -> hub.createConnection(NewConnection.of(TENANT, ClinikoProvider.ID)))
                .isInstanceOf(JunctionException.class).extracting("kind").isEqualTo(ErrorKind.INVALID_INPUT);
        assertThatThrownBy(() -> hub.createConnection(NewConnection.of(TENANT, ClinikoProvider.ID)
                .withSetting(ClinikoProvider.API_KEY, ClinikoSandbox.DEFAULT_API_KEY).withSetting(ClinikoProvider.BASE_URL, "ftp://x")))
                .isInstanceOf(JunctionException.class).extracting("kind").isEqualTo(ErrorKind.INVALID_INPUT);
    }

    @ParameterizedTest
    @ValueSource(strings = {"Junction", "Junction ops@example", "(ops@example.com)", "Junction (not an email)", "Junction <ops@example.com>"})
    void aUserAgentWithoutAnAppNameAndContactEmailFailsBeforeAnyRequest(String userAgent) {
        assertThatThrownBy(() -> ClinikoUserAgent.check(userAgent)).isInstanceOf(JunctionException.class)
                .extracting("kind").isEqualTo(ErrorKind.INVALID_INPUT);
        startHub(Settings.of(ClinikoProvider.USER_AGENT, userAgent));
        Connection connection = connect();

        assertThatThrownBy(() -> hub.runAction(TENANT, connection.id(), ClinikoActions.CREATE_PATIENT,
                JsonNodeFactory.instance.objectNode().put("first_name", "A").put("last_name", "B"), "key-1"))
                .isInstanceOf(JunctionException.class)
                .satisfies(error -> assertThat(error.getMessage()).contains("user_agent"))
                .extracting("kind").isEqualTo(ErrorKind.INVALID_INPUT);
        var run = hub.sync(TENANT, connection.id(), SyncRequest.full());
        assertThat(run.error()).contains("user_agent");
        assertThat(sandbox.requestLog().totalCount()).as("requests sent").isZero();
    }

    @Test
    void aMissingUserAgentSettingIsNamed() {
        // Core checks required provider settings when the hub is built, before anything can run.
        assertThatThrownBy(() -> startHub(Settings.EMPTY))
                .isInstanceOf(JunctionException.class)
                .satisfies(error -> assertThat(error.getMessage()).contains("user_agent"))
                .extracting("kind").isEqualTo(ErrorKind.INVALID_INPUT);
        if (sandbox != null) {
            assertThat(sandbox.requestLog().totalCount()).isZero();
        }
    }

    @Test
    void theSandboxRefusesRequestsWithoutAContactEmailInTheUserAgent() throws Exception {
        sandbox = ClinikoSandbox.builder().start();
        java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
        String basic = "Basic " + java.util.Base64.getEncoder().encodeToString((sandbox.apiKey() + ":").getBytes());
        var noAgent = client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(sandbox.apiBaseUrl() + "/patients"))
                .header("Authorization", basic).header("User-Agent", "curl/8").build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        var noKey = client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(sandbox.apiBaseUrl() + "/patients"))
                .header("User-Agent", "App (a@example.com)").build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        var good = client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(sandbox.apiBaseUrl() + "/patients?per_page=100"))
                .header("Authorization", basic).header("User-Agent", "App (a@example.com)").build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());

        assertThat(noAgent.statusCode()).isEqualTo(403);
        assertThat(noKey.statusCode()).isEqualTo(401);
        assertThat(good.statusCode()).isEqualTo(200);
        assertThat(good.body()).contains("\"total_entries\"").contains("\"links\"");
    }

    @Test
    void declaresNoWebhooksButDeletionSignalsAndTheDocumentedRateLimit() {
        ClinikoProvider provider = new ClinikoProvider();

        assertThat(provider.capabilities()).containsExactlyInAnyOrder(Capability.INCREMENTAL_SYNC, Capability.DELETION_SIGNALS,
                Capability.ACTIONS);
        assertThat(provider.rateLimitPolicy().requests()).isEqualTo(200);
        assertThat(provider.rateLimitPolicy().window()).isEqualTo(Duration.ofMinutes(1));
        assertThat(provider.rateLimitPolicy().headers().reset()).isEqualTo("X-RateLimit-Reset");
        assertThat(provider.rateLimitPolicy().headers().resetIsEpochSeconds()).isTrue();
        assertThat(provider.settings()).anySatisfy(setting -> {
            assertThat(setting.name()).isEqualTo(ClinikoProvider.API_KEY);
            assertThat(setting.secret()).isTrue();
        });
        assertThat(provider.actions()).extracting(action -> action.name()).containsExactly(ClinikoActions.CREATE_PATIENT,
                ClinikoActions.UPDATE_PATIENT, ClinikoActions.CREATE_APPOINTMENT, ClinikoActions.CANCEL_APPOINTMENT);
    }

    private void startHub(Settings providerSettings) {
        if (sandbox == null) {
            sandbox = ClinikoSandbox.builder().start();
        }
        database = TestDatabase.create(TestDatabase.Kind.EMBEDDED, "ClinikoProviderTest");
        hub = database.configure(Hub.builder())
                .withEncryptionKey("k1", SecretCipher.generateKey())
                .withBackgroundInterval(Duration.ZERO)
                .withRateLimit(ClinikoProvider.ID, RateLimitPolicy.UNLIMITED)
                .withProvider(new ClinikoProvider(), providerSettings)
                .build();
    }

    private Connection connect() {
        return hub.createConnection(NewConnection.of(TENANT, ClinikoProvider.ID)
                .withSetting(ClinikoProvider.API_KEY, sandbox.apiKey())
                .withSetting(ClinikoProvider.BASE_URL, sandbox.baseUrl()));
    }
}
