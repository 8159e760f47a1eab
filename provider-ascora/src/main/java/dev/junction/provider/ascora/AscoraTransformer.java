package dev.junction.provider.ascora;

import com.fasterxml.jackson.databind.JsonNode;
import dev.junction.core.error.ErrorContext;
import dev.junction.core.error.ErrorKind;
import dev.junction.core.error.JunctionException;
import dev.junction.core.model.Contact;
import dev.junction.core.model.Engagement;
import dev.junction.core.model.Invoice;
import dev.junction.core.model.Payment;
import dev.junction.core.model.UnifiedRecord;
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
 * Ascora records to unified ones: customers and contacts to {@link Contact}, jobs to {@link Engagement} (status =
 * {@code jobStatusText}), invoices to {@link Invoice}, payments to {@link Payment}; quotes stay raw. Ascora's
 * published records carry no modification time, so {@code updatedAt} is null; jobs have {@code createdAt} from
 * {@code dateCreated}. Strings that must be strings, numbers that must be numbers: anything else is
 * {@code UNEXPECTED_PAYLOAD}, so a corrupt record is dead-lettered rather than stored half-read. Stateless.
 */
final class AscoraTransformer implements Transformer {

    @Override
    public Optional<UnifiedRecord> transform(RemoteRecord record) {
        AscoraEntity entity = AscoraEntity.byName(record.entity()).orElseThrow(() -> bad(record.entity(), "unknown entity"));
        JsonNode item = record.payload();
        String id = record.externalId();
        return switch (entity) {
            case CUSTOMERS -> Optional.of(customer(id, item));
            case CONTACTS -> Optional.of(contact(id, item));
            case JOBS -> Optional.of(job(id, item));
            case QUOTES -> {
                text(item, "quoteNumber", "quotes");
                yield Optional.empty();
            }
            case INVOICES -> Optional.of(invoice(id, item));
            case PAYMENTS -> Optional.of(payment(id, item));
        };
    }

    /** The record's key ({@link AscoraEntity#idField()}), when it is a non-blank string. */
    static Optional<String> recordId(AscoraEntity entity, JsonNode item) {
        JsonNode id = item.get(entity.idField());
        return id != null && id.isTextual() && !id.asText().isBlank() ? Optional.of(id.asText()) : Optional.empty();
    }

    static Contact customer(String id, JsonNode item) {
        String first = text(item, "contactFirstName", "customers");
        String last = text(item, "contactLastName", "customers");
        String company = text(item, "companyName", "customers");
        String name = firstNonBlank(text(item, "customerName", "customers"), company, join(first, last));
        Contact.Kind kind = company != null && !company.isBlank() ? Contact.Kind.COMPANY : Contact.Kind.PERSON;
        String phone = firstNonBlank(text(item, "phoneNumber", "customers"), text(item, "mobileNumber", "customers"));
        return new Contact(id, kind, name, blankToNull(first), blankToNull(last), blankToNull(text(item, "emailAddress", "customers")),
                phone, Boolean.TRUE, customFields(item), null, null);
    }

    static Contact contact(String id, JsonNode item) {
        String first = text(item, "firstName", "contacts");
        String last = text(item, "lastName", "contacts");
        String phone = firstNonBlank(text(item, "phoneNumber", "contacts"), text(item, "mobileNumber", "contacts"));
        return new Contact(id, Contact.Kind.PERSON, join(first, last), blankToNull(first), blankToNull(last),
                blankToNull(text(item, "emailAddress", "contacts")), phone, Boolean.FALSE, Map.of(), null, null);
    }

    static Engagement job(String id, JsonNode item) {
        String title = firstNonBlank(text(item, "jobName", "jobs"), text(item, "jobDescription", "jobs"));
        String status = text(item, "jobStatusText", "jobs");
        JsonNode statusCode = item.get("jobStatus");
        if (statusCode != null && !statusCode.isNull() && !statusCode.isInt()) {
            throw bad("jobs", "jobStatus is not an integer");
        }
        Instant created = instant(item, "dateCreated", "jobs");
        Instant completed = instant(item, "completedDate", "jobs");
        String client = item.path("billingCustomer").path("id").asText(item.path("siteCustomer").path("id").asText(null));
        return new Engagement(id, text(item, "jobNumber", "jobs"), title, status == null ? null : status.toLowerCase(java.util.Locale.ROOT),
                client, blankToNull(item.path("assignedUser").path("id").asText(null)),
                created == null ? null : LocalDate.ofInstant(created, java.time.ZoneOffset.UTC),
                completed == null ? null : LocalDate.ofInstant(completed, java.time.ZoneOffset.UTC), customFields(item), created, null);
    }

    static Invoice invoice(String id, JsonNode item) {
        Instant issued = instant(item, "invoiceDate", "invoices");
        Instant due = instant(item, "dueDate", "invoices");
        return new Invoice(id, text(item, "invoiceNumber", "invoices"), text(item, "status", "invoices"),
                issued == null ? null : LocalDate.ofInstant(issued, java.time.ZoneOffset.UTC),
                due == null ? null : LocalDate.ofInstant(due, java.time.ZoneOffset.UTC),
                money(item, "totalIncTax", "invoices"), money(item, "amountOwing", "invoices"), "AUD",
                blankToNull(item.path("customer").path("id").asText(null)), blankToNull(text(item, "jobNumber", "invoices")), null);
    }

    static Payment payment(String id, JsonNode item) {
        return new Payment(id, text(item, "paymentMethod", "payments"), "paid", money(item, "paymentAmount", "payments"), "AUD",
                null, blankToNull(text(item, "invoiceId", "payments")), instant(item, "paymentDate", "payments"), null);
    }

    private static Map<String, String> customFields(JsonNode item) {
        JsonNode fields = item.get("customFields");
        if (fields == null || fields.isNull()) {
            return Map.of();
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (JsonNode field : fields) {
            String name = field.path("fieldName").asText("");
            if (!name.isEmpty()) {
                values.put(name, field.path("fieldValue").asText(""));
            }
        }
        return values;
    }

    static String text(JsonNode item, String field, String entity) {
        JsonNode value = item.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw bad(entity, field + " is not a string");
        }
        return value.asText();
    }

    private static BigDecimal money(JsonNode item, String field, String entity) {
        JsonNode value = item.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isNumber()) {
            throw bad(entity, field + " is not a number");
        }
        return value.decimalValue();
    }

    private static Instant instant(JsonNode item, String field, String entity) {
        String value = text(item, field, entity);
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Timestamps.instant(value);
        } catch (DateTimeParseException e) {
            try {
                return LocalDate.parse(value.length() >= 10 ? value.substring(0, 10) : value).atStartOfDay(java.time.ZoneOffset.UTC).toInstant();
            } catch (DateTimeParseException again) {
                throw bad(entity, field + " is not a date");
            }
        }
    }

    private static String join(String first, String last) {
        String joined = ((first == null ? "" : first) + " " + (last == null ? "" : last)).trim();
        return joined.isEmpty() ? null : joined;
    }

    private static String firstNonBlank(String... values) {
        for (String value : values) {
            if (value != null && !value.isBlank()) {
                return value;
            }
        }
        return null;
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }

    private static JunctionException bad(String entity, String message) {
        return new JunctionException(ErrorKind.UNEXPECTED_PAYLOAD, "Ascora " + entity + ": " + message,
                ErrorContext.provider(AscoraProvider.ID).withEntity(entity));
    }
}
