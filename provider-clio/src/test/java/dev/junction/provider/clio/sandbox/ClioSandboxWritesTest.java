package dev.junction.provider.clio.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.junction.sandbox.MutableClock;
import dev.junction.sandbox.QueryParameters;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ClioSandboxWritesTest {

    private final MutableClock clock = MutableClock.at(Instant.parse("2024-05-01T12:00:00Z"));
    private ClioSandbox sandbox;
    private ClioTestClient userOne;

    @BeforeEach
    void start() {
        sandbox = ClioSandbox.builder().withClock(clock).withRateLimit(1_000, Duration.ofSeconds(60)).start();
        userOne = new ClioTestClient(sandbox, sandbox.issueTokens(1).accessToken());
    }

    @AfterEach
    void stop() {
        sandbox.close();
    }

    @Test
    void createdContactGetsTheNextIdDerivedFieldsAndNestedIds() {
        ClioTestClient.Response created = userOne.send("POST",
                "/contacts.json?fields=id,name,type,primary_email_address,email_addresses{id,address,primary},created_at",
                """
                {"data": {"first_name": "Grace", "last_name": "Hopper",
                          "email_addresses": [{"name": "Work", "address": "grace@navy.example.com", "primary": true}]}}
                """);

        JsonNode contact = created.json().get("data");
        assertThat(created.status()).isEqualTo(201);
        assertThat(contact.get("id").asLong()).isEqualTo(51);
        assertThat(contact.get("name").asText()).isEqualTo("Grace Hopper");
        assertThat(contact.get("type").asText()).isEqualTo("Person");
        assertThat(contact.get("primary_email_address").asText()).isEqualTo("grace@navy.example.com");
        assertThat(contact.get("email_addresses").get(0).get("id").isIntegralNumber()).isTrue();
        assertThat(contact.get("created_at").asText()).isEqualTo("2024-05-01T12:00:00Z");
        assertThat(sandbox.recordCount(ClioEntity.CONTACTS)).isEqualTo(51);
    }

    @Test
    void invalidContactsAreUnprocessable() {
        assertThat(userOne.send("POST", "/contacts.json", "{\"data\": {\"type\": \"Person\"}}").status()).isEqualTo(422);
        assertThat(userOne.send("POST", "/contacts.json", "{\"data\": {\"type\": \"Company\"}}").status()).isEqualTo(422);
        assertThat(userOne.send("POST", "/contacts.json", "{\"data\": {\"last_name\": \"X\", \"shoe_size\": 9}}").status())
                .isEqualTo(422);
        assertThat(userOne.send("POST", "/contacts.json", "{\"first_name\": \"No data wrapper\"}").status())
                .isEqualTo(422);
        assertThat(sandbox.recordCount(ClioEntity.CONTACTS)).isEqualTo(50);
    }

    @Test
    void patchUpdatesFieldsAndNestedListsByIdAndDestroy() {
        JsonNode before = userOne.get("/contacts/2.json?fields=phone_numbers{id},etag").json().get("data");
        long firstPhone = before.get("phone_numbers").get(0).get("id").asLong();
        clock.advance(Duration.ofMinutes(10));

        ClioTestClient.Response patched = userOne.send("PATCH",
                "/contacts/2.json?fields=title,phone_numbers{id,number},updated_at,etag", """
                {"data": {"title": "Partner", "phone_numbers": [
                    {"id": %d, "_destroy": true},
                    {"name": "Other", "number": "(604) 555-0199"}]}}
                """.formatted(firstPhone));

        JsonNode contact = patched.json().get("data");
        assertThat(patched.status()).isEqualTo(200);
        assertThat(contact.get("title").asText()).isEqualTo("Partner");
        assertThat(contact.get("phone_numbers")).extracting(phone -> phone.get("id").asLong()).doesNotContain(firstPhone);
        assertThat(contact.get("phone_numbers")).extracting(phone -> phone.get("number").asText())
                .contains("(604) 555-0199");
        assertThat(contact.get("updated_at").asText()).isEqualTo("2024-05-01T12:10:00Z");
        assertThat(contact.get("etag").asText()).isNotEqualTo(before.get("etag").asText());
    }

    @Test
    void staleIfMatchIsPreconditionFailed() {
        ClioTestClient.Response stale = userOne.send("PATCH", "/contacts/3.json", "{\"data\": {\"title\": \"X\"}}",
                "If-Match", "\"0000\"", "Content-Type", "application/json");

        assertThat(stale.status()).isEqualTo(412);
    }

    @Test
    void deletedContactIsGoneFromReadsAndLiveIds() {
        assertThat(userOne.send("DELETE", "/contacts/7.json", null).status()).isEqualTo(204);

        assertThat(userOne.get("/contacts/7.json").status()).isEqualTo(404);
        assertThat(userOne.send("DELETE", "/contacts/7.json", null).status()).isEqualTo(404);
        assertThat(sandbox.liveIds(ClioEntity.CONTACTS)).hasSize(49).doesNotContain(7L);
    }

    @Test
    void customActionsAreValidatedAndManagedThroughTheApi() {
        ClioTestClient.Response invalid = userOne.send("POST", "/custom_actions.json", """
                {"data": {"label": "Open", "target_url": "https://app.example.com/open", "ui_reference": "bills/show"}}
                """);
        ClioTestClient.Response created = userOne.send("POST", "/custom_actions.json?fields=id,label,ui_reference", """
                {"data": {"label": "Open in Junction", "target_url": "https://app.example.com/open",
                          "ui_reference": "matters/show"}}
                """);
        long id = created.json().get("data").get("id").asLong();
        ClioTestClient.Response renamed = userOne.send("PATCH", "/custom_actions/" + id + ".json?fields=label",
                "{\"data\": {\"label\": \"Open matter in Junction\"}}");
        ClioTestClient.Response badUrl = userOne.send("PATCH", "/custom_actions/" + id + ".json",
                "{\"data\": {\"target_url\": \"not a url\"}}");

        assertThat(invalid.status()).isEqualTo(422);
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.json().get("data").get("ui_reference").asText()).isEqualTo("matters/show");
        assertThat(renamed.json().get("data").get("label").asText()).isEqualTo("Open matter in Junction");
        assertThat(badUrl.status()).isEqualTo(422);
        assertThat(userOne.get("/custom_actions.json").json().path("meta").path("records").asLong()).isEqualTo(1);
        assertThat(userOne.send("DELETE", "/custom_actions/" + id + ".json", null).status()).isEqualTo(204);
    }

    @Test
    void customActionNonceIsSingleUseAndBoundToTheClickingUser() {
        long actionId = userOne.send("POST", "/custom_actions.json", """
                {"data": {"label": "Open", "target_url": "https://app.example.com/open?source=clio",
                          "ui_reference": "contacts/show"}}
                """).json().get("data").get("id").asLong();
        URI click = sandbox.simulateCustomActionClick(actionId, 1, "/api/v4/contacts/5");
        URI otherUsersClick = sandbox.simulateCustomActionClick(actionId, 2, "/api/v4/contacts/5");
        QueryParameters parameters = QueryParameters.parse(click.getRawQuery());
        String nonce = parameters.first("custom_action_nonce").orElseThrow();
        String otherNonce = QueryParameters.parse(otherUsersClick.getRawQuery()).first("custom_action_nonce").orElseThrow();

        assertThat(click.toString()).startsWith("https://app.example.com/open?source=clio&");
        assertThat(parameters.first("custom_action_id")).contains(Long.toString(actionId));
        assertThat(parameters.first("user_id")).contains("1");
        assertThat(parameters.first("subject_url")).contains("/api/v4/contacts/5");
        assertThat(userOne.get("/contacts/5.json?custom_action_nonce=" + nonce).status()).isEqualTo(200);
        assertThat(userOne.get("/contacts/5.json?custom_action_nonce=" + nonce).status()).isEqualTo(403);
        assertThat(userOne.get("/contacts/5.json?custom_action_nonce=" + otherNonce).status()).isEqualTo(403);
        assertThat(userOne.get("/contacts/5.json?custom_action_nonce=made-up").status()).isEqualTo(403);
        assertThat(userOne.get("/contacts/5.json").status()).isEqualTo(200);
    }
}
