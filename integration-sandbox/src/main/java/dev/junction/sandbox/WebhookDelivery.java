package dev.junction.sandbox;

import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One webhook request a {@link WebhookDispatcher} sent, and how the receiver answered.
 *
 * @param sentAt when the request was sent, by the dispatcher's clock
 * @param url where it was sent
 * @param headers the request headers, signature included
 * @param body the exact request body, as UTF-8 text
 * @param status the receiver's HTTP status; {@code 0} when no response arrived
 * @param responseHeaders the receiver's response headers; empty when no response arrived
 * @param failure why no response arrived (connection refused, timeout); {@code null} when one did
 */
public record WebhookDelivery(
        Instant sentAt,
        URI url,
        Map<String, String> headers,
        String body,
        int status,
        Map<String, List<String>> responseHeaders,
        String failure) {

    /** Checks for nulls and copies the maps. */
    public WebhookDelivery {
        Objects.requireNonNull(sentAt, "sentAt");
        Objects.requireNonNull(url, "url");
        headers = Map.copyOf(headers);
        Objects.requireNonNull(body, "body");
        responseHeaders = Map.copyOf(responseHeaders);
    }

    /** Whether the receiver answered with a 2xx status. */
    public boolean succeeded() {
        return status >= 200 && status < 300;
    }

    /** The first value of a response header, matched case-insensitively. */
    public Optional<String> responseHeader(String name) {
        return responseHeaders.entrySet().stream()
                .filter(entry -> entry.getKey().equalsIgnoreCase(name) && !entry.getValue().isEmpty())
                .map(entry -> entry.getValue().get(0))
                .findFirst();
    }
}
