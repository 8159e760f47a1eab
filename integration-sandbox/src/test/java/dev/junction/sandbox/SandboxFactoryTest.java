package dev.junction.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SandboxFactoryTest {

    /** A factory registered in this module's test resources, to exercise discovery. */
    public static final class EchoSandboxFactory implements SandboxFactory {

        @Override
        public String providerId() {
            return "echo";
        }

        @Override
        public Sandbox start(SandboxOptions options) {
            SandboxServer server = SandboxServer.builder().withPort(options.port()).withClock(options.clock()).build();
            server.route("GET", "/echo", request -> SandboxResponse.json(200,
                    Map.of("seed", options.seed(), "greeting", options.setting("greeting").orElse("none"))));
            server.start();
            return new Sandbox() {
                @Override
                public String providerId() {
                    return "echo";
                }

                @Override
                public String baseUrl() {
                    return server.baseUrl();
                }

                @Override
                public void close() {
                    server.close();
                }
            };
        }
    }

    @Test
    void installedFactoriesAreFoundWithServiceLoader() {
        assertThat(SandboxFactory.installed()).extracting(SandboxFactory::providerId).contains("echo");
    }

    @Test
    void factoryStartsASandboxWithTheGivenOptions() {
        SandboxFactory factory = SandboxFactory.installed().stream()
                .filter(candidate -> candidate.providerId().equals("echo"))
                .findFirst().orElseThrow();
        SandboxOptions options = SandboxOptions.defaults()
                .withSeed(7)
                .withClock(MutableClock.at(Instant.parse("2024-05-01T12:00:00Z")))
                .withSetting("greeting", "hello");

        try (Sandbox sandbox = factory.start(options)) {
            assertThat(TestHttp.get(sandbox.baseUrl() + "/echo").body()).contains("\"seed\":7").contains("hello");
            assertThat(sandbox.connectionProperties()).isEmpty();
        }
    }
}
