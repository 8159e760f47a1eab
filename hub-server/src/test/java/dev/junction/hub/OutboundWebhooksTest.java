package dev.junction.hub;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.junction.testkit.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BooleanSupplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * Outbound webhooks end to end: endpoints over the REST API, change events from real syncs of the Clio sandbox,
 * deliveries to a real HTTP receiver on loopback, signatures checked by an implementation of the Standard Webhooks
 * verification written here (not the server's), retries with backoff scaled down to milliseconds, the delivery log,
 * redelivery, disabled endpoints and tenant isolation. Runs once per database kind (subclasses).
 */
abstract class OutboundWebhooksTest extends HubServerTestBase {

    static void setUpAll(TestDatabase.Kind kind, String owner) {
        startServer(kind, owner, Map.of("outbound.retry-base", "20ms", "outbound.max-attempts", "3", "outbound.timeout", "5s"));
    }

    /** A tenant with a key and a connected Clio account, and a receiver. */
    record Tenant(String key, String connection) {}

    private static Tenant tenant(String id) {
        String key = tenantWithKey(id);
        return new Tenant(key, connectClio(key));
    }

    private static JsonNode createEndpoint(String key, String body) {
        ApiClient.Response created = api.post("/v1/outbound-webhooks", key, body);
        assertThat(created.status()).as(String.valueOf(created.json())).isEqualTo(201);
        return created.json();
    }

    private static void syncUsers(Tenant tenant) {
        assertThat(syncAndWait(tenant.key(), tenant.connection(), "{\"mode\":\"full\",\"entities\":[\"users\"]}").get("status").asText())
                .isEqualTo("SUCCEEDED");
    }

    /** Runs delivery rounds (as the poller would) until the condition holds; at most 20 s. */
    private static void deliverUntil(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (true) {
            server.outbound().deliverDue();
            if (condition.getAsBoolean()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(10);
        }
    }

    /** Standard Webhooks verification, written independently of the server's signer. */
    private static boolean verifies(String secret, WebhookReceiver.Received request) throws Exception {
        byte[] key = Base64.getDecoder().decode(secret.substring("whsec_".length()));
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        String signed = request.header("webhook-id") + "." + request.header("webhook-timestamp") + "." + request.body();
        byte[] expected = mac.doFinal(signed.getBytes(StandardCharsets.UTF_8));
        for (String candidate : request.header("webhook-signature").split(" ")) {
            String[] parts = candidate.split(",", 2);
            if (parts.length == 2 && parts[0].equals("v1")
                    && MessageDigest.isEqual(Base64.getDecoder().decode(parts[1]), expected)) {
                return true;
            }
        }
        return false;
    }

    @Test
    void changeEventsArriveSignedAndTheDeliveryLogShowsThem() throws Exception {
        Tenant tenant = tenant("outbound-signed");
        try (WebhookReceiver receiver = new WebhookReceiver()) {
            JsonNode endpoint = createEndpoint(tenant.key(), "{\"url\":\"" + receiver.url() + "\",\"description\":\"CRM\"}");
            String secret = endpoint.get("secret").asText();
            assertThat(secret).startsWith("whsec_");
            String endpointId = endpoint.get("id").asText();
            // the secret is shown once: never in reads or lists
            assertThat(api.get("/v1/outbound-webhooks/" + endpointId, tenant.key()).json().toString()).doesNotContain(secret);
            assertThat(api.get("/v1/outbound-webhooks", tenant.key()).json().toString()).doesNotContain(secret);
            String stored = server.hub().database().jdbi().withHandle(handle -> handle.createQuery(
                    "SELECT secret FROM hub_outbound_endpoint WHERE id = :id").bind("id", endpointId).mapTo(String.class).one());
            assertThat(stored).as("encrypted at rest").startsWith("v1:").doesNotContain(secret.substring(6));

            syncUsers(tenant);
            deliverUntil("six user events", () -> receiver.received().size() >= 6);
            List<WebhookReceiver.Received> received = receiver.received();
            assertThat(received).hasSize(6);
            Set<String> ids = new java.util.HashSet<>();
            for (WebhookReceiver.Received request : received) {
                assertThat(verifies(secret, request)).as("signature of %s", request.header("webhook-id")).isTrue();
                assertThat(request.header("webhook-id")).startsWith("msg_");
                assertThat(Math.abs(Long.parseLong(request.header("webhook-timestamp")) - Instant.now().getEpochSecond())).isLessThan(600);
                assertThat(request.header("content-type")).isEqualTo("application/json");
                JsonNode body = JsonSupport.MAPPER.readTree(request.body());
                assertThat(body.get("type").asText()).isEqualTo("record.created");
                assertThat(body.get("data").get("connection_id").asText()).isEqualTo(tenant.connection());
                assertThat(body.get("data").get("entity").asText()).isEqualTo("users");
                ids.add(request.header("webhook-id"));
            }
            assertThat(ids).hasSize(6);
            // a tampered body or another secret does not verify
            WebhookReceiver.Received first = received.get(0);
            assertThat(verifies(secret, new WebhookReceiver.Received(first.headers(), first.body().replace("users", "usurp")))).isFalse();
            assertThat(verifies(StandardWebhookSignature.newSecret(), first)).isFalse();

            JsonNode log = api.get("/v1/outbound-webhooks/" + endpointId + "/deliveries", tenant.key()).json().get("items");
            assertThat(log).hasSize(6);
            for (JsonNode delivery : log) {
                assertThat(delivery.get("status").asText()).isEqualTo("succeeded");
                assertThat(delivery.get("attempts")).hasSize(1);
                assertThat(delivery.get("attempts").get(0).get("status_code").asInt()).isEqualTo(200);
                assertThat(delivery.get("attempts").get(0).get("latency_ms").asLong()).isNotNegative();
                assertThat(delivery.get("next_attempt_at").isNull()).isTrue();
                assertThat(ids).contains(delivery.get("id").asText());
            }
            JsonNode one = api.get("/v1/outbound-webhooks/" + endpointId + "/deliveries/" + log.get(0).get("id").asText(), tenant.key()).json();
            assertThat(one.get("payload").get("type").asText()).isEqualTo("record.created");

            // a rotated secret signs what comes next; the previous one signs too during the overlap, then not at all
            String redeliver = "/v1/outbound-webhooks/" + endpointId + "/deliveries/" + log.get(0).get("id").asText() + "/redeliver";
            JsonNode rotation = api.post("/v1/outbound-webhooks/" + endpointId + "/rotate-secret", tenant.key(), null).json();
            String rotated = rotation.get("secret").asText();
            assertThat(rotated).startsWith("whsec_").isNotEqualTo(secret);
            assertThat(rotation.get("previous_valid_until").isNull()).isFalse();
            assertThat(api.post(redeliver, tenant.key(), null).status()).isEqualTo(202);
            deliverUntil("the redelivery", () -> receiver.received().size() == 7);
            WebhookReceiver.Received again = receiver.received().get(6);
            assertThat(again.header("webhook-id")).as("same message id on redelivery").isEqualTo(log.get(0).get("id").asText());
            assertThat(again.header("webhook-signature").split(" ")).hasSize(2);
            assertThat(verifies(rotated, again)).isTrue();
            assertThat(verifies(secret, again)).as("the previous secret during the overlap").isTrue();

            String third = api.post("/v1/outbound-webhooks/" + endpointId + "/rotate-secret", tenant.key(),
                    "{\"previous_valid_seconds\":0}").json().get("secret").asText();
            assertThat(api.post("/v1/outbound-webhooks/" + endpointId + "/rotate-secret", tenant.key(),
                    "{\"previous_valid_seconds\":-5}").status()).isEqualTo(422);
            assertThat(api.post(redeliver, tenant.key(), null).status()).isEqualTo(202);
            deliverUntil("the second redelivery", () -> receiver.received().size() == 8);
            WebhookReceiver.Received last = receiver.received().get(7);
            assertThat(verifies(third, last)).isTrue();
            assertThat(verifies(rotated, last)).as("dropped at once").isFalse();
            assertThat(last.header("webhook-signature").split(" ")).hasSize(1);
        }
    }

    @Test
    void failedAttemptsAreRetriedWithGrowingBackoffThenSucceed() throws Exception {
        Tenant tenant = tenant("outbound-retries");
        try (WebhookReceiver receiver = new WebhookReceiver()) {
            String endpointId = createEndpoint(tenant.key(), "{\"url\":\"" + receiver.url() + "\"}").get("id").asText();
            syncUsers(tenant);
            // three attempts are allowed: each message gets 500, 503, then 200
            receiver.answerEachMessage(500, 503);
            deliverUntil("all six delivered", () -> api.get("/v1/outbound-webhooks/" + endpointId + "/deliveries?status=succeeded",
                    tenant.key()).json().get("items").size() == 6);
            assertThat(receiver.received()).hasSize(18);
            JsonNode retried = api.get("/v1/outbound-webhooks/" + endpointId + "/deliveries", tenant.key()).json().get("items").get(0);
            JsonNode attempts = retried.get("attempts");
            assertThat(attempts).hasSize(3);
            assertThat(attempts.findValuesAsText("status_code")).containsExactly("500", "503", "200");
            assertThat(attempts.get(0).get("error").asText()).contains("HTTP 500");
            assertThat(attempts.get(2).get("error").isNull()).isTrue();
            // each retry waits at least its backoff (20 ms, then 40 ms, each ±20 %) after the attempt started; the
            // attempt's own latency adds to it, so only the lower bounds are machine-independent
            Duration first = Duration.between(Instant.parse(attempts.get(0).get("attempted_at").asText()),
                    Instant.parse(attempts.get(0).get("next_attempt_at").asText()));
            Duration second = Duration.between(Instant.parse(attempts.get(1).get("attempted_at").asText()),
                    Instant.parse(attempts.get(1).get("next_attempt_at").asText()));
            assertThat(first).isGreaterThanOrEqualTo(Duration.ofMillis(16));
            assertThat(second).isGreaterThanOrEqualTo(Duration.ofMillis(32));
            assertThat(attempts.get(2).get("next_attempt_at").isNull()).isTrue();
            // and the backoff itself doubles per attempt within its jitter
            OutboundWebhooks.Settings settings = server.outbound().settings();
            for (int i = 0; i < 200; i++) {
                assertThat(settings.backoff(1)).isBetween(Duration.ofMillis(16), Duration.ofMillis(24));
                assertThat(settings.backoff(2)).isBetween(Duration.ofMillis(32), Duration.ofMillis(48));
                assertThat(settings.backoff(3)).isBetween(Duration.ofMillis(64), Duration.ofMillis(96));
            }
        }
    }

    @Test
    void aDeliveryThatKeepsFailingIsMarkedFailedAndCanBeRedelivered() throws Exception {
        Tenant tenant = tenant("outbound-failing");
        try (WebhookReceiver receiver = new WebhookReceiver().answerByDefault(500)) {
            String endpointId = createEndpoint(tenant.key(), "{\"url\":\"" + receiver.url() + "\"}").get("id").asText();
            syncUsers(tenant);
            String failedPath = "/v1/outbound-webhooks/" + endpointId + "/deliveries?status=failed";
            deliverUntil("all six failed", () -> api.get(failedPath, tenant.key()).json().get("items").size() == 6);
            JsonNode failed = api.get(failedPath, tenant.key()).json().get("items").get(0);
            assertThat(failed.get("attempts")).hasSize(3);
            assertThat(failed.get("last_status_code").asInt()).isEqualTo(500);
            assertThat(failed.get("last_error").asText()).contains("HTTP 500");
            assertThat(failed.get("next_attempt_at").isNull()).isTrue();
            assertThat(failed.get("finished_at").isNull()).isFalse();
            int before = receiver.received().size();
            assertThat(before).isEqualTo(18);
            server.outbound().deliverDue();
            assertThat(receiver.received()).as("no more attempts once failed").hasSize(18);

            receiver.answerByDefault(204);
            String deliveryId = failed.get("id").asText();
            ApiClient.Response redelivered = api.post("/v1/outbound-webhooks/" + endpointId + "/deliveries/" + deliveryId + "/redeliver",
                    tenant.key(), null);
            assertThat(redelivered.status()).isEqualTo(202);
            assertThat(redelivered.json().get("status").asText()).isEqualTo("pending");
            String onePath = "/v1/outbound-webhooks/" + endpointId + "/deliveries/" + deliveryId;
            deliverUntil("the redelivery", () -> api.get(onePath, tenant.key()).json().get("status").asText().equals("succeeded"));
            JsonNode delivered = api.get(onePath, tenant.key()).json();
            assertThat(delivered.get("attempts")).hasSize(4);
            assertThat(delivered.get("last_status_code").asInt()).isEqualTo(204);
            assertThat(api.post("/v1/outbound-webhooks/" + endpointId + "/deliveries/msg_nope/redeliver", tenant.key(), null).status())
                    .isEqualTo(404);
        }
    }

    @Test
    void aDisabledEndpointReceivesNothingAndResumesWhenEnabled() throws Exception {
        Tenant tenant = tenant("outbound-disabled");
        try (WebhookReceiver receiver = new WebhookReceiver()) {
            String endpointId = createEndpoint(tenant.key(), "{\"url\":\"" + receiver.url() + "\"}").get("id").asText();
            ApiClient.Response disabled = api.send("PATCH", "/v1/outbound-webhooks/" + endpointId, tenant.key(), "{\"enabled\":false}", Map.of());
            assertThat(disabled.status()).isEqualTo(200);
            assertThat(disabled.json().get("enabled").asBoolean()).isFalse();
            syncUsers(tenant);
            for (int i = 0; i < 5; i++) {
                server.outbound().deliverDue();
            }
            assertThat(receiver.received()).isEmpty();
            assertThat(api.get("/v1/outbound-webhooks/" + endpointId + "/deliveries", tenant.key()).json().get("items")).isEmpty();

            api.send("PATCH", "/v1/outbound-webhooks/" + endpointId, tenant.key(), "{\"enabled\":true}", Map.of());
            deliverUntil("the events from while it was disabled", () -> receiver.received().size() == 6);
        }
    }

    @Test
    void anEndpointReceivesOnlyItsTenantsEventsAndOnlyWhatItsFiltersSelect() throws Exception {
        Tenant a = tenant("outbound-iso-a");
        Tenant b = tenant("outbound-iso-b");
        try (WebhookReceiver forA = new WebhookReceiver(); WebhookReceiver forB = new WebhookReceiver();
                WebhookReceiver mattersOnly = new WebhookReceiver()) {
            createEndpoint(a.key(), "{\"url\":\"" + forA.url() + "\"}");
            createEndpoint(b.key(), "{\"url\":\"" + forB.url() + "\"}");
            createEndpoint(a.key(), "{\"url\":\"" + mattersOnly.url() + "\",\"entities\":[\"matters\"],\"connection_id\":\"" + a.connection() + "\"}");
            syncUsers(a);
            assertThat(syncAndWait(a.key(), a.connection(), "{\"mode\":\"full\",\"entities\":[\"matters\"]}").get("status").asText())
                    .isEqualTo("SUCCEEDED");
            syncUsers(b);
            deliverUntil("both tenants' events", () -> forA.received().size() == 12 && forB.received().size() == 6
                    && mattersOnly.received().size() == 6);
            for (WebhookReceiver.Received request : forA.received()) {
                assertThat(JsonSupport.MAPPER.readTree(request.body()).get("data").get("connection_id").asText()).isEqualTo(a.connection());
            }
            for (WebhookReceiver.Received request : forB.received()) {
                assertThat(JsonSupport.MAPPER.readTree(request.body()).get("data").get("connection_id").asText()).isEqualTo(b.connection());
            }
            for (WebhookReceiver.Received request : mattersOnly.received()) {
                assertThat(JsonSupport.MAPPER.readTree(request.body()).get("data").get("entity").asText()).isEqualTo("matters");
            }
            assertThat(api.get("/v1/outbound-webhooks", b.key()).json().get("items")).hasSize(1);
        }
    }

    @Test
    void twoDispatchersDeliveringAtOnceSendEachMessageOnce() throws Exception {
        Tenant tenant = tenant("outbound-concurrent");
        try (WebhookReceiver receiver = new WebhookReceiver()) {
            createEndpoint(tenant.key(), "{\"url\":\"" + receiver.url() + "\"}");
            assertThat(syncAndWait(tenant.key(), tenant.connection(), "{\"mode\":\"full\",\"entities\":[\"users\",\"matters\",\"tasks\"]}")
                    .get("status").asText()).isEqualTo("SUCCEEDED");
            // a second dispatcher over the same database, as another hub-server process would have
            OutboundWebhooks other = new OutboundWebhooks(server.hub(), dev.junction.core.crypto.SecretCipher.single(
                    server.config().encryptionKeyId(), server.config().encryptionKey().orElseThrow()), Clock.systemUTC(),
                    server.config().outboundSettings());
            ExecutorService threads = Executors.newFixedThreadPool(4);
            try {
                List<Future<?>> rounds = new ArrayList<>();
                for (OutboundWebhooks dispatcher : List.of(server.outbound(), other, server.outbound(), other)) {
                    rounds.add(threads.submit(() -> {
                        for (int i = 0; i < 10; i++) {
                            dispatcher.deliverDue();
                        }
                        return null;
                    }));
                }
                for (Future<?> round : rounds) {
                    round.get();
                }
            } finally {
                threads.shutdown();
                other.close();
            }
            deliverUntil("every event", () -> receiver.received().size() >= 18);
            Map<String, Integer> perMessage = new HashMap<>();
            Map<String, Integer> perSequence = new ConcurrentHashMap<>();
            for (WebhookReceiver.Received request : receiver.received()) {
                perMessage.merge(request.header("webhook-id"), 1, Integer::sum);
                perSequence.merge(JsonSupport.MAPPER.readTree(request.body()).get("data").get("sequence").asText(), 1, Integer::sum);
            }
            assertThat(perMessage.values()).as("each message once").allMatch(count -> count == 1);
            assertThat(perSequence.values()).as("each event once").allMatch(count -> count == 1);
            assertThat(perSequence).hasSize(18);
        }
    }

    @Test
    void thePollerDeliversOnItsOwn() throws Exception {
        Tenant tenant = tenant("outbound-poller");
        OutboundWebhooks.Settings settings = server.config().outboundSettings();
        // the test server's poller is off; this one polls every 50 ms, as HubServer's does every outbound.poll-interval
        OutboundWebhooks polling = new OutboundWebhooks(server.hub(), dev.junction.core.crypto.SecretCipher.single(
                server.config().encryptionKeyId(), server.config().encryptionKey().orElseThrow()), Clock.systemUTC(),
                new OutboundWebhooks.Settings(Duration.ofMillis(50), settings.retryBase(), settings.retryMax(), settings.maxAttempts(),
                        settings.timeout(), true));
        try (WebhookReceiver receiver = new WebhookReceiver()) {
            createEndpoint(tenant.key(), "{\"url\":\"" + receiver.url() + "\"}");
            syncUsers(tenant);
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (receiver.received().size() < 6) {
                assertThat(System.nanoTime()).as("the poller delivered in time").isLessThan(deadline);
                Thread.sleep(20);
            }
            assertThat(receiver.received()).hasSize(6);
        } finally {
            polling.close();
        }
    }

    @Test
    void endpointsAreValidatedAndManagedOverTheApi() {
        Tenant tenant = tenant("outbound-crud");
        Tenant other = tenant("outbound-crud-other");
        String key = tenant.key();
        assertThat(api.post("/v1/outbound-webhooks", key, "{}").status()).isEqualTo(422);
        assertThat(api.post("/v1/outbound-webhooks", key, "{\"url\":\"ftp://example.org/hooks\"}").status()).isEqualTo(422);
        assertThat(api.post("/v1/outbound-webhooks", key, "{\"url\":\"not a url\"}").status()).isEqualTo(422);
        assertThat(api.post("/v1/outbound-webhooks", key, "{\"url\":\"https://example.org/h\",\"entities\":\"contacts\"}").status()).isEqualTo(422);
        assertThat(api.post("/v1/outbound-webhooks", key, "{\"url\":\"https://example.org/h\",\"entities\":[]}").status()).isEqualTo(422);
        assertThat(api.post("/v1/outbound-webhooks", key, "{\"url\":\"https://example.org/h\",\"enabled\":\"yes\"}").status()).isEqualTo(422);
        assertThat(api.post("/v1/outbound-webhooks", key, "{\"url\":\"https://example.org/h\",\"after\":-1}").status()).isEqualTo(422);
        assertThat(api.post("/v1/outbound-webhooks", key, "{\"url\":\"https://example.org/h\",\"connection_id\":\"" + other.connection() + "\"}")
                .status()).as("another tenant's connection").isEqualTo(422);

        JsonNode created = createEndpoint(key, "{\"url\":\"https://example.org/h\",\"description\":\"ERP\",\"entities\":[\"contacts\"]}");
        String path = "/v1/outbound-webhooks/" + created.get("id").asText();
        assertThat(created.get("entities").findValuesAsText("")).isEmpty();
        assertThat(created.get("entities").get(0).asText()).isEqualTo("contacts");
        JsonNode updated = api.send("PATCH", path, key, "{\"description\":null,\"entities\":null,\"url\":\"https://example.org/other\"}", Map.of()).json();
        assertThat(updated.get("description").isNull()).isTrue();
        assertThat(updated.get("entities").isNull()).isTrue();
        assertThat(updated.get("url").asText()).isEqualTo("https://example.org/other");
        assertThat(api.send("PATCH", path, key, "{\"url\":\"gopher://x\"}", Map.of()).status()).isEqualTo(422);
        assertThat(api.send("PATCH", path, key, "{\"enabled\":null}", Map.of()).status()).isEqualTo(422);
        assertThat(api.get(path + "/deliveries?status=odd", key).status()).isEqualTo(400);
        assertThat(api.get("/v1/outbound-webhooks", key).json().get("items")).hasSize(1);
        assertThat(api.delete(path, key).status()).isEqualTo(204);
        assertThat(api.get(path, key).status()).isEqualTo(404);
        assertThat(api.delete(path, key).status()).isEqualTo(404);
    }
}
