package dev.junction.core.model;

import static org.assertj.core.api.Assertions.assertThat;

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
}
