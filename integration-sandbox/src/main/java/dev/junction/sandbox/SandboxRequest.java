package dev.junction.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One HTTP request received by a {@link SandboxServer}, with its body already read.
 *
 * <p>Header names are case-insensitive. Instances are immutable and thread-safe: {@link #body()}
 * returns a copy.
 */
public final class SandboxRequest {

    private final String method;
    private final String path;
    private final QueryParameters query;
    private final Map<String, List<String>> headers;
    private final byte[] body;
    private final Map<String, String> pathParameters;
    private final Instant receivedAt;

    private SandboxRequest(
            String method,
            String path,
            QueryParameters query,
            Map<String, List<String>> headers,
            byte[] body,
            Map<String, String> pathParameters,
            Instant receivedAt) {
        this.method = method.toUpperCase(Locale.ROOT);
        this.path = Objects.requireNonNull(path, "path");
        this.query = Objects.requireNonNull(query, "query");
        TreeMap<String, List<String>> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.forEach((name, values) -> copy.put(name, List.copyOf(values)));
        this.headers = Collections.unmodifiableMap(copy);
        this.body = body.clone();
        this.pathParameters = Map.copyOf(pathParameters);
        this.receivedAt = Objects.requireNonNull(receivedAt, "receivedAt");
    }

    /**
     * Creates a request, for instance to test a filter or handler without a server.
     *
     * @param method the HTTP method, any case
     * @param path the decoded path, without query string
     * @param query the query parameters
     * @param headers the headers, each with its values
     * @param body the body bytes; empty when there is none
     * @param receivedAt when the request arrived
     */
    public static SandboxRequest create(
            String method,
            String path,
            QueryParameters query,
            Map<String, List<String>> headers,
            byte[] body,
            Instant receivedAt) {
        return new SandboxRequest(method, path, query, headers, body, Map.of(), receivedAt);
    }

    SandboxRequest withPathParameters(Map<String, String> parameters) {
        return new SandboxRequest(method, path, query, headers, body, parameters, receivedAt);
    }

    /** The method in upper case, such as {@code GET}. */
    public String method() {
        return method;
    }

    /** The decoded path, such as {@code /api/v4/contacts.json}. */
    public String path() {
        return path;
    }

    /** The query parameters. */
    public QueryParameters query() {
        return query;
    }

    /** The first value of one query parameter. */
    public Optional<String> queryParameter(String name) {
        return query.first(name);
    }

    /** Every header, case-insensitive and unmodifiable. */
    public Map<String, List<String>> headers() {
        return headers;
    }

    /** The first value of one header. */
    public Optional<String> header(String name) {
        List<String> values = headers.get(name);
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }

    /** The token of an {@code Authorization: Bearer <token>} header, if there is one. */
    public Optional<String> bearerToken() {
        return header("Authorization")
                .filter(value -> value.regionMatches(true, 0, "Bearer ", 0, 7))
                .map(value -> value.substring(7).trim())
                .filter(token -> !token.isEmpty());
    }

    /**
     * A path parameter captured by the route's pattern.
     *
     * @throws IllegalArgumentException if the route declared no such parameter
     */
    public String pathParameter(String name) {
        String value = pathParameters.get(name);
        if (value == null) {
            throw new IllegalArgumentException("No path parameter '" + name + "' for " + path);
        }
        return value;
    }

    /** A copy of the body bytes; empty when there was no body. */
    public byte[] body() {
        return body.clone();
    }

    /** The body decoded as UTF-8. */
    public String bodyAsString() {
        return new String(body, StandardCharsets.UTF_8);
    }

    /**
     * The body parsed as JSON.
     *
     * @throws RequestRejectedException with a {@code 400} when the body is empty or malformed
     */
    public JsonNode bodyAsJson() {
        if (body.length == 0) {
            throw new RequestRejectedException(SandboxResponse.json(400,
                    Map.of("error", "invalid_request", "error_description", "A JSON body is required")));
        }
        try {
            return SandboxJson.parse(body);
        } catch (UncheckedIOException malformed) {
            throw new RequestRejectedException(SandboxResponse.json(400,
                    Map.of("error", "invalid_request", "error_description", "The body is not valid JSON")));
        }
    }

    /** The body parsed as {@code application/x-www-form-urlencoded}. */
    public QueryParameters formParameters() {
        return QueryParameters.parse(bodyAsString());
    }

    /** When the server received the request, by the server's clock. */
    public Instant receivedAt() {
        return receivedAt;
    }

    @Override
    public String toString() {
        return method + " " + path + (query.isEmpty() ? "" : "?" + query.encode());
    }
}
