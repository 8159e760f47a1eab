package dev.junction.provider.clio;

import com.fasterxml.jackson.databind.JsonNode;
import dev.junction.core.error.ErrorContext;
import dev.junction.core.error.ErrorKind;
import dev.junction.core.error.JunctionException;
import dev.junction.core.model.Appointment;
import dev.junction.core.model.Contact;
import dev.junction.core.model.CustomField;
import dev.junction.core.model.Engagement;
import dev.junction.core.model.Expense;
import dev.junction.core.model.Invoice;
import dev.junction.core.model.Task;
import dev.junction.core.model.TimeEntry;
import dev.junction.core.model.UnifiedRecord;
import dev.junction.core.model.User;
import dev.junction.core.spi.RemoteRecord;
import dev.junction.core.spi.Timestamps;
import dev.junction.core.spi.Transformer;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Clio v4 records to the unified model. Field names and types follow Clio's OpenAPI schemas ([CLIO-SPEC]); a
 * field of the wrong JSON type or an unparseable timestamp is an {@code UNEXPECTED_PAYLOAD}, never silently
 * dropped. Relations (matter to client, activity to matter and user, task to matter) become external ids.
 * Stateless and thread-safe.
 */
public final class ClioTransformer implements Transformer {

    @Override
    public Optional<UnifiedRecord> transform(RemoteRecord record) {
        JsonNode json = record.payload();
        if (!json.isObject()) {
            throw unexpected(record, "record is not a JSON object");
        }
        Fields f = new Fields(record);
        ClioEntity entity = ClioEntity.byName(record.entity()).orElseThrow(() -> unexpected(record, "unknown entity"));
        return switch (entity) {
            case USERS -> Optional.of(new User(record.externalId(), f.text("name"), f.text("email"), f.bool("enabled"),
                    f.text("subscription_type"), f.instant("updated_at")));
            case CUSTOM_FIELDS -> Optional.of(new CustomField(record.externalId(), f.text("name"), f.text("parent_type"),
                    f.text("field_type"), Boolean.TRUE.equals(f.bool("deleted")), f.instant("updated_at")));
            case CONTACTS -> Optional.of(contact(record, f));
            case MATTERS -> Optional.of(new Engagement(record.externalId(), f.text("display_number"), f.text("description"),
                    f.text("status"), f.relation("client"), f.relation("responsible_attorney"), f.date("open_date"),
                    f.date("close_date"), customFieldValues(record, f), f.instant("created_at"), f.instant("updated_at")));
            case TASKS -> Optional.of(new Task(record.externalId(), f.text("name"), f.text("description"), f.text("status"),
                    f.text("priority"), f.instantOrDate("due_at"), f.instant("completed_at"), f.relation("matter"),
                    f.relation("assignee"), f.instant("updated_at")));
            case ACTIVITIES -> Optional.of(activity(record, f));
            case CALENDAR_ENTRIES -> Optional.of(new Appointment(record.externalId(), f.text("summary"), f.instant("start_at"),
                    f.instant("end_at"), f.bool("all_day"), null, f.relation("matter"), null, null, f.instant("updated_at")));
            case BILLS -> Optional.of(new Invoice(record.externalId(), f.text("number"), f.text("state"), f.date("issued_at"),
                    f.date("due_at"), f.decimal("total"), f.decimal("balance"), currency(f), f.relation("client"),
                    firstMatter(f), f.instant("updated_at")));
            case CUSTOM_ACTIONS -> Optional.empty(); // configuration, kept raw only
        };
    }

    private static Contact contact(RemoteRecord record, Fields f) {
        String type = f.text("type");
        Contact.Kind kind = type == null ? null : switch (type) {
            case "Person" -> Contact.Kind.PERSON;
            case "Company" -> Contact.Kind.COMPANY;
            default -> throw unexpected(record, "contact type '" + type + "' is neither Person nor Company");
        };
        return new Contact(record.externalId(), kind, f.text("name"), f.text("first_name"), f.text("last_name"),
                f.text("primary_email_address"), f.text("primary_phone_number"), f.bool("is_client"),
                customFieldValues(record, f), f.instant("created_at"), f.instant("updated_at"));
    }

    private static UnifiedRecord activity(RemoteRecord record, Fields f) {
        String type = f.text("type");
        if ("ExpenseEntry".equals(type) || "HardCostEntry".equals(type) || "SoftCostEntry".equals(type)) {
            return new Expense(record.externalId(), f.date("date"), f.decimal("quantity"), f.decimal("price"), f.decimal("total"),
                    f.text("note"), f.bool("billed"), f.relation("matter"), f.relation("user"), f.instant("updated_at"));
        }
        if (type != null && !"TimeEntry".equals(type)) {
            throw unexpected(record, "activity type '" + type + "' is unknown");
        }
        // Since API 4.0.4 quantity is in seconds (we pin 4.0.9).
        BigDecimal seconds = f.decimal("quantity");
        return new TimeEntry(record.externalId(), f.date("date"), seconds == null ? 0 : seconds.longValue(), f.decimal("price"),
                f.decimal("total"), f.text("note"), f.bool("billed"), f.relation("matter"), f.relation("user"), f.instant("updated_at"));
    }

    /** Custom field values keyed by the custom field's id ({@code custom_field.id}), as text. */
    private static Map<String, String> customFieldValues(RemoteRecord record, Fields f) {
        JsonNode values = record.payload().get("custom_field_values");
        if (values == null || values.isNull()) {
            return Map.of();
        }
        if (!values.isArray()) {
            throw unexpected(record, "custom_field_values is not an array");
        }
        Map<String, String> result = new LinkedHashMap<>();
        for (JsonNode value : values) {
            JsonNode field = value.path("custom_field").path("id");
            if (field.isMissingNode() || field.isNull()) {
                continue;
            }
            JsonNode content = value.get("value");
            if (content != null && !content.isNull() && !content.isContainerNode()) {
                result.put(field.asText(), content.asText());
            }
        }
        return result;
    }

    private static String currency(Fields f) {
        JsonNode currency = f.json.get("currency");
        if (currency == null || currency.isNull()) return null;
        if (currency.isTextual()) return currency.asText();
        return currency.path("code").asText(null);
    }

    private static String firstMatter(Fields f) {
        JsonNode matters = f.json.get("matters");
        if (matters != null && matters.isArray() && !matters.isEmpty()) {
            return matters.get(0).path("id").asText(null);
        }
        return f.relation("matter");
    }

    static JunctionException unexpected(RemoteRecord record, String message) {
        return new JunctionException(ErrorKind.UNEXPECTED_PAYLOAD, "Clio " + record.entity() + " " + record.externalId() + ": " + message,
                ErrorContext.provider(ClioProvider.ID).withEntity(record.entity()));
    }

    /** Typed, strict access to a record's fields: absent or null is null, a wrong type is an error. */
    private static final class Fields {
        private final RemoteRecord record;
        private final JsonNode json;

        Fields(RemoteRecord record) {
            this.record = record;
            this.json = record.payload();
        }

        String text(String name) {
            JsonNode value = json.get(name);
            if (value == null || value.isNull()) return null;
            if (!value.isValueNode()) throw unexpected(record, "field '" + name + "' should be text, was " + value.getNodeType());
            return value.asText();
        }

        Boolean bool(String name) {
            JsonNode value = json.get(name);
            if (value == null || value.isNull()) return null;
            if (!value.isBoolean()) throw unexpected(record, "field '" + name + "' should be a boolean, was " + value.getNodeType());
            return value.booleanValue();
        }

        BigDecimal decimal(String name) {
            JsonNode value = json.get(name);
            if (value == null || value.isNull()) return null;
            if (value.isNumber()) return value.decimalValue();
            if (value.isTextual()) {
                try {
                    return new BigDecimal(value.asText());
                } catch (NumberFormatException e) {
                    throw unexpected(record, "field '" + name + "' is not a number: '" + value.asText() + "'");
                }
            }
            throw unexpected(record, "field '" + name + "' should be a number, was " + value.getNodeType());
        }

        Instant instant(String name) {
            String text = text(name);
            if (text == null || text.isEmpty()) return null;
            try {
                return Timestamps.instant(text);
            } catch (DateTimeParseException e) {
                throw unexpected(record, "field '" + name + "' is not an ISO-8601 timestamp: '" + text + "'");
            }
        }

        LocalDate date(String name) {
            String text = text(name);
            if (text == null || text.isEmpty()) return null;
            try {
                return text.length() > 10 ? Timestamps.localDate(text) : LocalDate.parse(text);
            } catch (DateTimeParseException e) {
                throw unexpected(record, "field '" + name + "' is not an ISO-8601 date: '" + text + "'");
            }
        }

        /** Clio's task {@code due_at} is a date in some versions and a timestamp in others. */
        Instant instantOrDate(String name) {
            String text = text(name);
            if (text == null || text.isEmpty()) return null;
            if (text.length() == 10) {
                return date(name).atStartOfDay(java.time.ZoneOffset.UTC).toInstant();
            }
            return instant(name);
        }

        /** The id of a nested resource ({@code "client": {"id": 7, "name": ...}}). */
        String relation(String name) {
            JsonNode value = json.get(name);
            if (value == null || value.isNull()) return null;
            if (!value.isObject()) throw unexpected(record, "field '" + name + "' should be an object, was " + value.getNodeType());
            JsonNode id = value.get("id");
            return id == null || id.isNull() ? null : id.asText();
        }
    }
}
