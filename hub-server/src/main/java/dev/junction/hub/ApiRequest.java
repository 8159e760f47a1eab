package dev.junction.hub;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One request as the handlers see it: path and query parameters, headers, the raw body, the request id and the
 * authenticated tenant (for tenant routes). The accessors validate and throw {@link ApiException}s that say which
 * input was wrong.
 */
public final class ApiRequest {

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");

    private final String method;
    private final Map<String, String> pathParameters;
    private final Map<String, List<String>> query;
    private final Map<String, List<String>> headers;
    private final byte[] body;
    private final String requestId;
    private final String tenantId;

    ApiRequest(String method, Map<String, String> pathParameters, Map<String, List<String>> query,
            Map<String, List<String>> headers, byte[] body, String requestId, String tenantId) {
        this.method = method;
        this.pathParameters = pathParameters;
        this.query = query;
        this.headers = headers;
        this.body = body;
        this.requestId = requestId;
        this.tenantId = tenantId;
    }

    public String method() { return method; }
    public String requestId() { return requestId; }
    public byte[] body() { return body; }
    public Map<String, List<String>> headers() { return headers; }

    /** The tenant the API key belongs to. */
    public String tenantId() {
        return tenantId;
    }

    /** A path parameter that is an id: letters, digits, {@code . _ : -}, at most 128 characters. */
    public String pathId(String name) {
        String value = pathParameters.get(name);
        if (value == null || !ID.matcher(value).matches()) {
            throw ApiException.notFound("no " + name + " '" + (value == null ? "" : truncate(value)) + "'");
        }
        return value;
    }

    public String path(String name) {
        return pathParameters.get(name);
    }

    public Optional<String> query(String name) {
        List<String> values = query.get(name);
        if (values == null || values.isEmpty()) {
            return Optional.empty();
        }
        if (values.size() > 1) {
            throw ApiException.badRequest("query parameter '" + name + "' given more than once");
        }
        return Optional.of(values.get(0));
    }

    public int queryInt(String name, int defaultValue, int min, int max) {
        Optional<String> raw = query(name);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        try {
            int value = Integer.parseInt(raw.get());
            if (value < min || value > max) {
                throw ApiException.badRequest("query parameter '" + name + "' must be between " + min + " and " + max);
            }
            return value;
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("query parameter '" + name + "' must be an integer, was '" + truncate(raw.get()) + "'");
        }
    }

    public long queryLong(String name, long defaultValue) {
        Optional<String> raw = query(name);
        if (raw.isEmpty()) {
            return defaultValue;
        }
        try {
            long value = Long.parseLong(raw.get());
            if (value < 0) {
                throw ApiException.badRequest("query parameter '" + name + "' must not be negative");
            }
            return value;
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("query parameter '" + name + "' must be an integer, was '" + truncate(raw.get()) + "'");
        }
    }

    public boolean queryBoolean(String name) {
        Optional<String> raw = query(name);
        if (raw.isEmpty()) {
            return false;
        }
        return switch (raw.get()) {
            case "true" -> true;
            case "false" -> false;
            default -> throw ApiException.badRequest("query parameter '" + name + "' must be true or false");
        };
    }

    public Optional<Instant> queryInstant(String name) {
        return query(name).map(raw -> {
            try {
                return Instant.parse(raw);
            } catch (DateTimeParseException e) {
                throw ApiException.badRequest("query parameter '" + name + "' must be an ISO-8601 instant such as 2026-01-31T12:00:00Z");
            }
        });
    }

    public Optional<String> header(String name) {
        List<String> values = headers.get(name);
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }

    /** The body as a JSON object; 400 when it is missing or not one. */
    public ObjectNode jsonObject() {
        if (body.length == 0) {
            throw ApiException.badRequest("a JSON object body is required");
        }
        try {
            JsonNode node = JsonSupport.MAPPER.readTree(body);
            if (node == null || !node.isObject()) {
                throw ApiException.badRequest("the body must be a JSON object");
            }
            return (ObjectNode) node;
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest("the body is not valid JSON: " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw ApiException.badRequest("the body could not be read");
        }
    }

    /** The body as a JSON object, or an empty one when there is no body. */
    public ObjectNode jsonObjectOrEmpty() {
        return body.length == 0 ? JsonSupport.MAPPER.createObjectNode() : jsonObject();
    }

    static String truncate(String value) {
        return value.length() > 64 ? value.substring(0, 64) + "…" : value;
    }
}
