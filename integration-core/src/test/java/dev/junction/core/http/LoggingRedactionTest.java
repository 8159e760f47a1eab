package dev.junction.core.http;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

class LoggingRedactionTest {

    @RegisterExtension
    static WireMockExtension provider = WireMockExtension.newInstance().options(wireMockConfig().dynamicPort()).build();

    private static final String BEARER_TOKEN = "bearer-token-SECRET-1";
    private static final String API_KEY = "api-key-SECRET-2";
    private static final String CUSTOM_SECRET = "custom-header-SECRET-3";
    private static final String QUERY_TOKEN = "query-token-SECRET-4";
    private static final String AUTHORIZATION_CODE = "authorization-code-SECRET-5";
    private static final String COOKIE = "session-cookie-SECRET-6";
    private static final List<String> SECRETS = List.of(BEARER_TOKEN, API_KEY, CUSTOM_SECRET, QUERY_TOKEN, AUTHORIZATION_CODE, COOKIE);

    private final Logger httpLogger = (Logger) LoggerFactory.getLogger("dev.junction.core.http");
    private final ListAppender<ILoggingEvent> captured = new ListAppender<>();
    private Level previousLevel;
    private final ManualClock clock = new ManualClock();
    private HttpStack stack;

    @BeforeEach
    void captureLogs() {
        previousLevel = httpLogger.getLevel();
        httpLogger.setLevel(Level.DEBUG);
        captured.start();
        httpLogger.addAppender(captured);
        stack = HttpStack.builder().withClock(clock).withSleeper(RecordingSleeper.advancing(clock))
                .withLogLevel(HttpLogLevel.HEADERS).build();
    }

    @AfterEach
    void releaseLogs() {
        stack.close();
        httpLogger.detachAppender(captured);
        httpLogger.setLevel(previousLevel);
    }

    @Test
    void secretsNeverAppearInTheLogs() {
        // Given a client whose requests carry every kind of secret: an authenticator header, a standard secret
        // header, a declared secret header, secret query parameters, and a cookie in the response
        ProviderHttpClient client = stack.client(HttpClientSpec.of("chatwoot", "connection-1", provider.baseUrl())
                .withAuthenticator(() -> Map.of("X-Api-Token", BEARER_TOKEN))
                .withDefaultHeader("api_access_token", API_KEY)
                .withDefaultHeader("X-Tenant-Secret", CUSTOM_SECRET)
                .withSecretHeaders(Set.of("X-Tenant-Secret"))
                .withRetry(new RetrySettings(2, Duration.ofMillis(10), Duration.ofMillis(20), 0, Duration.ofMinutes(1))));
        provider.stubFor(get(urlPathEqualTo("/conversations")).willReturn(okJson("{\"payload\":[]}")
                .withHeader("Set-Cookie", "session=" + COOKIE).withHeader("X-Request-Id", "req-log-1")));
        provider.stubFor(get(urlPathEqualTo("/profile")).willReturn(aResponse().withStatus(500)
                .withBody("{\"message\":\"boom for " + BEARER_TOKEN + "\"}")));

        // When calls succeed and fail
        client.execute(HttpCall.get("conversations").withQuery("access_token", QUERY_TOKEN)
                .withQuery("code", AUTHORIZATION_CODE).withQuery("page_token", "p2"));
        Throwable failure = catchThrowable(() -> client.execute(HttpCall.get("profile")));

        // Then the summary was logged with its request id, and no secret appears anywhere in the output
        List<String> output = new ArrayList<>();
        for (ILoggingEvent event : captured.list) {
            output.add(event.getFormattedMessage());
            for (IThrowableProxy thrown = event.getThrowableProxy(); thrown != null; thrown = thrown.getCause()) {
                output.add(thrown.getMessage());
            }
        }
        output.add(failure.getMessage());
        assertThat(output).anySatisfy(line -> assertThat(line)
                .contains("GET " + provider.baseUrl() + "/conversations?access_token=[redacted]&code=[redacted]&page_token=p2 200")
                .contains("request id req-log-1"));
        assertThat(output).anySatisfy(line -> assertThat(line).contains("X-Api-Token: [redacted]"));
        assertThat(output).allSatisfy(line -> assertThat(line).doesNotContain(SECRETS));
    }
}
