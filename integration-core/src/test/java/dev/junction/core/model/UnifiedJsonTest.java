package dev.junction.core.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.junction.core.internal.Json;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Unified records survive the JSON the store keeps them in, every component included. */
class UnifiedJsonTest {

    private static final Instant AT = Instant.parse("2026-05-01T10:15:30Z");

    @Test
    void everyComponentRoundTrips() {
        List<UnifiedRecord> records = List.of(
                new Contact("1", Contact.Kind.PERSON, "Ada Lovelace", "Ada", "Lovelace", "ada@example.com", "+44 1",
                        true, Map.of("Referral", "Babbage"), AT, AT),
                new Invoice("2", "INV-7", "paid", LocalDate.of(2026, 5, 1), LocalDate.of(2026, 5, 31),
                        new BigDecimal("120.50"), BigDecimal.ZERO, "USD", "1", "3", AT),
                new Subscription("sub_1", "cus_1", "past_due", AT, AT, null, null, false, "usd",
                        List.of(new Subscription.Item("si_1", "price_1", "prod_1", 2, new BigDecimal("9.99"), "month")), AT, AT),
                new Payment("ch_1", "charge", "succeeded", new BigDecimal("12.50"), "usd", "cus_1", "in_1", AT, AT),
                new Conversation("10", "42", "3", "1", "7", "open", List.of("vip"), AT, AT, AT),
                new Message("99", "42", "incoming", "Hello", false, "1", "contact", AT, AT));
        for (UnifiedRecord record : records) {
            String json = Json.write(record);
            assertThat(Json.read(json, record.getClass())).as(json).isEqualTo(record);
        }
        assertThat(Json.write(records.get(0))).contains("\"email\":\"ada@example.com\"");
        assertThat(Json.write(records.get(1))).contains("\"status\":\"paid\"");
    }

    /** Custom field values keep the provider's order, so every process writes a record's JSON byte for byte alike. */
    @Test
    void customFieldValuesKeepTheirOrderAndRefuseNulls() {
        java.util.LinkedHashMap<String, String> values = new java.util.LinkedHashMap<>();
        for (int i = 20; i > 0; i--) {
            values.put("field-" + i, "value " + i);
        }
        Contact contact = new Contact("1", null, "Ada", null, null, null, null, null, values, AT, AT);
        Engagement engagement = new Engagement("2", "M-1", null, null, null, null, null, null, values, AT, AT);

        assertThat(contact.customFields()).containsExactlyEntriesOf(values);
        assertThat(engagement.customFields()).containsExactlyEntriesOf(values);
        String json = Json.write(contact);
        assertThat(json).contains("\"customFields\":{\"field-20\":\"value 20\",\"field-19\":\"value 19\"");
        assertThat(Json.read(json, Contact.class)).isEqualTo(contact);
        values.put("field-1", "changed");
        assertThat(contact.customFields()).containsEntry("field-1", "value 1"); // a copy, not a view
        assertThatThrownBy(() -> contact.customFields().put("x", "y")).isInstanceOf(UnsupportedOperationException.class);
        java.util.Map<String, String> withNull = new java.util.HashMap<>();
        withNull.put("field", null);
        assertThatThrownBy(() -> new Contact("1", null, null, null, null, null, null, null, withNull, AT, AT))
                .isInstanceOf(NullPointerException.class);
        assertThat(new Contact("1", null, null, null, null, null, null, null, null, AT, AT).customFields()).isEmpty();
    }
}
