package dev.junction.hub;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.junction.provider.clio.sandbox.ClioEntity;
import dev.junction.sandbox.Fault;
import dev.junction.testkit.TestDatabase;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * The errors view against real failures, in the order a bad week would bring them: a provider fault fails an
 * entity's pass, a malformed record is dead-lettered, a webhook event cannot be applied, and finally the user revokes
 * the app so the refresh token is refused. Runs once per database kind (subclasses); the class has its own Clio
 * sandbox, since the revocation ends every token it issued.
 */
abstract class ConnectionErrorsTest extends HubServerTestBase {

    static void setUpAll(TestDatabase.Kind kind, String owner) {
        startServer(kind, owner);
    }

    @Test
    void theErrorsViewCountsSyncWebhookAndRefreshErrorsByEntityWithTheLatestMessages() throws Exception {
        String key = tenantWithKey("errors-tenant");
        String connection = connectClio(key);
        String errorsPath = "/v1/connections/" + connection + "/errors";
        assertThat(syncAndWait(key, connection, "{\"mode\":\"full\",\"entities\":[\"users\",\"contacts\"]}").get("status").asText())
                .isEqualTo("SUCCEEDED");
        JsonNode clean = api.get(errorsPath, key).json();
        assertThat(clean.get("entities")).isEmpty();
        assertThat(clean.get("totals").get("sync_errors").asInt()).isZero();
        assertThat(clean.get("connection").get("needs_reauth").asBoolean()).isFalse();

        // 1. the provider refuses the matters list: that entity's pass fails
        clio.faults().always().onPath("/api/v4/matters*").respondWith(Fault.status(400));
        try {
            assertThat(syncAndWait(key, connection, "{\"mode\":\"full\",\"entities\":[\"matters\"]}").get("status").asText()).isEqualTo("FAILED");
        } finally {
            clio.faults().clear();
        }

        // 2. a malformed contact is dead-lettered by the next pass
        long corrupt = clio.liveIds(ClioEntity.CONTACTS).iterator().next();
        assertThat(clio.corruptRecord(ClioEntity.CONTACTS, corrupt)).isTrue();
        syncAndWait(key, connection, "{\"mode\":\"full\",\"entities\":[\"contacts\"]}");

        // 3. a webhook event arrives (signed by the sandbox) but the record cannot be fetched to apply it
        assertThat(api.post("/v1/connections/" + connection + "/webhooks/enable", key, null).status()).isEqualTo(200);
        await("webhooks enabled", () -> api.get("/v1/connections/" + connection + "/webhooks", key).json().get("items")
                .findValuesAsText("status").stream().allMatch("enabled"::equals));
        clio.faults().always().onPath("/api/v4/contacts/*").respondWith(Fault.status(400));
        try {
            long changed = clio.liveIds(ClioEntity.CONTACTS).stream().filter(id -> id != corrupt).findFirst().orElseThrow();
            clio.updateRecord(ClioEntity.CONTACTS, changed, JsonNodeFactory.instance.objectNode().put("first_name", "Changed"));
            await("the webhook event to fail", () -> {
                server.hub().processWebhooks();
                return api.get("/v1/connections/" + connection + "/webhooks/inbox", key).json().get("items")
                        .findValuesAsText("last_error").stream().anyMatch(error -> error != null && !error.equals("null"));
            });
        } finally {
            clio.faults().clear();
        }

        // 4. the user removes the app: every token is revoked, so the refresh is refused (invalid_grant)
        assertThat(clio.oauth().revokeAll("1")).isPositive();
        assertThat(syncAndWait(key, connection, "{\"mode\":\"full\",\"entities\":[\"users\"]}").get("status").asText()).isEqualTo("FAILED");

        ApiClient.Response response = api.get(errorsPath, key);
        assertThat(response.status()).isEqualTo(200);
        JsonNode view = response.json();
        JsonNode matters = entity(view, "matters");
        assertThat(matters.get("sync_errors").asInt()).isEqualTo(1);
        assertThat(matters.get("latest").get(0).get("kind").asText()).isEqualTo("sync");
        assertThat(matters.get("latest").get(0).get("message").asText()).contains("400");
        assertThat(matters.get("latest").get(0).get("run_id").asText()).isNotEmpty();

        JsonNode contacts = entity(view, "contacts");
        assertThat(contacts.get("sync_errors").asInt()).as("the dead letter").isEqualTo(1);
        assertThat(contacts.get("webhook_errors").asInt()).isEqualTo(1);
        assertThat(contacts.get("latest").findValuesAsText("status")).contains("dead_letter");
        assertThat(contacts.get("latest").findValuesAsText("external_id")).contains(Long.toString(corrupt));

        JsonNode users = entity(view, "users");
        assertThat(users.get("refresh_errors").asInt()).isEqualTo(1);
        assertThat(users.get("sync_errors").asInt()).isZero();
        assertThat(users.get("latest").get(0).get("message").asText()).contains("invalid_grant");

        assertThat(view.get("totals").get("sync_errors").asInt()).isEqualTo(2);
        assertThat(view.get("totals").get("webhook_errors").asInt()).isEqualTo(1);
        assertThat(view.get("totals").get("refresh_errors").asInt()).isEqualTo(1);
        assertThat(view.get("connection").get("needs_reauth").asBoolean()).isTrue();
        assertThat(view.get("connection").get("last_error").asText()).contains("invalid_grant");
        // the most affected entity first
        assertThat(view.get("entities").get(0).get("entity").asText()).isEqualTo("contacts");
        // nothing secret in any message
        assertThat(view.toString()).doesNotContain(CLIENT_SECRET).doesNotContain("refresh_token=").doesNotContain("Bearer ");

        // since: only what happened after it
        String later = java.time.Instant.now().plus(Duration.ofMinutes(1)).toString();
        JsonNode none = api.get(errorsPath + "?since=" + later, key).json();
        assertThat(none.get("entities")).isEmpty();
        assertThat(none.get("connection").get("needs_reauth").asBoolean()).as("the current state is always shown").isTrue();
        assertThat(api.get(errorsPath + "?since=last-week", key).status()).isEqualTo(400);
        assertThat(api.get("/v1/connections/no-such-connection/errors", key).status()).isEqualTo(404);
    }

    @Test
    void aRefreshRefusedOutsideAnySyncIsShownUnderTheConnection() {
        String key = tenantWithKey("errors-maintenance");
        String connection = connectClio(key);
        assertThat(clio.oauth().revokeAll("1")).isPositive();
        // the maintenance round (the scheduler's, off in these tests) refreshes tokens ahead of expiry: refused
        assertThat(server.hub().refreshExpiringTokens(Duration.ofDays(3650)).failed()).isPositive();

        JsonNode view = api.get("/v1/connections/" + connection + "/errors", key).json();
        JsonNode own = entity(view, ConnectionErrors.CONNECTION);
        assertThat(own.get("refresh_errors").asInt()).isEqualTo(1);
        assertThat(own.get("sync_errors").asInt()).isZero();
        assertThat(own.get("latest").get(0).get("status").asText()).isEqualTo("needs_reauth");
        assertThat(own.get("latest").get(0).get("message").asText()).contains("invalid_grant");
        assertThat(own.get("latest").get(0).get("run_id").isNull()).isTrue();
        assertThat(view.get("totals").get("refresh_errors").asInt()).isEqualTo(1);
        assertThat(view.get("connection").get("needs_reauth").asBoolean()).isTrue();
        assertThat(api.delete("/v1/connections/" + connection, key).status()).isEqualTo(204);
        long left = server.hub().database().jdbi().withHandle(handle -> handle.createQuery(
                "SELECT COUNT(*) FROM junction_token_refresh_error WHERE connection_id = :id").bind("id", connection).mapTo(Long.class).one());
        assertThat(left).as("deleted with the connection").isZero();
    }

    @Test
    void messagesAreRedactedOfAnythingShapedLikeACredential() {
        String token = "tok" + "en-" + "abc123";
        assertThat(ConnectionErrors.redact("401 with Authorization: Bearer " + token)).doesNotContain(token);
        assertThat(ConnectionErrors.redact("form refresh_token=" + token + "&client_id=x")).doesNotContain(token).contains("client_id=x");
        assertThat(ConnectionErrors.redact("{\"access_token\": \"" + token + "\"}")).doesNotContain(token);
        assertThat(ConnectionErrors.redact("secret whsec" + "_" + "QUJD" + " leaked")).doesNotContain("QUJD");
        assertThat(ConnectionErrors.redact("HTTP 500 from the provider (request id 42)")).isEqualTo("HTTP 500 from the provider (request id 42)");
    }

    private static JsonNode entity(JsonNode view, String name) {
        for (JsonNode entity : view.get("entities")) {
            if (entity.get("entity").asText().equals(name)) {
                return entity;
            }
        }
        throw new AssertionError("no errors for " + name + " in " + view);
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(25);
        }
    }
}
