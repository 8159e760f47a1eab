package dev.junction.provider.ascora;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.junction.core.error.ErrorKind;
import dev.junction.core.error.JunctionException;
import dev.junction.core.spi.Capability;
import dev.junction.core.spi.EntityType;
import dev.junction.core.spi.Settings;
import dev.junction.provider.ascora.sandbox.AscoraSandbox;
import dev.junction.sandbox.Sandbox;
import dev.junction.sandbox.SandboxFactory;
import dev.junction.sandbox.SandboxOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** Settings, capabilities and the sandbox's own contract (factory, Auth header, paging, determinism). */
class AscoraProviderTest {

    private final AscoraProvider provider = new AscoraProvider();

    @Test
    void aMissingOrMalformedKeyOrBaseUrlIsRefusedBeforeAnyRequest() {
        for (Settings settings : new Settings[] {Settings.EMPTY, Settings.of("api_key", "short"),
                Settings.of("api_key", "a-long-enough-key", "base_url", "ftp://example.com")}) {
            assertThatThrownBy(() -> provider.validateConnectionSettings(settings)).as(settings.toString())
                    .isInstanceOf(JunctionException.class).extracting("kind").isEqualTo(ErrorKind.INVALID_INPUT);
        }
        provider.validateConnectionSettings(Settings.of("api_key", "a-long-enough-key"));
    }

    @Test
    void pushNeedsFetchOneAndQueuesAreNeverSwept() {
        assertThat(provider.capabilities()).contains(Capability.PUSH, Capability.FETCH_ONE)
                .doesNotContain(Capability.INCREMENTAL_SYNC, Capability.DELETION_SIGNALS);
        assertThat(provider.listsEveryRecord(EntityType.of("customers"))).isTrue();
        assertThat(provider.listsEveryRecord(EntityType.of("invoices"))).isFalse();
        assertThat(provider.listsEveryRecord(EntityType.of("payments"))).isFalse();
    }

    @Test
    void theSandboxIsFoundByServiceLoaderAndChecksTheAuthHeader() throws Exception {
        SandboxFactory factory = SandboxFactory.installed().stream().filter(candidate -> candidate.providerId().equals("ascora"))
                .findFirst().orElseThrow();
        try (Sandbox sandbox = factory.start(SandboxOptions.defaults().withSetting("records.customers", "7"))) {
            HttpClient client = HttpClient.newHttpClient();
            URI page = URI.create(sandbox.baseUrl() + "/Customers/Customers?Page=2&PageSize=5");

            HttpResponse<String> anonymous = client.send(HttpRequest.newBuilder(page).build(), HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> wrong = client.send(HttpRequest.newBuilder(page).header("Auth", "wrong").build(), HttpResponse.BodyHandlers.ofString());
            HttpResponse<String> second = client.send(HttpRequest.newBuilder(page).header("Auth", AscoraSandbox.DEFAULT_API_KEY).build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(anonymous.statusCode()).isEqualTo(401);
            assertThat(wrong.statusCode()).isEqualTo(401);
            assertThat(second.statusCode()).isEqualTo(200);
            assertThat(AscoraConnector.JSON.readTree(second.body()).path("results")).hasSize(2);
        }
    }

    @Test
    void theSandboxIsDeterministicForASeed() {
        try (AscoraSandbox first = AscoraSandbox.builder().withSeed(7).withCustomers(5).start();
                AscoraSandbox second = AscoraSandbox.builder().withSeed(7).withCustomers(5).start()) {
            assertThat(first.liveIds("customers")).isEqualTo(second.liveIds("customers"));
            assertThat(first.liveIds("invoices")).isEqualTo(second.liveIds("invoices"));
        }
    }
}
