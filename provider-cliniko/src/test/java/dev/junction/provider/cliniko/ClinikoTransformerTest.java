package dev.junction.provider.cliniko;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.junction.core.error.ErrorKind;
import dev.junction.core.error.JunctionException;
import dev.junction.core.model.Appointment;
import dev.junction.core.model.Contact;
import dev.junction.core.model.Invoice;
import dev.junction.core.model.User;
import dev.junction.core.spi.RemoteRecord;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;

/** The transformer on Cliniko's published example payloads, read exactly as published. */
class ClinikoTransformerTest {

    private final ClinikoTransformer transformer = new ClinikoTransformer();

    @Test
    void thePublishedPatientWithADuplicateKeyParsesAndTheLastValueWins() {
        String json = fixture("patient_single.json");
        assertThat(json.split("\"patient_phone_numbers\"", -1)).as("the fixture really has the key twice").hasSize(3);

        JsonNode patient = ClinikoTransformer.parse(json);

        assertThat(patient.get("patient_phone_numbers")).hasSize(2);
        Contact contact = (Contact) transform("patients", patient);
        assertThat(contact.externalId()).isEqualTo("1");
        assertThat(contact.name()).isEqualTo("Pete Patientman");
        assertThat(contact.firstName()).isEqualTo("Peter");
        assertThat(contact.email()).isEqualTo("peter@example.com");
        assertThat(contact.phone()).isEqualTo("61444444444");
        assertThat(contact.kind()).isEqualTo(Contact.Kind.PERSON);
        assertThat(contact.createdAt()).isEqualTo(Instant.parse("2013-03-26T14:00:00Z"));
        assertThat(contact.customFields()).containsEntry("Provider", "Super Insurance")
                .containsEntry("Policy number", "ABC-12345")
                .containsEntry(ClinikoTransformer.STATUS_FIELD, "active")
                .doesNotContainKey(ClinikoTransformer.ARCHIVED_AT_FIELD);
    }

    @Test
    void aStrictParserWouldRefuseTheSameDocument() {
        ObjectMapper strict = new ObjectMapper();
        strict.enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        assertThatThrownBy(() -> strict.readTree(fixture("patients_list.json"))).hasMessageContaining("Duplicate field");
    }

    @Test
    void emptyStringTimestampsAreNullNotErrors() {
        JsonNode patient = ClinikoTransformer.parse(fixture("patients_list.json")).get("patients").get(0);
        assertThat(patient.get("archived_at").asText()).isEmpty();
        assertThat(patient.get("deleted_at").asText()).isEmpty();

        Contact contact = (Contact) transform("patients", patient);

        assertThat(contact.customFields()).containsEntry(ClinikoTransformer.STATUS_FIELD, "active");
        assertThat(contact.updatedAt()).isEqualTo(Instant.parse("2013-03-26T14:00:00Z"));
    }

    @Test
    void anArchivedPatientIsAStateNotADeletion() {
        JsonNode patient = ClinikoTransformer.parse(fixture("patients_archived.json")).get("patients").get(0);

        Contact contact = (Contact) transform("patients", patient);

        assertThat(contact.customFields()).containsEntry(ClinikoTransformer.STATUS_FIELD, "archived")
                .containsEntry(ClinikoTransformer.ARCHIVED_AT_FIELD, "2013-06-05T14:37:18Z");
        assertThat(contact.name()).isEqualTo("Pete Patientman");
    }

    @Test
    void aDeletedPatientIsIdentifiedFromItsSelfLink() {
        JsonNode deleted = ClinikoTransformer.parse(fixture("patients_deleted.json")).get("patients").get(0);

        assertThat(ClinikoTransformer.recordId(deleted)).contains("1");
    }

    @Test
    void theOlderFullRecordShapeOfADeletedPatientAlsoYieldsItsId() {
        JsonNode deleted = ClinikoTransformer.parse(fixture("patients_deleted_full_record_2016.json")).get("patients").get(0);

        assertThat(ClinikoTransformer.recordId(deleted)).contains("1");
        Contact contact = (Contact) transform("patients", deleted);
        assertThat(contact.customFields()).containsEntry(ClinikoTransformer.STATUS_FIELD, "archived");
    }

    @Test
    void appointmentRelationsComeFromTheirLinks() {
        JsonNode appointment = ClinikoTransformer.parse(fixture("individual_appointments_list_page1_with_next.json"))
                .get("individual_appointments").get(0);

        Appointment unified = (Appointment) transform("individual_appointments", appointment);

        assertThat(unified.contactId()).isEqualTo("82");
        assertThat(unified.userId()).isEqualTo("1");
        assertThat(unified.status()).isEqualTo("booked");
        assertThat(unified.title()).isEqualTo("Joe Monahan");
        assertThat(unified.startsAt()).isEqualTo(Instant.parse("2016-07-21T03:45:00Z"));
        assertThat(unified.endsAt()).isEqualTo(Instant.parse("2016-07-21T04:30:00Z"));
    }

    @Test
    void aCancelledAppointmentKeepsItsDataWithStatusCancelled() {
        JsonNode appointment = ClinikoTransformer.parse(fixture("individual_appointments_cancelled.json"))
                .get("individual_appointments").get(0);

        Appointment unified = (Appointment) transform("individual_appointments", appointment);

        assertThat(unified.status()).isEqualTo("cancelled");
        assertThat(unified.contactId()).isEqualTo("82");
    }

    @Test
    void aDeletedAppointmentFromTheDeletedListingReadsAsDeleted() {
        JsonNode appointment = ClinikoTransformer.parse(fixture("individual_appointments_deleted.json"))
                .get("individual_appointments").get(0);

        Appointment unified = (Appointment) transform("individual_appointments", appointment);

        assertThat(unified.status()).isEqualTo("deleted");
        assertThat(ClinikoTransformer.recordId(appointment)).contains("1");
    }

    @Test
    void invoiceAmountsArriveAsStringsAndBecomeDecimals() {
        JsonNode invoice = ClinikoTransformer.parse(fixture("invoices_list.json")).get("invoices").get(0);

        Invoice unified = (Invoice) transform("invoices", invoice);

        assertThat(unified.total()).isEqualByComparingTo(new BigDecimal("50.0"));
        assertThat(unified.number()).isEqualTo("104");
        assertThat(unified.status()).isEqualTo("Open");
        assertThat(unified.issuedOn()).isEqualTo(LocalDate.of(2015, 4, 2));
        assertThat(unified.contactId()).isEqualTo("1593");
    }

    @Test
    void practitionersWithStringIdsBecomeUsers() {
        JsonNode body = ClinikoTransformer.parse(fixture("practitioners_list.json"));
        JsonNode practitioner = body.get("practitioners").get(0);
        assertThat(ClinikoTransformer.recordId(practitioner)).contains("514810972972521916");

        User user = (User) transform("practitioners", practitioner);

        assertThat(user.name()).isEqualTo("Randy Savage");
        assertThat(user.role()).isEqualTo("Osteopath");
        assertThat(user.enabled()).isTrue();
    }

    @Test
    void businessesAndAppointmentTypesStayRaw() {
        JsonNode business = ClinikoTransformer.parse(fixture("businesses_list.json")).get("businesses").get(0);
        JsonNode type = ClinikoTransformer.parse(fixture("appointment_types_list.json")).get("appointment_types").get(0);

        assertThat(transformer.transform(RemoteRecord.of("businesses", "514810976554457178", null, business))).isEmpty();
        assertThat(transformer.transform(RemoteRecord.of("appointment_types", "514810976034364376", null, type))).isEmpty();
    }

    @Test
    void aMistypedFieldIsAnUnexpectedPayload() {
        ObjectNode patient = (ObjectNode) ClinikoTransformer.parse(fixture("patient_single.json"));
        patient.putObject("first_name").put("unexpected", true);

        assertThatThrownBy(() -> transform("patients", patient)).isInstanceOf(JunctionException.class)
                .extracting("kind").isEqualTo(ErrorKind.UNEXPECTED_PAYLOAD);

        ObjectNode badDate = (ObjectNode) ClinikoTransformer.parse(fixture("patient_single.json"));
        badDate.put("updated_at", "not-a-date");
        assertThatThrownBy(() -> transform("patients", badDate)).isInstanceOf(JunctionException.class)
                .extracting("kind").isEqualTo(ErrorKind.UNEXPECTED_PAYLOAD);
    }

    private Object transform(String entity, JsonNode item) {
        String id = ClinikoTransformer.recordId(item).orElseThrow();
        return transformer.transform(RemoteRecord.of(entity, id, null, item)).orElseThrow();
    }

    static String fixture(String name) {
        try (InputStream in = ClinikoTransformerTest.class.getResourceAsStream("/fixtures/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
