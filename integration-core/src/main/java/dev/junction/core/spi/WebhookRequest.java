package dev.junction.core.spi;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * An incoming webhook exactly as received: headers and the raw body bytes. Signatures are verified over these
 * bytes, never over re-serialised JSON.
 */
public record WebhookRequest(Map<String, List<String>> headers, byte[] body, Instant receivedAt) {

    public WebhookRequest {
        Objects.requireNonNull(headers, "headers");
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(receivedAt, "receivedAt");
        Map<String, List<String>> caseInsensitive = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.forEach((name, values) -> {
            if (name != null && values != null) {
                caseInsensitive.put(name, List.copyOf(values));
            }
        });
        headers = java.util.Collections.unmodifiableMap(caseInsensitive);
    }

    /** The first value of a header, looked up case-insensitively. */
    public Optional<String> header(String name) {
        List<String> values = headers.get(name);
        return values == null || values.isEmpty() ? Optional.empty() : Optional.ofNullable(values.get(0));
    }
}
