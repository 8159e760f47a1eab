package dev.junction.provider.ascora.sandbox;

import dev.junction.sandbox.Sandbox;
import dev.junction.sandbox.SandboxFactory;
import dev.junction.sandbox.SandboxOptions;
import java.time.Duration;

/**
 * Starts an {@link AscoraSandbox}; registered for {@link java.util.ServiceLoader}. Settings: {@code records.customers},
 * {@code records.jobs}, {@code records.invoices} (counts), {@code rate-limit.limit} and
 * {@code rate-limit.window-seconds} (default 120 per 60 s), {@code api-key}. Thread-safe: it holds no state.
 */
public final class AscoraSandboxFactory implements SandboxFactory {

    @Override
    public String providerId() {
        return AscoraSandbox.PROVIDER_ID;
    }

    @Override
    public Sandbox start(SandboxOptions options) {
        AscoraSandbox.Builder builder = AscoraSandbox.builder().withSeed(options.seed()).withClock(options.clock())
                .withPort(options.port());
        options.setting("records.customers").map(Integer::parseInt).ifPresent(builder::withCustomers);
        options.setting("records.jobs").map(Integer::parseInt).ifPresent(builder::withJobs);
        options.setting("records.invoices").map(Integer::parseInt).ifPresent(builder::withInvoices);
        int limit = options.setting("rate-limit.limit").map(Integer::parseInt).orElse(120);
        long window = options.setting("rate-limit.window-seconds").map(Long::parseLong).orElse(60L);
        builder.withRateLimit(limit, Duration.ofSeconds(window));
        options.setting("api-key").ifPresent(builder::withApiKey);
        return builder.start();
    }
}
