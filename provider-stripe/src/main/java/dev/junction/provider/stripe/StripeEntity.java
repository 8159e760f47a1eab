package dev.junction.provider.stripe;

import dev.junction.core.spi.EntityType;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The Stripe objects Junction syncs, in dependency order: the list path, the {@code object} value of their JSON, and
 * the event types that carry them ([STRIPE-DOCS] https://docs.stripe.com/api/events/types). Event types are not
 * always named after their object ({@code charge.refund.updated} carries a refund), so events are matched by
 * {@code data.object.object} as well as by type. At most 20 types per request, Stripe's limit for {@code types[]}.
 */
public enum StripeEntity {
    CUSTOMERS("customers", "customer", List.of("customer.created", "customer.updated", "customer.deleted")),
    PRODUCTS("products", "product", List.of("product.created", "product.updated", "product.deleted")),
    PRICES("prices", "price", List.of("price.created", "price.updated", "price.deleted"), "products"),
    SUBSCRIPTIONS("subscriptions", "subscription", List.of("customer.subscription.created",
            "customer.subscription.updated", "customer.subscription.deleted", "customer.subscription.paused",
            "customer.subscription.resumed", "customer.subscription.trial_will_end",
            "customer.subscription.pending_update_applied", "customer.subscription.pending_update_expired"),
            "customers", "prices"),
    INVOICES("invoices", "invoice", List.of("invoice.created", "invoice.updated", "invoice.deleted", "invoice.finalized",
            "invoice.finalization_failed", "invoice.paid", "invoice.payment_succeeded", "invoice.payment_failed",
            "invoice.payment_action_required", "invoice.sent", "invoice.voided", "invoice.marked_uncollectible",
            "invoice.overdue", "invoice.will_be_due"), "customers", "subscriptions"),
    CHARGES("charges", "charge", List.of("charge.succeeded", "charge.failed", "charge.captured", "charge.refunded",
            "charge.updated", "charge.pending", "charge.expired"), "customers", "invoices"),
    PAYMENT_INTENTS("payment_intents", "payment_intent", List.of("payment_intent.created", "payment_intent.succeeded",
            "payment_intent.payment_failed", "payment_intent.canceled", "payment_intent.processing",
            "payment_intent.requires_action", "payment_intent.amount_capturable_updated",
            "payment_intent.partially_funded"), "customers"),
    REFUNDS("refunds", "refund", List.of("refund.created", "refund.updated", "refund.failed", "charge.refund.updated"),
            "charges"),
    /**
     * The event log itself, kept raw: {@link StripeBilling} reads billing history from it. Stripe keeps events for
     * 30 days; stored ones stay until a full pass of this entity sweeps those Stripe no longer lists.
     */
    EVENTS("events", "event", List.of());

    private final String apiName;
    private final String objectName;
    private final List<String> eventTypes;
    private final EntityType type;

    StripeEntity(String apiName, String objectName, List<String> eventTypes, String... dependsOn) {
        this.apiName = apiName;
        this.objectName = objectName;
        this.eventTypes = List.copyOf(eventTypes);
        this.type = EntityType.of(apiName, dependsOn);
    }

    /** The entity and list path name ({@code payment_intents}). */
    public String apiName() {
        return apiName;
    }

    /** The {@code object} field of this entity's JSON ({@code payment_intent}). */
    public String objectName() {
        return objectName;
    }

    /** The event types whose {@code data.object} is this entity; empty for {@link #EVENTS}. */
    public List<String> eventTypes() {
        return eventTypes;
    }

    public EntityType type() {
        return type;
    }

    /** Whether an event of this type removes the object ({@code customer.deleted}). */
    public static boolean isDeletion(String eventType, String objectName) {
        // customer.subscription.deleted ends a subscription, which stays retrievable with status "canceled".
        return eventType.endsWith(".deleted") && !"subscription".equals(objectName);
    }

    public static List<EntityType> types() {
        return Arrays.stream(values()).map(StripeEntity::type).toList();
    }

    /** Looked up for every record a transformer reads: maps, not scans of {@code values()} through a stream. */
    private static final Map<String, StripeEntity> BY_NAME = Arrays.stream(values())
            .collect(Collectors.toMap(entity -> entity.apiName, entity -> entity, (first, later) -> first));
    private static final Map<String, StripeEntity> BY_OBJECT = Arrays.stream(values()).filter(entity -> entity != EVENTS)
            .collect(Collectors.toMap(entity -> entity.objectName, entity -> entity, (first, later) -> first));

    public static Optional<StripeEntity> byName(String name) {
        return Optional.ofNullable(BY_NAME.get(name));
    }

    /** The entity whose JSON has this {@code object} value, other than events. */
    public static Optional<StripeEntity> byObject(String objectName) {
        return Optional.ofNullable(BY_OBJECT.get(objectName));
    }
}
