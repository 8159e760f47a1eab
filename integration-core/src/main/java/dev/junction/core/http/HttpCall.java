package dev.junction.core.http;

import dev.junction.core.http.internal.Redaction;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One request a provider wants sent, before the stack adds authentication, default headers and retries.
 * Providers build it with the static factories and {@code withX} methods:
 *
 * <pre>{@code
 * HttpCall.get("matters.json").withQuery("fields", "id,etag,display_number").withEntity("matters");
 * HttpCall.post("v1/refunds", "application/x-www-form-urlencoded", form).withIdempotencyKey(runId + ":" + chargeId);
 * }</pre>
 *
 * <p>Immutable and thread-safe. The body array is not copied: do not modify it after handing it over.
 * {@link #toString()} shows neither header values, query values nor the body, which may hold credentials.
 *
 * @param method the HTTP method, upper case
 * @param pathOrUrl a path appended to the client's base URL ({@code matters.json}), or an absolute URL with the
 *     base URL's scheme, host and port (a provider's next-page link), used verbatim
 * @param query query parameters added to the URL, in order; a name may have several values
 * @param headers headers for this call only; the authenticator's headers win over them
 * @param body the request body, or null for none
 * @param contentType the body's media type, or null when there is no body
 * @param idempotencyKey a key that makes repeating this call safe, sent in the spec's idempotency header, or null
 * @param entity the entity type this call reads or writes ({@code matters}), for error context; may be null
 */
public record HttpCall(String method, String pathOrUrl, Map<String, List<String>> query, Map<String, String> headers,
                       byte[] body, String contentType, String idempotencyKey, String entity) {

    public HttpCall {
        Objects.requireNonNull(method, "method");
        if (method.isBlank()) {
            throw new IllegalArgumentException("method must not be blank");
        }
        method = method.toUpperCase(Locale.ROOT);
        Objects.requireNonNull(pathOrUrl, "pathOrUrl");
        LinkedHashMap<String, List<String>> queryCopy = new LinkedHashMap<>();
        query.forEach((name, values) -> queryCopy.put(Objects.requireNonNull(name, "query name"), List.copyOf(values)));
        query = Collections.unmodifiableMap(queryCopy);
        headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
        if (body != null && contentType == null) {
            throw new IllegalArgumentException(method + " " + pathOrUrl + ": a body needs a content type");
        }
    }

    public static HttpCall of(String method, String pathOrUrl) {
        return new HttpCall(method, pathOrUrl, Map.of(), Map.of(), null, null, null, null);
    }

    public static HttpCall get(String pathOrUrl) {
        return of("GET", pathOrUrl);
    }

    public static HttpCall delete(String pathOrUrl) {
        return of("DELETE", pathOrUrl);
    }

    public static HttpCall post(String path, String contentType, byte[] body) {
        return of("POST", path).withBody(contentType, body);
    }

    public static HttpCall put(String path, String contentType, byte[] body) {
        return of("PUT", path).withBody(contentType, body);
    }

    public static HttpCall patch(String path, String contentType, byte[] body) {
        return of("PATCH", path).withBody(contentType, body);
    }

    public HttpCall withPathOrUrl(String value) {
        return new HttpCall(method, value, query, headers, body, contentType, idempotencyKey, entity);
    }

    /** Sets query parameter {@code name} to {@code value}, replacing any values it had. */
    public HttpCall withQuery(String name, String value) {
        return withQuery(name, List.of(value));
    }

    /** Sets query parameter {@code name} to {@code values}, replacing any values it had. */
    public HttpCall withQuery(String name, List<String> values) {
        LinkedHashMap<String, List<String>> copy = new LinkedHashMap<>(query);
        copy.put(name, values);
        return new HttpCall(method, pathOrUrl, copy, headers, body, contentType, idempotencyKey, entity);
    }

    /** Drops every query parameter, for example when following a next-page URL that already carries them. */
    public HttpCall withoutQuery() {
        return new HttpCall(method, pathOrUrl, Map.of(), headers, body, contentType, idempotencyKey, entity);
    }

    /** The first value of query parameter {@code name}. */
    public Optional<String> queryValue(String name) {
        List<String> values = query.get(name);
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }

    /** Adds or replaces one header. */
    public HttpCall withHeader(String name, String value) {
        LinkedHashMap<String, String> copy = new LinkedHashMap<>(headers);
        copy.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
        return new HttpCall(method, pathOrUrl, query, copy, body, contentType, idempotencyKey, entity);
    }

    public HttpCall withBody(String mediaType, byte[] value) {
        return new HttpCall(method, pathOrUrl, query, headers, Objects.requireNonNull(value, "body"),
                Objects.requireNonNull(mediaType, "contentType"), idempotencyKey, entity);
    }

    public HttpCall withIdempotencyKey(String value) {
        return new HttpCall(method, pathOrUrl, query, headers, body, contentType, value, entity);
    }

    public HttpCall withEntity(String value) {
        return new HttpCall(method, pathOrUrl, query, headers, body, contentType, idempotencyKey, value);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof HttpCall that
                && method.equals(that.method)
                && pathOrUrl.equals(that.pathOrUrl)
                && query.equals(that.query)
                && headers.equals(that.headers)
                && Arrays.equals(body, that.body)
                && Objects.equals(contentType, that.contentType)
                && Objects.equals(idempotencyKey, that.idempotencyKey)
                && Objects.equals(entity, that.entity);
    }

    @Override
    public int hashCode() {
        return Objects.hash(method, pathOrUrl, query, headers, Arrays.hashCode(body), contentType, idempotencyKey, entity);
    }

    @Override
    public String toString() {
        return "HttpCall[" + method + " " + Redaction.urlText(pathOrUrl)
                + (query.isEmpty() ? "" : " query=" + query.keySet())
                + (headers.isEmpty() ? "" : " headers=" + headers.keySet())
                + (body == null ? "" : " body=" + body.length + " bytes of " + contentType)
                + (idempotencyKey == null ? "" : " idempotent")
                + (entity == null ? "" : " entity=" + entity) + "]";
    }
}
