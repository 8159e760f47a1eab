package dev.junction.provider.cliniko.sandbox;

import dev.junction.sandbox.Sandbox;
import dev.junction.sandbox.SandboxFactory;
import dev.junction.sandbox.SandboxOptions;
import java.time.Duration;

/**
 * Starts a {@link ClinikoSandbox}; registered for {@link java.util.ServiceLoader} so a hub can start it for a demo.
 *
 * <p>Settings read from {@link SandboxOptions#settings()}:
 * <ul>
 *   <li>{@code records.<entity path>}: record count, such as {@code records.patients=1000}</li>
 *   <li>{@code rate-limit.limit} and {@code rate-limit.window-seconds}: default 200 per 60 s</li>
 *   <li>{@code api-key}: the accepted key (default {@link ClinikoSandbox#DEFAULT_API_KEY})</li>
 *   <li>{@code shard-check}: {@code true} to refuse keys naming another shard</li>
 * </ul>
 *
 * <p>Thread-safe: it holds no state.
 */
public final class ClinikoSandboxFactory implements SandboxFactory {

    @Override
    public String providerId() {
        return ClinikoSandbox.PROVIDER_ID;
    }

    @Override
    public Sandbox start(SandboxOptions options) {
        ClinikoSandbox.Builder builder = ClinikoSandbox.builder()
                .withSeed(options.seed())
                .withClock(options.clock())
                .withPort(options.port());
        for (SandboxEntity entity : SandboxEntity.values()) {
            options.setting("records." + entity.path()).ifPresent(count -> builder.withRecordCount(entity, Integer.parseInt(count)));
        }
        int limit = options.setting("rate-limit.limit").map(Integer::parseInt).orElse(200);
        long windowSeconds = options.setting("rate-limit.window-seconds").map(Long::parseLong).orElse(60L);
        builder.withRateLimit(limit, Duration.ofSeconds(windowSeconds));
        options.setting("api-key").ifPresent(builder::withApiKey);
        options.setting("shard-check").map(Boolean::parseBoolean).ifPresent(builder::withShardCheck);
        return builder.start();
    }
}
