package dev.junction.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Scenario 5's load generator, a JVM of its own so that the receiving process's CPU is measured alone: posts signed
 * Clio webhooks to one URL over {@code concurrency} keep-alive HTTP/1.1 connections on plain sockets (one blocking
 * thread per connection, each sending its next request once the previous answer is read).
 *
 * <p>Arguments: {@code host port path secretHex webhookId concurrency measured maxWarmupSeconds}. Each request is a
 * contact {@code updated} event for a contact id of its own, signed here with the webhook's shared secret as Clio
 * signs ({@code X-Hook-Signature}: hex HMAC-SHA256 of the body); the measured ones are signed before anything is sent.
 * It warms up first, sending at full concurrency until a line {@code GO} arrives on standard input (the measuring
 * process sends it once the receiver's JIT compiler has settled) or {@code maxWarmupSeconds} pass; then it prints
 * {@code START}, waits for a line {@code MEASURE} (the measuring process has taken its starting figures), sends
 * {@code measured} more, prints {@code END}, and finally {@code RESULT {json}} with the measured requests' latencies (send to the end
 * of the 2xx answer), the count accepted ({@code "accepted":1} in a 200), how many were sent in all, and this
 * process's CPU over the measured part. Any other answer fails the run.
 */
public final class WebhookLoad {

    private static final ObjectMapper JSON = new ObjectMapper();

    private WebhookLoad() {
    }

    public static void main(String[] args) throws Exception {
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        String path = args[2];
        byte[] secret = HexFormat.of().parseHex(args[3]);
        long webhookId = Long.parseLong(args[4]);
        int concurrency = Integer.parseInt(args[5]);
        int measured = Integer.parseInt(args[6]);
        long maxWarmupNanos = TimeUnit.SECONDS.toNanos(Long.parseLong(args[7]));
        Requests requests = new Requests(host, port, path, secret, webhookId);
        // The measured requests are built and signed before anything is sent, as a provider's sender has them ready;
        // warm-up requests (contact ids from 1) are built as they go. Measured ids follow on from MEASURED_IDS.
        byte[][] prepared = new byte[measured][];
        for (int i = 0; i < measured; i++) {
            prepared[i] = requests.forContact(MEASURED_IDS + i);
        }
        List<Client> clients = new ArrayList<>();
        for (int i = 0; i < concurrency; i++) {
            clients.add(new Client(host, port));
        }
        AtomicReference<String> failure = new AtomicReference<>();
        AtomicBoolean go = new AtomicBoolean();
        java.util.concurrent.CountDownLatch measure = new java.util.concurrent.CountDownLatch(1);
        Thread listener = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    if (line.trim().equals("GO")) go.set(true);
                    if (line.trim().equals("MEASURE")) measure.countDown();
                }
            } catch (IOException ignored) {
                // the measuring process went away; the warm-up ends at its limit
            }
        }, "go-listener");
        listener.setDaemon(true);
        listener.start();
        long warmupStarted = System.nanoTime();
        AtomicLong next = new AtomicLong(1);
        send(clients, requests, next, () -> !go.get() && System.nanoTime() - warmupStarted < maxWarmupNanos, null, failure);
        long warmupSent = next.get() - 1;
        if (warmupSent >= MEASURED_IDS) throw new IllegalStateException("the warm-up ran into the measured contact ids");
        double warmupSeconds = (System.nanoTime() - warmupStarted) / 1e9;
        System.out.println("START");
        System.out.flush();
        // The measuring process takes its starting figures first (some are queries): the clock starts when it says so.
        if (!measure.await(60, TimeUnit.SECONDS)) throw new IllegalStateException("no MEASURE after START");
        long cpuBefore = Worker.cpuNanos();
        long started = System.nanoTime();
        long[] latencies = new long[measured];
        AtomicLong nextMeasured = new AtomicLong(MEASURED_IDS);
        long last = MEASURED_IDS + measured - 1;
        int accepted = failure.get() != null ? 0
                : send(clients, requests, nextMeasured, () -> true, new Measured(MEASURED_IDS, last, latencies, prepared), failure);
        double seconds = (System.nanoTime() - started) / 1e9;
        System.out.println("END");
        System.out.flush();
        double cpuSeconds = (Worker.cpuNanos() - cpuBefore) / 1e9;
        for (Client client : clients) {
            client.close();
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("webhooks", measured);
        result.put("accepted", accepted);
        result.put("sent", warmupSent + Math.min(nextMeasured.get() - MEASURED_IDS, measured));
        result.put("warmupWebhooks", warmupSent);
        result.put("warmupSeconds", warmupSeconds);
        result.put("warmupEndedByGo", go.get());
        result.put("failure", failure.get());
        result.put("seconds", seconds);
        if (measured > 0) {
            long[] sorted = latencies.clone();
            Arrays.sort(sorted);
            result.put("p50Ms", sorted[sorted.length / 2] / 1e6);
            result.put("p99Ms", sorted[(int) Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)] / 1e6);
            result.put("maxMs", sorted[sorted.length - 1] / 1e6);
        }
        result.put("loadCpuSeconds", cpuSeconds);
        System.out.println(Worker.RESULT_PREFIX + JSON.writeValueAsString(result));
        System.out.flush();
        System.exit(failure.get() == null ? 0 : 1);
    }

    /** Contact ids of the measured requests start here; the warm-up's count up from 1. */
    private static final long MEASURED_IDS = 1_000_000_000L;

    /** The measured part: contact ids {@code first..last}, their prepared requests, and where their latencies go. */
    private record Measured(long first, long last, long[] latencies, byte[][] prepared) {
    }

    /**
     * Sends one request per contact id taken from {@code next} over all clients at once: while {@code more} holds
     * (warm-up), or up to {@code measured.last} (measured). Returns how many were accepted.
     */
    private static int send(List<Client> clients, Requests requests, AtomicLong next, BooleanSupplier more, Measured measured,
            AtomicReference<String> failure) throws InterruptedException {
        AtomicInteger accepted = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        for (Client client : clients) {
            Thread thread = new Thread(() -> {
                while (failure.get() == null && (measured != null || more.getAsBoolean())) {
                    long id = next.getAndIncrement();
                    if (measured != null && id > measured.last()) break;
                    try {
                        byte[] request = measured != null ? measured.prepared()[(int) (id - measured.first())] : requests.forContact(id);
                        long sent = System.nanoTime();
                        Answer answer = client.post(request);
                        if (measured != null) {
                            measured.latencies()[(int) (id - measured.first())] = System.nanoTime() - sent;
                        }
                        if (answer.status() == 200 && answer.body().contains("\"accepted\":1")) {
                            accepted.incrementAndGet();
                        } else {
                            failure.compareAndSet(null, "request " + id + " answered " + answer.status() + " " + answer.body());
                        }
                    } catch (IOException | RuntimeException e) {
                        failure.compareAndSet(null, "request " + id + " failed: " + e);
                    }
                }
            }, "load-" + threads.size());
            thread.start();
            threads.add(thread);
        }
        for (Thread thread : threads) {
            thread.join();
        }
        return accepted.get();
    }

    /** Builds and signs the request for one contact id; one {@link Mac} per thread. */
    private static final class Requests {
        private final String head;
        private final byte[] secret;
        private final long webhookId;
        private final ThreadLocal<Mac> macs;

        Requests(String host, int port, String path, byte[] secret, long webhookId) {
            this.head = "POST " + path + " HTTP/1.1\r\nHost: " + host + ":" + port + "\r\nContent-Type: application/json\r\n";
            this.secret = secret;
            this.webhookId = webhookId;
            this.macs = ThreadLocal.withInitial(() -> {
                try {
                    Mac mac = Mac.getInstance("HmacSHA256");
                    mac.init(new SecretKeySpec(this.secret, "HmacSHA256"));
                    return mac;
                } catch (java.security.GeneralSecurityException e) {
                    throw new IllegalStateException(e);
                }
            });
        }

        byte[] forContact(long i) {
            String body = "{\"data\":{\"id\":" + i + ",\"etag\":\"\\\"" + Long.toHexString(i * 31) + "\\\"\",\"name\":\"Contact " + i
                    + "\",\"first_name\":\"First" + i + "\",\"last_name\":\"Last" + i + "\",\"type\":\"Person\","
                    + "\"primary_email_address\":\"contact" + i + "@example.test\",\"updated_at\":\"2026-11-22T05:00:00Z\"},"
                    + "\"meta\":{\"event\":\"updated\",\"webhook_id\":" + webhookId + "}}";
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            String signature = HexFormat.of().formatHex(macs.get().doFinal(bytes));
            byte[] headBytes = (head + "X-Hook-Signature: " + signature + "\r\nContent-Length: " + bytes.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII);
            byte[] request = Arrays.copyOf(headBytes, headBytes.length + bytes.length);
            System.arraycopy(bytes, 0, request, headBytes.length, bytes.length);
            return request;
        }
    }

    private record Answer(int status, String body) {
    }

    /** One keep-alive HTTP/1.1 connection: writes a request, reads its answer (Content-Length or chunked). */
    private static final class Client implements AutoCloseable {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;

        Client(String host, int port) throws IOException {
            socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(60_000);
            socket.connect(new InetSocketAddress(host, port), 10_000);
            in = new BufferedInputStream(socket.getInputStream(), 8192);
            out = new BufferedOutputStream(socket.getOutputStream(), 8192);
        }

        Answer post(byte[] request) throws IOException {
            out.write(request);
            out.flush();
            String statusLine = line();
            String[] parts = statusLine.split(" ", 3);
            if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
                throw new IOException("not an HTTP answer: " + statusLine);
            }
            int status = Integer.parseInt(parts[1]);
            long length = -1;
            boolean chunked = false;
            boolean close = false;
            String header;
            while (!(header = line()).isEmpty()) {
                int colon = header.indexOf(':');
                if (colon < 0) continue;
                String name = header.substring(0, colon).trim().toLowerCase(Locale.ROOT);
                String value = header.substring(colon + 1).trim();
                switch (name) {
                    case "content-length" -> length = Long.parseLong(value);
                    case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
                    case "connection" -> close = value.equalsIgnoreCase("close");
                    default -> { }
                }
            }
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            if (chunked) {
                long size;
                while ((size = Long.parseLong(line().split(";", 2)[0].trim(), 16)) > 0) {
                    copy(body, size);
                    line();
                }
                while (!line().isEmpty()) {
                    // trailers
                }
            } else if (length > 0) {
                copy(body, length);
            }
            if (close) {
                throw new IOException("the server closed the keep-alive connection");
            }
            return new Answer(status, body.toString(StandardCharsets.UTF_8));
        }

        private void copy(ByteArrayOutputStream to, long size) throws IOException {
            byte[] buffer = new byte[(int) Math.min(size, 8192)];
            while (size > 0) {
                int read = in.read(buffer, 0, (int) Math.min(buffer.length, size));
                if (read < 0) throw new EOFException("answer cut short");
                to.write(buffer, 0, read);
                size -= read;
            }
        }

        private String line() throws IOException {
            StringBuilder line = new StringBuilder();
            int c;
            while ((c = in.read()) != '\n') {
                if (c < 0) throw new EOFException("connection closed mid-answer");
                if (c != '\r') line.append((char) c);
            }
            return line.toString();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
