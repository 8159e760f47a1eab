package dev.junction.hub;

import com.fasterxml.jackson.databind.JsonNode;
import dev.junction.core.HubBuilder;
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

    private final ServerConfig config;
    private final PrintStream out;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final HttpClient browser = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).build();
    private final List<Sandbox> sandboxes = new ArrayList<>();
    private HubServer server;

    private Demo(ServerConfig config, PrintStream out) {
        this.config = config;
        this.out = out;
    }

    /** A running demo: the server and the sandboxes it syncs from. Closing stops both. */
    record Running(HubServer server, List<Sandbox> sandboxes) implements AutoCloseable {
        Running {
            sandboxes = List.copyOf(sandboxes);
        }

        @Override
        public void close() {
            server.close();
            sandboxes.forEach(Sandbox::close);
        }
    }

    /** Runs the demo and returns it running (the caller keeps it up, or closes it). */
    static Running run(ServerConfig config, PrintStream out) {
        return new Demo(config, out).start();
    }

    private Running start() {
        long started = System.nanoTime();
        List<SandboxFactory> factories = SandboxFactory.installed();
        Map<String, Provider> installed = HubBuilder.installedProviders();
        Map<String, String> clientIds = new LinkedHashMap<>();
        // The demo runs its initial syncs itself; scheduled syncs would contend with them unless asked for.
        ServerConfig withClients = config.get("scheduler.enabled").isPresent() ? config : config.with("scheduler.enabled", "false");
        for (SandboxFactory factory : factories) {
            Provider provider = installed.get(factory.providerId());
            if (provider != null && provider.authMethod() instanceof AuthMethod.OAuth2) {
                String clientId = "junction-demo-" + factory.providerId();
                String secret = randomHex();
                clientIds.put(factory.providerId(), clientId + "\n" + secret);
                withClients = withClients.with("provider." + provider.id() + ".client_id", clientId)
                        .with("provider." + provider.id() + ".client_secret", secret);
            }
        }
        out.println("Junction demo: every installed provider's sandbox, synced through the hub-server REST API");
        server = HubServer.start(withClients, out, builder -> {
            for (SandboxFactory factory : factories) {
                Provider provider = installed.get(factory.providerId());
                if (provider != null) {
                    builder.withRateLimit(provider.id(), provider.rateLimitPolicy().withBudget(50, Duration.ofSeconds(5)));
                }
            }
            return builder;
        });
        String base = server.localUrl();
        String callback = server.publicUrl() + "/v1/oauth/callback";
        try {
            out.printf(Locale.ROOT, "  server          %s (%s database; API docs at %s/docs)%n", server.publicUrl(),
                    config.databaseUrl().isPresent() ? "PostgreSQL" : "embedded " + config.dataDirectory().toAbsolutePath(), server.publicUrl());
            Map<String, Long> totals = new LinkedHashMap<>();
            for (SandboxFactory factory : factories) {
                Provider provider = installed.get(factory.providerId());
                if (provider == null) {
                    out.println("  skipping the " + factory.providerId() + " sandbox: its provider is not installed");
                    continue;
                }
                SandboxOptions options = SandboxOptions.defaults()
                        .withSetting("rate-limit.limit", "50").withSetting("rate-limit.window-seconds", "5");
                long total = 0;
                for (EntityType entity : provider.entityTypes()) {
                    long count = count(entity.name());
                    options = options.withSetting("records." + entity.name(), Long.toString(count));
                    total += count;
                }
                String client = clientIds.get(factory.providerId());
                if (client != null) {
                    options = options.withSetting("oauth.client-id", client.split("\n")[0])
                            .withSetting("oauth.client-secret", client.split("\n")[1])
                            .withSetting("oauth.redirect-uri", callback);
                }
                Sandbox sandbox = factory.start(options);
                sandboxes.add(sandbox);
                totals.put(provider.id(), total);
                out.printf(Locale.ROOT, "  %-15s %s sandbox at %s with %,d records; 50 requests per 5 s%n", provider.id(),
                        provider.displayName(), sandbox.baseUrl(), total);
            }

            String key = demoTenant(base);
            out.println();
            out.println("Connecting tenant '" + TENANT + "'");
            Map<String, String> connections = new LinkedHashMap<>();
            for (Sandbox sandbox : sandboxes) {
                connections.put(sandbox.providerId(), connect(base, key, installed.get(sandbox.providerId()), sandbox));
            }

            out.println();
            out.println("Initial full syncs");
            List<JsonNode> runs = new ArrayList<>();
            for (Map.Entry<String, String> connection : connections.entrySet()) {
                runs.add(sync(base, key, connection.getKey(), connection.getValue(), totals.getOrDefault(connection.getKey(), 0L)));
            }

            out.println();
            out.printf(Locale.ROOT, "  %-10s %-18s %-10s %6s %8s %8s %8s%n", "provider", "entity", "status", "pages", "added", "failed", "waited");
            long records = 0;
            for (int i = 0; i < runs.size(); i++) {
                String provider = new ArrayList<>(connections.keySet()).get(i);
                for (JsonNode entity : runs.get(i).get("entities")) {
                    out.printf(Locale.ROOT, "  %-10s %-18s %-10s %6d %,8d %,8d %6.1f s%n", provider, entity.get("entity").asText(),
                            entity.get("status").asText(), entity.get("pages").asLong(), entity.get("added").asLong(),
                            entity.get("failed").asLong(), entity.get("rate_limit_wait_seconds").asDouble());
                }
                records += runs.get(i).get("records").asLong();
            }
            out.printf(Locale.ROOT, "  %,d records synced; demo ready in %.1f s%n", records, (System.nanoTime() - started) / 1e9);

            String contact = firstContact(base, key);
            String connectionId = connections.values().stream().findFirst().orElse("<connection id>");
            String url = server.publicUrl();
            out.println();
            out.println("Try it (the key is shown once; the admin key is in " + config.dataDirectory().resolve("admin.key") + " unless configured):");
            out.println("  export JUNCTION_KEY=" + key);
            out.println("  curl -s -H \"Authorization: Bearer $JUNCTION_KEY\" " + url + "/v1/connections");
            out.println("  curl -s -H \"Authorization: Bearer $JUNCTION_KEY\" '" + url + "/v1/records/contact?limit=5'");
            out.println("  curl -s -H \"Authorization: Bearer $JUNCTION_KEY\" '" + url + "/v1/records/contact?q=garcia'");
            if (contact != null) {
                out.println("  curl -s -H \"Authorization: Bearer $JUNCTION_KEY\" " + url + "/v1/connections/" + connectionId + "/records/contact/" + contact);
                out.println("  curl -s -H \"Authorization: Bearer $JUNCTION_KEY\" " + url + "/v1/connections/" + connectionId + "/raw/contacts/" + contact);
            }
            out.println("  curl -s -H \"Authorization: Bearer $JUNCTION_KEY\" '" + url + "/v1/changes?limit=5'");
            out.println("  curl -s -H \"Authorization: Bearer $JUNCTION_KEY\" -X POST " + url + "/v1/connections/" + connectionId
                    + "/syncs -d '{\"mode\":\"incremental\"}'");
            out.println("  open " + url + "/docs");
            out.println();
            out.println("Serving until stopped (Ctrl-C).");
            return new Running(server, sandboxes);
        } catch (RuntimeException e) {
            sandboxes.forEach(Sandbox::close);
            server.close();
            throw e;
        }
    }

    private long count(String entity) {
        long contacts = config.demoContacts();
        return switch (entity) {
            case "contacts" -> contacts;
            case "users" -> 20;
            case "custom_fields" -> 6;
            case "matters", "calendar_entries" -> Math.max(1, contacts * 2 / 5);
            case "tasks" -> Math.max(1, contacts * 3 / 5);
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
        while (true) {
            run = call("GET", base + "/v1/syncs/" + runId, key, null, 200);
            String status = run.get("status").asText();
            if (!status.equals("RUNNING") && !status.equals("PENDING")) {
                break;
            }
            JsonNode progress = run.get("progress");
            if (progress != null && !progress.isNull()) {
                long records = progress.get("records").asLong();
                double rate = progress.get("records_per_second").asDouble();
                String eta = total > 0 && rate > 0 && records < total
                        ? String.format(Locale.ROOT, "ETA %4.1f s", (total - records) / rate) : "";
                out.printf(Locale.ROOT, "\r  [%5.1f s] %-10s %-18s %,7d%s records %,7.0f records/s  %s   ",
                        progress.get("elapsed_seconds").asDouble(), providerId,
                        progress.get("current_entity").isNull() ? "" : progress.get("current_entity").asText(), records,
                        total > 0 ? String.format(Locale.ROOT, " / %,d", total) : "", rate, eta);
                out.flush();
            }
            try {
                Thread.sleep(PROGRESS_EVERY.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        out.printf(Locale.ROOT, "\r  %-10s full sync %s: %,d records%s%n", providerId, run.get("status").asText(),
                run.get("records").asLong(), " ".repeat(60));
        return run;
    }

    private String firstContact(String base, String key) {
        JsonNode items = call("GET", base + "/v1/records/contact?limit=1", key, null, 200).get("items");
        return items.isEmpty() ? null : items.get(0).get("external_id").asText();
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
