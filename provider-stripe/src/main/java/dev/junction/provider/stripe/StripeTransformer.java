package dev.junction.provider.stripe;

import com.fasterxml.jackson.databind.JsonNode;
import dev.junction.core.error.ErrorContext;
import dev.junction.core.error.ErrorKind;
import dev.junction.core.error.JunctionException;
import dev.junction.core.model.Contact;
import dev.junction.core.model.Invoice;
import dev.junction.core.model.Payment;
import dev.junction.core.model.Subscription;
import dev.junction.core.model.UnifiedRecord;
import dev.junction.core.spi.RemoteRecord;
import dev.junction.core.spi.Transformer;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Stripe objects to the unified model: customers to {@link Contact}, subscriptions to {@link Subscription},
 * invoices to {@link Invoice}, charges, payment intents and refunds to {@link Payment}. Products, prices and events
 * are kept raw only (empty result).
 *
 * <p>Amounts are integers in the currency's smallest unit ([STRIPE-DOCS] https://docs.stripe.com/currencies):
 * divided by 100, except zero-decimal currencies (JPY, KRW, ...) and three-decimal ones (BHD, KWD, ...).
 * Timestamps are unix seconds. Related objects are ids or, when expanded, objects with an {@code id}. Since API
 * version 2025-03-31 the billing period lives on subscription items; the subscription's own
 * {@code current_period_*} is read first for older payloads.
 *
 * <p>Strict: a field of the wrong type, or an {@code object} that is not the entity's, is
 * {@code UNEXPECTED_PAYLOAD}, so the engine dead-letters the record instead of storing nonsense. Pure, stateless
 * and thread-safe.
 */
public final class StripeTransformer implements Transformer {

    private static final Set<String> ZERO_DECIMAL = Set.of("bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg",
            "rwf", "ugx", "vnd", "vuv", "xaf", "xof", "xpf");
    private static final Set<String> THREE_DECIMAL = Set.of("bhd", "jod", "kwd", "omr", "tnd");

    @Override
    public Optional<UnifiedRecord> transform(RemoteRecord record) {
        StripeEntity entity = StripeEntity.byName(record.entity()).orElseThrow(() -> unexpected(record, "unknown entity"));
        JsonNode json = record.payload();
        if (!json.isObject()) {
            throw unexpected(record, "record is not a JSON object");
        }
        Fields f = new Fields(record);
        String object = f.text("object");
        if (object != null && !object.equals(entity.objectName())) {
            throw unexpected(record, "object is '" + object + "', expected '" + entity.objectName() + "'");
        }
        return switch (entity) {
            case CUSTOMERS -> Optional.of(contact(record, f));
            case SUBSCRIPTIONS -> Optional.of(subscription(record, f));
            case INVOICES -> Optional.of(invoice(record, f));
            case CHARGES -> Optional.of(charge(record, f));
            case PAYMENT_INTENTS -> Optional.of(paymentIntent(record, f));
            case REFUNDS -> Optional.of(refund(record, f));
            case PRODUCTS, PRICES, EVENTS -> Optional.empty();
        };
    }

    private static Contact contact(RemoteRecord record, Fields f) {
        Map<String, String> metadata = new LinkedHashMap<>();
        JsonNode meta = f.object("metadata");
        if (meta != null) {
            meta.fields().forEachRemaining(entry -> metadata.put(entry.getKey(), entry.getValue().asText()));
        }
        Instant created = f.timestamp("created");
        return new Contact(record.externalId(), Contact.Kind.PERSON, f.text("name"), null, null, f.text("email"),
                f.text("phone"), Boolean.TRUE, metadata, created, updated(record, created));
    }

    private static Subscription subscription(RemoteRecord record, Fields f) {
        String currency = f.text("currency");
        List<Subscription.Item> items = new ArrayList<>();
        Instant periodStart = f.timestamp("current_period_start");
        Instant periodEnd = f.timestamp("current_period_end");
        JsonNode list = f.object("items");
        if (list != null) {
            JsonNode data = list.path("data");
            if (!data.isArray()) {
                throw unexpected(record, "items.data is not an array");
            }
            for (JsonNode item : data) {
                Fields i = new Fields(record, item, "items[]");
                Fields price = new Fields(record, item.path("price"), "items[].price");
                String itemCurrency = price.text("currency") != null ? price.text("currency") : currency;
                Long unit = price.integer("unit_amount");
                JsonNode recurring = item.path("price").path("recurring");
                Long quantity = i.integer("quantity");
                items.add(new Subscription.Item(i.text("id"), price.reference("id"), price.reference("product"),
                        quantity == null ? 1 : quantity, unit == null ? null : amount(unit, itemCurrency),
                        recurring.isObject() ? recurring.path("interval").asText(null) : null));
                if (periodStart == null) {
                    periodStart = i.timestamp("current_period_start");
                    periodEnd = i.timestamp("current_period_end");
                }
            }
        }
        Boolean cancelAtPeriodEnd = f.bool("cancel_at_period_end");
        Instant created = f.timestamp("created");
        return new Subscription(record.externalId(), f.reference("customer"), f.text("status"), periodStart, periodEnd,
                f.timestamp("trial_end"), f.timestamp("canceled_at"), Boolean.TRUE.equals(cancelAtPeriodEnd),
                upper(currency), items, created, updated(record, created));
    }

    private static Invoice invoice(RemoteRecord record, Fields f) {
        String currency = f.text("currency");
        Instant issued = f.timestamp("effective_at");
        if (issued == null) {
            issued = f.timestamp("created");
        }
        Instant due = f.timestamp("due_date");
        Long total = f.integer("total");
        Long remaining = f.integer("amount_remaining");
        return new Invoice(record.externalId(), f.text("number"), f.text("status"), date(issued), date(due),
                total == null ? null : amount(total, currency), remaining == null ? null : amount(remaining, currency),
                upper(currency), f.reference("customer"), null, updated(record, f.timestamp("created")));
    }

    private static Payment charge(RemoteRecord record, Fields f) {
        String currency = f.text("currency");
        Long amount = f.integer("amount");
        String status = Boolean.TRUE.equals(f.bool("refunded")) ? "refunded" : f.text("status");
        Instant created = f.timestamp("created");
        return new Payment(record.externalId(), "charge", status, amount == null ? null : amount(amount, currency),
                upper(currency), f.reference("customer"), f.reference("invoice"),
                Boolean.TRUE.equals(f.bool("paid")) ? created : null, updated(record, created));
    }

    private static Payment paymentIntent(RemoteRecord record, Fields f) {
        String currency = f.text("currency");
        Long amount = f.integer("amount");
        String status = f.text("status");
        Instant created = f.timestamp("created");
        return new Payment(record.externalId(), "payment_intent", status, amount == null ? null : amount(amount, currency),
                upper(currency), f.reference("customer"), f.reference("invoice"),
                "succeeded".equals(status) ? created : null, updated(record, created));
    }

    private static Payment refund(RemoteRecord record, Fields f) {
        String currency = f.text("currency");
        Long amount = f.integer("amount");
        String status = f.text("status");
        Instant created = f.timestamp("created");
        return new Payment(record.externalId(), "refund", status, amount == null ? null : amount(amount, currency),
                upper(currency), null, null, "succeeded".equals(status) ? created : null, updated(record, created));
    }

    /** A minor-unit integer as a decimal amount of {@code currency}. */
    static BigDecimal amount(long minorUnits, String currency) {
        String code = currency == null ? "" : currency.toLowerCase(Locale.ROOT);
        int scale = ZERO_DECIMAL.contains(code) ? 0 : THREE_DECIMAL.contains(code) ? 3 : 2;
        return BigDecimal.valueOf(minorUnits, scale);
    }

    private static String upper(String currency) {
        return currency == null ? null : currency.toUpperCase(Locale.ROOT);
    }

    private static LocalDate date(Instant instant) {
        return instant == null ? null : LocalDate.ofInstant(instant, ZoneOffset.UTC);
    }

    private static Instant updated(RemoteRecord record, Instant created) {
        return record.updatedAt() != null ? record.updatedAt() : created;
    }

    static JunctionException unexpected(RemoteRecord record, String message) {
        return new JunctionException(ErrorKind.UNEXPECTED_PAYLOAD, "Stripe " + record.entity() + " " + record.externalId()
                + ": " + message, ErrorContext.provider(StripeProvider.ID).withEntity(record.entity()));
    }

    /** Typed, strict access to fields: absent or null is null, a wrong type is an error. */
    private static final class Fields {
        private final RemoteRecord record;
        private final JsonNode json;
        private final String prefix;

        Fields(RemoteRecord record) {
            this(record, record.payload(), "");
        }

        Fields(RemoteRecord record, JsonNode json, String prefix) {
            this.record = record;
            this.json = json;
            this.prefix = prefix.isEmpty() ? "" : prefix + ".";
        }

        private JsonNode value(String name) {
            JsonNode value = json.get(name);
            return value == null || value.isNull() ? null : value;
        }

        String text(String name) {
            JsonNode value = value(name);
            if (value == null) return null;
            if (!value.isTextual()) throw unexpected(record, "field '" + prefix + name + "' should be text, was " + value.getNodeType());
            return value.asText();
        }

        Long integer(String name) {
            JsonNode value = value(name);
            if (value == null) return null;
            if (!value.isIntegralNumber()) throw unexpected(record, "field '" + prefix + name + "' should be an integer, was " + value.getNodeType());
            return value.longValue();
        }

        Boolean bool(String name) {
            JsonNode value = value(name);
            if (value == null) return null;
            if (!value.isBoolean()) throw unexpected(record, "field '" + prefix + name + "' should be a boolean, was " + value.getNodeType());
            return value.booleanValue();
        }

        Instant timestamp(String name) {
            Long seconds = integer(name);
            return seconds == null ? null : Instant.ofEpochSecond(seconds);
        }

        JsonNode object(String name) {
            JsonNode value = value(name);
            if (value == null) return null;
            if (!value.isObject()) throw unexpected(record, "field '" + prefix + name + "' should be an object, was " + value.getNodeType());
            return value;
        }

        /** An id, or an expanded object's id. */
        String reference(String name) {
            JsonNode value = value(name);
            if (value == null) return null;
            if (value.isTextual()) return value.asText();
            if (value.isObject() && value.path("id").isTextual()) return value.path("id").asText();
            throw unexpected(record, "field '" + prefix + name + "' should be an id or an object with an id, was " + value.getNodeType());
        }
    }
}
