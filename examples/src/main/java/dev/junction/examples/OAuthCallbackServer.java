package dev.junction.examples;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.junction.core.Connection;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiFunction;

/**
 * The two ends of an OAuth 2.0 authorization-code flow that a web application owns, on loopback: the redirect URI
 * ({@code /oauth/callback}, which hands {@code state} and {@code code} to {@code Hub.completeOAuth}), and a headless
 * "browser" that opens the provider's authorize URL and follows its redirects back to the callback, as a user's
 * browser would after the user clicks "Allow".
 *
 * <p>Thread-safe. Close it to free the port.
 */
public final class OAuthCallbackServer implements AutoCloseable {

    private static final String PATH = "/oauth/callback";

    private final HttpServer server;
    private final BiFunction<String, String, Connection> completer;
    private final CompletableFuture<Connection> connected = new CompletableFuture<>();
    private volatile URI lastCallback;

    private OAuthCallbackServer(HttpServer server, BiFunction<String, String, Connection> completer) {
        this.server = server;
        this.completer = completer;
    }

    /**
     * Starts the callback on a free loopback port.
     *
     * @param completer what the application does with the callback: {@code hub::completeOAuth}
     */
    public static OAuthCallbackServer start(BiFunction<String, String, Connection> completer) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            OAuthCallbackServer callback = new OAuthCallbackServer(server, completer);
            server.createContext(PATH, callback::handle);
            server.start();
            return callback;
        } catch (IOException e) {
            throw new UncheckedIOException("could not start the OAuth callback server", e);
        }
    }

    /** The redirect URI to register with the provider's OAuth application. */
    public String redirectUri() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + PATH;
    }

    /** The callback URL the browser arrived at last (with {@code code} and {@code state}), if any. */
    public Optional<URI> lastCallback() {
        return Optional.ofNullable(lastCallback);
    }

    /**
     * Opens {@code authorizeUrl} the way a browser does (following redirects) and waits until the callback has
     * completed the flow.
     *
     * @return the connection, now active
     * @throws IllegalStateException when the provider refused, the callback failed, or nothing came back in time
     */
    public Connection authorizeInBrowser(String authorizeUrl, Duration timeout) {
        HttpClient browser = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(timeout).build();
        HttpResponse<String> page;
        try {
            page = browser.send(HttpRequest.newBuilder(URI.create(authorizeUrl)).timeout(timeout).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException("the browser could not open the authorize URL: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while authorising", e);
        }
        if (!connected.isDone()) {
            throw new IllegalStateException("the provider did not redirect to the callback; it answered "
                    + page.statusCode() + " at " + page.uri() + ": " + page.body());
        }
        try {
            return connected.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("the OAuth callback failed: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("no OAuth callback within " + timeout, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while authorising", e);
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        URI uri = URI.create(redirectUri()).resolve(exchange.getRequestURI());
        lastCallback = uri;
        Map<String, String> query = query(uri);
        int status;
        String body;
        if (query.containsKey("error")) {
            status = 400;
            body = "The provider refused: " + query.get("error");
            connected.completeExceptionally(new IllegalStateException(body));
        } else if (!query.containsKey("code") || !query.containsKey("state")) {
            status = 400;
            body = "The callback needs code and state";
            connected.completeExceptionally(new IllegalStateException(body));
        } else {
            try {
                Connection connection = completer.apply(query.get("state"), query.get("code"));
                status = 200;
                body = "Connected " + connection.providerId() + " for " + connection.tenantId() + ". You can close this window.";
                connected.complete(connection);
            } catch (RuntimeException e) {
                status = 500;
                body = "Could not complete the connection: " + e.getMessage();
                connected.completeExceptionally(e);
            }
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** The decoded query parameters of {@code uri} (the first value of each). */
    static Map<String, String> query(URI uri) {
        Map<String, String> parameters = new LinkedHashMap<>();
        String raw = uri.getRawQuery();
        if (raw == null || raw.isEmpty()) {
            return parameters;
        }
        for (String pair : raw.split("&")) {
            int equals = pair.indexOf('=');
            String name = URLDecoder.decode(equals < 0 ? pair : pair.substring(0, equals), StandardCharsets.UTF_8);
            String value = equals < 0 ? "" : URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8);
            parameters.putIfAbsent(name, value);
        }
        return parameters;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
