package dev.junction.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.junction.core.crypto.SecretCipher;
import dev.junction.core.spi.Credentials;
import dev.junction.provider.clio.sandbox.ClioEntity;
import dev.junction.sandbox.Fault;
import dev.junction.sandbox.OAuthTokens;
import dev.junction.testkit.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Observability over real HTTP: {@code GET /metrics} after a sync, a 429, a token refresh and a webhook against the
 * Clio sandbox (the series and how they changed), its optional key and its switch, and the logs of a sync, a webhook
 * and an action: every line carries the ids of what it is about, and none carries a token, key or secret.
 */
class ObservabilityTest extends HubServerTestBase {

    @BeforeAll
    static void start() {
        startServer(TestDatabase.Kind.EMBEDDED, "ObservabilityTest");
    }

    @AfterAll
    static void stop() {
        stopServer();
    }

    /** One sample line of the Prometheus text format. */
    record Sample(String name, Map<String, String> labels, double value) {}

    @Test
    void metricsShowSyncsRecordsRequestsWaitsRefreshesWebhooksFreshnessAndTheApiItself() throws Exception {
        String key = tenantWithKey("metrics-tenant");
        String connection = connectClio(key);
        List<Sample> before = scrape();

        // a full sync whose first request gets a 429 (Retry-After: 1 s), then one whose first request is refused 401
        clio.faults().next(1).respondWith(Fault.status(429, Duration.ofSeconds(1)));
        JsonNode run = syncAndWait(key, connection, "{\"mode\":\"full\",\"entities\":[\"contacts\"]}");
        assertThat(run.get("status").asText()).isEqualTo("SUCCEEDED");
        clio.faults().next(1).respondWith(Fault.expiredToken());
        assertThat(syncAndWait(key, connection, "{\"mode\":\"incremental\",\"entities\":[\"contacts\"]}").get("status").asText())
                .isEqualTo("SUCCEEDED");
        // and a webhook, received over HTTP and applied
        assertThat(api.post("/v1/connections/" + connection + "/webhooks/enable", key, null).status()).isEqualTo(200);
        awaitTrue("Clio enabled the webhooks", () -> api.get("/v1/connections/" + connection + "/webhooks", key).json()
                .get("items").findValuesAsText("status").stream().allMatch("enabled"::equals));
        long contactId = clio.liveIds(ClioEntity.CONTACTS).iterator().next();
        clio.updateRecord(ClioEntity.CONTACTS, contactId, JsonNodeFactory.instance.objectNode().put("first_name", "Metered"));
        awaitTrue("the webhook event applied", () -> {
            server.hub().processWebhooks(); // the background worker is off in tests
            return api.get("/v1/connections/" + connection + "/webhooks/inbox?status=processed", key).json().get("items").size() > 0;
        });

        ApiClient.Response response = api.get("/metrics", null);
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.header("Content-Type")).startsWith("text/plain; version=0.0.4");
        String text = new String(response.raw().body(), StandardCharsets.UTF_8);
        List<Sample> after = parse(text);
        Map<String, String> clioContacts = Map.of("provider", "clio", "entity", "contacts");

        assertThat(delta(before, after, "junction_syncs_total", with(clioContacts, "outcome", "succeeded"))).isEqualTo(2);
        assertThat(delta(before, after, "junction_sync_runs_total", Map.of("provider", "clio", "outcome", "succeeded"))).isEqualTo(2);
        assertThat(delta(before, after, "junction_sync_duration_seconds_count", with(clioContacts, "outcome", "succeeded"))).isEqualTo(2);
        assertThat(delta(before, after, "junction_records_total", with(clioContacts, "operation", "created")))
                .isEqualTo(clio.recordCount(ClioEntity.CONTACTS));
        assertThat(find(after, "junction_records_total", with(clioContacts, "operation", "unchanged")))
                .as("every operation is a series, zero included").hasSize(1);
        double pages = delta(before, after, "junction_sync_page_seconds_count", with(clioContacts, "stage", "write"));
        assertThat(pages).as("pages written, each timed").isPositive();
        for (String stage : List.of("fetch", "prepare", "wait")) {
            assertThat(delta(before, after, "junction_sync_page_seconds_count", with(clioContacts, "stage", stage))).as(stage).isEqualTo(pages);
        }
        assertThat(delta(before, after, "junction_sync_page_seconds_sum", with(clioContacts, "stage", "write"))).isPositive();
        assertThat(delta(before, after, "junction_sync_page_seconds_sum", with(clioContacts, "stage", "fetch")))
                .as("the fetch includes the 429's one-second Retry-After").isGreaterThan(0.5);
        assertThat(delta(before, after, "junction_provider_requests_seconds_count",
                Map.of("provider", "clio", "method", "GET", "status", "200"))).isGreaterThanOrEqualTo(2);
        assertThat(delta(before, after, "junction_provider_requests_seconds_count", Map.of("provider", "clio", "status", "429"))).isEqualTo(1);
        assertThat(delta(before, after, "junction_provider_requests_seconds_count", Map.of("provider", "clio", "status", "401"))).isEqualTo(1);
        assertThat(find(after, "junction_provider_requests_seconds_bucket", Map.of("provider", "clio", "status", "200", "le", "+Inf")))
                .as("a latency histogram").isNotEmpty();
        assertThat(delta(before, after, "junction_rate_limit_wait_seconds_count", Map.of("provider", "clio"))).isPositive();
        assertThat(delta(before, after, "junction_rate_limit_wait_seconds_sum", Map.of("provider", "clio"))).isGreaterThan(0.5);
        assertThat(delta(before, after, "junction_token_refreshes_total", Map.of("provider", "clio", "outcome", "refreshed"))).isEqualTo(1);
        assertThat(delta(before, after, "junction_webhook_events_total", Map.of("provider", "clio", "outcome", "accepted"))).isPositive();
        assertThat(delta(before, after, "junction_webhook_events_total", Map.of("provider", "clio", "outcome", "processed"))).isPositive();
        List<Sample> freshness = find(after, "junction_data_freshness_seconds",
                Map.of("tenant", "metrics-tenant", "connection", connection, "provider", "clio", "entity", "contacts"));
        assertThat(freshness).hasSize(1);
        assertThat(freshness.get(0).value()).isBetween(0.0, 600.0);
        assertThat(delta(before, after, "http_server_requests_seconds_count",
                Map.of("method", "POST", "uri", "/v1/connections/{connectionId}/syncs", "status", "202"))).isEqualTo(2);
        assertThat(find(after, "http_server_requests_seconds_count", Map.of("uri", "/v1/syncs/{runId}", "status", "200"))).isNotEmpty();
        for (String meter : List.of("jvm_memory_used_bytes", "jvm_threads_live_threads", "process_uptime_seconds",
                "process_cpu_usage", "jvm_gc_memory_allocated_bytes_total")) {
            assertThat(find(after, meter, Map.of())).as(meter).isNotEmpty();
        }
        // bounded labels: the connection id only on the freshness gauge, never a run id or a raw path
        assertThat(after).filteredOn(sample -> sample.labels().containsValue(connection))
                .allSatisfy(sample -> assertThat(sample.name()).isEqualTo("junction_data_freshness_seconds"));
        assertThat(text).doesNotContain(run.get("id").asText()).doesNotContain("/v1/syncs/" + run.get("id").asText());

        JsonNode operation = api.get("/openapi.json", null).json().get("paths").get("/metrics").get("get");
        assertThat(operation.get("responses").get("200").get("content").has("text/plain")).isTrue();
        assertThat(api.delete("/v1/connections/" + connection, key).status()).isEqualTo(204);
    }

    @Test
    void logsOfASyncAWebhookAndAnActionCarryTheirIdsAndNoSecret() throws Exception {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        Logger junction = context.getLogger("dev.junction");
        Level level = junction.getLevel();
        ListAppender<ILoggingEvent> captured = new ListAppender<>();
        captured.setContext(context);
        captured.start();
        junction.setLevel(Level.DEBUG); // the HTTP stack's request lines too
        root.addAppender(captured);
        Set<String> secrets = new LinkedHashSet<>(List.of(CLIENT_SECRET, ADMIN_KEY));
        String runId;
        String connection;
        try {
            String key = tenantWithKey("logging-tenant");
            secrets.add(key);
            connection = connectClio(key);
            // tokens the test knows: the access token is used, then rejected once, so the refresh token is used too
            OAuthTokens issued = clio.oauth().issueTokens(CLIENT_ID, "1");
            server.hub().storeTokens("logging-tenant", connection, new Credentials.OAuthTokens(issued.accessToken(),
                    issued.refreshToken(), Instant.now().plus(Duration.ofHours(1)), null));
            secrets.add(issued.accessToken());
            secrets.add(issued.refreshToken());

            JsonNode run = syncAndWait(key, connection, "{\"mode\":\"full\",\"entities\":[\"contacts\",\"matters\"]}");
            assertThat(run.get("status").asText()).isEqualTo("SUCCEEDED");
            runId = run.get("id").asText();
            clio.faults().next(1).respondWith(Fault.expiredToken());
            assertThat(syncAndWait(key, connection, "{\"mode\":\"incremental\",\"entities\":[\"contacts\"]}").get("status").asText())
                    .isEqualTo("SUCCEEDED");

            assertThat(api.post("/v1/connections/" + connection + "/webhooks/enable", key, null).status()).isEqualTo(200);
            String finalConnection = connection;
            awaitTrue("Clio enabled the webhooks", () -> api.get("/v1/connections/" + finalConnection + "/webhooks", key).json()
                    .get("items").findValuesAsText("status").stream().allMatch("enabled"::equals));
            for (long id : clio.liveIds(ClioEntity.WEBHOOKS)) {
                JsonNode secret = clio.record(ClioEntity.WEBHOOKS, id).orElseThrow().body().path("shared_secret");
                if (secret.isTextual()) {
                    secrets.add(secret.asText()); // the X-Hook-Secret of each webhook the hub registered
                }
            }
            long contactId = clio.liveIds(ClioEntity.CONTACTS).iterator().next();
            clio.updateRecord(ClioEntity.CONTACTS, contactId, JsonNodeFactory.instance.objectNode().put("first_name", "Logged"));
            awaitTrue("the webhook event applied", () -> {
                server.hub().processWebhooks();
                return api.get("/v1/connections/" + finalConnection + "/webhooks/inbox?status=processed", key).json().get("items").size() > 0;
            });
            ApiClient.Response action = api.send("POST", "/v1/connections/" + connection + "/actions/create_custom_action", key,
                    "{\"label\":\"Open intake\",\"target_url\":\"https://intake.example/open\",\"ui_reference\":\"contacts/show\"}",
                    Map.of("Idempotency-Key", "log-test-1"));
            assertThat(action.status()).as(String.valueOf(action.json())).isEqualTo(200);
            assertThat(api.delete("/v1/connections/" + connection, key).status()).isEqualTo(204);
        } finally {
            root.detachAppender(captured);
            junction.setLevel(level);
        }
        List<ILoggingEvent> events = new ArrayList<>(captured.list);
        assertThat(events).isNotEmpty();

        // the sync's lines (on the sync workers and the page prefetch threads they start) carry its run, connection
        // and tenant
        java.util.function.Predicate<ILoggingEvent> syncThread = event -> event.getThreadName().startsWith("junction-sync-")
                || event.getThreadName().startsWith("junction-prefetch-");
        assertThat(events).filteredOn(event -> event.getThreadName().startsWith("junction-prefetch-")).isNotEmpty();
        assertThat(events).filteredOn(syncThread::test).isNotEmpty()
                .allSatisfy(event -> assertThat(event.getMDCPropertyMap()).containsEntry("tenant_id", "logging-tenant")
                        .containsEntry("connection_id", connection).containsKey("run_id").doesNotContainKey("request_id"));
        assertThat(events).filteredOn(event -> syncThread.test(event) && runId.equals(event.getMDCPropertyMap().get("run_id"))).isNotEmpty();
        // the API's lines carry the request id, the tenant and the connection of the path
        assertThat(events).filteredOn(event -> event.getMDCPropertyMap().containsKey("request_id")
                && connection.equals(event.getMDCPropertyMap().get("connection_id"))).isNotEmpty()
                .allSatisfy(event -> assertThat(event.getMDCPropertyMap()).containsEntry("tenant_id", "logging-tenant"));
        assertThat(events).filteredOn(event -> event.getFormattedMessage().contains("webhook subscriptions"))
                .isNotEmpty().allSatisfy(event -> assertThat(event.getMDCPropertyMap())
                        .containsEntry("connection_id", connection).containsKey("request_id"));
        // the webhook worker's lines (the refetch of the changed contact) carry the connection and tenant
        assertThat(events).filteredOn(event -> !event.getMDCPropertyMap().containsKey("request_id")
                && !event.getMDCPropertyMap().containsKey("run_id")
                && connection.equals(event.getMDCPropertyMap().get("connection_id")))
                .isNotEmpty().allSatisfy(event -> assertThat(event.getMDCPropertyMap()).containsEntry("tenant_id", "logging-tenant"));
        // pooled threads are handed back clean: a line without a tenant (tenant creation, OAuth) has no other ids either
        assertThat(events).filteredOn(event -> !event.getMDCPropertyMap().containsKey("tenant_id"))
                .allSatisfy(event -> assertThat(event.getMDCPropertyMap()).doesNotContainKeys("connection_id", "run_id"));

        // no secret anywhere: message, arguments, ids, exceptions, nor in the JSON the json format writes
        assertThat(secrets).as("client secret, admin key, API key, access and refresh token, webhook secrets").hasSizeGreaterThan(5)
                .allSatisfy(secret -> assertThat(secret).hasSizeGreaterThan(7));
        JsonEncoder json = LogFormat.jsonEncoder(context);
        for (ILoggingEvent event : events) {
            List<String> texts = new ArrayList<>();
            texts.add(event.getFormattedMessage());
            if (event.getArgumentArray() != null) {
                for (Object argument : event.getArgumentArray()) {
                    texts.add(String.valueOf(argument));
                }
            }
            texts.addAll(event.getMDCPropertyMap().values());
            for (var thrown = event.getThrowableProxy(); thrown != null; thrown = thrown.getCause()) {
                texts.add(thrown.getMessage());
            }
            String encoded = new String(json.encode(event), StandardCharsets.UTF_8);
            texts.add(encoded);
            for (String secret : secrets) {
                assertThat(texts).as("log line %s", event.getFormattedMessage())
                        .allSatisfy(text -> assertThat(String.valueOf(text)).doesNotContain(secret));
            }
            JsonNode line = JsonSupport.MAPPER.readTree(encoded);
            assertThat(line.get("level").asText()).isEqualTo(event.getLevel().toString());
            assertThat(line.get("formattedMessage").asText()).isEqualTo(event.getFormattedMessage());
            event.getMDCPropertyMap().forEach((name, value) -> assertThat(line.get("mdc").get(name).asText()).isEqualTo(value));
        }
    }

    @Test
    void metricsCanRequireAKeyOrBeOffAndTheLogFormatIsASetting() throws Exception {
        assertThatThrownBy(() -> ServerConfig.of(Map.of("log.format", "xml"))).hasMessageContaining("JUNCTION_LOG_FORMAT");
        assertThatThrownBy(() -> ServerConfig.of(Map.of("metrics.enabled", "yes"))).hasMessageContaining("JUNCTION_METRICS_ENABLED");
        assertThatThrownBy(() -> ServerConfig.of(Map.of("metrics.key", "short"))).hasMessageContaining("at least 16");

        String metricsKey = "scraper-" + SecretCipher.generateKey().substring(0, 16);
        try (TestDatabase keyed = TestDatabase.create(TestDatabase.Kind.EMBEDDED, "ObservabilityTestKeyed");
                HubServer protectedServer = HubServer.start(config(keyed).with("metrics.key", metricsKey), quiet())) {
            ApiClient client = new ApiClient(protectedServer);
            assertThat(client.get("/metrics", null).status()).isEqualTo(401);
            assertThat(client.get("/metrics", ADMIN_KEY).status()).as("the admin key is not the metrics key").isEqualTo(401);
            ApiClient.Response scraped = client.get("/metrics", metricsKey);
            assertThat(scraped.status()).isEqualTo(200);
            assertThat(new String(scraped.raw().body(), StandardCharsets.UTF_8)).contains("jvm_memory_used_bytes");
        }
        try (TestDatabase off = TestDatabase.create(TestDatabase.Kind.EMBEDDED, "ObservabilityTestOff");
                HubServer quietServer = HubServer.start(config(off).with("metrics.enabled", "false").with("log.format", "json"), quiet())) {
            ApiClient client = new ApiClient(quietServer);
            assertThat(client.get("/metrics", null).status()).isEqualTo(404);
            assertThat(client.get("/openapi.json", null).json().get("paths").has("/metrics")).isFalse();
            assertThat(quietServer.metrics()).isEmpty();
            OutputStreamAppender<ILoggingEvent> console = (OutputStreamAppender<ILoggingEvent>)
                    ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(Logger.ROOT_LOGGER_NAME).getAppender(LogFormat.APPENDER);
            assertThat(console.getEncoder()).isInstanceOf(JsonEncoder.class);
        } finally {
            LogFormat.apply("text");
        }
        OutputStreamAppender<ILoggingEvent> console = (OutputStreamAppender<ILoggingEvent>)
                ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(Logger.ROOT_LOGGER_NAME).getAppender(LogFormat.APPENDER);
        assertThat(console.getEncoder()).isNotInstanceOf(JsonEncoder.class);
    }

    private static ServerConfig config(TestDatabase database) {
        Map<String, String> settings = new HashMap<>();
        settings.put("http.host", "127.0.0.1");
        settings.put("http.port", "0");
        settings.put("admin.key", ADMIN_KEY);
        settings.put("encryption.key", SecretCipher.generateKey());
        settings.put("provider.clio.client_id", CLIENT_ID);
        settings.put("provider.clio.client_secret", CLIENT_SECRET);
        settings.put("data.dir", database.dataDirectory().toString());
        return ServerConfig.of(settings);
    }

    private static PrintStream quiet() {
        return new PrintStream(new ByteArrayOutputStream());
    }

    private static List<Sample> scrape() {
        ApiClient.Response response = api.get("/metrics", null);
        assertThat(response.status()).isEqualTo(200);
        return parse(new String(response.raw().body(), StandardCharsets.UTF_8));
    }

    /** Parses the sample lines of the Prometheus text format (label values here hold no escaped quotes). */
    static List<Sample> parse(String text) {
        List<Sample> samples = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int brace = line.indexOf('{');
            int space = line.lastIndexOf(' ');
            Map<String, String> labels = new TreeMap<>();
            String name;
            if (brace >= 0 && brace < space) {
                name = line.substring(0, brace);
                String body = line.substring(brace + 1, line.lastIndexOf('}'));
                for (String pair : body.split("\",")) {
                    if (pair.isEmpty()) {
                        continue;
                    }
                    int equals = pair.indexOf('=');
                    labels.put(pair.substring(0, equals), pair.substring(equals + 2).replaceAll("\"$", ""));
                }
            } else {
                name = line.substring(0, space);
            }
            samples.add(new Sample(name, labels, Double.parseDouble(line.substring(space + 1))));
        }
        return samples;
    }

    private static List<Sample> find(List<Sample> samples, String name, Map<String, String> labels) {
        return samples.stream().filter(sample -> sample.name().equals(name)
                && sample.labels().entrySet().containsAll(labels.entrySet())).toList();
    }

    /** How much the matching series (summed) grew between two scrapes. */
    private static double delta(List<Sample> before, List<Sample> after, String name, Map<String, String> labels) {
        return find(after, name, labels).stream().mapToDouble(Sample::value).sum()
                - find(before, name, labels).stream().mapToDouble(Sample::value).sum();
    }

    private static Map<String, String> with(Map<String, String> labels, String name, String value) {
        Map<String, String> all = new HashMap<>(labels);
        all.put(name, value);
        return all;
    }

    private static void awaitTrue(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(25);
        }
    }
}
