package dev.junction.hub;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.junction.core.error.ErrorKind;
import dev.junction.core.error.JunctionException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Routes each request of the JDK HTTP server: request id, body size limit, authentication by bearer key, the
 * handler, and every failure as {@code application/problem+json} (RFC 9457) carrying the request id. Unexpected
 * exceptions are logged with the request id and answered 500 without their message.
 *
 * <p>Thread-safe.
 */
final class HttpDispatcher implements HttpHandler {

    private static final Logger LOG = LoggerFactory.getLogger(HttpDispatcher.class);
    static final String REQUEST_ID = "X-Request-Id";
    private static final Pattern CLIENT_REQUEST_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    private final List<Route> routes;
    private final TenantStore tenants;
    private final byte[] adminKey;
    private final int maxBodyBytes;
    private static final Pattern LOGGABLE_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
    private final byte[] openApi;
    private final RequestListener listener;

    /** Hears every answered request: method, route template (not the raw path), status and time taken. */
    @FunctionalInterface
    interface RequestListener {
        void answered(String method, String route, int status, long nanos);
    }

    HttpDispatcher(List<Route> routes, TenantStore tenants, String adminKey, int maxBodyBytes, ObjectNode openApi) {
        this(routes, tenants, adminKey, maxBodyBytes, openApi, (method, route, status, nanos) -> { });
    }

    HttpDispatcher(List<Route> routes, TenantStore tenants, String adminKey, int maxBodyBytes, ObjectNode openApi,
            RequestListener listener) {
        this.listener = listener;
        this.routes = List.copyOf(routes);
        this.tenants = tenants;
        this.adminKey = adminKey.getBytes(StandardCharsets.UTF_8);
        this.maxBodyBytes = maxBodyBytes;
        this.openApi = JsonSupport.write(openApi);
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        String requestId = exchange.getRequestHeaders().getFirst(REQUEST_ID);
        if (requestId == null || !CLIENT_REQUEST_ID.matcher(requestId).matches()) {
            requestId = newRequestId();
        }
        String path = exchange.getRequestURI().getRawPath();
        long started = System.nanoTime();
        String[] route = {"UNMATCHED"}; // the route template, once known: a bounded metrics label, never the raw path
        MDC.put("request_id", requestId);
        try {
            ApiResponse response;
            try {
                response = dispatch(exchange, path, requestId, route);
            } catch (ApiException e) {
                response = problem(e.status(), e.title(), e.getMessage(), path, requestId);
                if (e.status() == 401) {
                    response = response.withHeader("WWW-Authenticate", "Bearer");
                }
            } catch (JunctionException e) {
                response = fromJunction(e, path, route[0], requestId);
            } catch (IllegalArgumentException e) {
                response = problem(422, "Invalid Input", e.getMessage(), path, requestId);
            } catch (Exception e) {
                // the route template, not the path: /v1/webhooks/{token} must not write the connection's webhook token
                LOG.error("Request {} {} failed", exchange.getRequestMethod(), route[0], e);
                response = problem(500, "Internal Server Error", "the server failed; quote request id " + requestId, path, requestId);
            }
            send(exchange, response, requestId);
            long nanos = System.nanoTime() - started;
            LOG.debug("{} {} answered {} in {} ms", exchange.getRequestMethod(), route[0], response.status(), nanos / 1_000_000);
            listener.answered(exchange.getRequestMethod(), route[0], response.status(), nanos);
        } finally {
            // The HTTP threads are pooled: nothing of this request may stay in the next one's log lines.
            MDC.remove("request_id");
            MDC.remove("tenant_id");
            MDC.remove("connection_id");
            MDC.remove("run_id");
            exchange.close();
        }
    }

    /**
     * A random (version 4) UUID for a request that brought no id. A request id only has to be unique, not
     * unguessable, so it comes from {@link java.util.concurrent.ThreadLocalRandom} rather than
     * {@code UUID.randomUUID()}'s SecureRandom, which every HTTP thread queued for on each request.
     */
    static String newRequestId() {
        java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        long high = (random.nextLong() & ~0xF000L) | 0x4000L; // version 4
        long low = (random.nextLong() & ~(0xC000L << 48)) | (0x8000L << 48); // IETF variant
        return new UUID(high, low).toString();
    }

    private ApiResponse dispatch(HttpExchange exchange, String path, String requestId, String[] routeTemplate) throws Exception {
        String method = exchange.getRequestMethod();
        if (method.equals("GET") && List.of("/openapi.json", "/docs", "/docs/", "/health/live", "/health/ready").contains(path)) {
            routeTemplate[0] = path.equals("/docs/") ? "/docs" : path;
        }
        if (method.equals("GET") && path.equals("/openapi.json")) {
            return ApiResponse.raw(200, "application/json", openApi);
        }
        if (method.equals("GET") && (path.equals("/docs") || path.equals("/docs/"))) {
            return ApiResponse.raw(200, "text/html; charset=utf-8", DocsPage.html());
        }
        if (method.equals("GET") && path.equals("/health/live")) {
            return ApiResponse.ok(JsonSupport.map("status", "UP"));
        }
        if (method.equals("GET") && path.equals("/health/ready")) {
            return ready();
        }
        Route route = null;
        Map<String, String> parameters = null;
        List<String> allowed = new ArrayList<>();
        for (Route candidate : routes) {
            Map<String, String> match = candidate.match(path);
            if (match != null) {
                allowed.add(candidate.method());
                routeTemplate[0] = candidate.path();
                if (candidate.method().equals(method)) {
                    route = candidate;
                    parameters = match;
                    break;
                }
            }
        }
        if (route == null) {
            if (!allowed.isEmpty()) {
                throw new ApiException(405, "Method Not Allowed", method + " is not allowed here; use " + String.join(", ", allowed));
            }
            throw ApiException.notFound("no endpoint at " + ApiRequest.truncate(path) + "; see /openapi.json");
        }
        String tenantId = authenticate(route, exchange);
        if (tenantId != null) {
            MDC.put("tenant_id", tenantId);
        }
        // Ids from the path, when they look like ids (a path could carry anything, and log lines must stay one line).
        putLoggable("connection_id", parameters.get("connectionId"));
        putLoggable("run_id", parameters.get("runId"));
        byte[] body = readBody(exchange);
        Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        exchange.getRequestHeaders().forEach(headers::put);
        ApiRequest request = new ApiRequest(method, parameters, query(exchange.getRequestURI().getRawQuery()), headers, body,
                requestId, tenantId);
        return route.handler().handle(request);
    }

    private static void putLoggable(String key, String value) {
        if (value != null && LOGGABLE_ID.matcher(value).matches()) {
            MDC.put(key, value);
        }
    }

    /** Ready when the database answers within two seconds. */
    private ApiResponse ready() {
        try {
            tenants.ping();
            return ApiResponse.ok(JsonSupport.map("status", "UP", "database", "UP"));
        } catch (RuntimeException e) {
            LOG.warn("Readiness check failed: {}", e.toString());
            return ApiResponse.status(503, JsonSupport.map("status", "DOWN", "database", "DOWN"));
        }
    }

    private String authenticate(Route route, HttpExchange exchange) {
        if (route.access() == Route.Access.PUBLIC) {
            return null;
        }
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw ApiException.unauthorized("send an API key as 'Authorization: Bearer <key>'");
        }
        String key = authorization.substring(7).trim();
        boolean admin = MessageDigest.isEqual(key.getBytes(StandardCharsets.UTF_8), adminKey);
        if (route.access() == Route.Access.ADMIN) {
            if (admin) {
                return null;
            }
            if (tenants.tenantForKey(key).isPresent()) {
                throw ApiException.forbidden("this endpoint needs the admin key");
            }
            throw ApiException.unauthorized("unknown or revoked API key");
        }
        if (admin) {
            throw ApiException.forbidden("this endpoint acts for one tenant: use one of the tenant's API keys, not the admin key");
        }
        return tenants.tenantForKey(key).orElseThrow(() -> ApiException.unauthorized("unknown or revoked API key"));
    }

    private byte[] readBody(HttpExchange exchange) throws IOException {
        String length = exchange.getRequestHeaders().getFirst("Content-Length");
        long declared = -1;
        if (length != null) {
            try {
                declared = Long.parseLong(length.trim());
            } catch (NumberFormatException e) {
                throw ApiException.badRequest("malformed Content-Length");
            }
        }
        try (InputStream in = exchange.getRequestBody()) {
            if (declared > maxBodyBytes) {
                discard(in);
                throw tooLarge();
            }
            byte[] body = in.readNBytes(maxBodyBytes + 1);
            if (body.length > maxBodyBytes) {
                discard(in);
                throw tooLarge();
            }
            return body;
        }
    }

    /**
     * Reads and drops what is left of a refused body, up to a bound: answering while the client is still sending
     * makes it see a connection reset instead of the 413. Beyond the bound the connection is simply closed.
     */
    private void discard(InputStream in) throws IOException {
        long budget = 16L * maxBodyBytes;
        byte[] buffer = new byte[8192];
        int read;
        while (budget > 0 && (read = in.read(buffer, 0, (int) Math.min(buffer.length, budget))) > 0) {
            budget -= read;
        }
    }

    private ApiException tooLarge() {
        return new ApiException(413, "Content Too Large", "request bodies are limited to " + maxBodyBytes + " bytes");
    }

    private static Map<String, List<String>> query(String raw) {
        Map<String, List<String>> values = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return values;
        }
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int equals = pair.indexOf('=');
            try {
                String name = URLDecoder.decode(equals < 0 ? pair : pair.substring(0, equals), StandardCharsets.UTF_8);
                String value = equals < 0 ? "" : URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8);
                values.computeIfAbsent(name, key -> new ArrayList<>()).add(value);
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest("malformed query string");
            }
        }
        return values;
    }

    /** The status a library error is answered with: what the caller should do next. */
    static int status(ErrorKind kind) {
        return switch (kind) {
            case INVALID_INPUT, INVALID_REQUEST -> 422;
            case NOT_FOUND -> 404;
            case CONFLICT, NEEDS_REAUTH -> 409;
            case UNSUPPORTED -> 501;
            case WEBHOOK_REJECTED -> 401;
            case RATE_LIMITED, PROVIDER_UNAVAILABLE -> 503;
            case UNEXPECTED_PAYLOAD -> 502;
        };
    }

    private static ApiResponse fromJunction(JunctionException e, String path, String route, String requestId) {
        int status = status(e.kind());
        String title = switch (e.kind()) {
            case NEEDS_REAUTH -> "Connection Needs Re-authorisation";
            case INVALID_REQUEST -> "Rejected by the Provider";
            case RATE_LIMITED -> "Provider Rate Limit";
            case PROVIDER_UNAVAILABLE -> "Provider Unavailable";
            case UNEXPECTED_PAYLOAD -> "Unexpected Provider Payload";
            case UNSUPPORTED -> "Not Supported";
            case WEBHOOK_REJECTED -> "Webhook Rejected";
            case INVALID_INPUT -> "Invalid Input";
            case NOT_FOUND -> "Not Found";
            case CONFLICT -> "Conflict";
        };
        if (status >= 500) {
            LOG.warn("Request {} failed at the provider: {}", route, e.getMessage());
        }
        ApiResponse response = problem(status, title, e.getMessage(), path, requestId);
        ((Map<String, Object>) response.body()).put("error_kind", e.kind().name());
        return response;
    }

    static ApiResponse problem(int status, String title, String detail, String path, String requestId) {
        Map<String, Object> body = JsonSupport.map(
                "type", "https://junction.dev/problems/" + title.toLowerCase().replaceAll("[^a-z0-9]+", "-"),
                "title", title,
                "status", status,
                "detail", detail == null ? title : detail,
                "instance", path,
                "request_id", requestId);
        return new ApiResponse(status, body, "application/problem+json", Map.of());
    }

    private static void send(HttpExchange exchange, ApiResponse response, String requestId) throws IOException {
        exchange.getResponseHeaders().set(REQUEST_ID, requestId);
        response.headers().forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
        byte[] bytes = response.body() == null ? null
                : response.body() instanceof byte[] raw ? raw : JsonSupport.write(response.body());
        if (bytes == null || response.status() == 204) {
            exchange.sendResponseHeaders(response.status(), -1);
            return;
        }
        exchange.getResponseHeaders().set("Content-Type", Optional.ofNullable(response.contentType()).orElse("application/json"));
        exchange.sendResponseHeaders(response.status(), bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
