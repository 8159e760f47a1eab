package dev.junction.core.spi;

import java.util.List;
import java.util.Map;

/** The result of {@link WebhookHandler#handle}: a subscription handshake to answer, or verified events. */
public sealed interface WebhookOutcome {

    /**
     * A handshake (Clio's {@code X-Hook-Secret}): answer with this status and these headers; core records
     * {@code secret} as the signing secret of subscription {@code subscriptionId}. Handlers return it only when
     * {@link WebhookSecrets#handshakeExpected()} is true (a registration is in progress); core re-checks.
     */
    record Handshake(int status, Map<String, String> responseHeaders, String subscriptionId, String secret)
            implements WebhookOutcome {
        public Handshake {
            responseHeaders = Map.copyOf(responseHeaders);
            java.util.Objects.requireNonNull(subscriptionId, "subscriptionId");
            java.util.Objects.requireNonNull(secret, "secret");
        }

        @Override
        public String toString() {
            return "Handshake[status=" + status + ", subscriptionId=" + subscriptionId + "]";
        }
    }

    /** A verified delivery carrying zero or more events. */
    record Events(List<WebhookEvent> events) implements WebhookOutcome {
        public Events {
            events = List.copyOf(events);
        }
    }
}
