package dev.junction.hub;

import java.util.LinkedHashMap;
import java.util.Map;

/** What a handler answers: a status, a body (serialised as JSON unless it is a {@code byte[]}) and headers. */
public record ApiResponse(int status, Object body, String contentType, Map<String, String> headers) {

    public static ApiResponse ok(Object body) {
        return new ApiResponse(200, body, "application/json", Map.of());
    }

    public static ApiResponse status(int status, Object body) {
        return new ApiResponse(status, body, "application/json", Map.of());
    }

    public static ApiResponse noContent() {
        return new ApiResponse(204, null, null, Map.of());
    }

    public static ApiResponse raw(int status, String contentType, byte[] body) {
        return new ApiResponse(status, body, contentType, Map.of());
    }

    public ApiResponse withHeader(String name, String value) {
        Map<String, String> copy = new LinkedHashMap<>(headers);
        copy.put(name, value);
        return new ApiResponse(status, body, contentType, copy);
    }
}
