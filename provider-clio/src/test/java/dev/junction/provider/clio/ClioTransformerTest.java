package dev.junction.provider.clio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.junction.core.error.ErrorKind;
import dev.junction.core.error.JunctionException;
import dev.junction.core.model.Contact;
import dev.junction.core.model.Engagement;
import dev.junction.core.model.Expense;
import dev.junction.core.model.TimeEntry;
import dev.junction.core.spi.RemoteRecord;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;

class ClioTransformerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final ClioTransformer transformer = new ClioTransformer();

    private static JsonNode fixture(String name) throws IOException {
        try (InputStream in = ClioTransformerTest.class.getResourceAsStream("/fixtures/" + name)) {
            return JSON.readTree(in);
        }
    }

    @Test
    void aRecordWithOnlyClioDefaultFieldsBecomesAContactWithNothingInvented() throws IOException {
        // Clio's published webhook example: data carries only the default fields id and etag.
        JsonNode data = fixture("webhook_event_created.json").get("data");

        Contact contact = (Contact) transformer.transform(RemoteRecord.of("contacts", data.get("id").asText(), null, data)).orElseThrow();

        assertThat(contact.externalId()).isEqualTo("152");
        assertThat(contact.name()).isNull();
        assertThat(contact.customFields()).isEmpty();
    }

    @Test
    void aContactWithTheSchemasFieldsIsUnified() throws IOException {
        // Field names and types from Clio's OpenAPI schema Contact_base (see fixtures/SOURCES.md).
        JsonNode json = JSON.readTree("""
                {"id": 17, "etag": "\\"abc\\"", "name": "Jane Doe", "first_name": "Jane", "last_name": "Doe",
                 "type": "Person", "primary_email_address": "jane@example.com", "primary_phone_number": "+61 2 5550 1234",
                 "is_client": true, "created_at": "2025-03-01T10:00:00-05:00", "updated_at": "2025-03-02T11:30:00-05:00",
                 "custom_field_values": [{"id": "text_line-9", "value": "VIP", "custom_field": {"id": 9}},
                                         {"id": null, "value": null, "custom_field": {"id": 10}}]}
                """);

        Contact contact = (Contact) transformer.transform(RemoteRecord.of("contacts", "17", null, json)).orElseThrow();

        assertThat(contact.kind()).isEqualTo(Contact.Kind.PERSON);
        assertThat(contact.email()).isEqualTo("jane@example.com");
        assertThat(contact.client()).isTrue();
        assertThat(contact.updatedAt()).isEqualTo(Instant.parse("2025-03-02T16:30:00Z"));
        assertThat(contact.customFields()).containsExactly(java.util.Map.entry("9", "VIP"));
    }

    @Test
    void aMatterPointsAtItsClientAndResponsibleAttorney() throws IOException {
        // Matter_base fields; nested client and responsible_attorney carry their ids.
        JsonNode json = JSON.readTree("""
                {"id": 31, "display_number": "00031-Doe", "description": "Estate planning", "status": "Open",
                 "open_date": "2025-01-15", "client": {"id": 17, "name": "Jane Doe"}, "responsible_attorney": {"id": 4},
                 "updated_at": "2025-02-01T00:00:00Z"}
                """);

        Engagement matter = (Engagement) transformer.transform(RemoteRecord.of("matters", "31", null, json)).orElseThrow();

        assertThat(matter.clientId()).isEqualTo("17");
        assertThat(matter.responsibleUserId()).isEqualTo("4");
        assertThat(matter.openedOn()).isEqualTo(LocalDate.of(2025, 1, 15));
        assertThat(matter.label()).isEqualTo("00031-Doe Estate planning");
    }

    @Test
    void timeEntriesKeepSecondsAndExpensesAreSeparated() throws IOException {
        // Activity_base: quantity is seconds since API 4.0.4.
        JsonNode time = JSON.readTree("""
                {"id": 5, "type": "TimeEntry", "date": "2025-02-03", "quantity": 5400.0, "price": 300.0, "total": 450.0,
                 "matter": {"id": 31}, "user": {"id": 4}, "updated_at": "2025-02-03T09:00:00Z"}
                """);
        JsonNode expense = JSON.readTree("""
                {"id": 6, "type": "ExpenseEntry", "date": "2025-02-03", "quantity": 2.0, "price": 12.5, "total": 25.0,
                 "matter": {"id": 31}, "user": {"id": 4}, "updated_at": "2025-02-03T09:00:00Z"}
                """);

        TimeEntry entry = (TimeEntry) transformer.transform(RemoteRecord.of("activities", "5", null, time)).orElseThrow();
        Expense cost = (Expense) transformer.transform(RemoteRecord.of("activities", "6", null, expense)).orElseThrow();

        assertThat(entry.durationSeconds()).isEqualTo(5400);
        assertThat(entry.engagementId()).isEqualTo("31");
        assertThat(cost.total()).isEqualByComparingTo(new BigDecimal("25.0"));
    }

    @Test
    void aMistypedFieldIsRejectedAsAnUnexpectedPayload() throws IOException {
        JsonNode json = JSON.readTree("{\"id\": 1, \"name\": {\"unexpected\": true}, \"updated_at\": \"2025-01-01T00:00:00Z\"}");
        JsonNode badDate = JSON.readTree("{\"id\": 2, \"name\": \"Ok\", \"updated_at\": \"not-a-date\"}");

        assertThatThrownBy(() -> transformer.transform(RemoteRecord.of("contacts", "1", null, json)))
                .isInstanceOfSatisfying(JunctionException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.UNEXPECTED_PAYLOAD))
                .hasMessageContaining("'name'");
        assertThatThrownBy(() -> transformer.transform(RemoteRecord.of("contacts", "2", null, badDate)))
                .hasMessageContaining("not an ISO-8601 timestamp");
    }

    @Test
    void customActionsAreKeptRawOnly() throws IOException {
        JsonNode json = JSON.readTree("{\"id\": 3, \"label\": \"Open Smart Intake\", \"ui_reference\": \"contacts/show\"}");

        assertThat(transformer.transform(RemoteRecord.of("custom_actions", "3", null, json))).isEmpty();
    }
}
