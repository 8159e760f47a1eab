package dev.junction.provider.cliniko;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.junction.core.error.ErrorContext;
import dev.junction.core.error.ErrorKind;
import dev.junction.core.error.JunctionException;
import dev.junction.core.model.Appointment;
import dev.junction.core.model.Contact;
import dev.junction.core.model.Invoice;
import dev.junction.core.model.UnifiedRecord;
import dev.junction.core.model.User;
import dev.junction.core.spi.RemoteRecord;
import dev.junction.core.spi.Timestamps;
import dev.junction.core.spi.Transformer;
import java.io.IOException;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Cliniko records to the unified model: patients to {@link Contact}, practitioners to {@link User}, individual
 * appointments to {@link Appointment}, invoices to {@link Invoice}; businesses and appointment types stay raw.
 *
 * <p>Cliniko's JSON is parsed as it is published ([CLINIKO-SEC], hard part 20): {@code ""} means null for every
 * field ({@code "archived_at": ""}), ids come as numbers or strings, money as strings ({@code "50.0"}), and
 * relations only as {@code links.self} URLs, whose last segment is the related id. Documents with duplicate keys
 * ({@code patient_phone_numbers} twice) are read with the last value winning; see {@link #parse}.
 *
 * <p>States are not deletions: an archived patient is a Contact whose custom field {@value #STATUS_FIELD} is
 * {@code archived} (the unified Contact has no status of its own), a cancelled appointment an Appointment with
 * status {@code cancelled}.
 *
 * <p>Stateless and thread-safe.
 */
public final class ClinikoTransformer implements Transformer {

    /** Contact custom field holding the patient's state: {@code active} or {@code archived}. */
    public static final String STATUS_FIELD = "cliniko:status";
    /** Contact custom field holding when the patient was archived (ISO-8601), absent when active. */
    public static final String ARCHIVED_AT_FIELD = "cliniko:archived_at";

    /**
     * A mapper for Cliniko's published documents: duplicate keys allowed (the last wins; strict duplicate detection
     * stays off) and a trailing comma tolerated.
     */
    private static final ObjectMapper LENIENT = JsonMapper.builder()
            .disable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .disable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            .enable(JsonReadFeature.ALLOW_TRAILING_COMMA)
            .build();

    private static final Pattern LINK_ID = Pattern.compile("/([A-Za-z0-9_-]+)/?(?:\\?.*)?$");

    /** Parses a Cliniko document as published: duplicate keys (last wins), a trailing comma. */
    public static JsonNode parse(String json) {
        try {
            return LENIENT.readTree(json);
        } catch (IOException e) {
            throw new JunctionException(ErrorKind.UNEXPECTED_PAYLOAD, "not JSON: " + e.getMessage(),
                    ErrorContext.provider(ClinikoProvider.ID));
        }
    }

    @Override
    public Optional<UnifiedRecord> transform(RemoteRecord record) {
        JsonNode item = record.payload();
        if (!item.isObject()) {
            throw unexpected(record.entity(), "record is not an object");
        }
        ClinikoEntity entity = ClinikoEntity.byPath(record.entity())
                .orElseThrow(() -> unexpected(record.entity(), "unknown Cliniko entity"));
        return switch (entity) {
            case PATIENTS -> Optional.of(patient(record.externalId(), item));
            case PRACTITIONERS -> Optional.of(practitioner(record.externalId(), item));
            case INDIVIDUAL_APPOINTMENTS -> Optional.of(appointment(record.externalId(), item));
            case INVOICES -> Optional.of(invoice(record.externalId(), item));
            case BUSINESSES, APPOINTMENT_TYPES -> Optional.empty();
        };
    }

    static Contact patient(String id, JsonNode item) {
        String entity = "patients";
        String first = text(item, "first_name", entity);
        String last = text(item, "last_name", entity);
        String preferred = text(item, "preferred_first_name", entity);
        String name = join(preferred != null ? preferred : first, last);
        Map<String, String> fields = new LinkedHashMap<>(customFields(item.get("custom_fields")));
        Instant archivedAt = instant(item, "archived_at", entity);
        fields.put(STATUS_FIELD, archivedAt == null ? "active" : "archived");
        if (archivedAt != null) {
            fields.put(ARCHIVED_AT_FIELD, archivedAt.toString());
        }
        return new Contact(id, Contact.Kind.PERSON, name, first, last, text(item, "email", entity), phone(item),
                Boolean.TRUE, fields, instant(item, "created_at", entity), instant(item, "updated_at", entity));
    }

    static User practitioner(String id, JsonNode item) {
        String entity = "practitioners";
        String label = text(item, "label", entity);
        String name = label != null ? label : join(text(item, "first_name", entity), text(item, "last_name", entity));
        JsonNode active = item.get("active");
        Boolean enabled = active != null && active.isBoolean() ? active.asBoolean() : Boolean.TRUE;
        return new User(id, name, null, enabled, text(item, "designation", entity), instant(item, "updated_at", entity));
    }

    static Appointment appointment(String id, JsonNode item) {
        String entity = "individual_appointments";
        Instant startsAt = instant(item, "starts_at", entity);
        Instant endsAt = instant(item, "ends_at", entity);
        String status;
        if (instant(item, "deleted_at", entity) != null) {
            status = "deleted";
        } else if (instant(item, "cancelled_at", entity) != null) {
            status = "cancelled";
        } else if (bool(item, "did_not_arrive", entity)) {
            status = "did_not_arrive";
        } else if (bool(item, "patient_arrived", entity)) {
            status = "arrived";
        } else {
            status = "booked";
        }
        String title = text(item, "patient_name", entity);
        return new Appointment(id, title == null ? "Appointment" : title, startsAt, endsAt, Boolean.FALSE, status, null,
                linkId(item, "patient").orElse(null), linkId(item, "practitioner").orElse(null),
                instant(item, "updated_at", entity));
    }

    static Invoice invoice(String id, JsonNode item) {
        String entity = "invoices";
        String status = text(item, "status_description", entity);
        if (status == null && item.hasNonNull("status")) {
            status = item.get("status").asText();
        }
        JsonNode number = item.get("number");
        return new Invoice(id, number == null || number.isNull() ? null : number.asText(), status,
                date(item, "issue_date", entity), null, money(item, "total_amount", entity), null, null,
                linkId(item, "patient").orElse(null), null, instant(item, "updated_at", entity));
    }

    // ---- shared readers ----------------------------------------------------------------------------------

    /** The record's id: {@code id} (number or string), else the last segment of {@code links.self}. */
    static Optional<String> recordId(JsonNode item) {
        JsonNode id = item.get("id");
        if (id != null && (id.isIntegralNumber() || id.isTextual()) && !id.asText().isBlank()) {
            return Optional.of(id.asText());
        }
        return selfId(item.path("links").path("self"));
    }

    /** The id at the end of {@code item.<relation>.links.self}, such as {@code 82} for {@code …/patients/82}. */
    static Optional<String> linkId(JsonNode item, String relation) {
        return selfId(item.path(relation).path("links").path("self"));
    }

    private static Optional<String> selfId(JsonNode self) {
        if (!self.isTextual()) {
            return Optional.empty();
        }
        Matcher matcher = LINK_ID.matcher(self.asText());
        return matcher.find() ? Optional.of(matcher.group(1)) : Optional.empty();
    }

    /** An instant field, null when missing, null or {@code ""}; null as well when unparseable (for the connector). */
    static Instant instantOrNull(JsonNode item, String field) {
        JsonNode value = item.get(field);
        if (value == null || !value.isTextual() || value.asText().isEmpty()) {
            return null;
        }
        try {
            return Timestamps.instant(value.asText());
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static Instant instant(JsonNode item, String field, String entity) {
        JsonNode value = item.get(field);
        if (value == null || value.isNull() || (value.isTextual() && value.asText().isEmpty())) {
            return null;
        }
        if (!value.isTextual()) {
            throw unexpected(entity, "field '" + field + "' is not a timestamp string");
        }
        try {
            return Timestamps.instant(value.asText());
        } catch (DateTimeParseException e) {
            throw unexpected(entity, "field '" + field + "' is not an ISO-8601 timestamp");
        }
    }

    private static LocalDate date(JsonNode item, String field, String entity) {
        String value = text(item, field, entity);
        if (value == null) {
            return null;
        }
        try {
            return LocalDate.parse(value);
        } catch (DateTimeParseException e) {
            throw unexpected(entity, "field '" + field + "' is not a date");
        }
    }

    private static BigDecimal money(JsonNode item, String field, String entity) {
        JsonNode value = item.get(field);
        if (value == null || value.isNull() || (value.isTextual() && value.asText().isEmpty())) {
            return null;
        }
        if (value.isNumber()) {
            return value.decimalValue();
        }
        try {
            return new BigDecimal(value.asText().trim());
        } catch (NumberFormatException e) {
            throw unexpected(entity, "field '" + field + "' is not an amount");
        }
    }

    /** A string field, null when missing, null or {@code ""}; numbers are read as text; anything else is refused. */
    private static String text(JsonNode item, String field, String entity) {
        JsonNode value = item.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isValueNode()) {
            throw unexpected(entity, "field '" + field + "' is not a string");
        }
        String text = value.asText();
        return text.isEmpty() ? null : text;
    }

    private static boolean bool(JsonNode item, String field, String entity) {
        JsonNode value = item.get(field);
        if (value == null || value.isNull()) {
            return false;
        }
        if (!value.isBoolean()) {
            throw unexpected(entity, "field '" + field + "' is not a boolean");
        }
        return value.asBoolean();
    }

    /** The mobile number when there is one, else the first; null for none. */
    private static String phone(JsonNode item) {
        JsonNode numbers = item.get("patient_phone_numbers");
        if (numbers == null || !numbers.isArray() || numbers.isEmpty()) {
            return null;
        }
        for (JsonNode number : numbers) {
            if ("Mobile".equalsIgnoreCase(number.path("phone_type").asText()) && !number.path("number").asText().isEmpty()) {
                return number.path("number").asText();
            }
        }
        String first = numbers.get(0).path("number").asText();
        return first.isEmpty() ? null : first;
    }

    /** Custom field values by field name: a text value, or the names of the selected options joined by ", ". */
    private static Map<String, String> customFields(JsonNode customFields) {
        Map<String, String> values = new LinkedHashMap<>();
        if (customFields == null || !customFields.isObject()) {
            return values;
        }
        for (JsonNode section : customFields.path("sections")) {
            for (JsonNode field : section.path("fields")) {
                String name = field.path("name").asText();
                if (name.isEmpty()) {
                    continue;
                }
                if (field.hasNonNull("value") && !field.get("value").asText().isEmpty()) {
                    values.put(name, field.get("value").asText());
                    continue;
                }
                StringBuilder selected = new StringBuilder();
                for (JsonNode option : field.path("options")) {
                    if (option.path("selected").asBoolean(false)) {
                        selected.append(selected.length() == 0 ? "" : ", ").append(option.path("name").asText());
                    }
                }
                if (selected.length() > 0) {
                    values.put(name, selected.toString());
                }
            }
        }
        return values;
    }

    private static String join(String first, String last) {
        String name = ((first == null ? "" : first) + " " + (last == null ? "" : last)).trim();
        return name.isEmpty() ? null : name;
    }

    private static JunctionException unexpected(String entity, String message) {
        return new JunctionException(ErrorKind.UNEXPECTED_PAYLOAD, "Cliniko " + entity + ": " + message,
                ErrorContext.provider(ClinikoProvider.ID).withEntity(entity));
    }
}
