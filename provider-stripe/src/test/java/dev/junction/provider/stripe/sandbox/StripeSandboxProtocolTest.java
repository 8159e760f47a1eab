package dev.junction.provider.stripe.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.junction.sandbox.MutableClock;
import dev.junction.sandbox.SandboxFactory;
import dev.junction.sandbox.SandboxJson;
import dev.junction.sandbox.SandboxOptions;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** StripeSandbox's wire protocol, spoken with a plain HTTP client as Stripe's API reference describes it. */
class StripeSandboxProtocolTest {

    private static final String KEY = StripeSandbox.DEFAULT_KEY;
    private final HttpClient client = HttpClient.newHttpClient();
    private final MutableClock clock = MutableClock.at(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    private StripeSandbox sandbox;

    @AfterEach
    void stop() {
        if (sandbox != null) sandbox.close();
    }

    private HttpResponse<String> send(String method, String pathAndQuery, String authorization, String form, String idempotencyKey) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(sandbox.baseUrl() + pathAndQuery));
        if (authorization != null) request.header("Authorization", authorization);
        if (idempotencyKey != null) request.header("Idempotency-Key", idempotencyKey);
        if (form != null) {
            request.header("Content-Type", "application/x-www-form-urlencoded").method(method, HttpRequest.BodyPublishers.ofString(form));
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        try {
            return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private HttpResponse<String> get(String pathAndQuery) {
        return send("GET", pathAndQuery, "Bearer " + KEY, null, null);
    }

    private static JsonNode json(HttpResponse<String> response) {
        return SandboxJson.parse(response.body());
    }

    @Test
    void theKeyWorksAsBearerOrBasicAndAnythingElseIs401WithStripesErrorBody() {
        sandbox = StripeSandbox.builder().withCount("customers", 3).start();
        String basic = "Basic " + Base64.getEncoder().encodeToString((KEY + ":").getBytes(StandardCharsets.UTF_8));

        assertThat(get("/v1/customers").statusCode()).isEqualTo(200);
        assertThat(send("GET", "/v1/customers", basic, null, null).statusCode()).isEqualTo(200);
        HttpResponse<String> missing = send("GET", "/v1/customers", null, null, null);
        HttpResponse<String> wrong = send("GET", "/v1/customers", "Bearer sk_test_wrongwrongwrong", null, null);
        sandbox.revokeKey(KEY);
        HttpResponse<String> revoked = get("/v1/customers");

        for (HttpResponse<String> response : List.of(missing, wrong, revoked)) {
            assertThat(response.statusCode()).isEqualTo(401);
            assertThat(json(response).path("error").path("type").asText()).isEqualTo("invalid_request_error");
            assertThat(response.headers().firstValue("Request-Id")).isPresent();
            assertThat(response.headers().firstValue("Stripe-Should-Retry")).hasValue("false");
        }
        assertThat(wrong.body()).doesNotContain("sk_test_wrongwrongwrong");
    }

    @Test
    void listsPageNewestFirstWithStartingAfterAndEndingBefore() {
        sandbox = StripeSandbox.builder().withCount("customers", 25).start();
        List<String> ids = new ArrayList<>();
        String after = null;
        int pages = 0;
        while (true) {
            JsonNode page = json(get("/v1/customers?limit=10" + (after == null ? "" : "&starting_after=" + after)));
            assertThat(page.path("object").asText()).isEqualTo("list");
            assertThat(page.path("url").asText()).isEqualTo("/v1/customers");
            page.path("data").forEach(customer -> ids.add(customer.path("id").asText()));
            pages++;
            if (!page.path("has_more").asBoolean()) break;
            after = ids.get(ids.size() - 1);
        }
        assertThat(pages).isEqualTo(3);
        assertThat(new HashSet<>(ids)).hasSize(25).isEqualTo(sandbox.liveIds("customers"));
        List<Long> created = new ArrayList<>();
        for (String id : ids) created.add(sandbox.object("customers", id).orElseThrow().path("created").asLong());
        assertThat(created).isSortedAccordingTo((a, b) -> Long.compare(b, a));

        JsonNode before = json(get("/v1/customers?limit=3&ending_before=" + ids.get(5)));
        assertThat(before.path("data")).extracting(node -> node.path("id").asText()).containsExactly(ids.get(2), ids.get(3), ids.get(4));
        assertThat(get("/v1/customers?limit=101").statusCode()).isEqualTo(400);
        assertThat(get("/v1/customers?limit=0").statusCode()).isEqualTo(400);
        assertThat(get("/v1/customers?starting_after=cus_nope").statusCode()).isEqualTo(400);
        assertThat(get("/v1/customers?starting_after=" + ids.get(0) + "&ending_before=" + ids.get(1)).statusCode()).isEqualTo(400);
    }

    @Test
    void eventsAreRecordedForMutationsFilteredByTypeAndCreatedAndKeptThirtyDays() {
        sandbox = StripeSandbox.builder().withClock(clock).withCount("customers", 2).start();
        long start = clock.instant().getEpochSecond();
        String created = sandbox.createCustomer("A", "a@example.com");
        clock.advance(Duration.ofSeconds(10));
        sandbox.updateCustomer(created, "B");
        sandbox.deleteCustomer(created);

        JsonNode all = json(get("/v1/events"));
        JsonNode updates = json(get("/v1/events?type=customer.updated"));
        JsonNode wildcard = json(get("/v1/events?type=customer.*"));
        JsonNode typed = json(get("/v1/events?types[]=customer.created&types[]=customer.deleted"));
        JsonNode recent = json(get("/v1/events?created[gte]=" + (start + 5)));

        assertThat(all.path("data")).extracting(event -> event.path("type").asText())
                .containsExactly("customer.deleted", "customer.updated", "customer.created");
        assertThat(updates.path("data")).singleElement().satisfies(event -> {
            assertThat(event.path("data").path("object").path("name").asText()).isEqualTo("B");
            assertThat(event.path("data").path("previous_attributes").path("name").asText()).isEqualTo("A");
        });
        assertThat(wildcard.path("data")).hasSize(3);
        assertThat(typed.path("data")).hasSize(2);
        assertThat(recent.path("data")).hasSize(2);
        assertThat(get("/v1/events?type=customer.created&types[]=customer.deleted").statusCode()).isEqualTo(400);
        assertThat(json(get("/v1/customers/" + created)).path("deleted").asBoolean()).isTrue();

        clock.advance(Duration.ofDays(31));
        assertThat(json(get("/v1/events")).path("data")).isEmpty();
    }

    @Test
    void anIdempotencyKeyReplaysTheFirstAnswerAndRefusesOtherParameters() {
        sandbox = StripeSandbox.builder().withCount("customers", 1).start();

        HttpResponse<String> first = send("POST", "/v1/customers", "Bearer " + KEY, "email=a%40example.com", "key-1");
        HttpResponse<String> replay = send("POST", "/v1/customers", "Bearer " + KEY, "email=a%40example.com", "key-1");
        HttpResponse<String> other = send("POST", "/v1/customers", "Bearer " + KEY, "email=b%40example.com", "key-1");

        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(replay.body()).isEqualTo(first.body());
        assertThat(replay.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(other.statusCode()).isEqualTo(400);
        assertThat(json(other).path("error").path("type").asText()).isEqualTo("idempotency_error");
        assertThat(sandbox.liveIds("customers")).hasSize(2);
    }

    @Test
    void theRateLimitAnswers429WithoutRateLimitHeadersAndSaysToRetry() throws InterruptedException {
        // The limiter's windows follow the system clock, aligned to the epoch: start early in a window, so the four
        // requests fall in the same one even on a slow machine.
        long intoWindow = System.currentTimeMillis() % 10_000;
        if (intoWindow > 5_000) {
            Thread.sleep(10_000 - intoWindow + 50);
        }
        sandbox = StripeSandbox.builder().withCount("customers", 1).withRateLimit(3, Duration.ofSeconds(10)).start();
        for (int i = 0; i < 3; i++) {
            assertThat(get("/v1/customers").statusCode()).isEqualTo(200);
        }

        HttpResponse<String> limited = get("/v1/customers");

        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(json(limited).path("error").path("code").asText()).isEqualTo("rate_limit");
        assertThat(limited.headers().firstValue("Retry-After")).isEmpty();
        assertThat(limited.headers().firstValue("X-RateLimit-Reset")).isEmpty();
        assertThat(limited.headers().firstValue("Stripe-Should-Retry")).hasValue("true");
        assertThat(sandbox.rateLimitStatistics().rejected()).isEqualTo(1);
    }

    @Test
    void webhookEndpointsAreRegisteredWithASecretShownOnceAndDeleted() {
        sandbox = StripeSandbox.builder().withCount("customers", 1).start();

        JsonNode endpoint = json(send("POST", "/v1/webhook_endpoints", "Bearer " + KEY,
                "url=https%3A%2F%2Fexample.com%2Fhook&enabled_events%5B%5D=customer.created&api_version=2026-09-30.endive", null));
        JsonNode listed = json(get("/v1/webhook_endpoints"));
        HttpResponse<String> deleted = send("DELETE", "/v1/webhook_endpoints/" + endpoint.path("id").asText(), "Bearer " + KEY, null, null);

        assertThat(endpoint.path("secret").asText()).startsWith("whsec_");
        assertThat(endpoint.path("status").asText()).isEqualTo("enabled");
        assertThat(endpoint.path("enabled_events")).extracting(JsonNode::asText).containsExactly("customer.created");
        assertThat(listed.path("data").get(0).has("secret")).isFalse();
        assertThat(json(deleted).path("deleted").asBoolean()).isTrue();
        assertThat(send("POST", "/v1/webhook_endpoints", "Bearer " + KEY, "url=https%3A%2F%2Fexample.com", null).statusCode()).isEqualTo(400);
    }

    @Test
    void theSeedIsDeterministicAndTheFactoryIsDiscovered() {
        sandbox = StripeSandbox.builder().withSeed(7).withCount("customers", 5).start();
        Set<String> first = sandbox.liveIds("customers");
        sandbox.close();
        sandbox = StripeSandbox.builder().withSeed(7).withCount("customers", 5).start();

        assertThat(sandbox.liveIds("customers")).isEqualTo(first);
        SandboxFactory factory = SandboxFactory.installed().stream().filter(candidate -> candidate.providerId().equals("stripe"))
                .findFirst().orElseThrow();
        try (var started = factory.start(SandboxOptions.defaults().withSetting("records.customers", "4"))) {
            assertThat(started.connectionProperties()).containsKeys("base_url", "api_key");
        }
    }
}
