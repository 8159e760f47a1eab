package dev.junction.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.junction.provider.clio.sandbox.ClioEntity;
import dev.junction.provider.clio.sandbox.ClioSandbox;
import dev.junction.sandbox.OAuthTokens;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The Clio sandbox in a JVM of its own, standing in for Clio's servers in scenario 1: the measuring JVM then holds
 * only what it measures (its heap, RSS and CPU are Junction's or the reference's alone). With {@code --keep-pages
 * true} the sandbox renders every list page once, before the clock starts (the same query the connector sends), and
 * serves the rendered bytes during the run: generating rich records costs more CPU than the client's whole work on
 * them, and a real provider's servers do that work on their own machines. The cores are still shared: serving,
 * parsing and writing all run on the same two.
 *
 * <p>As a child: prints {@code SANDBOX {json}} (its addresses, OAuth client and a token pair), then {@code READY}
 * once warm; then answers {@code requests} and {@code change N} (N random contacts changed) on its standard input, and
 * stops when that closes. It must print nothing else after {@code READY}: nobody drains its output meanwhile.
 */
final class SandboxProcess implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** What a client needs to reach the sandbox. */
    record Endpoint(String baseUrl, String apiBaseUrl, String clientId, String clientSecret, String accessToken,
            String refreshToken) {}

    private final Process process;
    private final Endpoint endpoint;
    private final BufferedReader out;
    private final java.io.PrintStream in;

    private SandboxProcess(Process process, Endpoint endpoint, BufferedReader out) {
        this.process = process;
        this.endpoint = endpoint;
        this.out = out;
        this.in = new java.io.PrintStream(process.getOutputStream(), true, StandardCharsets.UTF_8);
    }

    /** How many requests the sandbox has answered so far (its warm-up included). */
    synchronized long requests() throws IOException {
        return Long.parseLong(ask("requests", "REQUESTS "));
    }

    /** Changes {@code count} random contacts, as users of the provider would. */
    synchronized void change(int count) throws IOException {
        ask("change " + count, "CHANGED ");
    }

    private String ask(String command, String answerPrefix) throws IOException {
        in.println(command);
        String line;
        while ((line = out.readLine()) != null) {
            if (line.startsWith(answerPrefix)) return line.substring(answerPrefix.length()).trim();
        }
        throw new IOException("the sandbox process ended before answering '" + command + "'");
    }

    /** The process's CPU time so far (user and system), in seconds; NaN where the platform does not say. */
    double cpuSeconds() {
        return process.toHandle().info().totalCpuDuration().map(cpu -> cpu.toNanos() / 1e9).orElse(Double.NaN);
    }

    Endpoint endpoint() {
        return endpoint;
    }

    /** Starts the child JVM and waits until it is warm. */
    static SandboxProcess start(long contacts, boolean keepPages) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + Math.max(512, 256 + contacts * 3 / 1000) + "m", "-cp", System.getProperty("java.class.path"),
                SandboxProcess.class.getName(), Long.toString(contacts), Boolean.toString(keepPages)));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        Endpoint endpoint = null;
        String line;
        long started = System.nanoTime();
        while ((line = out.readLine()) != null) {
            if (line.startsWith("SANDBOX ")) {
                endpoint = JSON.readValue(line.substring("SANDBOX ".length()), Endpoint.class);
            } else if (line.equals("READY")) {
                break;
            }
        }
        if (endpoint == null || line == null) {
            process.destroyForcibly();
            throw new IOException("the sandbox process ended before it was ready (exit " + process.waitFor() + ")");
        }
        System.out.printf(java.util.Locale.ROOT, "    sandbox process ready in %.1f s (pages kept: %s)%n",
                (System.nanoTime() - started) / 1e9, keepPages);
        return new SandboxProcess(process, endpoint, out);
    }

    @Override
    public void close() throws IOException, InterruptedException {
        in.close();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }

    public static void main(String[] args) throws Exception {
        dev.junction.hub.HubServer.preferNoDelay(); // as the measuring JVM does (see Worker.main)
        long contacts = Long.parseLong(args[0]);
        boolean keepPages = Boolean.parseBoolean(args[1]);
        try (ClioSandbox clio = ClioSandbox.builder().withRecordCount(ClioEntity.CONTACTS, contacts)
                .withRateLimit(Integer.MAX_VALUE, Duration.ofSeconds(1)).withListPageCache(keepPages).start()) {
            OAuthTokens tokens = clio.issueTokens(1);
            Map<String, String> endpoint = new LinkedHashMap<>();
            endpoint.put("baseUrl", clio.baseUrl());
            endpoint.put("apiBaseUrl", clio.apiBaseUrl());
            endpoint.put("clientId", clio.oauthClient().clientId());
            endpoint.put("clientSecret", clio.oauthClient().clientSecret());
            endpoint.put("accessToken", tokens.accessToken());
            endpoint.put("refreshToken", tokens.refreshToken());
            System.out.println("SANDBOX " + JSON.writeValueAsString(endpoint));
            if (keepPages) {
                long[] seen = {0};
                Worker.fetchAll(clio.apiBaseUrl(), tokens.accessToken(), (JsonNode item) -> seen[0]++);
                if (seen[0] != contacts) {
                    throw new IllegalStateException("warm-up listed " + seen[0] + " of " + contacts + " contacts");
                }
            }
            System.out.println("READY");
            System.out.flush();
            // Serve, and answer the parent's commands, until it closes our standard input.
            BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String command;
            while ((command = commands.readLine()) != null) {
                if (command.equals("requests")) {
                    System.out.println("REQUESTS " + clio.requestLog().totalCount());
                } else if (command.startsWith("change ")) {
                    int count = Integer.parseInt(command.substring("change ".length()).trim());
                    clio.updateRandom(ClioEntity.CONTACTS, count);
                    System.out.println("CHANGED " + count);
                }
                System.out.flush();
            }
        }
    }
}
