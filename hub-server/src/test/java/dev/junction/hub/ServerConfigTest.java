package dev.junction.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.junction.core.crypto.SecretCipher;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerConfigTest {

    @TempDir
    Path directory;

    @Test
    void environmentVariablesWinOverTheFileAndProviderSettingsAreGrouped() throws Exception {
        Path file = directory.resolve("hub.properties");
        Files.writeString(file, "http.port=9000\nmode=development\nprovider.clio.client_id=from-file\n");
        ServerConfig config = ServerConfig.load(Map.of("JUNCTION_HTTP_PORT", "9100", "JUNCTION_PROVIDER_CLIO_CLIENT_SECRET", "s"), file);
        assertThat(config.port()).isEqualTo(9100);
        assertThat(config.providerSettings("clio")).isEqualTo(Map.of("client_id", "from-file", "client_secret", "s"));
        assertThat(config.databaseUrl()).isEmpty();
        assertThat(config.dataDirectory()).isEqualTo(Path.of("data"));
        assertThat(config.maxBodyBytes()).isEqualTo(1_048_576);
    }

    @Test
    void wrongSettingsAreRefusedWithAMessageNamingTheVariable() throws Exception {
        assertThatThrownBy(() -> ServerConfig.load(Map.of("JUNCTION_HTTP_PORT", "eighty"), null))
                .hasMessageContaining("JUNCTION_HTTP_PORT");
        assertThatThrownBy(() -> ServerConfig.load(Map.of("JUNCTION_MODE", "staging"), null)).hasMessageContaining("JUNCTION_MODE");
        assertThatThrownBy(() -> ServerConfig.load(Map.of("JUNCTION_DATABASE_URL", "jdbc:mysql://x"), null))
                .hasMessageContaining("PostgreSQL");
        Path file = directory.resolve("typo.properties");
        Files.writeString(file, "http.prot=1\n");
        assertThatThrownBy(() -> ServerConfig.load(Map.of(), file)).hasMessageContaining("http.prot");
    }

    @Test
    void outboundWebhookSettingsAreReadAsDurationsAndPrivateUrlsAreAllowedOnlyOutsideProduction() {
        OutboundWebhooks.Settings defaults = ServerConfig.load(Map.of(), null).outboundSettings();
        assertThat(defaults.pollInterval()).isEqualTo(java.time.Duration.ofSeconds(5));
        assertThat(defaults.retryBase()).isEqualTo(java.time.Duration.ofSeconds(30));
        assertThat(defaults.maxAttempts()).isEqualTo(8);
        assertThat(defaults.allowPrivateUrls()).as("development").isTrue();

        OutboundWebhooks.Settings set = ServerConfig.load(Map.of("JUNCTION_OUTBOUND_POLL_INTERVAL", "250ms",
                "JUNCTION_OUTBOUND_RETRY_BASE", "2m", "JUNCTION_OUTBOUND_MAX_ATTEMPTS", "3", "JUNCTION_OUTBOUND_TIMEOUT", "1h"), null)
                .outboundSettings();
        assertThat(set.pollInterval()).isEqualTo(java.time.Duration.ofMillis(250));
        assertThat(set.retryBase()).isEqualTo(java.time.Duration.ofMinutes(2));
        assertThat(set.maxAttempts()).isEqualTo(3);
        assertThat(set.timeout()).isEqualTo(java.time.Duration.ofHours(1));
        assertThat(ServerConfig.load(Map.of("JUNCTION_OUTBOUND_POLL_INTERVAL", "0"), null).outboundSettings().pollInterval()).isZero();

        Map<String, String> production = Map.of("JUNCTION_MODE", "production");
        assertThat(ServerConfig.load(production, null).outboundSettings().allowPrivateUrls()).isFalse();
        assertThat(ServerConfig.load(Map.of("JUNCTION_MODE", "production", "JUNCTION_OUTBOUND_ALLOW_PRIVATE_URLS", "true"), null)
                .outboundSettings().allowPrivateUrls()).isTrue();

        assertThatThrownBy(() -> ServerConfig.load(Map.of("JUNCTION_OUTBOUND_POLL_INTERVAL", "often"), null))
                .hasMessageContaining("JUNCTION_OUTBOUND_POLL_INTERVAL");
        assertThatThrownBy(() -> ServerConfig.load(Map.of("JUNCTION_OUTBOUND_MAX_ATTEMPTS", "0"), null))
                .hasMessageContaining("JUNCTION_OUTBOUND_MAX_ATTEMPTS");
        assertThatThrownBy(() -> ServerConfig.load(Map.of("JUNCTION_OUTBOUND_ALLOW_PRIVATE_URLS", "maybe"), null))
                .hasMessageContaining("JUNCTION_OUTBOUND_ALLOW_PRIVATE_URLS");
        assertThatThrownBy(() -> ServerConfig.load(Map.of("JUNCTION_OUTBOUND_TIMEOUT", "0s"), null))
                .hasMessageContaining("JUNCTION_OUTBOUND_TIMEOUT");
    }

    @Test
    void schedulingSettingsReadDurationsAndRefuseBadOnesNamingTheVariable() {
        ServerConfig defaults = ServerConfig.of(Map.of());
        assertThat(defaults.schedulerEnabled()).isTrue();
        assertThat(defaults.syncInterval()).isEqualTo(java.time.Duration.ofMinutes(15));
        assertThat(defaults.syncLease()).isEqualTo(java.time.Duration.ofMinutes(2));
        assertThat(defaults.schedulerThreads()).isEqualTo(defaults.syncThreads());
        assertThat(defaults.nodeName()).isNotBlank();
        ServerConfig set = ServerConfig.load(Map.of("JUNCTION_SYNC_INTERVAL", "2h", "JUNCTION_SCHEDULER_POLL_INTERVAL", "250ms",
                "JUNCTION_SCHEDULER_HEARTBEAT", "PT45S", "JUNCTION_SCHEDULER_ENABLED", "false", "JUNCTION_NODE_NAME", "worker-1"), null);
        assertThat(set.syncInterval()).isEqualTo(java.time.Duration.ofHours(2));
        assertThat(set.schedulerPollInterval()).isEqualTo(java.time.Duration.ofMillis(250));
        assertThat(set.schedulerHeartbeat()).isEqualTo(java.time.Duration.ofSeconds(45));
        assertThat(set.schedulerEnabled()).isFalse();
        assertThat(set.nodeName()).isEqualTo("worker-1");
        assertThatThrownBy(() -> ServerConfig.load(Map.of("JUNCTION_SYNC_INTERVAL", "often"), null))
                .hasMessageContaining("JUNCTION_SYNC_INTERVAL").hasMessageContaining("15m");
        assertThatThrownBy(() -> ServerConfig.load(Map.of("JUNCTION_SYNC_INTERVAL", "0s"), null))
                .hasMessageContaining("JUNCTION_SYNC_INTERVAL").hasMessageContaining("between");
        assertThatThrownBy(() -> ServerConfig.load(Map.of("JUNCTION_SCHEDULER_ENABLED", "yes"), null))
                .hasMessageContaining("JUNCTION_SCHEDULER_ENABLED");
        assertThatThrownBy(() -> ServerConfig.load(Map.of("JUNCTION_SCHEDULER_MISSED_HEARTBEATS", "1"), null))
                .hasMessageContaining("JUNCTION_SCHEDULER_MISSED_HEARTBEATS");
    }

    @Test
    void productionModeWithoutKeysIsAStartupErrorNamingBoth() {
        ServerConfig config = ServerConfig.of(Map.of("mode", "production", "data.dir", directory.toString(), "http.port", "0",
                "http.host", "127.0.0.1"));
        assertThatThrownBy(() -> HubServer.start(config, new PrintStream(new ByteArrayOutputStream())))
                .isInstanceOf(ServerConfig.ConfigException.class)
                .hasMessageContaining("JUNCTION_ENCRYPTION_KEY")
                .hasMessageContaining("JUNCTION_ADMIN_KEY");
        assertThat(directory.resolve("encryption.key")).doesNotExist();
    }

    @Test
    void developmentModeGeneratesKeysBesideTheDataWithOwnerOnlyPermissionsAndWarns() throws Exception {
        ServerConfig config = ServerConfig.of(Map.of("data.dir", directory.toString(), "http.port", "0", "http.host", "127.0.0.1",
                "provider.clio.client_id", "id", "provider.clio.client_secret", "secret"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String adminKey;
        try (HubServer server = HubServer.start(config, new PrintStream(out, true))) {
            adminKey = server.adminKey();
        }
        assertThat(out.toString()).contains("WARNING").contains("encryption.key").contains("admin.key");
        for (String name : new String[] {"encryption.key", "admin.key"}) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(directory.resolve(name)))).isEqualTo("rw-------");
        }
        // a restart reuses them (the encrypted tokens stay readable) and warns no more
        ByteArrayOutputStream again = new ByteArrayOutputStream();
        try (HubServer server = HubServer.start(config, new PrintStream(again, true))) {
            assertThat(server.adminKey()).isEqualTo(adminKey);
        }
        assertThat(again.toString()).doesNotContain("WARNING");
    }

    @Test
    void migrateCreatesTheSchemaAndExits() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ServerConfig config = ServerConfig.of(Map.of("data.dir", directory.toString()));
        HubServer.migrate(config, new PrintStream(out, true));
        assertThat(out.toString()).contains("Migrated the embedded database")
                .containsPattern("[1-9][0-9]* hub-server migration\\(s\\) applied"); // one per db/hub file
        ByteArrayOutputStream again = new ByteArrayOutputStream();
        HubServer.migrate(config, new PrintStream(again, true));
        assertThat(again.toString()).contains("0 hub-server migration(s) applied");
    }

    @Test
    void unknownArgumentsAreAUsageError() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertThat(HubServerMain.run(new String[] {"--bogus"}, System.out, new PrintStream(err, true))).isEqualTo(2);
        assertThat(err.toString()).contains("unknown argument").contains("usage");
        assertThat(HubServerMain.run(new String[] {"--config"}, System.out, new PrintStream(err, true))).isEqualTo(2);
    }

    @Test
    void aShortAdminKeyOrABadEncryptionKeyIsRefused() {
        assertThatThrownBy(() -> HubServer.start(ServerConfig.of(Map.of("data.dir", directory.toString(), "http.port", "0",
                "admin.key", "short", "encryption.key", SecretCipher.generateKey())), System.out))
                .hasMessageContaining("JUNCTION_ADMIN_KEY");
        assertThatThrownBy(() -> HubServer.start(ServerConfig.of(Map.of("data.dir", directory.toString(), "http.port", "0",
                "admin.key", "long-enough-admin-key", "encryption.key", "bm90IDMyIGJ5dGVz")), System.out))
                .hasMessageContaining("JUNCTION_ENCRYPTION_KEY");
    }
}
