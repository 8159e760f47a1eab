package dev.junction.testkit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.junction.core.Hub;
import dev.junction.core.WebhookResponse;
import dev.junction.core.error.ErrorKind;
import dev.junction.core.error.JunctionException;
import dev.junction.core.spi.WebhookRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A real HTTP endpoint on loopback that hands every request under {@code /hooks/<token>} to
 * {@link Hub#receiveWebhook} and answers with its outcome, as an application embedding Junction would: 2xx with the
 * hub's headers, 401 for a rejected webhook, 404 when the provider has none. Keeps each request (headers and raw
 * body) so tests can replay or tamper with real deliveries. Thread-safe.
 */
public final class WebhookTestReceiver implements AutoCloseable {

    /** One request as received, and the status it was answered with. */
    public record Received(String token, WebhookRequest request, int status) {}

    private final HttpServer server;
    private final Hub hub;
    private final Clock clock;
    private final List<Received> received = new CopyOnWriteArrayList<>();

    private WebhookTestReceiver(Hub hub, Clock clock) {
        this.hub = hub;
        this.clock = clock;
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/hooks/", this::handle);
        server.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(4, runnable -> {
            Thread thread = new Thread(runnable, "webhook-test-receiver");
            thread.setDaemon(true);
            return thread;
        }));
        server.start();
    }

    public static WebhookTestReceiver start(Hub hub, Clock clock) {
        return new WebhookTestReceiver(hub, clock);
    }

    /** The base URL to register: deliveries go to {@code baseUrl() + "/" + webhookToken}. */
    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hooks";
    }

    public List<Received> received() {
        return new ArrayList<>(received);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String token = exchange.getRequestURI().getPath().substring("/hooks/".length());
            byte[] body = exchange.getRequestBody().readAllBytes();
            WebhookRequest request = new WebhookRequest(Map.copyOf(exchange.getRequestHeaders()), body, clock.instant());
            int status;
            Map<String, String> headers = Map.of();
            try {
                WebhookResponse response = hub.receiveWebhook(token, request);
                status = response.status();
                headers = response.headers();
            } catch (JunctionException e) {
                status = e.kind() == ErrorKind.WEBHOOK_REJECTED ? 401 : e.kind() == ErrorKind.UNSUPPORTED ? 404 : 500;
            } catch (RuntimeException e) {
                status = 500;
            }
            received.add(new Received(token, request, status));
            headers.forEach((name, value) -> exchange.getResponseHeaders().add(name, value));
            exchange.sendResponseHeaders(status, -1);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
