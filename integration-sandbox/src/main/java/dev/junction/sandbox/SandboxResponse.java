package dev.junction.sandbox;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * An HTTP response produced by a route handler, a filter or a fault.
 *
 * <p>Header names are case-insensitive; each header has a single value. Instances are immutable
 * and thread-safe: {@link #body()} returns a copy and the {@code with...} methods return new
 * instances.
 */
public final class SandboxResponse {

    /** The media type of every JSON body the sandbox writes. */
    public static final String JSON_CONTENT_TYPE = "application/json; charset=utf-8";

    private final int status;
    private final Map<String, String> headers;
    private final byte[] body;

    private SandboxResponse(int status, Map<String, String> headers, byte[] body) {
        if (status < 100 || status > 599) {
            throw new IllegalArgumentException("Not an HTTP status: " + status);
        }
        this.status = status;
        TreeMap<String, String> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        copy.putAll(headers);
        this.headers = Collections.unmodifiableMap(copy);
        this.body = body.clone();
    }

    /** A response whose body is {@code value} written as JSON (a {@code JsonNode}, a map, a record...). */
    public static SandboxResponse json(int status, Object value) {
        return new SandboxResponse(status, Map.of("Content-Type", JSON_CONTENT_TYPE), SandboxJson.toBytes(value));
    }

    /** A response with no body, such as {@code 204 No Content}. */
    public static SandboxResponse empty(int status) {
        return new SandboxResponse(status, Map.of(), new byte[0]);
    }

    /** A response with the given body bytes and content type. */
    public static SandboxResponse bytes(int status, String contentType, byte[] body) {
        return new SandboxResponse(status, Map.of("Content-Type", contentType), body);
    }

    /** A {@code 302 Found} redirect to {@code location}. */
    public static SandboxResponse redirect(URI location) {
        return new SandboxResponse(302, Map.of("Location", location.toString()), new byte[0]);
    }

    /** Returns a copy with the header set, replacing any value it had. */
    public SandboxResponse withHeader(String name, String value) {
        Map<String, String> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        copy.putAll(headers);
        copy.put(name, value);
        return new SandboxResponse(status, copy, body);
    }

    /** Returns a copy with every given header set. */
    public SandboxResponse withHeaders(Map<String, String> extraHeaders) {
        Map<String, String> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        copy.putAll(headers);
        copy.putAll(extraHeaders);
        return new SandboxResponse(status, copy, body);
    }

    /** Returns a copy with another body, keeping status and headers. */
    public SandboxResponse withBody(byte[] newBody) {
        return new SandboxResponse(status, headers, newBody);
    }

    /** The HTTP status code. */
    public int status() {
        return status;
    }

    /** The headers, case-insensitive and unmodifiable. */
    public Map<String, String> headers() {
        return headers;
    }

    /** The value of one header, if set. */
    public Optional<String> header(String name) {
        return Optional.ofNullable(headers.get(name));
    }

    /** A copy of the body bytes. */
    public byte[] body() {
        return body.clone();
    }

    /** The body decoded as UTF-8. */
    public String bodyAsString() {
        return new String(body, StandardCharsets.UTF_8);
    }

    int bodyLength() {
        return body.length;
    }

    byte[] bodyWithoutCopy() {
        return body;
    }

    @Override
    public String toString() {
        return "SandboxResponse[status=" + status + ", headers=" + headers + ", body=" + body.length + " bytes]";
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof SandboxResponse that
                && status == that.status
                && headers.equals(that.headers)
                && Arrays.equals(body, that.body);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * status + headers.hashCode()) + Arrays.hashCode(body);
    }
}
