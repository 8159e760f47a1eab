package dev.junction.provider.clio;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.junction.core.error.JunctionException;
import dev.junction.core.spi.WebhookEvent;
import dev.junction.core.spi.WebhookOutcome;
import dev.junction.core.spi.WebhookRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A JDK HTTP server on loopback that answers Clio's webhook requests the way core's endpoint would: through
 * {@link ClioWebhookHandler}, storing handshake secrets in {@link InMemoryWebhookSecrets}. Rejections are answered
 * 401 (never 410, which would make Clio suspend the webhook).
 */
final class HandlerBackedReceiver implements AutoCloseable {

    private final HttpServer server;
    private final ClioWebhookHandler handler = new ClioWebhookHandler();
    private final InMemoryWebhookSecrets secrets;
    private final List<WebhookOutcome.Handshake> handshakes = new CopyOnWriteArrayList<>();
    private final List<WebhookEvent> events = new CopyOnWriteArrayList<>();
    private final List<JunctionException> rejections = new CopyOnWriteArrayList<>();

    HandlerBackedReceiver(InMemoryWebhookSecrets secrets) {
        this.secrets = secrets;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException exception) {
            throw new UncheckedIOException(exception);
        }
        server.createContext("/junction/webhooks/clio", this::answer);
        server.start();
    }

    private void answer(HttpExchange exchange) throws IOException {
        try (exchange) {
            Map<String, List<String>> headers = new HashMap<>(exchange.getRequestHeaders());
            byte[] body = exchange.getRequestBody().readAllBytes();
            try {
                WebhookOutcome outcome = handler.handle(new WebhookRequest(headers, body, Instant.now()), secrets);
                if (outcome instanceof WebhookOutcome.Handshake handshake) {
                    secrets.record(handshake);
                    handshakes.add(handshake);
                    handshake.responseHeaders().forEach(exchange.getResponseHeaders()::set);
                    exchange.sendResponseHeaders(handshake.status(), -1);
                } else if (outcome instanceof WebhookOutcome.Events delivered) {
                    events.addAll(delivered.events());
                    exchange.sendResponseHeaders(200, -1);
                }
            } catch (JunctionException rejected) {
                rejections.add(rejected);
                exchange.sendResponseHeaders(401, -1);
            }
        }
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/junction/webhooks/clio";
    }

    List<WebhookOutcome.Handshake> handshakes() {
        return List.copyOf(handshakes);
    }

    List<WebhookEvent> events() {
        return List.copyOf(events);
    }

    List<JunctionException> rejections() {
        return List.copyOf(rejections);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
