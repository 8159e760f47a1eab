package dev.junction.provider.clio.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.junction.sandbox.DatasetRecord;
import dev.junction.sandbox.MutableClock;
import dev.junction.sandbox.SandboxJson;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ClioSandboxControlTest {

    private final MutableClock clock = MutableClock.at(Instant.parse("2024-05-01T12:00:00Z"));
    private final List<ClioSandbox> sandboxes = new ArrayList<>();

    private ClioSandbox start(long seed) {
        ClioSandbox sandbox = ClioSandbox.builder()
                .withSeed(seed)
                .withClock(clock)
                .withRecordCount(ClioEntity.CONTACTS, 200)
                .withRateLimit(1_000, Duration.ofSeconds(60))
                .start();
        sandboxes.add(sandbox);
        return sandbox;
    }

    @AfterEach
    void stop() {
        sandboxes.forEach(ClioSandbox::close);
    }

    private static ClioTestClient client(ClioSandbox sandbox) {
        return new ClioTestClient(sandbox, sandbox.issueTokens(1).accessToken());
    }

    @Test
    void sameSeedServesTheSameRecordsAndAnotherSeedDiffers() {
        ObjectNode first = start(7).record(ClioEntity.CONTACTS, 5).orElseThrow().body();

        assertThat(start(7).record(ClioEntity.CONTACTS, 5).orElseThrow().body()).isEqualTo(first);
        assertThat(start(8).record(ClioEntity.CONTACTS, 5).orElseThrow().body()).isNotEqualTo(first);
    }

    @Test
    void contactsLookLikeClioContacts() {
        ClioSandbox sandbox = start(42);
        List<JsonNode> contacts = new ArrayList<>();
        for (long id = 1; id <= 200; id++) {
            contacts.add(sandbox.record(ClioEntity.CONTACTS, id).orElseThrow().body());
        }

        double averageSize = contacts.stream().mapToInt(contact -> SandboxJson.toBytes(contact).length).average().orElseThrow();
        assertThat(averageSize).isBetween(800.0, 1_500.0);
        assertThat(contacts).extracting(contact -> contact.get("type").asText()).contains("Person", "Company");
        assertThat(contacts).allSatisfy(contact -> {
            assertThat(contact.get("etag").asText()).matches("\"[0-9a-f]{32}\"");
            assertThat(contact.get("primary_email_address").asText()).contains("@");
            assertThat(contact.get("email_addresses").isArray()).isTrue();
            assertThat(contact.get("phone_numbers").get(0).get("number").asText()).matches("\\(\\d{3}\\) 555-01\\d{2}");
            assertThat(contact.get("addresses").get(0).get("city").asText()).isNotBlank();
            assertThat(contact.get("custom_field_values")).allSatisfy(value ->
                    assertThat(value.get("id").asText()).matches("[a-z_]+-\\d+"));
            assertThat(contact.fieldNames()).toIterable()
                    .containsExactlyInAnyOrderElementsOf(ClioEntity.CONTACTS.schema().names());
        });
    }

    @Test
    void everyEntityIsGeneratedWithExactlyItsSchemaFields() {
        ClioSandbox sandbox = start(42);
        sandbox.createRecord(ClioEntity.CUSTOM_ACTIONS, SandboxJson.object());

        for (ClioEntity entity : ClioEntity.values()) {
            for (long id : sandbox.liveIds(entity)) {
                assertThat(sandbox.record(entity, id).orElseThrow().body().fieldNames()).toIterable()
                        .as(entity + " " + id).containsExactlyInAnyOrderElementsOf(entity.schema().names());
            }
        }
    }

    @Test
    void relatedRecordsAgreeAndClioQuirksAreKept() {
        ClioSandbox sandbox = start(42);
        ClioTestClient client = client(sandbox);

        JsonNode matter = client.get("/matters/1.json?fields=display_number,client{id,name},status").json().get("data");
        JsonNode client1 = client.get("/contacts/" + matter.get("client").get("id").asLong() + ".json?fields=name,last_name")
                .json().get("data");
        JsonNode timeEntry = findActivity(sandbox, "TimeEntry");
        JsonNode calendarEntry = client.get("/calendar_entries.json?fields=id,start_at&limit=1").json().get("data").get(0);
        JsonNode bill = client.get("/bills/1.json?fields=state,total,balance").json().get("data");
        JsonNode customField = client.get("/custom_fields/2.json?fields=parent_type,field_type").json().get("data");

        assertThat(matter.get("client").get("name").asText()).isEqualTo(client1.get("name").asText());
        assertThat(matter.get("status").asText()).isIn("Open", "Pending", "Closed");
        assertThat(timeEntry.get("quantity").asDouble() % 360).isZero();
        assertThat(timeEntry.get("quantity_in_hours").asDouble() * 3600).isEqualTo(timeEntry.get("quantity").asDouble());
        assertThat(calendarEntry.get("id").isTextual()).isTrue();
        assertThat(bill.get("total").isNumber()).isTrue();
        assertThat(bill.get("balance").asDouble()).isLessThanOrEqualTo(bill.get("total").asDouble());
        assertThat(customField.get("parent_type").asText()).isEqualTo("Matter");
    }

    private static JsonNode findActivity(ClioSandbox sandbox, String type) {
        return sandbox.liveIds(ClioEntity.ACTIVITIES).stream()
                .map(id -> (JsonNode) sandbox.record(ClioEntity.ACTIVITIES, id).orElseThrow().body())
                .filter(activity -> activity.get("type").asText().equals(type))
                .findFirst().orElseThrow();
    }

    @Test
    void corruptedRecordHasABrokenShapeAndStillShowsUpAsUpdated() {
        ClioSandbox sandbox = start(42);
        clock.advance(Duration.ofMinutes(5));

        assertThat(sandbox.corruptRecord(ClioEntity.CONTACTS, 7)).isTrue();

        JsonNode page = client(sandbox).get("/contacts.json?fields=id,name,updated_at&updated_since=2024-05-01T12:05:00Z")
                .json();
        assertThat(page.get("data")).singleElement().satisfies(contact -> {
            assertThat(contact.get("id").asLong()).isEqualTo(7);
            assertThat(contact.get("name").isObject()).isTrue();
            assertThat(contact.get("name").get("unexpected").asBoolean()).isTrue();
            assertThat(contact.get("updated_at").asText()).isEqualTo("not-a-date");
        });
        assertThat(sandbox.corruptRecord(ClioEntity.CONTACTS, 999)).isFalse();
    }

    @Test
    void randomChangesAreDeterministicAndKeepCountsAndLiveIdsInStep() {
        ClioSandbox sandbox = start(42);
        ClioSandbox twin = start(42);

        List<Long> updated = sandbox.updateRandom(ClioEntity.CONTACTS, 20);
        List<Long> deleted = sandbox.deleteRandom(ClioEntity.CONTACTS, 30);
        DatasetRecord created = sandbox.createRecord(ClioEntity.CONTACTS, SandboxJson.object().put("title", "New"));

        assertThat(twin.updateRandom(ClioEntity.CONTACTS, 20)).isEqualTo(updated);
        assertThat(updated).hasSize(20).doesNotHaveDuplicates().isSorted();
        assertThat(deleted).hasSize(30).doesNotHaveDuplicates();
        assertThat(created.id()).isEqualTo(201);
        assertThat(created.body().get("title").asText()).isEqualTo("New");
        assertThat(sandbox.recordCount(ClioEntity.CONTACTS)).isEqualTo(171);
        Set<Long> expected = new HashSet<>();
        for (long id = 1; id <= 201; id++) {
            expected.add(id);
        }
        deleted.forEach(expected::remove);
        assertThat(sandbox.liveIds(ClioEntity.CONTACTS)).isEqualTo(expected);
        assertThat(sandbox.deleteRandom(ClioEntity.CUSTOM_FIELDS, 100)).hasSize(6);
    }

    @Test
    void webhooksCannotBeCreatedByControlMethods() {
        ClioSandbox sandbox = start(42);

        assertThatThrownBy(() -> sandbox.createRecord(ClioEntity.WEBHOOKS, SandboxJson.object()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void connectionPropertiesCarryWorkingSandboxCredentials() {
        ClioSandbox sandbox = start(42);

        var properties = sandbox.connectionProperties();

        assertThat(properties).containsKeys("api_base_url", "authorize_url", "token_url", "client_id", "client_secret",
                "redirect_uri", "access_token", "refresh_token");
        assertThat(new ClioTestClient(sandbox, properties.get("access_token")).get("/users/who_am_i.json").status())
                .isEqualTo(200);
        assertThat(properties.get("api_base_url").getBytes(StandardCharsets.UTF_8)).isNotEmpty();
    }
}
