package dev.junction.provider.ascora;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.junction.core.SyncRequest;
import dev.junction.core.error.ErrorKind;
import dev.junction.core.error.JunctionException;
import dev.junction.core.spi.WebhookRequest;
import dev.junction.provider.ascora.sandbox.AscoraSandbox;
import dev.junction.testkit.TestDatabase;
import dev.junction.testkit.WebhookTestReceiver;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Ascora's unsigned webhooks through the hub: registration of the five events, refetch instead of trust, replay
 * dedupe, forged bodies made harmless, wrong tokens and unreadable bodies rejected, unsubscribe. This is what the
 * kit's webhook check can say about Ascora (see {@link AscoraConformanceTest}).
 */
class AscoraWebhookTest {

    private static final String TENANT = AscoraHubFixture.TENANT;
    private AscoraHubFixture fixture;
    private WebhookTestReceiver receiver;

    @AfterEach
    void stop() {
        if (receiver != null) receiver.close();
        if (fixture != null) fixture.close();
    }

    @Test
    void eventsAreRefetchedReplaysDroppedAndForgedBodiesHarmless() throws Exception {
        fixture = new AscoraHubFixture(TestDatabase.Kind.EMBEDDED, "AscoraWebhookTest",
                AscoraSandbox.builder().withCustomers(5).withJobs(2).withInvoices(0));
        String connection = fixture.connection.id();
        fixture.sync(SyncRequest.full().only("customers", "jobs"));
        receiver = WebhookTestReceiver.start(fixture.hub, Clock.systemUTC());

        // Given: subscriptions for the five Ascora events, each pointing at the connection's secret URL
        assertThat(fixture.hub.enableWebhooks(TENANT, connection, receiver.baseUrl())).hasSize(5);
        assertThat(fixture.sandbox.subscriptions()).extracting(Map.Entry::getKey)
                .containsExactlyInAnyOrder("JobCreated", "JobStatusChanged", "CustomerModified", "InvoiceCreated", "InvoiceModified");
        assertThat(fixture.sandbox.subscriptions()).allSatisfy(entry ->
                assertThat(entry.getValue()).endsWith("/" + fixture.connection.webhookToken()));
        List<String> ids = new ArrayList<>(fixture.sandbox.liveIds("customers"));
        Collections.sort(ids);
        String id = ids.get(0);

        // When: a customer is changed in Ascora and a job is created there
        fixture.sandbox.update("customers", id, body -> body.put("companyName", "Renamed in Ascora"));
        String job = fixture.sandbox.createJob(id, "Blocked drain");
        await(() -> processed(id) && processed(job));

        // Then: both were read back from Ascora and stored
        assertThat(raw("customers", id)).contains("Renamed in Ascora");
        assertThat(fixture.stored("jobs")).contains(job);

        WebhookTestReceiver.Received delivery = receiver.received().stream()
                .filter(received -> received.status() == 200 && new String(received.request().body()).contains(id))
                .findFirst().orElseThrow();
        // A replay of the same delivery is dropped.
        assertThat(fixture.hub.receiveWebhook(delivery.token(), delivery.request()).accepted()).isZero();

        // A forged body (valid JSON, someone else's data) on the right URL is accepted only as a reason to refetch:
        // what is stored is Ascora's record, never the body.
        ObjectNode forged = (ObjectNode) new ObjectMapper().readTree(delivery.request().body());
        forged.put("companyName", "Forged");
        WebhookRequest forgedRequest = new WebhookRequest(delivery.request().headers(), new ObjectMapper().writeValueAsBytes(forged), Instant.now());
        assertThat(fixture.hub.receiveWebhook(delivery.token(), forgedRequest).accepted()).isEqualTo(1);
        await(() -> fixture.hub.webhookInbox(TENANT, connection, null, 100).stream().allMatch(entry -> entry.status().equals("processed")));
        assertThat(raw("customers", id)).contains("Renamed in Ascora").doesNotContain("Forged");

        // A wrong token and an unreadable body are rejected.
        assertThatThrownBy(() -> fixture.hub.receiveWebhook("not-the-token", delivery.request()))
                .isInstanceOf(JunctionException.class).extracting("kind").isEqualTo(ErrorKind.WEBHOOK_REJECTED);
        WebhookRequest garbage = new WebhookRequest(delivery.request().headers(), "{\"x\":1}".getBytes(), Instant.now());
        assertThatThrownBy(() -> fixture.hub.receiveWebhook(delivery.token(), garbage))
                .isInstanceOf(JunctionException.class).extracting("kind").isEqualTo(ErrorKind.WEBHOOK_REJECTED);

        // Unsubscribing removes every subscription at Ascora.
        assertThat(fixture.hub.disableWebhooks(TENANT, connection)).isEqualTo(5);
        assertThat(fixture.sandbox.subscriptions()).isEmpty();
    }

    private boolean processed(String externalId) {
        fixture.hub.processWebhooks();
        return fixture.hub.webhookInbox(TENANT, fixture.connection.id(), null, 100).stream()
                .anyMatch(entry -> entry.externalId().equals(externalId) && entry.status().equals("processed"));
    }

    private String raw(String entity, String id) {
        return fixture.hub.getRawRecord(TENANT, fixture.connection.id(), entity, id).orElseThrow().payload();
    }

    private void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("timed out");
            fixture.hub.processWebhooks();
            Thread.sleep(20);
        }
    }
}
