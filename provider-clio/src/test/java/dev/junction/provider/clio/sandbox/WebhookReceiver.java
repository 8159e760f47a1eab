package dev.junction.provider.clio.sandbox;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A tiny JDK HTTP server that records webhook requests and answers as configured. */
final class WebhookReceiver implements AutoCloseable {

    private final HttpServer server;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private volatile boolean echoHandshakeSecret = true;
    private volatile int status = 200;

    /** One request: the headers that matter to Clio webhooks, and the raw body. */
    record Received(String hookSecret, String signature, String body) {

        boolean isHandshake() {
            return hookSecret != null;
        }
    }

    WebhookReceiver() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException exception) {
            throw new UncheckedIOException(exception);
        }
        server.createContext("/clio/webhooks", exchange -> {
            String secret = exchange.getRequestHeaders().getFirst("X-Hook-Secret");
            received.add(new Received(secret, exchange.getRequestHeaders().getFirst("X-Hook-Signature"),
                    new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
            if (secret != null && echoHandshakeSecret) {
                exchange.getResponseHeaders().set("X-Hook-Secret", secret);
            }
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/clio/webhooks";
    }

    void echoHandshakeSecret(boolean value) {
        this.echoHandshakeSecret = value;
    }

    void answerWith(int value) {
        this.status = value;
    }

    List<Received> handshakes() {
        return received.stream().filter(Received::isHandshake).toList();
    }

    List<Received> events() {
        return received.stream().filter(request -> !request.isHandshake()).toList();
    }

    void clear() {
        received.clear();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
