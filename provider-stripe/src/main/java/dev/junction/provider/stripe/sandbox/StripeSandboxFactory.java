package dev.junction.provider.stripe.sandbox;

import dev.junction.sandbox.Sandbox;
import dev.junction.sandbox.SandboxFactory;
import dev.junction.sandbox.SandboxOptions;
import java.time.Duration;

/**
 * Starts a {@link StripeSandbox}; registered for {@link java.util.ServiceLoader} so a hub can start it for a demo.
 *
 * <p>Settings read from {@link SandboxOptions#settings()}: {@code records.<customers|products|subscriptions|refunds>}
 * (counts), {@code rate-limit.limit} and {@code rate-limit.window-seconds} (default 25 per 1 s, Stripe's test mode),
 * {@code api-key} (default {@link StripeSandbox#DEFAULT_KEY}). Thread-safe: it holds no state.
 */
public final class StripeSandboxFactory implements SandboxFactory {

    @Override
    public String providerId() {
        return StripeSandbox.PROVIDER_ID;
    }

    @Override
    public Sandbox start(SandboxOptions options) {
        StripeSandbox.Builder builder = StripeSandbox.builder().withSeed(options.seed()).withClock(options.clock())
                .withPort(options.port());
        for (String resource : java.util.List.of("customers", "products", "subscriptions", "refunds")) {
            options.setting("records." + resource).ifPresent(count -> builder.withCount(resource, Integer.parseInt(count)));
        }
        int limit = options.setting("rate-limit.limit").map(Integer::parseInt).orElse(25);
        long windowSeconds = options.setting("rate-limit.window-seconds").map(Long::parseLong).orElse(1L);
        builder.withRateLimit(limit, Duration.ofSeconds(windowSeconds));
        options.setting("api-key").ifPresent(builder::withApiKey);
        return builder.start();
    }
}
