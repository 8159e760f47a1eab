package dev.junction.core.spi;

/**
 * Verifies and parses a provider's incoming webhooks. Called by core for every request that reaches a
 * connection's webhook endpoint, from many threads at once: implementations must be stateless.
 *
 * <p>Verification happens over {@link WebhookRequest#body()}, the raw bytes, with a constant-time comparison
 * ({@link java.security.MessageDigest#isEqual}). A failed check throws a
 * {@link dev.junction.core.error.JunctionException} of kind {@code WEBHOOK_REJECTED} that says why (missing
 * header, bad signature, stale timestamp, unknown subscription) without echoing any secret.
 */
public interface WebhookHandler {

    WebhookOutcome handle(WebhookRequest request, WebhookSecrets secrets);
}
