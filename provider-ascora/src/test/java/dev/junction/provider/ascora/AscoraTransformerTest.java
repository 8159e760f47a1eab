package dev.junction.provider.ascora;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.junction.core.error.ErrorKind;
import dev.junction.core.error.JunctionException;
import dev.junction.core.model.Contact;
import dev.junction.core.model.Engagement;
import dev.junction.core.spi.RemoteRecord;
import dev.junction.core.spi.WebhookEvent;
import dev.junction.core.spi.WebhookOutcome;
import dev.junction.core.spi.WebhookRequest;
import dev.junction.core.spi.WebhookSecrets;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The transformer and the webhook handler on the real example payloads in src/test/resources/fixtures (see SOURCES.md). */
class AscoraTransformerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final AscoraTransformer transformer = new AscoraTransformer();
    private final AscoraWebhookHandler handler = new AscoraWebhookHandler();

    @Test
    void aCustomerBecomesACompanyContactWithItsContactPersonsName() throws IOException {
        JsonNode customer = fixture("webhook_CustomerModified.json");

        Contact contact = (Contact) transformer.transform(record("customers", "69703923-0f72-421f-a2ab-aeddc1c37f05", customer)).orElseThrow();

        assertThat(contact.kind()).isEqualTo(Contact.Kind.COMPANY);
        assertThat(contact.name()).isEqualTo("Pipedream");
        assertThat(contact.firstName()).isEqualTo("John");
        assertThat(contact.lastName()).isEqualTo("Doe");
        assertThat(contact.email()).as("empty e-mail is no e-mail").isNull();
        assertThat(contact.customFields()).isEmpty();
    }

    @Test
    void aCompletedJobBecomesAnEngagementWithItsStatusDatesAndClient() throws IOException {
        JsonNode job = fixture("webhook_JobStatusChanged.json");

        Engagement engagement = (Engagement) transformer.transform(record("jobs", "J3", job)).orElseThrow();

        assertThat(engagement.number()).isEqualTo("J3");
        assertThat(engagement.title()).isEqualTo("new job");
        assertThat(engagement.status()).isEqualTo("completed");
        assertThat(engagement.clientId()).isEqualTo("69703923-0f72-421f-a2ab-aeddc1c37f05");
        assertThat(engagement.openedOn()).isEqualTo(LocalDate.of(2026, 2, 17));
        assertThat(engagement.closedOn()).isEqualTo(LocalDate.of(2026, 2, 17));
        assertThat(engagement.createdAt()).isEqualTo(Instant.parse("2026-02-17T20:50:55.943Z"));
    }

    @Test
    void aNewJobWithoutNameOrCompletionIsStillAnEngagement() throws IOException {
        Engagement engagement = (Engagement) transformer.transform(record("jobs", "J4", fixture("webhook_JobCreated.json"))).orElseThrow();

        assertThat(engagement.title()).isNull();
        assertThat(engagement.status()).isEqualTo("new");
        assertThat(engagement.closedOn()).isNull();
    }

    @Test
    void aFieldOfTheWrongTypeIsAnUnexpectedPayload() throws IOException {
        ObjectNode job = (ObjectNode) fixture("webhook_JobCreated.json");
        job.put("jobStatus", "two");

        assertThatThrownBy(() -> transformer.transform(record("jobs", "J4", job)))
                .isInstanceOf(JunctionException.class).extracting("kind").isEqualTo(ErrorKind.UNEXPECTED_PAYLOAD);
    }

    @Test
    void recordKeysAreTheCustomerIdAndTheJobNumber() throws IOException {
        assertThat(AscoraTransformer.recordId(AscoraEntity.CUSTOMERS, fixture("webhook_CustomerModified.json")))
                .contains("69703923-0f72-421f-a2ab-aeddc1c37f05");
        assertThat(AscoraTransformer.recordId(AscoraEntity.JOBS, fixture("webhook_JobCreated.json"))).contains("J4");
    }

    @Test
    void webhookBodiesBecomeRefetchesOfTheirRecordNeverData() throws IOException {
        WebhookEvent job = single(handler.handle(request(bytes("webhook_JobStatusChanged.json")), NO_SECRETS));
        WebhookEvent customer = single(handler.handle(request(bytes("webhook_CustomerModified.json")), NO_SECRETS));

        assertThat(job.entity()).isEqualTo("jobs");
        assertThat(job.externalId()).isEqualTo("J3");
        assertThat(job.kind()).isEqualTo(WebhookEvent.Kind.REFETCH);
        assertThat(job.payload()).as("the body is never stored").isNull();
        assertThat(customer.entity()).isEqualTo("customers");
        assertThat(customer.externalId()).isEqualTo("69703923-0f72-421f-a2ab-aeddc1c37f05");
        assertThat(customer.kind()).isEqualTo(WebhookEvent.Kind.REFETCH);
    }

    @Test
    void theSameBodyTwiceHasOneDedupeKeyAndANewStateAnother() throws IOException {
        byte[] body = bytes("webhook_JobCreated.json");
        ObjectNode changed = (ObjectNode) JSON.readTree(body);
        changed.put("jobStatus", 2);

        String first = single(handler.handle(request(body), NO_SECRETS)).dedupeKey();
        String again = single(handler.handle(request(body.clone()), NO_SECRETS)).dedupeKey();
        String next = single(handler.handle(request(JSON.writeValueAsBytes(changed)), NO_SECRETS)).dedupeKey();

        assertThat(again).isEqualTo(first);
        assertThat(next).isNotEqualTo(first);
    }

    @Test
    void bodiesThatAreNotAscoraRecordsAreRejected() {
        for (String body : List.of("not json", "[1,2]", "{\"hello\":1}", "{\"jobId\":\"x\",\"jobNumber\":\"\"}")) {
            assertThatThrownBy(() -> handler.handle(request(body.getBytes(StandardCharsets.UTF_8)), NO_SECRETS))
                    .as(body).isInstanceOf(JunctionException.class).extracting("kind").isEqualTo(ErrorKind.WEBHOOK_REJECTED);
        }
    }

    @Test
    void invoiceEventsAreLeftToTheAccountingQueue() {
        byte[] body = "{\"invoiceId\":\"1f0c\",\"invoiceNumber\":\"INV1\"}".getBytes(StandardCharsets.UTF_8);

        assertThat(((WebhookOutcome.Events) handler.handle(request(body), NO_SECRETS)).events()).isEmpty();
    }

    private static WebhookEvent single(WebhookOutcome outcome) {
        List<WebhookEvent> events = ((WebhookOutcome.Events) outcome).events();
        assertThat(events).hasSize(1);
        return events.get(0);
    }

    private static WebhookRequest request(byte[] body) {
        return new WebhookRequest(Map.of("Content-Type", List.of("application/json")), body, Instant.now());
    }

    private static RemoteRecord record(String entity, String id, JsonNode payload) {
        return RemoteRecord.of(entity, id, null, payload);
    }

    private static JsonNode fixture(String name) throws IOException {
        return JSON.readTree(bytes(name));
    }

    private static byte[] bytes(String name) throws IOException {
        try (InputStream in = AscoraTransformerTest.class.getResourceAsStream("/fixtures/" + name)) {
            return in.readAllBytes();
        }
    }

    private static final WebhookSecrets NO_SECRETS = new WebhookSecrets() {
        @Override
        public Optional<String> forSubscription(String subscriptionId) {
            return Optional.empty();
        }

        @Override
        public Optional<String> connectionSecret() {
            return Optional.empty();
        }

        @Override
        public boolean handshakeExpected() {
            return false;
        }
    };
}
