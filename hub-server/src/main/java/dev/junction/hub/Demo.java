package dev.junction.hub;

import com.fasterxml.jackson.databind.JsonNode;
import dev.junction.core.HubBuilder;
import dev.junction.core.PluginJars;
import dev.junction.core.spi.AuthMethod;
import dev.junction.core.spi.EntityType;
import dev.junction.core.spi.Provider;
import dev.junction.core.spi.Setting;
import dev.junction.sandbox.Sandbox;
import dev.junction.sandbox.SandboxFactory;
import dev.junction.sandbox.SandboxOptions;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code demo}: starts every installed provider's sandbox, serves the API, creates the tenant {@code demo} with one
 * connection per sandbox (OAuth providers through the real authorization-code flow, a headless "browser" following
 * the authorize URL to this server's callback), runs the initial full syncs over the REST API with a live progress
 * line, prints a summary and {@code curl} commands with the tenant's new API key, and leaves the server running.
 *
 * <p>Everything goes through the HTTP API, as a user's application would; sandboxes allow 50 requests per 5 s, and
 * the hub is given the same budget, so the rate limiter is visible without making the demo slow.
 */
final class Demo {

    static final String TENANT = "demo";
    private static final Duration PROGRESS_EVERY = Duration.ofMillis(250);
    private static final Duration PLAIN_PROGRESS_EVERY = Duration.ofSeconds(2);
    /** Values for required provider-wide settings the operator did not give, other than an OAuth client. */
    private static final Map<String, String> DEMO_PROVIDER_SETTINGS = Map.of("user_agent", "Junction demo (demo@example.com)");

    private final ServerConfig config;
    private final PrintStream out;
    private final boolean terminal;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final HttpClient browser = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).build();
    private final List<Sandbox> sandboxes = new ArrayList<>();
    private HubServer server;

    private Demo(ServerConfig config, PrintStream out, boolean terminal) {
        this.config = config;
        this.out = out;
        this.terminal = terminal;
    }

    /**
     * A running demo: the server, the sandboxes it syncs from, and per provider the demo connection's id; {@code
     * succeeded} says whether every connection became active and every initial sync succeeded with exactly the
     * sandbox's record counts ({@code expected}: per provider and entity, read from the sandbox before the sync, since
     * a queue-style feed empties as it is synced). Closing stops the server and the sandboxes.
     */
    record Running(HubServer server, List<Sandbox> sandboxes, Map<String, String> connections,
            Map<String, Map<String, Long>> expected, boolean succeeded) implements AutoCloseable {
        Running {
            sandboxes = List.copyOf(sandboxes);
            connections = Map.copyOf(connections);
            expected = Map.copyOf(expected);
        }

        @Override
        public void close() {
            server.close();
            sandboxes.forEach(Sandbox::close);
        }
    }

    /** Runs the demo and returns it running (the caller keeps it up, or closes it); progress for a plain stream. */
    static Running run(ServerConfig config, PrintStream out) {
        return run(config, out, false);
    }

    /**
     * Runs the demo; {@code terminal} rewrites one progress line in place ({@code \r}), otherwise a progress line is
     * printed every few seconds, so a log file stays readable.
     */
    static Running run(ServerConfig config, PrintStream out, boolean terminal) {
        return new Demo(config, out, terminal).start();
    }

    private Running start() {
        long started = System.nanoTime();
        PluginJars plugins = HubServer.loadPlugins(config);
        Map<String, Provider> installed = new LinkedHashMap<>(HubBuilder.installedProviders());
        installed.putAll(plugins.providers());
        List<SandboxFactory> factories = new ArrayList<>(SandboxFactory.installed());
        factories.addAll(plugins.services(SandboxFactory.class));
        Map<String, String> clientIds = new LinkedHashMap<>();
        // The demo runs its initial syncs itself; scheduled syncs would contend with them unless asked for.
        ServerConfig withSettings = config.get("scheduler.enabled").isPresent() ? config : config.with("scheduler.enabled", "false");
        for (Provider provider : installed.values()) {
            Map<String, String> configured = config.providerSettings(provider.id());
            boolean oauth = provider.authMethod() instanceof AuthMethod.OAuth2;
            if (oauth) {
                // The sandbox is the authorization server, so the demo makes the OAuth client both sides know.
                String clientId = "junction-demo-" + provider.id();
                String secret = randomHex();
                clientIds.put(provider.id(), clientId + "\n" + secret);
                withSettings = withSettings.with("provider." + provider.id() + ".client_id", clientId)
                        .with("provider." + provider.id() + ".client_secret", secret);
            }
            for (Setting setting : provider.settings()) {
                if (setting.scope() != Setting.Scope.PROVIDER || !setting.required() || configured.containsKey(setting.name())
                        || (oauth && (setting.name().equals("client_id") || setting.name().equals("client_secret")))) {
                    continue;
                }
                withSettings = withSettings.with("provider." + provider.id() + "." + setting.name(),
                        DEMO_PROVIDER_SETTINGS.getOrDefault(setting.name(), "demo"));
            }
        }
        out.println("Junction demo: every installed provider's sandbox, synced through the hub-server REST API");
        if (!plugins.plugins().isEmpty() || !plugins.skipped().isEmpty()) {
            plugins.plugins().forEach(plugin -> out.printf(Locale.ROOT, "  plug-in         %s: %s%n", plugin.jar().getFileName(), plugin.providers().keySet()));
            plugins.skipped().forEach(skipped -> out.printf(Locale.ROOT, "  plug-in         %s skipped: %s%n", skipped.jar().getFileName(), skipped.reason()));
        }
        server = HubServer.start(withSettings, out, builder -> {
            for (SandboxFactory factory : factories) {
                Provider provider = installed.get(factory.providerId());
                if (provider != null) {
                    builder.withRateLimit(provider.id(), provider.rateLimitPolicy().withBudget(50, Duration.ofSeconds(5)));
                }
            }
            return builder;
        }, plugins);
        String base = server.localUrl();
        String callback = server.publicUrl() + "/v1/oauth/callback";
        try {
            out.printf(Locale.ROOT, "  server          %s (%s database; API docs at %s/docs)%n", server.publicUrl(),
                    config.databaseUrl().isPresent() ? "PostgreSQL" : "embedded " + config.dataDirectory().toAbsolutePath(), server.publicUrl());
            Map<String, Map<String, Long>> expected = new LinkedHashMap<>();
            for (SandboxFactory factory : factories) {
                Provider provider = installed.get(factory.providerId());
                if (provider == null) {
                    out.println("  skipping the " + factory.providerId() + " sandbox: its provider is not installed");
                    continue;
                }
                SandboxOptions options = SandboxOptions.defaults()
                        .withSetting("rate-limit.limit", "50").withSetting("rate-limit.window-seconds", "5");
                for (EntityType entity : provider.entityTypes()) {
                    options = options.withSetting("records." + entity.name(), Long.toString(count(entity.name())));
                }
                String client = clientIds.get(factory.providerId());
                if (client != null) {
                    options = options.withSetting("oauth.client-id", client.split("\n")[0])
                            .withSetting("oauth.client-secret", client.split("\n")[1])
                            .withSetting("oauth.redirect-uri", callback);
                }
                Sandbox sandbox = factory.start(options);
                sandboxes.add(sandbox);
                Map<String, Long> counts = new LinkedHashMap<>();
                Map<String, Long> held = sandbox.recordCounts();
                provider.entityTypes().forEach(entity -> {
                    if (held.containsKey(entity.name())) {
                        counts.put(entity.name(), held.get(entity.name()));
                    }
                });
                expected.put(provider.id(), counts);
                long total = counts.values().stream().mapToLong(Long::longValue).sum();
                out.printf(Locale.ROOT, "  %-15s %s sandbox at %s with %s records; 50 requests per 5 s%n", provider.id(),
                        provider.displayName(), sandbox.baseUrl(), counts.isEmpty() ? "an unknown number of" : String.format(Locale.ROOT, "%,d", total));
            }

            String key = demoTenant(base);
            out.println();
            out.println("Connecting tenant '" + TENANT + "'");
            Map<String, String> connections = new LinkedHashMap<>();
            boolean succeeded = true;
            for (Sandbox sandbox : sandboxes) {
                String id = connect(base, key, installed.get(sandbox.providerId()), sandbox);
                connections.put(sandbox.providerId(), id);
                succeeded &= call("GET", base + "/v1/connections/" + id, key, null, 200).get("status").asText().equals("ACTIVE");
            }

            out.println();
            out.println("Initial full syncs (records, records/s, ETA against the sandbox's record count)");
            Map<String, JsonNode> runs = new LinkedHashMap<>();
            for (Map.Entry<String, String> connection : connections.entrySet()) {
                long total = expected.getOrDefault(connection.getKey(), Map.of()).values().stream().mapToLong(Long::longValue).sum();
                runs.put(connection.getKey(), sync(base, key, connection.getKey(), connection.getValue(), total));
            }

            out.println();
            out.printf(Locale.ROOT, "  %-10s %-24s %-10s %6s %8s %8s %7s %8s%n", "provider", "entity", "status", "pages", "added",
                    "expected", "failed", "waited");
            long records = 0;
            for (Map.Entry<String, JsonNode> run : runs.entrySet()) {
                Map<String, Long> counts = expected.getOrDefault(run.getKey(), Map.of());
                succeeded &= run.getValue().get("status").asText().equals("SUCCEEDED");
                for (JsonNode entity : run.getValue().get("entities")) {
                    String name = entity.get("entity").asText();
                    long added = entity.get("added").asLong();
                    Long want = counts.get(name);
                    boolean exact = want == null || want == added;
                    succeeded &= exact && entity.get("status").asText().equals("SUCCEEDED");
                    out.printf(Locale.ROOT, "  %-10s %-24s %-10s %6d %,8d %8s %,7d %6.1f s%s%n", run.getKey(), name,
                            entity.get("status").asText(), entity.get("pages").asLong(), added,
                            want == null ? "?" : String.format(Locale.ROOT, "%,d", want), entity.get("failed").asLong(),
                            entity.get("rate_limit_wait_seconds").asDouble(), exact ? "" : "   <- differs from the sandbox");
                }
                records += run.getValue().get("records").asLong();
            }
            out.printf(Locale.ROOT, "  %,d records synced from %d provider(s) (%s); demo ready in %.1f s%n", records, runs.size(),
                    succeeded ? "every count matches its sandbox" : "SOME SYNCS FAILED OR DIFFER", (System.nanoTime() - started) / 1e9);

            printCurl(base, key, connections);
            return new Running(server, sandboxes, connections, expected, succeeded);
        } catch (RuntimeException e) {
            sandboxes.forEach(Sandbox::close);
            server.close();
            throw e;
        }
    }

    private void printCurl(String base, String key, Map<String, String> connections) {
        String url = server.publicUrl();
        String auth = "curl -s -H \"Authorization: Bearer $JUNCTION_KEY\" ";
        out.println();
        out.println("Try it (the key is shown once; the admin key is in " + config.dataDirectory().resolve("admin.key") + " unless configured):");
        out.println("  export JUNCTION_KEY=" + key);
        out.println("  " + auth + url + "/v1/providers");
        out.println("  " + auth + url + "/v1/connections");
        out.println("  " + auth + "'" + url + "/v1/records/contact?limit=5'");
        out.println("  " + auth + "'" + url + "/v1/records/contact?q=garcia'");
        for (Map.Entry<String, String> connection : connections.entrySet()) {
            JsonNode items = call("GET", base + "/v1/records/contact?limit=1&connection_id=" + connection.getValue(), key, null, 200).get("items");
            if (!items.isEmpty()) {
                JsonNode contact = items.get(0);
                out.println("  " + auth + url + "/v1/connections/" + connection.getValue() + "/records/contact/" + contact.get("external_id").asText()
                        + "    # " + connection.getKey());
                out.println("  " + auth + url + "/v1/connections/" + connection.getValue() + "/raw/" + contact.get("entity").asText() + "/"
                        + contact.get("external_id").asText());
                break;
            }
        }
        out.println("  " + auth + "'" + url + "/v1/changes?limit=5'");
        connections.forEach((provider, id) -> out.println("  " + auth + "-X POST " + url + "/v1/connections/" + id
                + "/syncs -d '{\"mode\":\"full\"}'    # " + provider));
        out.println("  open " + url + "/docs");
        out.println();
    }

    private long count(String entity) {
        long contacts = config.demoContacts();
        return switch (entity) {
            case "contacts", "patients", "customers", "tags" -> contacts;
            case "users" -> 20;
            case "agents", "practitioners" -> 8;
            case "custom_fields" -> 6;
            case "businesses", "inboxes" -> 2;
            case "appointment_types", "products" -> 5;
            case "matters", "calendar_entries", "jobs", "conversations" -> Math.max(1, contacts * 2 / 5);
            case "tasks", "individual_appointments" -> Math.max(1, contacts * 3 / 5);
            case "activities" -> Math.max(1, contacts * 4 / 5);
            default -> Math.max(1, contacts / 5);
        };
    }

    private String demoTenant(String base) {
        String admin = server.adminKey();
        JsonNode created = call("POST", base + "/v1/tenants", admin, "{\"id\":\"" + TENANT + "\",\"name\":\"Demo tenant\"}", 201, 409);
        String key = call("POST", base + "/v1/tenants/" + TENANT + "/api-keys", admin, "{\"name\":\"demo\"}", 201).get("key").asText();
        if (created.get("status") != null && created.get("status").asInt() == 409) {
            for (JsonNode old : call("GET", base + "/v1/connections", key, null, 200).get("items")) {
                call("DELETE", base + "/v1/connections/" + old.get("id").asText(), key, null, 204);
                out.println("  removed the earlier demo's connection " + old.get("id").asText() + " (its sandbox is gone)");
            }
        }
        return key;
    }

    private String connect(String base, String key, Provider provider, Sandbox sandbox) {
        Map<String, String> settings = new LinkedHashMap<>();
        Map<String, String> properties = sandbox.connectionProperties();
        for (Setting setting : provider.settings()) {
            if (setting.scope() != Setting.Scope.CONNECTION) {
                continue;
            }
            if (setting.name().equals("base_url")) {
                settings.put("base_url", sandbox.baseUrl());
            } else if (properties.containsKey(setting.name())) {
                settings.put(setting.name(), properties.get(setting.name()));
            } else if (setting.name().equals("region")) {
                settings.put("region", "us");
            }
        }
        String body = JsonSupport.MAPPER.createObjectNode().put("provider", provider.id())
                .put("display_name", provider.displayName() + " sandbox")
                .set("settings", JsonSupport.MAPPER.valueToTree(settings)).toString();
        JsonNode connection = call("POST", base + "/v1/connections", key, body, 201);
        String id = connection.get("id").asText();
        if (provider.authMethod() instanceof AuthMethod.OAuth2) {
            JsonNode start = call("POST", base + "/v1/connections/" + id + "/oauth/start", key, null, 200);
            String authorizeUrl = start.get("authorize_url").asText();
            out.printf(Locale.ROOT, "  %-15s authorize URL %s…%n", provider.id(), authorizeUrl.substring(0, Math.min(90, authorizeUrl.length())));
            try {
                HttpResponse<String> page = browser.send(HttpRequest.newBuilder(URI.create(authorizeUrl)).timeout(Duration.ofSeconds(30)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (page.statusCode() != 200 || !page.uri().getPath().equals("/v1/oauth/callback")) {
                    throw new IllegalStateException("OAuth with the " + provider.id() + " sandbox failed: " + page.statusCode() + " " + page.body());
                }
            } catch (IOException e) {
                throw new IllegalStateException("OAuth with the " + provider.id() + " sandbox failed: " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        JsonNode after = call("GET", base + "/v1/connections/" + id, key, null, 200);
        out.printf(Locale.ROOT, "  %-15s connection %s is %s%n", provider.id(), id, after.get("status").asText());
        return id;
    }

    private JsonNode sync(String base, String key, String providerId, String connectionId, long total) {
        String runId = call("POST", base + "/v1/connections/" + connectionId + "/syncs", key, "{\"mode\":\"full\"}", 202)
                .get("run_id").asText();
        JsonNode run;
        long lastPlain = System.nanoTime(); // plain output: the first line after 2 s, so a quick sync prints only its result
        int width = 0;
        while (true) {
            run = call("GET", base + "/v1/syncs/" + runId, key, null, 200);
            String status = run.get("status").asText();
            if (!status.equals("RUNNING") && !status.equals("PENDING")) {
                break;
            }
            JsonNode progress = run.get("progress");
            if (progress != null && !progress.isNull()) {
                String line = progressLine(providerId, progress, total);
                if (terminal) {
                    out.print("\r" + line + " ".repeat(Math.max(0, width - line.length())));
                    width = line.length();
                    out.flush();
                } else if (System.nanoTime() - lastPlain >= PLAIN_PROGRESS_EVERY.toNanos()) {
                    out.println(line);
                    lastPlain = System.nanoTime();
                }
            }
            try {
                Thread.sleep(PROGRESS_EVERY.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        String done = String.format(Locale.ROOT, "  %-10s full sync %s: %,d records", providerId, run.get("status").asText(),
                run.get("records").asLong());
        if (!run.get("error").isNull()) {
            done += " (" + run.get("error").asText() + ")";
        }
        out.println((terminal ? "\r" : "") + done + " ".repeat(Math.max(0, width - done.length())));
        return run;
    }

    /** {@code [  2.0 s] cliniko  patients            1,234/5,000 records    812/s  ETA 4.6 s}: fits 80 columns. */
    static String progressLine(String providerId, JsonNode progress, long total) {
        long records = progress.get("records").asLong();
        double rate = progress.get("records_per_second").asDouble();
        String eta = total > 0 && rate > 0 && records < total
                ? String.format(Locale.ROOT, "  ETA %.1f s", (total - records) / rate) : "";
        JsonNode entity = progress.get("current_entity");
        return String.format(Locale.ROOT, "  [%5.1f s] %-8s %-17s %,6d%s records %,5.0f/s%s",
                progress.get("elapsed_seconds").asDouble(), providerId, entity == null || entity.isNull() ? "" : entity.asText(),
                records, total > 0 ? String.format(Locale.ROOT, "/%,d", total) : "", rate, eta);
    }

    private JsonNode call(String method, String url, String key, String body, int... expected) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + key)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            for (int status : expected) {
                if (response.statusCode() == status) {
                    return response.body().isEmpty() ? JsonSupport.MAPPER.createObjectNode() : JsonSupport.MAPPER.readTree(response.body());
                }
            }
            throw new IllegalStateException(method + " " + url + " answered " + response.statusCode() + ": " + response.body());
        } catch (IOException e) {
            throw new IllegalStateException(method + " " + url + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String randomHex() {
        byte[] bytes = new byte[16];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
