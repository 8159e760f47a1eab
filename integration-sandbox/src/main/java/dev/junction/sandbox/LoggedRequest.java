package dev.junction.sandbox;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One request as recorded by a {@link RequestLog}.
 *
 * @param timestamp when the request arrived, by the server's clock
 * @param method the HTTP method in upper case
 * @param path the request path, without query string
 * @param queryParameters the decoded query parameters, grouped by name
 * @param headers the selected request headers; secrets such as {@code Authorization} are redacted
 * @param status the HTTP status sent back; {@code 0} when the connection was cut before a status
 */
public record LoggedRequest(
        Instant timestamp,
        String method,
        String path,
        Map<String, List<String>> queryParameters,
        Map<String, String> headers,
        int status) {

    /** Checks for nulls and copies the maps. */
    public LoggedRequest {
        Objects.requireNonNull(timestamp, "timestamp");
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(path, "path");
        queryParameters = Map.copyOf(queryParameters);
        headers = Map.copyOf(headers);
    }

    /** The first value of one query parameter, or {@code null}. */
    public String queryParameter(String name) {
        List<String> values = queryParameters.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }
}
