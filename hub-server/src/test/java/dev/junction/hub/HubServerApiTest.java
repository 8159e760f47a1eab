package dev.junction.hub;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.junction.testkit.TestDatabase;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The REST API over real HTTP against a real server, database and Clio sandbox: authentication, tenant isolation,
 * validation, OAuth, sync, data, change feed, actions and webhooks. Runs once per database kind (subclasses).
 */
abstract class HubServerApiTest extends HubServerTestBase {

    static String keyA;
    static String keyB;
    static String connectionA;
    static JsonNode fullRunA;

    static void setUpAll(TestDatabase.Kind kind, String owner) {
        startServer(kind, owner);
        keyA = tenantWithKey("tenant-a");
        keyB = tenantWithKey("tenant-b");
        connectionA = connectClio(keyA);
        fullRunA = syncAndWait(keyA, connectionA, "{\"mode\":\"full\"}");
    }

    @Test
    void requestsWithoutAValidKeyAreRejectedWith401() {
        ApiClient.Response none = api.get("/v1/connections", null);
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.header("WWW-Authenticate")).isEqualTo("Bearer");
        assertThat(none.json().get("instance").asText()).isEqualTo("/v1/connections");
        assertThat(api.get("/v1/connections", "jk_not-a-real-key").status()).isEqualTo(401);
        assertThat(api.send("GET", "/v1/tenants", null, null, Map.of("Authorization", "Basic YTpi")).status()).isEqualTo(401);
        assertThat(api.get("/v1/tenants", "wrong-admin-key-0000000").status()).isEqualTo(401);
    }

    @Test
    void adminEndpointsNeedTheAdminKeyAndTenantEndpointsATenantKey() {
        assertThat(api.get("/v1/tenants", keyA).status()).isEqualTo(403);
        assertThat(api.post("/v1/tenants", keyA, "{\"id\":\"sneaky\"}").status()).isEqualTo(403);
        assertThat(api.get("/v1/connections", ADMIN_KEY).status()).isEqualTo(403);
        JsonNode tenants = api.get("/v1/tenants", ADMIN_KEY).json();
        assertThat(tenants.get("items").findValuesAsText("id")).contains("tenant-a", "tenant-b");
    }

    @Test
    void aRevokedKeyStopsWorkingAndKeysAreListedWithoutSecrets() {
        ApiClient.Response created = api.post("/v1/tenants/tenant-b/api-keys", ADMIN_KEY, null);
        String key = created.json().get("key").asText();
        assertThat(key).startsWith("jk_");
        assertThat(api.get("/v1/connections", key).status()).isEqualTo(200);

        JsonNode listed = api.get("/v1/tenants/tenant-b/api-keys", ADMIN_KEY).json();
        assertThat(listed.toString()).doesNotContain(key);
        assertThat(listed.get("items").findValuesAsText("id")).contains(created.json().get("id").asText());

        assertThat(api.delete("/v1/tenants/tenant-b/api-keys/" + created.json().get("id").asText(), ADMIN_KEY).status()).isEqualTo(204);
        assertThat(api.get("/v1/connections", key).status()).isEqualTo(401);
        assertThat(api.delete("/v1/tenants/tenant-b/api-keys/no-such-key", ADMIN_KEY).status()).isEqualTo(404);
        assertThat(api.post("/v1/tenants/no-such-tenant/api-keys", ADMIN_KEY, null).status()).isEqualTo(404);
    }

    /**
     * Path parameters that name something a tenant owns: another tenant's value must be 404 on every method. A new
     * route whose path has a parameter that is in neither set fails the test until it is classified here and given
     * a real value below.
     */
    private static final Set<String> OWNED_IDS = Set.of("connectionId", "runId", "externalId", "inboxId", "endpointId", "deliveryId");
    /** Path parameters that are vocabulary (a record type, an entity, an action name), the same for every tenant. */
    private static final Set<String> VOCABULARY = Set.of("type", "entity", "action");

    /** A body each documented request schema accepts, so that validation cannot answer before the tenant check. */
    private static String sampleBody(String schema, String contactId) {
        if (schema == null) {
            return null;
        }
        return switch (schema) {
            case "SyncTrigger" -> "{\"mode\":\"incremental\"}";
            case "OAuthStartRequest" -> "{}";
            case "ActionInput" -> "{\"label\":\"Open\",\"target_url\":\"https://intake.example/open\",\"ui_reference\":\"contacts/show\"}";
            case "PushInput" -> "{\"entity\":\"contacts\",\"external_id\":\"" + contactId + "\",\"changes\":{\"first_name\":\"Eve\"}}";
            case "ConflictStrategy" -> "{\"strategy\":\"LOCAL_WINS\"}";
            case "OutboundEndpointUpdate" -> "{\"enabled\":false}";
            case "SecretRotation" -> "{\"previous_valid_seconds\":0}";
            case "ScheduleUpdate" -> "{\"interval_seconds\":3600,\"enabled\":true}";
            default -> throw new AssertionError("no sample body for request schema " + schema + ": add one to HubServerApiTest.sampleBody");
        };
    }

    @Test
    void everyRouteThatTakesAnIdAnswers404ForAnotherTenantsIdOnEveryMethod() throws Exception {
        // Tenant A of its own, owning one of everything a route can name
        String keyOwner = tenantWithKey("cross-tenant-a");
        String connection = connectClio(keyOwner);
        JsonNode run = syncAndWait(keyOwner, connection, "{\"mode\":\"full\",\"entities\":[\"users\",\"contacts\"]}");
        String contactId = api.get("/v1/records/contact?limit=1&connection_id=" + connection, keyOwner).json().get("items").get(0)
                .get("external_id").asText();
        assertThat(api.post("/v1/connections/" + connection + "/webhooks/enable", keyOwner, null).status()).isEqualTo(200);
        await("webhooks enabled", () -> api.get("/v1/connections/" + connection + "/webhooks", keyOwner).json().get("items")
                .findValuesAsText("status").stream().allMatch("enabled"::equals));
        clio.updateRecord(dev.junction.provider.clio.sandbox.ClioEntity.CONTACTS, Long.parseLong(contactId),
                com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode().put("first_name", "Crossed"));
        await("an inbox entry", () -> !api.get("/v1/connections/" + connection + "/webhooks/inbox", keyOwner).json().get("items").isEmpty());
        String inboxId = api.get("/v1/connections/" + connection + "/webhooks/inbox", keyOwner).json().get("items").get(0).get("id").asText();
        String endpointId;
        String deliveryId;
        try (WebhookReceiver receiver = new WebhookReceiver()) {
            endpointId = api.post("/v1/outbound-webhooks", keyOwner, "{\"url\":\"" + receiver.url() + "\",\"after\":0}").json().get("id").asText();
            await("a delivery", () -> {
                server.outbound().deliverDue();
                return !receiver.received().isEmpty();
            });
            deliveryId = api.get("/v1/outbound-webhooks/" + endpointId + "/deliveries?limit=1", keyOwner).json().get("items").get(0)
                    .get("id").asText();
        }
        Map<String, String> values = Map.of("connectionId", connection, "runId", run.get("id").asText(), "externalId", contactId,
                "inboxId", inboxId, "endpointId", endpointId, "deliveryId", deliveryId,
                "type", "contact", "entity", "contacts", "action", "create_custom_action");

        int checked = 0;
        for (Route route : server.routes()) {
            if (route.access() != Route.Access.TENANT) {
                continue; // admin routes see every tenant by design; public ones take no tenant key
            }
            for (String name : route.pathParameters()) {
                assertThat(OWNED_IDS.contains(name) || VOCABULARY.contains(name))
                        .as("%s %s: classify path parameter '%s' in this test and give it a real value of tenant A", route.method(),
                                route.path(), name).isTrue();
            }
            String path = route.path();
            for (String name : route.pathParameters()) {
                path = path.replace("{" + name + "}", java.net.URLEncoder.encode(values.get(name), java.nio.charset.StandardCharsets.UTF_8));
            }
            if (route.pathParameters().stream().anyMatch(OWNED_IDS::contains)) {
                String body = sampleBody(route.requestSchema(), contactId);
                Map<String, String> headers = Map.of("Idempotency-Key", "cross-tenant-" + checked);
                ApiClient.Response asOther = api.send(route.method(), path, keyB, body, headers);
                assertThat(asOther.status()).as("%s %s as another tenant: %s", route.method(), path, asOther.json()).isEqualTo(404);
                if (route.method().equals("GET")) {
                    assertThat(api.get(path, keyOwner).status()).as("GET %s as its owner", path).isEqualTo(200);
                }
                checked++;
            } else if (route.method().equals("GET") && !route.pathParameters().isEmpty()) {
                // vocabulary only (records of a type): the other tenant sees its own data, none of A's
                assertThat(api.get(path, keyB).json().toString()).as("GET %s as another tenant", path).doesNotContain(connection);
            }
            // a query parameter naming a connection is an id too
            if (route.parameters().stream().anyMatch(parameter -> parameter.name().equals("connection_id")) && route.method().equals("GET")) {
                String query = path + "?connection_id=" + connection;
                assertThat(api.get(query, keyB).status()).as("GET %s as another tenant", query).isEqualTo(404);
                checked++;
            }
        }
        assertThat(checked).as("routes checked").isGreaterThan(25);

        // nothing of A's leaked into lists, and nothing of A's changed
        assertThat(api.get("/v1/connections", keyB).json().get("items").findValuesAsText("id")).doesNotContain(connection);
        assertThat(api.get("/v1/changes?limit=1000", keyB).json().toString()).doesNotContain(connection);
        assertThat(api.get("/v1/outbound-webhooks", keyB).json().get("items").findValuesAsText("id")).doesNotContain(endpointId);
        assertThat(api.get("/v1/connections/" + connection, keyOwner).json().get("status").asText()).isEqualTo("ACTIVE");
        assertThat(api.get("/v1/connections/" + connection + "/conflict-strategy", keyOwner).json().get("strategy").asText())
                .isEqualTo("REMOTE_WINS");
        assertThat(api.get("/v1/outbound-webhooks/" + endpointId, keyOwner).json().get("enabled").asBoolean()).isTrue();
        assertThat(api.get("/v1/connections/" + connection + "/webhooks", keyOwner).json().get("items")).isNotEmpty();
        api.post("/v1/connections/" + connection + "/webhooks/disable", keyOwner, null);
    }

    @Test
    void badInputIsAnsweredAsProblemJsonAndNeverA500() {
        assertThat(api.post("/v1/tenants", ADMIN_KEY, "{not json").status()).isEqualTo(400);
        assertThat(api.post("/v1/tenants", ADMIN_KEY, "[1,2]").status()).isEqualTo(400);
        assertThat(api.post("/v1/tenants", ADMIN_KEY, "{}").status()).isEqualTo(422);
        assertThat(api.post("/v1/tenants", ADMIN_KEY, "{\"id\":\"Has Spaces\"}").status()).isEqualTo(422);
        assertThat(api.post("/v1/tenants", ADMIN_KEY, "{\"id\":42}").status()).isEqualTo(422);
        assertThat(api.post("/v1/tenants", ADMIN_KEY, "{\"id\":\"tenant-a\"}").status()).isEqualTo(409);
        assertThat(api.post("/v1/connections", keyA, "{\"provider\":\"nope\"}").status()).isEqualTo(422);
        assertThat(api.post("/v1/connections", keyA, "{\"provider\":\"clio\",\"settings\":{\"bogus\":\"x\"}}").status()).isEqualTo(422);
        assertThat(api.post("/v1/connections", keyA, "{\"provider\":\"clio\",\"settings\":{\"region\":1}}").status()).isEqualTo(422);
        assertThat(api.post("/v1/connections/" + connectionA + "/syncs", keyA, "{\"mode\":\"sideways\"}").status()).isEqualTo(422);
        assertThat(api.post("/v1/connections/" + connectionA + "/syncs", keyA, "{\"entities\":[\"planets\"]}").status()).isEqualTo(422);
        assertThat(api.get("/v1/records/contact?limit=0", keyA).status()).isEqualTo(400);
        assertThat(api.get("/v1/records/contact?limit=abc", keyA).status()).isEqualTo(400);
        assertThat(api.get("/v1/records/contact?updated_since=yesterday", keyA).status()).isEqualTo(400);
        assertThat(api.get("/v1/records/contact?include_deleted=maybe", keyA).status()).isEqualTo(400);
        assertThat(api.get("/v1/records/contact?cursor=%25%25", keyA).status()).isEqualTo(400);
        assertThat(api.get("/v1/records/contact?cursor=bm90LWEtY3Vyc29y", keyA).status()).isEqualTo(400);
        assertThat(api.get("/v1/records/planet", keyA).status()).isEqualTo(404);
        assertThat(api.get("/v1/changes?after=-1", keyA).status()).isEqualTo(400);
        assertThat(api.get("/v1/syncs/no-such-run", keyA).status()).isEqualTo(404);
        assertThat(api.get("/v1/connections/" + "x".repeat(300), keyA).status()).isEqualTo(404);

        ApiClient.Response unknown = api.get("/v1/nothing-here", keyA);
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.json().get("type").asText()).startsWith("https://");
        assertThat(api.send("PUT", "/v1/tenants", ADMIN_KEY, "{}", Map.of()).status()).isEqualTo(405);

        byte[] tooLarge = ("{\"id\":\"" + "a".repeat(70_000) + "\"}").getBytes();
        ApiClient.Response large = api.sendBytes("POST", "/v1/tenants", ADMIN_KEY, tooLarge, Map.of());
        assertThat(large.status()).isEqualTo(413);
    }

    @Test
    void theOAuthCallbackCompletesAConnectionAndRefusesBadStates() {
        JsonNode connection = api.get("/v1/connections/" + connectionA, keyA).json();
        assertThat(connection.get("status").asText()).isEqualTo("ACTIVE");
        assertThat(connection.get("provider").asText()).isEqualTo("clio");
        assertThat(connection.get("last_sync").get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(connection.get("webhook_url").asText()).startsWith(server.publicUrl() + "/v1/webhooks/");
        assertThat(connection.get("freshness").get("contacts").asText()).isNotEmpty();
        assertThat(api.get("/v1/connections/" + connectionA + "/dead-letters", keyA).json().get("items")).isEmpty();

        assertThat(api.get("/v1/oauth/callback?state=unknown-state&code=abc", null).status()).isBetween(400, 422);
        assertThat(api.get("/v1/oauth/callback?code=abc", null).status()).isEqualTo(400);
        assertThat(api.get("/v1/oauth/callback?error=access_denied", null).status()).isEqualTo(400);

        String second = connectClio(keyB);
        assertThat(api.get("/v1/connections", keyB).json().get("items").findValuesAsText("id")).containsExactly(second);
        assertThat(api.delete("/v1/connections/" + second, keyB).status()).isEqualTo(204);
        assertThat(api.get("/v1/connections/" + second, keyB).status()).isEqualTo(404);
    }

    @Test
    void aSyncTriggeredOverHttpFillsTheRecordsAndTheChangeFeed() {
        assertThat(fullRunA.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(fullRunA.get("entities").findValuesAsText("entity")).contains("contacts", "matters", "users");
        assertThat(fullRunA.get("records").asLong()).isPositive();

        // every contact, page by page
        Set<String> ids = new HashSet<>();
        String cursor = null;
        int pages = 0;
        do {
            JsonNode page = api.get("/v1/records/contact?limit=25" + (cursor == null ? "" : "&cursor=" + cursor), keyA).json();
            page.get("items").forEach(item -> ids.add(item.get("external_id").asText()));
            cursor = page.get("next_cursor").isNull() ? null : page.get("next_cursor").asText();
            pages++;
        } while (cursor != null);
        assertThat(ids).hasSize(60);
        assertThat(pages).isEqualTo(3);

        String id = ids.iterator().next();
        JsonNode record = api.get("/v1/connections/" + connectionA + "/records/contact/" + id, keyA).json();
        assertThat(record.get("data").get("external_id").asText()).isEqualTo(id);
        JsonNode raw = api.get("/v1/connections/" + connectionA + "/raw/contacts/" + id, keyA).json();
        assertThat(raw.get("payload").get("id").asText()).isEqualTo(id);
        String name = record.get("data").get("name").asText();
        JsonNode found = api.get("/v1/records/contact?q=" + java.net.URLEncoder.encode(name, java.nio.charset.StandardCharsets.UTF_8)
                + "&connection_id=" + connectionA, keyA).json();
        assertThat(found.get("items").findValuesAsText("external_id")).contains(id);
        assertThat(api.get("/v1/connections/" + connectionA + "/records/contact/999999999", keyA).status()).isEqualTo(404);

        // the change feed, in pages, from the start
        List<JsonNode> events = new ArrayList<>();
        long after = 0;
        while (true) {
            JsonNode page = api.get("/v1/changes?limit=200&after=" + after, keyA).json();
            if (page.get("items").isEmpty()) {
                break;
            }
            page.get("items").forEach(events::add);
            after = page.get("next_cursor").asLong();
        }
        assertThat(events).hasSize((int) fullRunA.get("entities").findValues("added").stream().mapToLong(JsonNode::asLong).sum());
        assertThat(events).allMatch(event -> event.get("operation").asText().equals("created"));

        JsonNode runs = api.get("/v1/connections/" + connectionA + "/syncs", keyA).json();
        assertThat(runs.get("items").findValuesAsText("id")).contains(fullRunA.get("id").asText());

        // an incremental run of one entity
        JsonNode incremental = syncAndWait(keyA, connectionA, "{\"mode\":\"incremental\",\"entities\":[\"contacts\"]}");
        assertThat(incremental.get("status").asText()).isEqualTo("SUCCEEDED");
        assertThat(incremental.get("entities").findValuesAsText("entity")).containsExactly("contacts");
        assertThat(api.post("/v1/syncs/" + incremental.get("id").asText() + "/cancel", keyA, null).status()).isEqualTo(409);
    }

    @Test
    void providersAreListedWithAuthKindEntitiesAndActions() {
        JsonNode providers = api.get("/v1/providers", keyA).json().get("items");
        assertThat(providers.findValuesAsText("id")).as("every bundled provider, by id")
                .containsExactly("ascora", "chatwoot", "cliniko", "clio", "stripe");
        JsonNode clioProvider = providers.get(3);
        assertThat(clioProvider.get("id").asText()).isEqualTo("clio");
        assertThat(clioProvider.get("auth_kind").asText()).isEqualTo("oauth2");
        assertThat(clioProvider.get("entities").findValuesAsText("name")).contains("contacts");
        assertThat(clioProvider.get("actions").findValuesAsText("name")).contains("create_custom_action");
    }

    @Test
    void anActionRunsOncePerIdempotencyKey() {
        String path = "/v1/connections/" + connectionA + "/actions/create_custom_action";
        String body = "{\"label\":\"Open intake\",\"target_url\":\"https://intake.example/open\",\"ui_reference\":\"contacts/show\"}";
        String reordered = "{\"ui_reference\":\"contacts/show\",\"target_url\":\"https://intake.example/open\",\"label\":\"Open intake\"}";
        long before = clio.recordCount(ClioEntityHolder.CUSTOM_ACTIONS);

        ApiClient.Response first = api.send("POST", path, keyA, body, Map.of("Idempotency-Key", "intake-1"));
        assertThat(first.status()).as(String.valueOf(first.json())).isEqualTo(200);
        assertThat(first.json().get("replayed").asBoolean()).isFalse();
        ApiClient.Response again = api.send("POST", path, keyA, reordered, Map.of("Idempotency-Key", "intake-1"));
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json().get("replayed").asBoolean()).isTrue();
        assertThat(again.json().get("result")).isEqualTo(first.json().get("result"));
        assertThat(clio.recordCount(ClioEntityHolder.CUSTOM_ACTIONS)).isEqualTo(before + 1);

        String other = body.replace("Open intake", "Something else");
        assertThat(api.send("POST", path, keyA, other, Map.of("Idempotency-Key", "intake-1")).status()).isEqualTo(409);
        assertThat(api.post(path, keyA, body).status()).isEqualTo(400);
        assertThat(api.send("POST", "/v1/connections/" + connectionA + "/actions/launch_rockets", keyA, body,
                Map.of("Idempotency-Key", "x")).status()).isEqualTo(404);
        assertThat(api.send("POST", path, keyA, "{\"label\":\" \"}", Map.of("Idempotency-Key", "bad-input")).status()).isEqualTo(422);
    }

    @Test
    void conflictStrategyIsSetPerConnectionAndPushIsRefusedForProvidersWithoutIt() {
        String path = "/v1/connections/" + connectionA;
        assertThat(api.get(path + "/conflict-strategy", keyA).json().get("strategy").asText()).isEqualTo("REMOTE_WINS");
        ApiClient.Response set = api.send("PUT", path + "/conflict-strategy", keyA, "{\"strategy\":\"NEWEST_WINS\"}", Map.of());
        assertThat(set.status()).isEqualTo(200);
        assertThat(api.get(path + "/conflict-strategy", keyA).json().get("strategy").asText()).isEqualTo("NEWEST_WINS");
        assertThat(api.send("PUT", path + "/conflict-strategy", keyA, "{\"strategy\":\"LOUDEST_WINS\"}", Map.of()).status())
                .isEqualTo(422);
        assertThat(api.get(path + "/conflict-strategy", keyB).status()).as("another tenant").isEqualTo(404);

        String change = "{\"entity\":\"contacts\",\"external_id\":\"1\",\"changes\":{\"first_name\":\"Ada\"}}";
        assertThat(api.post(path + "/push", keyA, change).status()).as("no Idempotency-Key").isEqualTo(400);
        assertThat(api.send("POST", path + "/push", keyA, "{\"entity\":\"contacts\",\"changes\":{}}",
                Map.of("Idempotency-Key", "p-0")).status()).isEqualTo(422);
        ApiResponseCheck.status(api.send("POST", path + "/push", keyA, change, Map.of("Idempotency-Key", "p-1")), 501);
        assertThat(api.get(path + "/pushes", keyA).json().get("items")).isEmpty();
    }

    /** Small helper so a failed status check shows the problem body. */
    private static final class ApiResponseCheck {
        static void status(ApiClient.Response response, int expected) {
            assertThat(response.status()).as(String.valueOf(response.json())).isEqualTo(expected);
        }
    }

    @Test
    void theWebhookEndpointRejectsUnknownTokensAndBadSignaturesWith401() {
        String url = api.get("/v1/connections/" + connectionA, keyA).json().get("webhook_url").asText();
        String path = url.substring(server.publicUrl().length());
        ApiClient.Response forged = api.send("POST", path, null, "{\"data\":{\"id\":1}}",
                Map.of("X-Hook-Signature", "0000000000000000000000000000000000000000000000000000000000000000"));
        assertThat(forged.status()).isEqualTo(401);
        assertThat(forged.json().get("error_kind").asText()).isEqualTo("WEBHOOK_REJECTED");
        assertThat(api.post("/v1/webhooks/not-a-token", null, "{}").status()).isEqualTo(401);
        assertThat(api.get("/v1/connections/" + connectionA + "/webhooks/inbox", keyA).json().get("items")).isEmpty();
        assertThat(api.get("/v1/connections/" + connectionA + "/webhooks/inbox?status=weird", keyA).status()).isEqualTo(400);
        assertThat(api.post("/v1/connections/" + connectionA + "/webhooks/inbox/12345/replay", keyA, null).status()).isEqualTo(404);
    }

    @Test
    void aSandboxWebhookReachesTheInboundEndpointAndShowsUpInTheDataAndTheChangeFeed() throws Exception {
        // a tenant of its own, so the other tests' change feed stays as they expect
        String key = tenantWithKey("tenant-webhooks");
        String connection = connectClio(key);
        assertThat(syncAndWait(key, connection, "{\"mode\":\"full\",\"entities\":[\"contacts\"]}").get("status").asText())
                .isEqualTo("SUCCEEDED");

        ApiClient.Response enabled = api.post("/v1/connections/" + connection + "/webhooks/enable", key, null);
        assertThat(enabled.status()).isEqualTo(200);
        assertThat(enabled.json().get("items").findValuesAsText("entity")).contains("contacts");
        assertThat(enabled.json().toString()).doesNotContain("secret");
        await("webhooks enabled at Clio", () -> {
            JsonNode items = api.get("/v1/connections/" + connection + "/webhooks", key).json().get("items");
            return items.size() > 0 && items.findValuesAsText("status").stream().allMatch("enabled"::equals);
        });

        long contactId = clio.liveIds(dev.junction.provider.clio.sandbox.ClioEntity.CONTACTS).iterator().next();
        clio.updateRecord(dev.junction.provider.clio.sandbox.ClioEntity.CONTACTS, contactId,
                com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode().put("name", "Webhook Person").put("first_name", "Webhook"));
        await("the webhook event applied", () -> {
            server.hub().processWebhooks(); // the background worker is off in tests
            JsonNode items = api.get("/v1/changes?limit=1000&connection_id=" + connection, key).json().get("items");
            return items.findValuesAsText("source").contains("webhook");
        });
        JsonNode record = api.get("/v1/connections/" + connection + "/records/contact/" + contactId, key).json();
        assertThat(record.get("data").get("name").asText()).isEqualTo("Webhook Person");
        JsonNode inbox = api.get("/v1/connections/" + connection + "/webhooks/inbox", key).json().get("items");
        assertThat(inbox.findValuesAsText("status")).contains("processed");

        assertThat(api.post("/v1/connections/" + connection + "/webhooks/disable", key, null).json().get("removed").asInt()).isPositive();
        assertThat(api.delete("/v1/connections/" + connection, key).status()).isEqualTo(204);
    }

    @Test
    void aSignedWebhookPostedOverHttpIsAcceptedOnceAndItsRedeliveryIsAcknowledgedAsADuplicate() throws Exception {
        String key = tenantWithKey("tenant-webhook-answers");
        String connection = connectClio(key);
        assertThat(api.post("/v1/connections/" + connection + "/webhooks/enable", key, null).status()).isEqualTo(200);
        await("webhooks enabled at Clio", () -> {
            JsonNode items = api.get("/v1/connections/" + connection + "/webhooks", key).json().get("items");
            return items.size() > 0 && items.findValuesAsText("status").stream().allMatch("enabled"::equals);
        });
        String webhookId = java.util.stream.StreamSupport.stream(
                        api.get("/v1/connections/" + connection + "/webhooks", key).json().get("items").spliterator(), false)
                .filter(item -> item.get("entity").asText().equals("contacts")).findFirst().orElseThrow().get("id").asText();
        String secret = clio.record(dev.junction.provider.clio.sandbox.ClioEntity.WEBHOOKS, Long.parseLong(webhookId)).orElseThrow().body().path("shared_secret").asText();
        String url = api.get("/v1/connections/" + connection, key).json().get("webhook_url").asText();
        String path = url.substring(server.publicUrl().length());
        byte[] body = ("{\"data\":{\"id\":424242,\"etag\":\"\\\"v1\\\"\"},\"meta\":{\"event\":\"updated\",\"webhook_id\":" + webhookId + "}}")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
        mac.init(new javax.crypto.spec.SecretKeySpec(secret.getBytes(java.nio.charset.StandardCharsets.UTF_8), "HmacSHA256"));
        Map<String, String> signed = Map.of("X-Hook-Signature", java.util.HexFormat.of().formatHex(mac.doFinal(body)),
                "Content-Type", "application/json");

        ApiClient.Response first = api.sendBytes("POST", path, null, body, signed);
        ApiClient.Response again = api.sendBytes("POST", path, null, body, signed);
        body[body.length - 3] ^= 1; // the webhook id's last digit: no longer the signed body
        ApiClient.Response tampered = api.sendBytes("POST", path, null, body, signed);

        assertThat(first.status()).isEqualTo(200);
        assertThat(first.header("Content-Type")).isEqualTo("application/json");
        assertThat(first.json().get("accepted").asInt()).isEqualTo(1);
        assertThat(first.json().size()).isEqualTo(1);
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json().get("accepted").asInt()).isZero();
        assertThat(tampered.status()).isEqualTo(401);
        JsonNode inbox = api.get("/v1/connections/" + connection + "/webhooks/inbox", key).json().get("items");
        assertThat(inbox.findValuesAsText("external_id")).containsOnlyOnce("424242");
        assertThat(api.delete("/v1/connections/" + connection, key).status()).isEqualTo(204);
    }

    @Test
    void aRunningSyncShowsLiveProgressOverHttpAndCanBeCancelled() throws Exception {
        String key = tenantWithKey("tenant-progress");
        String connection = connectClio(key);
        // the sandbox holds its next two answers for a while, so the run is certainly still running when read
        clio.faults().next(2).respondWith(dev.junction.sandbox.Fault.delay(java.time.Duration.ofMillis(1500)));
        try {
            ApiClient.Response started = api.post("/v1/connections/" + connection + "/syncs", key, "{\"mode\":\"full\"}");
            assertThat(started.status()).isEqualTo(202);
            assertThat(started.header("Location")).isEqualTo("/v1/syncs/" + started.json().get("run_id").asText());
            String run = "/v1/syncs/" + started.json().get("run_id").asText();

            JsonNode running = api.get(run, key).json();
            assertThat(running.get("status").asText()).isIn("PENDING", "RUNNING");
            assertThat(running.get("progress").isNull()).as("live progress of %s", running).isFalse();
            assertThat(running.get("progress").get("records").asLong()).isNotNegative();
            assertThat(running.get("progress").has("records_per_second")).isTrue();

            assertThat(api.post(run + "/cancel", key, null).status()).isEqualTo(202);
            await("the run to stop", () -> !List.of("PENDING", "RUNNING").contains(api.get(run, key).json().get("status").asText()));
            JsonNode stopped = api.get(run, key).json();
            assertThat(stopped.get("status").asText()).isEqualTo("CANCELLED");
            assertThat(stopped.get("progress").isNull()).isTrue();
        } finally {
            clio.faults().clear();
        }
    }

    private static void await(String what, java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(15).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(25);
        }
    }

    /** The sandbox's entity enum under a name that does not clash with the provider's. */
    static final class ClioEntityHolder {
        static final dev.junction.provider.clio.sandbox.ClioEntity CUSTOM_ACTIONS = dev.junction.provider.clio.sandbox.ClioEntity.CUSTOM_ACTIONS;
    }
}
