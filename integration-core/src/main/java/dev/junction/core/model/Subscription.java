package dev.junction.core.model;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A recurring charge for a contact: a Stripe subscription.
 *
 * @param status the provider's status ({@code trialing}, {@code active}, {@code past_due}, {@code canceled}, ...)
 * @param items what is billed, one line per price
 */
public record Subscription(String externalId, String contactId, String status, Instant currentPeriodStart,
        Instant currentPeriodEnd, Instant trialEnd, Instant canceledAt, boolean cancelAtPeriodEnd, String currency,
        List<Item> items, Instant createdAt, Instant updatedAt) implements UnifiedRecord {

    /** One billed price of a subscription. */
    public record Item(String externalId, String priceId, String productId, long quantity, BigDecimal unitAmount,
            String interval) {}

    public Subscription {
        Objects.requireNonNull(externalId, "externalId");
        items = items == null ? List.of() : List.copyOf(items);
    }

    @Override
    public UnifiedType type() {
        return UnifiedType.SUBSCRIPTION;
    }

    @Override
    public String label() {
        return externalId;
    }
}
