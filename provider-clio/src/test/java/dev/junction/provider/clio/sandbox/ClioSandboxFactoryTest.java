package dev.junction.provider.clio.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.junction.sandbox.MutableClock;
import dev.junction.sandbox.Sandbox;
import dev.junction.sandbox.SandboxFactory;
import dev.junction.sandbox.SandboxOptions;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ClioSandboxFactoryTest {

    @Test
    void serviceLoaderFindsTheClioSandboxFactory() {
        assertThat(SandboxFactory.installed()).extracting(SandboxFactory::providerId).contains("clio");
    }

    @Test
    void factoryStartsASandboxConfiguredBySettings() {
        SandboxFactory factory = SandboxFactory.installed().stream()
                .filter(candidate -> candidate.providerId().equals("clio"))
                .findFirst().orElseThrow();
        SandboxOptions options = SandboxOptions.defaults()
                .withClock(MutableClock.at(Instant.parse("2024-05-01T12:00:00Z")))
                .withSetting("records.contacts", "12")
                .withSetting("rate-limit.limit", "5")
                .withSetting("oauth.client-id", "demo-app");

        try (Sandbox sandbox = factory.start(options)) {
            String accessToken = sandbox.connectionProperties().get("access_token");
            ClioTestClient client = new ClioTestClient((ClioSandbox) sandbox, accessToken);
            ClioTestClient.Response response = client.get("/contacts.json");

            assertThat(sandbox.providerId()).isEqualTo("clio");
            assertThat(sandbox.connectionProperties()).containsEntry("client_id", "demo-app");
            assertThat(response.json().path("meta").path("records").asLong()).isEqualTo(12);
            assertThat(response.header("X-RateLimit-Limit")).contains("5");
        }
    }
}
