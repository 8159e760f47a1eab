package dev.junction.core.spi;

import java.util.List;
import java.util.Map;

/** The result of {@link WebhookHandler#handle}: a subscription handshake to answer, or verified events. */
public sealed interface WebhookOutcome {

    /**
     * A handshake (Clio's {@code X-Hook-Secret}): answer with this status and these headers; core records
     * {@code secret} as the signing secret of the subscription being registered.
     */
    record Handshake(int status, Map<String, String> responseHeaders, String secret) implements WebhookOutcome {
        public Handshake {
            responseHeaders = Map.copyOf(responseHeaders);
        }

        @Override
        public String toString() {
            return "Handshake[status=" + status + "]";
        }
    }

    /** A verified delivery carrying zero or more events. */
    record Events(List<WebhookEvent> events) implements WebhookOutcome {
        public Events {
            events = List.copyOf(events);
        }
    }
}
