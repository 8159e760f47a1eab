package dev.junction.sandbox;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends webhook requests (HTTP {@code POST}) from a sandbox to a receiver, signs them, and logs
 * each delivery with the receiver's answer.
 *
 * <p>Deliveries run one at a time on a single background thread, in the order they were sent, so
 * a receiver sees events in the order they happened. Failed deliveries are logged, not retried.
 * Tests wait for pending deliveries with {@link #awaitIdle(Duration)} instead of sleeping.
 *
 * <p>Thread-safe.
 */
public final class WebhookDispatcher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(WebhookDispatcher.class);

    private final Clock clock;
    private final Duration timeout;
    private final HttpClient client;
    private final ExecutorService executor;
    private final List<WebhookDelivery> deliveries = new ArrayList<>();
    private final Object idle = new Object();
    private int pending;

    /**
     * Creates a dispatcher.
     *
     * @param clock stamps deliveries
     * @param timeout how long to wait for a receiver to connect and answer
     */
    public WebhookDispatcher(Clock clock, Duration timeout) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.executor = Executors.newSingleThreadExecutor(runnable -> {
            Thread thread = new Thread(runnable, "sandbox-webhooks");
            thread.setDaemon(true);
            return thread;
        });
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(timeout)
                .build();
    }

    /** Sends a webhook; see {@link #send(URI, Map, byte[], WebhookSigner, Consumer)}. */
    public CompletableFuture<WebhookDelivery> send(
            URI url, Map<String, String> headers, byte[] body, WebhookSigner signer) {
        return send(url, headers, body, signer, delivery -> { });
    }

    /**
     * Queues one {@code POST} of {@code body} (JSON unless {@code headers} say otherwise) to {@code url}.
     *
     * @param headers extra request headers
     * @param signer adds signature headers computed over {@code body}
     * @param onDelivery called on the delivery thread with the outcome, before {@link #awaitIdle(Duration)}
     *     counts the delivery as done: the place to react to the receiver's answer (activate or
     *     suspend a subscription)
     * @return the outcome; it never completes exceptionally, failures are in {@link WebhookDelivery#failure()}
     * @throws IllegalStateException after {@link #close()}
     */
    public CompletableFuture<WebhookDelivery> send(
            URI url,
            Map<String, String> headers,
            byte[] body,
            WebhookSigner signer,
            Consumer<WebhookDelivery> onDelivery) {
        Map<String, String> allHeaders = new LinkedHashMap<>();
        allHeaders.put("Content-Type", "application/json");
        allHeaders.putAll(headers);
        allHeaders.putAll(signer.sign(body));
        byte[] bodyCopy = body.clone();
        synchronized (idle) {
            pending++;
        }
        try {
            return CompletableFuture.supplyAsync(
                    () -> deliverAndNotify(url, allHeaders, bodyCopy, onDelivery), executor);
        } catch (RejectedExecutionException closed) {
            finishOne();
            throw new IllegalStateException("The webhook dispatcher is closed", closed);
        }
    }

    private WebhookDelivery deliverAndNotify(
            URI url, Map<String, String> headers, byte[] body, Consumer<WebhookDelivery> onDelivery) {
        try {
            WebhookDelivery delivery = deliver(url, headers, body);
            try {
                onDelivery.accept(delivery);
            } catch (RuntimeException failure) {
                LOG.warn("A webhook delivery callback failed for {}", url, failure);
            }
            return delivery;
        } finally {
            finishOne();
        }
    }

    private void finishOne() {
        synchronized (idle) {
            pending--;
            idle.notifyAll();
        }
    }

    private WebhookDelivery deliver(URI url, Map<String, String> headers, byte[] body) {
        Instant sentAt = clock.instant();
        HttpRequest.Builder request = HttpRequest.newBuilder(url)
                .timeout(timeout)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        headers.forEach(request::header);
        String text = new String(body, StandardCharsets.UTF_8);
        WebhookDelivery delivery;
        try {
            HttpResponse<Void> response = client.send(request.build(), HttpResponse.BodyHandlers.discarding());
            delivery = new WebhookDelivery(sentAt, url, headers, text, response.statusCode(),
                    response.headers().map(), null);
            LOG.debug("Webhook to {} answered {}", url, response.statusCode());
        } catch (IOException exception) {
            delivery = new WebhookDelivery(sentAt, url, headers, text, 0, Map.of(), exception.toString());
            LOG.debug("Webhook to {} failed: {}", url, exception.toString());
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            delivery = new WebhookDelivery(sentAt, url, headers, text, 0, Map.of(), "interrupted");
        }
        synchronized (deliveries) {
            deliveries.add(delivery);
        }
        return delivery;
    }

    /** Every delivery so far, oldest first. */
    public List<WebhookDelivery> deliveries() {
        synchronized (deliveries) {
            return List.copyOf(deliveries);
        }
    }

    /** Forgets the delivery log. */
    public void clear() {
        synchronized (deliveries) {
            deliveries.clear();
        }
    }

    /**
     * Waits until every queued delivery and its callback has finished.
     *
     * @return whether the dispatcher became idle within {@code maximumWait}
     */
    public boolean awaitIdle(Duration maximumWait) {
        long deadline = System.nanoTime() + maximumWait.toNanos();
        synchronized (idle) {
            while (pending > 0) {
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    return false;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(idle, remaining);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return true;
        }
    }

    /** Stops the delivery thread; queued deliveries are dropped. */
    @Override
    public void close() {
        executor.shutdownNow();
    }
}
