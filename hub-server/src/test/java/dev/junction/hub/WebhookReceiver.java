package dev.junction.hub;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A real HTTP endpoint on loopback that records every request it receives and answers with the statuses it is told
 * to (200 when none are queued). Stands in for a tenant's webhook receiver.
 */
final class WebhookReceiver implements AutoCloseable {

    /** One received request: lower-cased header names, the raw body. */
    record Received(Map<String, String> headers, String body) {
        String header(String name) {
            return headers.get(name);
        }
    }

    private final HttpServer server;
    private final List<Received> received = new ArrayList<>();
    private final Deque<Integer> statuses = new ArrayDeque<>();
    private int defaultStatus = 200;
    private int[] perMessage = new int[0];
    private final Map<String, Integer> seen = new java.util.HashMap<>();

    WebhookReceiver() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        server.createContext("/", exchange -> {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            Map<String, String> headers = new TreeMap<>();
            exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(), values.get(0)));
            int status;
            synchronized (this) {
                received.add(new Received(headers, new String(body, StandardCharsets.UTF_8)));
                int count = seen.merge(String.valueOf(headers.get("webhook-id")), 1, Integer::sum);
                status = count <= perMessage.length ? perMessage[count - 1] : statuses.isEmpty() ? defaultStatus : statuses.poll();
            }
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hooks";
    }

    /** The next answers, in order; then the default. */
    synchronized WebhookReceiver answer(int... next) {
        for (int status : next) {
            statuses.add(status);
        }
        return this;
    }

    /** The first answers to each message (by webhook-id), before the queued and default ones. */
    synchronized WebhookReceiver answerEachMessage(int... first) {
        perMessage = first.clone();
        return this;
    }

    synchronized WebhookReceiver answerByDefault(int status) {
        defaultStatus = status;
        return this;
    }

    synchronized List<Received> received() {
        return List.copyOf(received);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
