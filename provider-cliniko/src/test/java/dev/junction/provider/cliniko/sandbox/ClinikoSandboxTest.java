package dev.junction.provider.cliniko.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.junction.sandbox.Sandbox;
import dev.junction.sandbox.SandboxFactory;
import dev.junction.sandbox.SandboxJson;
import dev.junction.sandbox.SandboxOptions;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The sandbox speaks Cliniko's documented protocol: paging, filters, listings, rate limit, auth and writes. */
class ClinikoSandboxTest {

    private static final String AGENT = "Sandbox tests (ops@example.com)";
    private final HttpClient client = HttpClient.newHttpClient();
    private ClinikoSandbox sandbox;

    @AfterEach
    void stop() {
        if (sandbox != null) sandbox.close();
    }

    @Test
    void listsPageWithAbsoluteLinksAndTotalEntriesAndPerPageIsCappedAt100() throws Exception {
        sandbox = ClinikoSandbox.builder().withRecordCount(SandboxEntity.PATIENTS, 230).start();
        int active = (int) sandbox.liveIds(SandboxEntity.PATIENTS).stream()
                .filter(id -> sandbox.record(SandboxEntity.PATIENTS, id).orElseThrow().path("archived_at").asText().isEmpty()).count();

        JsonNode first = get(sandbox.apiBaseUrl() + "/patients?per_page=40").body;
        assertThat(first.get("total_entries").asInt()).isEqualTo(active);
        assertThat(first.get("patients")).hasSize(40);
        assertThat(first.at("/links/self").asText()).startsWith(sandbox.apiBaseUrl() + "/patients?").contains("page=1");
        assertThat(first.at("/links/previous").isMissingNode()).isTrue();
        Set<String> seen = new HashSet<>();
        String next = sandbox.apiBaseUrl() + "/patients?per_page=40";
        int pages = 0;
        while (next != null) {
            JsonNode page = get(next).body;
            page.get("patients").forEach(patient -> assertThat(seen.add(patient.get("id").asText())).isTrue());
            next = page.at("/links/next").isTextual() ? page.at("/links/next").asText() : null;
            if (pages++ > 0) {
                assertThat(page.at("/links/previous").asText()).contains("page=" + (pages - 1));
            }
        }
        assertThat(seen).hasSize(active);
        assertThat(get(sandbox.apiBaseUrl() + "/patients?per_page=500").body.get("patients")).hasSize(100);
        assertThat(get(sandbox.apiBaseUrl() + "/patients").body.get("patients")).hasSize(50);
        assertThat(get(sandbox.apiBaseUrl() + "/patients?per_page=0").status).isEqualTo(400);
    }

    @Test
    void filtersOnUpdatedAtAndCreatedAtAreKeptInTheNextLink() throws Exception {
        sandbox = ClinikoSandbox.builder().withRecordCount(SandboxEntity.PATIENTS, 30).start();
        Instant before = Instant.now().minusSeconds(1);
        List<Long> ids = new ArrayList<>(sandbox.liveIds(SandboxEntity.PATIENTS));
        sandbox.update(SandboxEntity.PATIENTS, ids.get(0), SandboxJson.object().put("first_name", "Changed"));
        long created = sandbox.createPatient("New", "Person", null);
        sandbox.update(SandboxEntity.PATIENTS, ids.get(1), SandboxJson.object().put("first_name", "Changed too"));

        JsonNode changed = get(sandbox.apiBaseUrl() + "/patients?per_page=1&" + q("updated_at:>=" + before)).body;

        assertThat(changed.get("total_entries").asInt()).isEqualTo(3);
        assertThat(changed.at("/links/next").asText()).contains("q%5B%5D=updated_at");
        JsonNode second = get(changed.at("/links/next").asText()).body;
        assertThat(second.get("total_entries").asInt()).isEqualTo(3);
        JsonNode createdSince = get(sandbox.apiBaseUrl() + "/patients?" + q("created_at:>" + before)).body;
        assertThat(createdSince.get("patients")).extracting(patient -> patient.get("id").asLong()).containsExactly(created);
        assertThat(get(sandbox.apiBaseUrl() + "/patients?" + q("updated_at:>=yesterday")).status).isEqualTo(400);
        assertThat(get(sandbox.apiBaseUrl() + "/patients?" + q("notes:>=2020-01-01T00:00:00Z")).status).isEqualTo(400);
    }

    @Test
    void archivedCancelledAndDeletedRecordsHaveTheirOwnListings() throws Exception {
        sandbox = ClinikoSandbox.builder().withRecordCount(SandboxEntity.PATIENTS, 20).start();
        long patient = sandbox.liveIds(SandboxEntity.PATIENTS).iterator().next();
        long appointment = sandbox.liveIds(SandboxEntity.INDIVIDUAL_APPOINTMENTS).iterator().next();
        Instant before = Instant.now().minusSeconds(1);
        sandbox.archivePatient(patient);
        long other = sandbox.createPatient("To", "Delete", null);
        sandbox.delete(SandboxEntity.PATIENTS, other);
        assertThat(get(sandbox.apiBaseUrl() + "/individual_appointments/" + appointment + "/cancel", "PATCH", "{}").status).isEqualTo(204);

        assertThat(ids(get(sandbox.apiBaseUrl() + "/patients?per_page=100").body, "patients")).doesNotContain(patient, other);
        assertThat(ids(get(sandbox.apiBaseUrl() + "/patients/archived?per_page=100").body, "patients")).contains(patient);
        JsonNode deleted = get(sandbox.apiBaseUrl() + "/patients/deleted?" + q("deleted_at:>=" + before)).body;
        assertThat(deleted.get("patients")).singleElement().satisfies(item -> {
            assertThat(item.get("links").get("self").asText()).endsWith("/v1/patients/" + other);
            assertThat(item.get("deleted_at").asText()).isNotEmpty();
            assertThat(item.has("first_name")).as("deleted patients are listed as link and time only").isFalse();
        });
        assertThat(ids(get(sandbox.apiBaseUrl() + "/individual_appointments?per_page=100").body, "individual_appointments"))
                .doesNotContain(appointment);
        JsonNode cancelled = get(sandbox.apiBaseUrl() + "/individual_appointments/cancelled?per_page=100").body;
        assertThat(ids(cancelled, "individual_appointments")).contains(appointment);
        assertThat(get(sandbox.apiBaseUrl() + "/patients/" + other).status).isEqualTo(404);
    }

    @Test
    void overTheLimitA429CarriesOnlyTheResetTime() throws Exception {
        // a clock standing still mid-window: the windows are epoch-aligned, so a real clock could cross into the next
        // window between the requests and let the fourth through
        Instant now = Instant.parse("2026-01-05T10:00:30Z");
        sandbox = ClinikoSandbox.builder().withRateLimit(3, Duration.ofSeconds(60))
                .withClock(dev.junction.sandbox.MutableClock.at(now)).start();
        for (int i = 0; i < 3; i++) {
            assertThat(get(sandbox.apiBaseUrl() + "/businesses").status).isEqualTo(200);
        }

        Response limited = get(sandbox.apiBaseUrl() + "/businesses");

        assertThat(limited.status).isEqualTo(429);
        long reset = Long.parseLong(limited.response.headers().firstValue("X-RateLimit-Reset").orElseThrow());
        assertThat(reset).isEqualTo(Instant.parse("2026-01-05T10:01:00Z").getEpochSecond()).isGreaterThan(now.getEpochSecond());
        assertThat(limited.response.headers().firstValue("Retry-After")).isEmpty();
        assertThat(limited.response.headers().firstValue("X-RateLimit-Remaining")).isEmpty();
        assertThat(sandbox.rateLimitStatistics().rejected()).isEqualTo(1);
    }

    @Test
    void keysWithoutTheirSuffixAreAcceptedAndTheShardCheckRefusesAnotherShard() throws Exception {
        sandbox = ClinikoSandbox.builder().withApiKey("c2FuZGJveGtleQ-uk1").withShardCheck(true).start();

        assertThat(get(sandbox.apiBaseUrl() + "/businesses", "c2FuZGJveGtleQ-uk1").status).isEqualTo(200);
        assertThat(get(sandbox.apiBaseUrl() + "/businesses", "c2FuZGJveGtleQ").status).isEqualTo(200);
        assertThat(get(sandbox.apiBaseUrl() + "/businesses", "c2FuZGJveGtleQ-au1").status).isEqualTo(401);
        assertThat(get(sandbox.apiBaseUrl() + "/businesses", "wrong-uk1").status).isEqualTo(401);
        sandbox.revokeKey();
        assertThat(get(sandbox.apiBaseUrl() + "/businesses", "c2FuZGJveGtleQ-uk1").status).isEqualTo(401);
    }

    @Test
    void writesValidateAsTheDocumentedApiDoes() throws Exception {
        sandbox = ClinikoSandbox.builder().start();

        assertThat(get(sandbox.apiBaseUrl() + "/patients", "POST", "{\"first_name\":\"Only\"}").status).isEqualTo(422);
        Response created = get(sandbox.apiBaseUrl() + "/patients", "POST", "{\"first_name\":\"Ada\",\"last_name\":\"Lovelace\"}");
        assertThat(created.status).isEqualTo(201);
        assertThat(created.response.headers().firstValue("Location")).isPresent();
        long id = created.body.get("id").asLong();
        assertThat(created.body.get("archived_at").asText()).isEmpty();
        assertThat(get(sandbox.apiBaseUrl() + "/patients/" + id, "PUT", "{\"last_name\":\"King\"}").body.get("last_name").asText())
                .isEqualTo("King");
        assertThat(get(sandbox.apiBaseUrl() + "/patients/99999", "PUT", "{\"last_name\":\"King\"}").status).isEqualTo(404);
        assertThat(get(sandbox.apiBaseUrl() + "/individual_appointments", "POST",
                "{\"patient_id\":\"" + id + "\",\"practitioner_id\":\"1\",\"appointment_type_id\":\"1\",\"business_id\":\"1\"}").status)
                .as("starts_at missing").isEqualTo(422);
        assertThat(get(sandbox.apiBaseUrl() + "/individual_appointments", "POST",
                "{\"patient_id\":\"424242\",\"practitioner_id\":\"1\",\"appointment_type_id\":\"1\",\"business_id\":\"1\","
                        + "\"starts_at\":\"2030-01-01T09:00:00Z\"}").status).as("unknown patient").isEqualTo(422);
    }

    @Test
    void theSameSeedGivesTheSameDataAndTheFactoryIsFoundByServiceLoader() {
        SandboxFactory factory = SandboxFactory.installed().stream().filter(candidate -> candidate.providerId().equals("cliniko"))
                .findFirst().orElseThrow();
        try (Sandbox first = factory.start(SandboxOptions.defaults().withSetting("records.patients", "15"));
                Sandbox second = factory.start(SandboxOptions.defaults().withSetting("records.patients", "15"))) {
            ClinikoSandbox a = (ClinikoSandbox) first;
            ClinikoSandbox b = (ClinikoSandbox) second;
            assertThat(a.liveIds(SandboxEntity.PATIENTS)).hasSize(15);
            assertThat(first.connectionProperties()).containsKeys("base_url", "api_key");
            for (long id : a.liveIds(SandboxEntity.PATIENTS)) {
                JsonNode left = a.record(SandboxEntity.PATIENTS, id).orElseThrow();
                JsonNode right = b.record(SandboxEntity.PATIENTS, id).orElseThrow();
                assertThat(left.get("first_name")).isEqualTo(right.get("first_name"));
                assertThat(left.get("archived_at")).isEqualTo(right.get("archived_at"));
            }
        }
    }

    // ---- helpers --------------------------------------------------------------------------------------------

    private record Response(int status, JsonNode body, HttpResponse<String> response) {}

    private Response get(String url) throws IOException, InterruptedException {
        return send(url, "GET", null, sandbox.apiKey());
    }

    private Response get(String url, String key) throws IOException, InterruptedException {
        return send(url, "GET", null, key);
    }

    private Response get(String url, String method, String body) throws IOException, InterruptedException {
        return send(url, method, body, sandbox.apiKey());
    }

    private Response send(String url, String method, String body, String key) throws IOException, InterruptedException {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString((key + ":").getBytes(StandardCharsets.UTF_8)))
                .header("User-Agent", AGENT).header("Accept", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            builder.header("Content-Type", "application/json");
        }
        HttpResponse<String> response = client.send(builder.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode json = response.body().isEmpty() ? SandboxJson.object() : SandboxJson.parse(response.body());
        return new Response(response.statusCode(), json, response);
    }

    private static String q(String filter) {
        return "q%5B%5D=" + URLEncoder.encode(filter, StandardCharsets.UTF_8);
    }

    private static List<Long> ids(JsonNode body, String key) {
        List<Long> ids = new ArrayList<>();
        body.get(key).forEach(item -> ids.add(item.get("id").asLong()));
        return ids;
    }
}
