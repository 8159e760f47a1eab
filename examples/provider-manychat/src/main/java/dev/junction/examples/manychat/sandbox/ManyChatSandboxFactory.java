package dev.junction.examples.manychat.sandbox;

import dev.junction.sandbox.Sandbox;
import dev.junction.sandbox.SandboxFactory;
import dev.junction.sandbox.SandboxOptions;
import java.time.Duration;

/**
 * Starts a {@link ManyChatSandbox}; registered for {@link java.util.ServiceLoader}, so hub-server's demo starts it
 * when the plug-in jar is in {@code plugins/}. Settings: {@code records.<tags|custom_fields|bot_fields|flows|growth_tools>},
 * {@code rate-limit.limit} and {@code rate-limit.window-seconds} (default 10 per 1 s), {@code api-key}.
 * Thread-safe: it holds no state.
 */
public final class ManyChatSandboxFactory implements SandboxFactory {

    @Override
    public String providerId() {
        return ManyChatSandbox.PROVIDER_ID;
    }

    @Override
    public Sandbox start(SandboxOptions options) {
        ManyChatSandbox.Builder builder = ManyChatSandbox.builder().withClock(options.clock()).withPort(options.port());
        for (String entity : ManyChatSandbox.ENTITIES) {
            options.setting("records." + entity).ifPresent(count -> builder.withCount(entity, Integer.parseInt(count)));
        }
        int limit = options.setting("rate-limit.limit").map(Integer::parseInt).orElse(10);
        long window = options.setting("rate-limit.window-seconds").map(Long::parseLong).orElse(1L);
        builder.withRateLimit(limit, Duration.ofSeconds(window));
        options.setting("api-key").ifPresent(builder::withApiKey);
        return builder.start();
    }
}
