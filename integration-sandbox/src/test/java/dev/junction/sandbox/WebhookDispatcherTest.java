package dev.junction.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class WebhookDispatcherTest {

    private static final byte[] KEY = "shared-secret".getBytes(StandardCharsets.UTF_8);

    private final MutableClock clock = MutableClock.at(Instant.parse("2024-05-01T12:00:00Z"));
    private final WebhookDispatcher dispatcher = new WebhookDispatcher(clock, Duration.ofSeconds(5));
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private HttpServer receiver;

    private record Received(String signature, String body) {
    }

    @BeforeEach
    void startReceiver() throws IOException {
        receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        receiver.createContext("/hooks", exchange -> {
            received.add(new Received(exchange.getRequestHeaders().getFirst("X-Signature"),
                    new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
            exchange.getResponseHeaders().set("X-Echo", "yes");
            exchange.sendResponseHeaders(exchange.getRequestURI().getPath().endsWith("gone") ? 410 : 200, -1);
            exchange.close();
        });
        receiver.start();
    }

    @AfterEach
    void stop() {
        dispatcher.close();
        receiver.stop(0);
    }

    private URI url(String path) {
        return URI.create("http://127.0.0.1:" + receiver.getAddress().getPort() + path);
    }

    @Test
    void hmacSha256HexMatchesAKnownVector() {
        // RFC 4231, test case 2.
        assertThat(WebhookSigner.hmacSha256Hex("Jefe".getBytes(StandardCharsets.US_ASCII),
                "what do ya want for nothing?".getBytes(StandardCharsets.US_ASCII)))
                .isEqualTo("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    }

    @Test
    void deliveryIsSignedOverTheExactBodyAndLogged() throws Exception {
        byte[] body = "{\"data\":{\"id\":1},\"meta\":{\"event\":\"created\"}}".getBytes(StandardCharsets.UTF_8);

        WebhookDelivery delivery = dispatcher.send(url("/hooks"), Map.of("X-Extra", "1"), body,
                WebhookSigner.hmacSha256Hex("X-Signature", KEY)).get();

        assertThat(received).hasSize(1);
        assertThat(received.get(0).body()).isEqualTo(new String(body, StandardCharsets.UTF_8));
        assertThat(received.get(0).signature()).isEqualTo(WebhookSigner.hmacSha256Hex(KEY, body));
        assertThat(delivery.status()).isEqualTo(200);
        assertThat(delivery.succeeded()).isTrue();
        assertThat(delivery.sentAt()).isEqualTo(clock.instant());
        assertThat(delivery.headers()).containsEntry("X-Extra", "1").containsKey("X-Signature");
        assertThat(delivery.responseHeader("x-echo")).contains("yes");
        assertThat(dispatcher.deliveries()).containsExactly(delivery);
    }

    @Test
    void callbackRunsBeforeTheDispatcherIsIdle() {
        List<Integer> statuses = new CopyOnWriteArrayList<>();

        dispatcher.send(url("/hooks/gone"), Map.of(), new byte[0], WebhookSigner.none(),
                delivery -> statuses.add(delivery.status()));

        assertThat(dispatcher.awaitIdle(Duration.ofSeconds(5))).isTrue();
        assertThat(statuses).containsExactly(410);
    }

    @Test
    void deliveriesArriveInTheOrderTheyWereSent() {
        for (int event = 0; event < 5; event++) {
            dispatcher.send(url("/hooks"), Map.of(), ("{\"n\":" + event + "}").getBytes(StandardCharsets.UTF_8),
                    WebhookSigner.none());
        }

        assertThat(dispatcher.awaitIdle(Duration.ofSeconds(5))).isTrue();
        assertThat(received).extracting(Received::body)
                .containsExactly("{\"n\":0}", "{\"n\":1}", "{\"n\":2}", "{\"n\":3}", "{\"n\":4}");
    }

    @Test
    void unreachableReceiverIsLoggedAsAFailure() throws Exception {
        int closedPort = receiver.getAddress().getPort();
        receiver.stop(0);

        WebhookDelivery delivery = dispatcher.send(URI.create("http://127.0.0.1:" + closedPort + "/hooks"), Map.of(),
                new byte[0], WebhookSigner.none()).get();

        assertThat(delivery.status()).isZero();
        assertThat(delivery.failure()).isNotBlank();
        assertThat(delivery.succeeded()).isFalse();
    }
}
