package dev.junction.provider.clio.sandbox;

import dev.junction.sandbox.Sandbox;
import dev.junction.sandbox.SandboxFactory;
import dev.junction.sandbox.SandboxOptions;
import java.time.Duration;

/**
 * Starts a {@link ClioSandbox}; registered for {@link java.util.ServiceLoader} so a hub can start
 * it for a demo.
 *
 * <p>Settings read from {@link SandboxOptions#settings()}:
 *
 * <ul>
 *   <li>{@code records.<entity path>}: record count, such as {@code records.contacts=100000}
 *   <li>{@code rate-limit.limit} and {@code rate-limit.window-seconds}: default 50 per 60 s
 *   <li>{@code token-lifetime-seconds}: access-token lifetime, default 30 days
 *   <li>{@code oauth.client-id}, {@code oauth.client-secret}, {@code oauth.redirect-uri}
 * </ul>
 *
 * <p>Thread-safe: it holds no state.
 */
public final class ClioSandboxFactory implements SandboxFactory {

    @Override
    public String providerId() {
        return ClioSandbox.PROVIDER_ID;
    }

    @Override
    public Sandbox start(SandboxOptions options) {
        ClioSandbox.Builder builder = ClioSandbox.builder()
                .withSeed(options.seed())
                .withClock(options.clock())
                .withPort(options.port());
        for (ClioEntity entity : ClioEntity.values()) {
            options.setting("records." + entity.path())
                    .ifPresent(count -> builder.withRecordCount(entity, Long.parseLong(count)));
        }
        int limit = options.setting("rate-limit.limit").map(Integer::parseInt).orElse(50);
        long windowSeconds = options.setting("rate-limit.window-seconds").map(Long::parseLong).orElse(60L);
        builder.withRateLimit(limit, Duration.ofSeconds(windowSeconds));
        options.setting("token-lifetime-seconds")
                .ifPresent(seconds -> builder.withTokenLifetime(Duration.ofSeconds(Long.parseLong(seconds))));
        if (options.setting("oauth.client-id").isPresent()) {
            builder.withOAuthClient(
                    options.setting("oauth.client-id").get(),
                    options.setting("oauth.client-secret").orElse("clio-sandbox-secret"),
                    options.setting("oauth.redirect-uri").orElse("http://127.0.0.1:8080/oauth/callback"));
        }
        return builder.start();
    }
}
