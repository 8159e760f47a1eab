package dev.junction.provider.clio.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.junction.sandbox.MutableClock;
import dev.junction.sandbox.PageToken;
import dev.junction.sandbox.QueryParameters;
import dev.junction.sandbox.SandboxJson;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ClioSandboxPagingTest {

    private final MutableClock clock = MutableClock.at(Instant.parse("2024-05-01T12:00:00Z"));
    private ClioSandbox sandbox;
    private ClioTestClient client;

    private void start(long contacts) {
        sandbox = ClioSandbox.builder()
                .withClock(clock)
                .withRecordCount(ClioEntity.CONTACTS, contacts)
                .withRateLimit(10_000, Duration.ofSeconds(60))
                .start();
        client = new ClioTestClient(sandbox, sandbox.issueTokens(1).accessToken());
    }

    @AfterEach
    void stop() {
        sandbox.close();
    }

    private List<JsonNode> readAll(String firstPage, List<String> nextUrls) {
        List<JsonNode> records = new ArrayList<>();
        String url = firstPage;
        while (url != null) {
            ClioTestClient.Response page = client.get(url);
            assertThat(page.status()).as(url).isEqualTo(200);
            page.json().get("data").forEach(records::add);
            JsonNode next = page.json().path("meta").path("paging").get("next");
            url = next == null ? null : next.asText();
            if (url != null) {
                nextUrls.add(url);
            }
        }
        return records;
    }

    @Test
    void cursorPagingWithFieldsVisitsEveryContactOnceAndNextLinksKeepTheQuery() {
        start(1_000);
        List<String> nextUrls = new ArrayList<>();

        List<JsonNode> contacts = readAll("/contacts.json?fields=id,name,primary_email_address&order=id(asc)&limit=200",
                nextUrls);

        assertThat(contacts).extracting(contact -> contact.get("id").asLong())
                .containsExactlyElementsOf(LongStream.rangeClosed(1, 1_000).boxed().toList());
        assertThat(contacts).allSatisfy(contact -> assertThat(contact.size()).isEqualTo(3));
        assertThat(contacts.get(0).get("name").asText()).isNotBlank();
        assertThat(nextUrls).hasSize(4).allSatisfy(next -> {
            assertThat(next).startsWith(sandbox.apiBaseUrl() + "/contacts.json?");
            QueryParameters query = QueryParameters.parse(URI.create(next).getRawQuery());
            assertThat(query.first("fields")).contains("id,name,primary_email_address");
            assertThat(query.first("limit")).contains("200");
            assertThat(query.first("page_token")).isPresent();
        });
    }

    @Test
    void keptListPagesAreServedAgainUntilTheirEntityChanges() {
        sandbox = ClioSandbox.builder().withClock(clock).withRecordCount(ClioEntity.CONTACTS, 30)
                .withRateLimit(10_000, Duration.ofSeconds(60)).withListPageCache(true).start();
        client = new ClioTestClient(sandbox, sandbox.issueTokens(1).accessToken());
        String page = "/contacts.json?fields=id,name,etag&order=id(asc)&limit=10";
        JsonNode first = client.get(page).json();

        assertThat(client.get(page).json()).isEqualTo(first);
        assertThat(client.get("/contacts.json?limit=10&order=id(asc)&fields=id,name,etag").json())
                .as("the same query with its parameters in another order").isEqualTo(first);

        clock.advance(Duration.ofMinutes(5));
        sandbox.updateRecord(ClioEntity.CONTACTS, 3, SandboxJson.object().put("name", "Renamed"));
        JsonNode after = client.get(page).json();
        assertThat(after.get("data").get(2).get("name").asText()).contains("Renamed");
        assertThat(after.get("data").get(2).get("etag")).isNotEqualTo(first.get("data").get(2).get("etag"));

        sandbox.deleteRecord(ClioEntity.CONTACTS, 1);
        assertThat(client.get(page).json().get("data").get(0).get("id").asLong()).isEqualTo(2);
    }

    @Test
    void pageCarriesTheTotalRecordCountAndOmitsNextOnTheLastPage() {
        start(30);

        JsonNode page = client.get("/contacts?limit=50").json();

        assertThat(page.get("data")).hasSize(30);
        assertThat(page.path("meta").path("records").asLong()).isEqualTo(30);
        assertThat(page.path("meta").path("paging").has("next")).isFalse();
    }

    @Test
    void withoutFieldsOnlyIdAndQuotedEtagComeBack() {
        start(5);

        JsonNode contact = client.get("/contacts.json").json().get("data").get(0);

        assertThat(contact.size()).isEqualTo(2);
        assertThat(contact.get("id").asLong()).isEqualTo(1);
        assertThat(contact.get("etag").asText()).matches("\"[0-9a-f]{32}\"");
    }

    @Test
    void nestedFieldsReturnTheChosenSubFieldsAndDefaultsBelow() {
        start(50);

        JsonNode matter = client.get("/matters/1.json?fields=id,client{id,name},custom_field_values{id,value,custom_field}")
                .json().get("data");

        assertThat(matter.get("client").size()).isEqualTo(2);
        assertThat(matter.get("client").get("name").asText()).isNotBlank();
        JsonNode value = matter.get("custom_field_values").get(0);
        assertThat(value.get("id").asText()).matches("[a-z_]+-\\d+");
        assertThat(value.get("custom_field").size()).isEqualTo(1);
        assertThat(client.get("/matters/1.json?fields=client").json().get("data").get("client").fieldNames())
                .toIterable().containsExactly("id");
    }

    @Test
    void unknownFieldsAndSecondLevelFieldsAreBadRequests() {
        start(5);

        ClioTestClient.Response unknown = client.get("/contacts.json?fields=id,shoe_size");
        ClioTestClient.Response secondLevel = client.get("/matters.json?fields=custom_field_values{custom_field{id}}");
        ClioTestClient.Response scalarWithBraces = client.get("/contacts.json?fields=name{first}");

        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.json().path("error").path("message").asText()).contains("shoe_size");
        assertThat(secondLevel.status()).isEqualTo(400);
        assertThat(scalarWithBraces.status()).isEqualTo(400);
    }

    @Test
    void updatedSinceReturnsOnlyChangedRecordsAcrossPages() {
        start(1_000);
        clock.advance(Duration.ofHours(1));
        List<Long> changed = sandbox.updateRandom(ClioEntity.CONTACTS, 250);
        String since = "2024-05-01T13:00:00Z";
        List<String> nextUrls = new ArrayList<>();

        List<JsonNode> contacts = readAll("/contacts.json?fields=id,updated_at&limit=100&updated_since=" + since, nextUrls);

        assertThat(contacts).extracting(contact -> contact.get("id").asLong()).containsExactlyElementsOf(changed);
        assertThat(contacts).allSatisfy(contact -> assertThat(contact.get("updated_at").asText()).isEqualTo(since));
        assertThat(nextUrls).isNotEmpty().allSatisfy(next -> assertThat(next).contains("updated_since="));
        assertThat(client.get("/contacts.json?limit=1&updated_since=" + since).json().path("meta").path("records").asLong())
                .isEqualTo(250);
    }

    @Test
    void createdSinceIsInclusive() {
        start(10);
        clock.advance(Duration.ofMinutes(5));
        sandbox.createRecord(ClioEntity.CONTACTS, SandboxJson.object());

        JsonNode page = client.get("/contacts.json?created_since=2024-05-01T12:05:00Z").json();

        assertThat(page.get("data")).extracting(contact -> contact.get("id").asLong()).containsExactly(11L);
    }

    @Test
    void offsetPagingStopsAtTenThousandRecordsWith422() {
        start(12_000);

        ClioTestClient.Response lastAllowed = client.get("/contacts.json?offset=9800&limit=200");
        ClioTestClient.Response beyond = client.get("/contacts.json?offset=10000&limit=200");

        assertThat(lastAllowed.status()).isEqualTo(200);
        assertThat(lastAllowed.json().get("data").get(0).get("id").asLong()).isEqualTo(9_801);
        assertThat(lastAllowed.json().path("meta").path("paging").path("next").asText()).contains("offset=10000");
        assertThat(lastAllowed.json().path("meta").path("paging").path("previous").asText()).contains("offset=9600");
        assertThat(beyond.status()).isEqualTo(422);
        assertThat(beyond.json().path("error").path("type").asText()).isEqualTo("ArgumentError");
    }

    @Test
    void badPagingParametersAreRefused() {
        start(5);

        assertThat(client.get("/contacts.json?limit=0").status()).isEqualTo(400);
        assertThat(client.get("/contacts.json?limit=201").status()).isEqualTo(400);
        assertThat(client.get("/contacts.json?page_token=garbage").status()).isEqualTo(400);
        assertThat(client.get("/contacts.json?order=name(asc)").status()).isEqualTo(400);
        assertThat(client.get("/contacts.json?updated_since=yesterday").status()).isEqualTo(400);
    }

    @Test
    void millionContactsServeAnyPageWithoutGeneratingTheRest() {
        start(1_000_000);
        String token = new PageToken(999_800).encode();

        JsonNode page = client.get("/contacts.json?fields=id,name&page_token=" + token).json();

        assertThat(page.get("data")).hasSize(200);
        assertThat(page.get("data").get(199).get("id").asLong()).isEqualTo(1_000_000);
        assertThat(page.path("meta").path("records").asLong()).isEqualTo(1_000_000);
        assertThat(page.path("meta").path("paging").has("next")).isFalse();
        assertThat(client.get("/contacts/777777.json?fields=id,name").json().path("data").path("name").asText())
                .isNotBlank();
        assertThat(sandbox.recordCount(ClioEntity.CONTACTS)).isEqualTo(1_000_000);
    }
}
