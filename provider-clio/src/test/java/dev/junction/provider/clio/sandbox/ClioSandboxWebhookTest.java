package dev.junction.provider.clio.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.junction.sandbox.MutableClock;
import dev.junction.sandbox.SandboxJson;
import dev.junction.sandbox.WebhookSigner;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ClioSandboxWebhookTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    private final MutableClock clock = MutableClock.at(Instant.parse("2024-05-01T12:00:00Z"));
    private final WebhookReceiver receiver = new WebhookReceiver();
    private ClioSandbox sandbox;
    private ClioTestClient client;

    @BeforeEach
    void start() {
        sandbox = ClioSandbox.builder().withClock(clock).withRateLimit(1_000, Duration.ofSeconds(60)).start();
        client = new ClioTestClient(sandbox, sandbox.issueTokens(1).accessToken());
    }

    @AfterEach
    void stop() {
        sandbox.close();
        receiver.close();
    }

    private JsonNode createWebhook(String data) {
        ClioTestClient.Response created = client.send("POST",
                "/webhooks.json?fields=id,status,shared_secret,expires_at,model,events", "{\"data\": " + data + "}");
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(sandbox.awaitWebhookDeliveries(WAIT)).isTrue();
        return created.json().get("data");
    }

    private JsonNode contactWebhook(String fields, String events) {
        return createWebhook("""
                {"url": "%s", "model": "contact", "fields": "%s", "events": %s}
                """.formatted(receiver.url(), fields, events));
    }

    private String status(long webhookId) {
        return client.get("/webhooks/" + webhookId + ".json?fields=status").json().get("data").get("status").asText();
    }

    private void settle() {
        assertThat(sandbox.awaitWebhookDeliveries(WAIT)).isTrue();
    }

    @Test
    void echoedHandshakeEnablesTheWebhookAndChangesArriveSignedWithTheSharedSecret() {
        JsonNode webhook = contactWebhook("id,etag,name", "[\"created\", \"updated\", \"deleted\"]");
        long webhookId = webhook.get("id").asLong();
        String secret = webhook.get("shared_secret").asText();

        long created = client.send("POST", "/contacts.json", "{\"data\": {\"first_name\": \"Ada\", \"last_name\": \"Byron\"}}")
                .json().get("data").get("id").asLong();
        sandbox.updateRecord(ClioEntity.CONTACTS, 3, SandboxJson.object().put("name", "Renamed Person"));
        client.send("DELETE", "/contacts/" + created + ".json", null);
        settle();

        assertThat(webhook.get("status").asText()).isEqualTo("pending");
        assertThat(receiver.handshakes()).singleElement().satisfies(handshake -> {
            assertThat(handshake.hookSecret()).isEqualTo(secret);
            assertThat(SandboxJson.parse(handshake.body()).path("data").path("id").asLong()).isEqualTo(webhookId);
        });
        assertThat(status(webhookId)).isEqualTo("enabled");
        byte[] key = secret.getBytes(StandardCharsets.UTF_8);
        assertThat(receiver.events()).hasSize(3).allSatisfy(event -> assertThat(event.signature())
                .isEqualTo(WebhookSigner.hmacSha256Hex(key, event.body().getBytes(StandardCharsets.UTF_8))));
        JsonNode updated = SandboxJson.parse(receiver.events().get(1).body());
        assertThat(updated.get("data").get("id").asLong()).isEqualTo(3);
        assertThat(updated.get("data").get("name").asText()).isEqualTo("Renamed Person");
        assertThat(updated.get("data").get("etag").asText()).startsWith("\"");
        assertThat(updated.get("meta").get("event").asText()).isEqualTo("updated");
        assertThat(updated.get("meta").get("webhook_id").asLong()).isEqualTo(webhookId);
        assertThat(receiver.events()).extracting(event -> SandboxJson.parse(event.body()).path("meta").path("event").asText())
                .containsExactly("created", "updated", "deleted");
    }

    @Test
    void unansweredHandshakeLeavesTheWebhookPendingUntilActivatedWithTheSecret() {
        receiver.echoHandshakeSecret(false);
        long webhookId = contactWebhook("id", "[\"updated\"]").get("id").asLong();
        String secret = receiver.handshakes().get(0).hookSecret();

        sandbox.updateRandom(ClioEntity.CONTACTS, 1);
        settle();
        ClioTestClient.Response wrongSecret = client.send("PUT", "/webhooks/" + webhookId + "/activate", null,
                "X-Hook-Secret", "wrong");
        ClioTestClient.Response activated = client.send("PUT", "/webhooks/" + webhookId + "/activate?fields=status", null,
                "X-Hook-Secret", secret);
        sandbox.updateRandom(ClioEntity.CONTACTS, 1);
        settle();

        assertThat(wrongSecret.status()).isEqualTo(422);
        assertThat(activated.json().get("data").get("status").asText()).isEqualTo("enabled");
        assertThat(receiver.events()).hasSize(1);
    }

    @Test
    void expiryDefaultsToThreeDaysIsRenewableAndExpiredWebhooksStayQuiet() {
        JsonNode webhook = contactWebhook("id", "[\"updated\"]");
        long webhookId = webhook.get("id").asLong();

        ClioTestClient.Response tooLong = client.send("POST", "/webhooks.json", """
                {"data": {"url": "%s", "model": "contact", "fields": "id", "expires_at": "2024-06-02T12:00:00Z"}}
                """.formatted(receiver.url()));
        ClioTestClient.Response renewed = client.send("PATCH", "/webhooks/" + webhookId + ".json?fields=expires_at",
                "{\"data\": {\"expires_at\": \"2024-05-31T12:00:00Z\"}}");
        clock.advance(Duration.ofDays(31));
        sandbox.updateRandom(ClioEntity.CONTACTS, 1);
        settle();

        assertThat(webhook.get("expires_at").asText()).isEqualTo("2024-05-04T12:00:00Z");
        assertThat(tooLong.status()).isEqualTo(422);
        assertThat(renewed.json().get("data").get("expires_at").asText()).isEqualTo("2024-05-31T12:00:00Z");
        assertThat(receiver.events()).isEmpty();
    }

    @Test
    void goneAnswerSuspendsTheWebhook() {
        long webhookId = contactWebhook("id", "[\"updated\"]").get("id").asLong();
        receiver.answerWith(410);

        sandbox.updateRandom(ClioEntity.CONTACTS, 1);
        settle();
        sandbox.updateRandom(ClioEntity.CONTACTS, 1);
        settle();

        assertThat(status(webhookId)).isEqualTo("suspended");
        assertThat(receiver.events()).hasSize(1);
    }

    @Test
    void updatesFireWhenAWatchedFieldChangesOrTheRecordIsReportedForTheFirstTime() {
        contactWebhook("id,name", "[\"updated\"]");

        sandbox.updateRecord(ClioEntity.CONTACTS, 4, SandboxJson.object().put("title", "First change"));
        sandbox.updateRecord(ClioEntity.CONTACTS, 4, SandboxJson.object().put("title", "Unwatched change"));
        sandbox.updateRecord(ClioEntity.CONTACTS, 4, SandboxJson.object().put("name", "Watched change"));
        settle();

        assertThat(receiver.events()).extracting(event -> SandboxJson.parse(event.body()).path("data").path("name").asText())
                .hasSize(2).endsWith("Watched change");
    }

    @Test
    void matterStatusChangesFireTheMatterLifecycleEvents() {
        createWebhook("""
                {"url": "%s", "model": 1, "fields": "id,status", "events": ["matter_closed"]}
                """.formatted(receiver.url()));
        long openMatter = sandbox.liveIds(ClioEntity.MATTERS).stream()
                .filter(id -> !sandbox.record(ClioEntity.MATTERS, id).orElseThrow()
                        .body().path("status").asText().equals("Closed"))
                .findFirst().orElseThrow();

        sandbox.updateRecord(ClioEntity.MATTERS, openMatter, SandboxJson.object().put("status", "Closed"));
        settle();

        assertThat(receiver.events()).singleElement().satisfies(event -> {
            JsonNode payload = SandboxJson.parse(event.body());
            assertThat(payload.path("meta").path("event").asText()).isEqualTo("matter_closed");
            assertThat(payload.path("data").path("status").asText()).isEqualTo("Closed");
        });
    }

    @Test
    void invalidSubscriptionsAreUnprocessable() {
        String url = receiver.url();
        for (String data : new String[] {
            "{\"url\": \"http://example.com/hook\", \"model\": \"contact\", \"fields\": \"id\"}",
            "{\"url\": \"" + url + "\", \"model\": \"contact\"}",
            "{\"url\": \"" + url + "\", \"model\": \"contact\", \"fields\": \"id,shoe_size\"}",
            "{\"url\": \"" + url + "\", \"model\": \"document\", \"fields\": \"id\"}",
            "{\"url\": \"" + url + "\", \"model\": \"contact\", \"fields\": \"id\", \"events\": [\"matter_closed\"]}",
            "{\"url\": \"" + url + "\", \"model\": \"contact\", \"fields\": \"id\","
                    + " \"expires_at\": \"2024-04-01T00:00:00Z\"}"}) {
            assertThat(client.send("POST", "/webhooks.json", "{\"data\": " + data + "}").status()).as(data).isEqualTo(422);
        }
        assertThat(sandbox.recordCount(ClioEntity.WEBHOOKS)).isZero();
    }
}
