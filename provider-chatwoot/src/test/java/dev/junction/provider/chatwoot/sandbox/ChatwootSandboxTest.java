package dev.junction.provider.chatwoot.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.junction.sandbox.SandboxFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashSet;
import java.util.ServiceLoader;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The sandbox's protocol, spoken with a plain HTTP client (not Junction's), against Chatwoot's documented behaviour. */
class ChatwootSandboxTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient client = HttpClient.newHttpClient();
    private ChatwootSandbox sandbox;

    @AfterEach
    void stop() {
        if (sandbox != null) sandbox.close();
    }

    private HttpResponse<String> get(String path, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(sandbox.baseUrl() + "/api/v1/accounts/1/" + path));
        if (token != null) {
            request.header("api_access_token", token);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode json(String path) throws Exception {
        HttpResponse<String> response = get(path, sandbox.apiAccessToken());
        assertThat(response.statusCode()).as(path).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    @Test
    void isListedForServiceLoader() {
        assertThat(ServiceLoader.load(SandboxFactory.class).stream().map(provider -> provider.get().providerId()))
                .contains(ChatwootSandbox.PROVIDER_ID);
    }

    @Test
    void requestsWithoutTheRightTokenGet401() throws Exception {
        sandbox = ChatwootSandbox.builder().withContacts(3).start();
        assertThat(get("contacts", null).statusCode()).isEqualTo(401);
        assertThat(get("contacts", "wrong").statusCode()).isEqualTo(401);
        sandbox.revokeToken();
        assertThat(get("contacts", sandbox.apiAccessToken()).statusCode()).isEqualTo(401);
    }

    @Test
    void contactsComeFifteenAPageWithTheTotalCountUntilAnEmptyPage() throws Exception {
        sandbox = ChatwootSandbox.builder().withContacts(40).withConversations(0).start();
        Set<Long> seen = new HashSet<>();
        for (int page = 1; page <= 4; page++) {
            JsonNode body = json("contacts?sort=created_at&page=" + page);
            assertThat(body.at("/meta/count").asInt()).isEqualTo(40);
            assertThat(body.get("payload").size()).isEqualTo(page < 3 ? 15 : page == 3 ? 10 : 0);
            body.get("payload").forEach(contact -> seen.add(contact.get("id").asLong()));
        }
        assertThat(seen).isEqualTo(sandbox.liveIds("contacts"));
    }

    @Test
    void conversationsDefaultToOpenAndStatusAllListsEveryOneInTheDataEnvelope() throws Exception {
        sandbox = ChatwootSandbox.builder().withContacts(10).withConversations(30).start();
        JsonNode open = json("conversations");
        JsonNode all = json("conversations?status=all");
        assertThat(all.at("/data/meta/all_count").asInt()).isEqualTo(30);
        assertThat(all.at("/data/payload").size()).isEqualTo(25);
        assertThat(open.at("/data/meta/all_count").asInt()).isLessThan(30);
        assertThat(json("conversations?status=all&page=2").at("/data/payload").size()).isEqualTo(5);
    }

    @Test
    void messagesPageBackwardsWithBefore() throws Exception {
        sandbox = ChatwootSandbox.builder().withContacts(2).withConversations(1).start();
        for (int i = 0; i < 25; i++) {
            sandbox.addMessage(1, i % 2, "m" + i, false, i % 2 == 1 ? 1L : null);
        }
        JsonNode latest = json("conversations/1/messages").get("payload");
        assertThat(latest.size()).isEqualTo(20);
        long oldest = latest.get(0).get("id").asLong();
        assertThat(latest.get(19).get("id").asLong()).isGreaterThan(oldest);
        JsonNode older = json("conversations/1/messages?before=" + oldest).get("payload");
        assertThat(older.size()).isEqualTo(sandbox.liveIds("messages").size() - 20);
        assertThat(older).allSatisfy(message -> assertThat(message.get("id").asLong()).isLessThan(oldest));
        assertThat(latest.get(0).get("message_type").isInt()).isTrue();
    }

    @Test
    void overTheThrottleRackAttackAnswers429RetryLaterWithoutRetryAfter() throws Exception {
        // a clock that stands still mid-window: the windows are epoch-aligned, so a real clock could cross into a new
        // minute between the requests and let the third one through
        sandbox = ChatwootSandbox.builder().withContacts(1).withRateLimit(2, Duration.ofMinutes(1))
                .withClock(dev.junction.sandbox.MutableClock.at(java.time.Instant.parse("2026-01-05T10:00:30Z"))).start();
        get("agents", sandbox.apiAccessToken());
        get("agents", sandbox.apiAccessToken());
        HttpResponse<String> throttled = get("agents", sandbox.apiAccessToken());
        assertThat(throttled.statusCode()).isEqualTo(429);
        assertThat(throttled.body()).isEqualTo("Retry later\n");
        assertThat(throttled.headers().firstValue("Retry-After")).isEmpty();
    }
}
