package dev.junction.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Scenario 5's load generator, a JVM of its own so that the receiving process's CPU is measured alone: posts
 * pre-signed webhooks to one URL over {@code concurrency} keep-alive HTTP/1.1 connections on plain sockets (one
 * blocking thread per connection, each sending its next request once the previous answer is read).
 *
 * <p>Arguments: {@code host port path file concurrency warmup}. {@code file} holds one request per line,
 * {@code <signature> <body>}, signed before this process starts. The first {@code warmup} requests are sent (at the
 * same concurrency) before the clock starts; then it prints {@code START}, sends the rest, prints {@code END}, and
 * finally {@code RESULT {json}} with the measured requests' latencies (send to the end of the 2xx answer), the
 * count accepted ({@code "accepted":1} in a 200) and this process's CPU. Any other answer fails the run.
 */
public final class WebhookLoad {

    private static final ObjectMapper JSON = new ObjectMapper();

    private WebhookLoad() {
    }

    public static void main(String[] args) throws Exception {
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        String path = args[2];
        List<byte[]> requests = new ArrayList<>();
        try (BufferedReader lines = Files.newBufferedReader(Path.of(args[3]), StandardCharsets.UTF_8)) {
            String line;
            while ((line = lines.readLine()) != null) {
                int space = line.indexOf(' ');
                byte[] body = line.substring(space + 1).getBytes(StandardCharsets.UTF_8);
                String head = "POST " + path + " HTTP/1.1\r\nHost: " + host + ":" + port + "\r\nContent-Type: application/json\r\n"
                        + "X-Hook-Signature: " + line.substring(0, space) + "\r\nContent-Length: " + body.length + "\r\n\r\n";
                byte[] headBytes = head.getBytes(StandardCharsets.US_ASCII);
                byte[] request = Arrays.copyOf(headBytes, headBytes.length + body.length);
                System.arraycopy(body, 0, request, headBytes.length, body.length);
                requests.add(request);
            }
        }
        int concurrency = Integer.parseInt(args[4]);
        int warmup = Math.min(Integer.parseInt(args[5]), requests.size());
        List<Client> clients = new ArrayList<>();
        for (int i = 0; i < concurrency; i++) {
            clients.add(new Client(host, port));
        }
        long[] latencies = new long[requests.size()];
        AtomicReference<String> failure = new AtomicReference<>();
        send(clients, requests, 0, warmup, latencies, failure);
        long cpuBefore = Worker.cpuNanos();
        System.out.println("START");
        System.out.flush();
        long started = System.nanoTime();
        int accepted = send(clients, requests, warmup, requests.size(), latencies, failure);
        double seconds = (System.nanoTime() - started) / 1e9;
        System.out.println("END");
        System.out.flush();
        double cpuSeconds = (Worker.cpuNanos() - cpuBefore) / 1e9;
        for (Client client : clients) {
            client.close();
        }
        int measured = requests.size() - warmup;
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("webhooks", measured);
        result.put("accepted", accepted);
        result.put("failure", failure.get());
        result.put("seconds", seconds);
        if (measured > 0) {
            long[] sorted = Arrays.copyOfRange(latencies, warmup, requests.size());
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

    /** Sends requests {@code from} to {@code to} over all clients at once; returns how many were accepted. */
    private static int send(List<Client> clients, List<byte[]> requests, int from, int to, long[] latencies,
            AtomicReference<String> failure) throws InterruptedException {
        AtomicInteger next = new AtomicInteger(from);
        AtomicInteger accepted = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        for (Client client : clients) {
            Thread thread = new Thread(() -> {
                int i;
                while (failure.get() == null && (i = next.getAndIncrement()) < to) {
                    try {
                        long sent = System.nanoTime();
                        Answer answer = client.post(requests.get(i));
                        latencies[i] = System.nanoTime() - sent;
                        if (answer.status() == 200 && answer.body().contains("\"accepted\":1")) {
                            accepted.incrementAndGet();
                        } else {
                            failure.compareAndSet(null, "request " + i + " answered " + answer.status() + " " + answer.body());
                        }
                    } catch (IOException | RuntimeException e) {
                        failure.compareAndSet(null, "request " + i + " failed: " + e);
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
