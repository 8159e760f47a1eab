package dev.junction.provider.chatwoot.sandbox;

import dev.junction.sandbox.Sandbox;
import dev.junction.sandbox.SandboxFactory;
import dev.junction.sandbox.SandboxOptions;
import java.time.Duration;

/**
 * Starts a {@link ChatwootSandbox} from generic options: {@code records.contacts}, {@code records.conversations},
 * {@code rate-limit.limit}, {@code rate-limit.window-seconds}, {@code api-access-token}, {@code old-installation}.
 */
public final class ChatwootSandboxFactory implements SandboxFactory {

    @Override
    public String providerId() {
        return ChatwootSandbox.PROVIDER_ID;
    }

    @Override
    public Sandbox start(SandboxOptions options) {
        ChatwootSandbox.Builder builder = ChatwootSandbox.builder()
                .withSeed(options.seed())
                .withClock(options.clock())
                .withPort(options.port());
        options.setting("records.contacts").map(Integer::parseInt).ifPresent(builder::withContacts);
        options.setting("records.conversations").map(Integer::parseInt).ifPresent(builder::withConversations);
        int limit = options.setting("rate-limit.limit").map(Integer::parseInt).orElse(3000);
        long window = options.setting("rate-limit.window-seconds").map(Long::parseLong).orElse(60L);
        builder.withRateLimit(limit, Duration.ofSeconds(window));
        options.setting("api-access-token").ifPresent(builder::withApiAccessToken);
        options.setting("old-installation").map(Boolean::parseBoolean).ifPresent(builder::withOldInstallation);
        return builder.start();
    }
}
