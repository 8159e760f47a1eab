package dev.junction.core.http;

import dev.junction.core.http.internal.RequestIds;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A provider's answer to one {@link HttpCall}, as {@link ProviderHttpClient#execute} returns it: always a 2xx (or
 * a 304 to a conditional request), since every other status is thrown as a
 * {@link dev.junction.core.error.JunctionException}.
 *
 * <p>Immutable and thread-safe. Header names are case-insensitive. The body array is not copied: do not modify
 * it.
 *
 * @param status the HTTP status
 * @param headers the response headers, each name with its values in order
 * @param body the response body, empty when there was none
 * @param requestId the provider's request id ({@code X-Request-Id}, {@code Request-Id}), or null when it sent none
 */
public record HttpResult(int status, Map<String, List<String>> headers, byte[] body, String requestId) {

    public HttpResult {
        TreeMap<String, List<String>> caseInsensitive = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.forEach((name, values) -> caseInsensitive.merge(name, List.copyOf(values), (first, second) -> {
            List<String> merged = new ArrayList<>(first);
            merged.addAll(second);
            return List.copyOf(merged);
        }));
        headers = Collections.unmodifiableMap(caseInsensitive);
        body = body == null ? new byte[0] : body;
    }

    /** A result whose request id is read from the usual request-id headers. */
    public static HttpResult of(int status, Map<String, List<String>> headers, byte[] body) {
        HttpResult withoutRequestId = new HttpResult(status, headers, body, null);
        String requestId = RequestIds.find(name -> withoutRequestId.header(name).orElse(null));
        return new HttpResult(status, withoutRequestId.headers, withoutRequestId.body, requestId);
    }

    /** The first value of header {@code name}, compared case-insensitively. */
    public Optional<String> header(String name) {
        List<String> values = headers.get(name);
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }

    /** All values of header {@code name}, compared case-insensitively; empty when absent. */
    public List<String> headerValues(String name) {
        return headers.getOrDefault(name, List.of());
    }

    public boolean successful() {
        return status >= 200 && status < 300;
    }

    /** The body decoded as UTF-8. */
    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof HttpResult that
                && status == that.status
                && headers.equals(that.headers)
                && Arrays.equals(body, that.body)
                && Objects.equals(requestId, that.requestId);
    }

    @Override
    public int hashCode() {
        return Objects.hash(status, headers, Arrays.hashCode(body), requestId);
    }

    @Override
    public String toString() {
        return "HttpResult[" + status + ", " + body.length + " bytes" + (requestId == null ? "" : ", requestId=" + requestId) + "]";
    }
}
