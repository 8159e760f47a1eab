package dev.junction.provider.stripe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.junction.core.Hub;
import dev.junction.core.RawRecord;
import dev.junction.core.RecordPage;
import dev.junction.core.RecordQuery;
import dev.junction.core.StoredRecord;
import dev.junction.core.model.Subscription;
import dev.junction.core.model.UnifiedType;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The billing status of each customer of a Stripe connection, and how it got there, computed from what the hub
 * stored: synced subscriptions ({@link Subscription}) and the raw {@code events} entity (kept by every sync and every
 * webhook). Nothing is cached, so the answer is as current as the last sync or processed webhook.
 *
 * <p><b>Status</b> is one of {@code trial} (Stripe {@code trialing}), {@code active}, {@code past_due}
 * ({@code past_due}, {@code unpaid}), {@code canceled} ({@code canceled}, {@code incomplete_expired}),
 * {@code incomplete} or {@code paused}. History replays, oldest first, the customer's
 * {@code customer.subscription.created/updated/deleted/paused/resumed} events (status = the subscription's) and
 * {@code invoice.payment_succeeded} ({@code active} again after {@code past_due}) / {@code invoice.payment_failed}
 * ({@code past_due} while {@code active}). The current status is the synced subscriptions' when the customer has
 * any (the best one: active, then trial, past_due, incomplete, paused, canceled), else the last replayed one.
 *
 * <p>History reaches back as far as stored events do: Stripe lists events for 30 days, and a full pass of
 * {@code events} sweeps the stored ones it no longer lists; incremental passes and webhooks keep them.
 *
 * <p>Reads every stored event of the connection per call (one query per event): fine for thousands of events; a
 * store-side index is future work. Thread-safe.
 *
 * <pre>{@code
 * StripeBilling billing = new StripeBilling(hub);
 * billing.status(tenant, connectionId, "cus_123").map(CustomerBilling::status); // "trial"
 * }</pre>
 */
public final class StripeBilling {

    public static final Set<String> BILLING_EVENTS = Set.of("customer.subscription.created", "customer.subscription.updated",
            "customer.subscription.deleted", "customer.subscription.paused", "customer.subscription.resumed",
            "invoice.payment_succeeded", "invoice.payment_failed");
    private static final List<String> RANK = List.of("active", "trial", "past_due", "incomplete", "paused", "canceled");
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    private final Hub hub;

    public StripeBilling(Hub hub) {
        this.hub = Objects.requireNonNull(hub, "hub");
    }

    /** One step of a customer's billing history. */
    public record BillingChange(Instant at, String eventId, String eventType, String subscriptionId, String invoiceId,
            String status) {}

    /** A customer's current billing status, its subscription, and its history oldest first. */
    public record CustomerBilling(String customerId, String status, String subscriptionId, List<BillingChange> history) {
        public CustomerBilling {
            history = List.copyOf(history);
        }
    }

    /** The billing of one customer; empty when the hub has neither a subscription nor a billing event of it. */
    public Optional<CustomerBilling> status(String tenantId, String connectionId, String customerId) {
        return Optional.ofNullable(statuses(tenantId, connectionId).get(customerId));
    }

    /** Every customer with a subscription or a billing event, by customer id. */
    public Map<String, CustomerBilling> statuses(String tenantId, String connectionId) {
        Map<String, List<BillingChange>> history = history(tenantId, connectionId);
        Map<String, List<Subscription>> subscriptions = subscriptions(tenantId, connectionId);
        Map<String, CustomerBilling> result = new TreeMap<>();
        Set<String> customers = new java.util.TreeSet<>(history.keySet());
        customers.addAll(subscriptions.keySet());
        for (String customer : customers) {
            List<BillingChange> changes = history.getOrDefault(customer, List.of());
            Optional<Subscription> best = subscriptions.getOrDefault(customer, List.of()).stream()
                    .min(Comparator.comparingInt(subscription -> rank(map(subscription.status()))));
            String status;
            String subscriptionId;
            if (best.isPresent()) {
                status = map(best.get().status());
                subscriptionId = best.get().externalId();
                BillingChange last = changes.isEmpty() ? null : changes.get(changes.size() - 1);
                // A payment failure is not (yet) on the subscription when only the invoice event has been seen.
                if (last != null && subscriptionId.equals(last.subscriptionId()) && last.eventType().startsWith("invoice.")) {
                    status = last.status();
                }
            } else {
                BillingChange last = changes.get(changes.size() - 1);
                status = last.status();
                subscriptionId = last.subscriptionId();
            }
            result.put(customer, new CustomerBilling(customer, status, subscriptionId, changes));
        }
        return result;
    }

    private Map<String, List<BillingChange>> history(String tenantId, String connectionId) {
        List<JsonNode> events = new ArrayList<>();
        for (String id : hub.liveIds(tenantId, connectionId, StripeEntity.EVENTS.apiName())) {
            hub.getRawRecord(tenantId, connectionId, StripeEntity.EVENTS.apiName(), id).map(RawRecord::payload)
                    .flatMap(StripeBilling::parse)
                    .filter(event -> BILLING_EVENTS.contains(event.path("type").asText()))
                    .ifPresent(events::add);
        }
        events.sort(Comparator.comparingLong((JsonNode event) -> event.path("created").asLong())
                .thenComparing(event -> event.path("id").asText()));
        Map<String, List<BillingChange>> byCustomer = new TreeMap<>();
        Map<String, String> current = new TreeMap<>();
        for (JsonNode event : events) {
            JsonNode object = event.path("data").path("object");
            String customer = reference(object.path("customer"));
            if (customer == null) {
                continue;
            }
            String type = event.path("type").asText();
            String before = current.get(customer);
            String after;
            String subscriptionId;
            String invoiceId = null;
            if (type.startsWith("customer.subscription.")) {
                after = map(object.path("status").asText(null));
                subscriptionId = object.path("id").asText(null);
            } else {
                invoiceId = object.path("id").asText(null);
                subscriptionId = invoiceSubscription(object);
                if (type.equals("invoice.payment_failed")) {
                    after = before == null || before.equals("active") || before.equals("trial") ? "past_due" : before;
                } else {
                    after = before == null || before.equals("past_due") ? "active" : before;
                }
            }
            current.put(customer, after);
            byCustomer.computeIfAbsent(customer, key -> new ArrayList<>()).add(new BillingChange(
                    Instant.ofEpochSecond(event.path("created").asLong()), event.path("id").asText(), type, subscriptionId,
                    invoiceId, after));
        }
        return byCustomer;
    }

    private Map<String, List<Subscription>> subscriptions(String tenantId, String connectionId) {
        Map<String, List<Subscription>> byCustomer = new TreeMap<>();
        RecordQuery query = RecordQuery.of(tenantId, UnifiedType.SUBSCRIPTION).withConnection(connectionId).withLimit(RecordQuery.MAX_LIMIT);
        while (true) {
            RecordPage<StoredRecord<Subscription>> page = hub.query(query, Subscription.class);
            for (StoredRecord<Subscription> stored : page.items()) {
                Subscription subscription = stored.record();
                if (subscription.contactId() != null) {
                    byCustomer.computeIfAbsent(subscription.contactId(), key -> new ArrayList<>()).add(subscription);
                }
            }
            if (page.nextCursor().isEmpty()) {
                return byCustomer;
            }
            query = query.withCursor(page.nextCursor().get());
        }
    }

    /** Stripe's subscription status as a billing status. */
    static String map(String stripeStatus) {
        if (stripeStatus == null) {
            return "incomplete";
        }
        return switch (stripeStatus) {
            case "trialing" -> "trial";
            case "active" -> "active";
            case "past_due", "unpaid" -> "past_due";
            case "canceled", "incomplete_expired" -> "canceled";
            case "paused" -> "paused";
            default -> "incomplete";
        };
    }

    private static int rank(String status) {
        int index = RANK.indexOf(status);
        return index < 0 ? RANK.size() : index;
    }

    /** The invoice's subscription: {@code subscription} (older API versions) or {@code parent.subscription_details}. */
    private static String invoiceSubscription(JsonNode invoice) {
        String direct = reference(invoice.path("subscription"));
        return direct != null ? direct : reference(invoice.path("parent").path("subscription_details").path("subscription"));
    }

    private static String reference(JsonNode value) {
        if (value.isTextual() && !value.asText().isBlank()) {
            return value.asText();
        }
        if (value.isObject() && value.path("id").isTextual()) {
            return value.path("id").asText();
        }
        return null;
    }

    private static Optional<JsonNode> parse(String payload) {
        try {
            return Optional.ofNullable(JSON.readTree(payload));
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
