package dev.junction.provider.clio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.junction.core.HubBuilder;
import dev.junction.core.spi.Action;
import dev.junction.core.spi.Capability;
import dev.junction.core.spi.Setting;
import dev.junction.core.spi.Settings;
import org.junit.jupiter.api.Test;

class ClioProviderTest {

    @Test
    void aHubRefusesMissingOrUnknownProviderSettingsBeforeItStarts(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        HubBuilder missingSecret = dev.junction.core.Hub.builder().withDataDirectory(dir)
                .withEncryptionKey("k1", dev.junction.core.crypto.SecretCipher.generateKey())
                .withProvider(new ClioProvider(), Settings.of(ClioProvider.CLIENT_ID, "app"));
        assertThatThrownBy(missingSecret::build).isInstanceOf(dev.junction.core.error.JunctionException.class)
                .hasMessageContaining("client_secret").extracting("kind").isEqualTo(dev.junction.core.error.ErrorKind.INVALID_INPUT);
        HubBuilder unknown = dev.junction.core.Hub.builder().withDataDirectory(dir)
                .withEncryptionKey("k1", dev.junction.core.crypto.SecretCipher.generateKey())
                .withProvider(new ClioProvider(), Settings.of(ClioProvider.CLIENT_ID, "app", ClioProvider.CLIENT_SECRET, "s",
                        "client_secrte", "typo"));
        assertThatThrownBy(unknown::build).isInstanceOf(dev.junction.core.error.JunctionException.class)
                .hasMessageContaining("client_secrte").extracting("kind").isEqualTo(dev.junction.core.error.ErrorKind.INVALID_INPUT);
    }

    @Test
    void serviceLoaderFindsClio() {
        assertThat(HubBuilder.installedProviders()).containsKey("clio");
    }

    @Test
    void theClientSecretIsDeclaredSecret() {
        assertThat(new ClioProvider().settings()).filteredOn(Setting::secret).extracting(Setting::name).containsExactly("client_secret");
    }

    @Test
    void clioDeclaresWebhooksTheirRegistrationAndActionsBesidesIncrementalSyncAndFetchOne() {
        ClioProvider clio = new ClioProvider();

        assertThat(clio.capabilities()).containsExactlyInAnyOrder(Capability.INCREMENTAL_SYNC, Capability.FETCH_ONE,
                Capability.WEBHOOKS, Capability.WEBHOOK_REGISTRATION, Capability.ACTIONS);
        assertThat(clio.webhookHandler()).isInstanceOf(ClioWebhookHandler.class);
        assertThat(clio.actions()).extracting(Action::name).doesNotHaveDuplicates().allMatch(name -> name.matches("[a-z_]+"));
    }

    @Test
    void everyWatchableEntityHasTheWebhookModelClioNamesIt() {
        assertThat(ClioEntity.watchable()).extracting(ClioEntity::apiName, entity -> entity.webhookModel().orElseThrow())
                .containsExactly(
                        tuple("contacts", "contact"), tuple("matters", "matter"), tuple("tasks", "task"),
                        tuple("activities", "activity"), tuple("calendar_entries", "calendar_entry"), tuple("bills", "bill"));
    }

    @Test
    void oauthEndpointsFollowTheRegion() {
        ClioProvider clio = new ClioProvider();

        assertThat(clio.oauthEndpoints(Settings.of("region", "eu"), Settings.EMPTY).tokenUrl()).isEqualTo("https://eu.app.clio.com/oauth/token");
        assertThat(clio.oauthEndpoints(Settings.EMPTY, Settings.EMPTY).authorizeUrl()).isEqualTo("https://app.clio.com/oauth/authorize");
        assertThatThrownBy(() -> clio.validateConnectionSettings(Settings.of("region", "mars"))).hasMessageContaining("unknown Clio region 'mars'");
        assertThatThrownBy(() -> clio.validateConnectionSettings(Settings.of("base_url", "ftp://x"))).hasMessageContaining("base_url");
    }
}
