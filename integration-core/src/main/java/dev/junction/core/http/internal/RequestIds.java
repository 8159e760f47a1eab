package dev.junction.core.http.internal;

import java.util.List;
import java.util.function.Function;

/** Finds a provider's request id among response headers. Stateless. */
public final class RequestIds {

    /** Checked in order; lookups are case-insensitive, so {@code X-Request-ID} is covered. */
    private static final List<String> HEADERS = List.of("X-Request-Id", "Request-Id", "X-Correlation-Id", "X-Amzn-RequestId");

    private RequestIds() {
    }

    /** The first request-id header {@code headerValue} knows, or null. */
    public static String find(Function<String, String> headerValue) {
        for (String name : HEADERS) {
            String value = headerValue.apply(name);
            if (value != null && !value.isBlank()) {
                return value.trim();
            }
        }
        return null;
    }
}
