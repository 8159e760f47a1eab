package dev.junction.core.model;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Objects;

/**
 * Money received (or refunded): a Stripe charge, payment intent or refund, an Ascora payment.
 *
 * @param kind {@code charge}, {@code payment_intent}, {@code refund}, {@code payment}
 * @param amount in the currency's major unit (12.50, not 1250); negative never, refunds have kind {@code refund}
 */
public record Payment(String externalId, String kind, String status, BigDecimal amount, String currency,
        String contactId, String invoiceId, Instant paidAt, Instant updatedAt) implements UnifiedRecord {

    public Payment {
        Objects.requireNonNull(externalId, "externalId");
    }

    @Override
    public UnifiedType type() {
        return UnifiedType.PAYMENT;
    }

    @Override
    public String label() {
        return kind + " " + externalId;
    }
}
