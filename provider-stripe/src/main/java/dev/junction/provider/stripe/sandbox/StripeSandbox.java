package dev.junction.provider.stripe.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.junction.sandbox.ControllableSandbox;
import dev.junction.sandbox.FaultInjector;
import dev.junction.sandbox.FixedWindowRateLimiter;
import dev.junction.sandbox.QueryParameters;
import dev.junction.sandbox.RateLimitDecision;
import dev.junction.sandbox.RateLimitStatistics;
import dev.junction.sandbox.RequestLog;
import dev.junction.sandbox.RequestRejectedException;
import dev.junction.sandbox.SandboxJson;
import dev.junction.sandbox.SandboxRequest;
import dev.junction.sandbox.SandboxResponse;
import dev.junction.sandbox.SandboxServer;
import dev.junction.sandbox.WebhookDispatcher;
import dev.junction.sandbox.WebhookSigner;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * A Stripe API simulator on a loopback port, built from Stripe's public API reference ([STRIPE-DOCS]
 * https://docs.stripe.com/api: pagination, errors, idempotent requests, events, webhook endpoints, signatures,
 * rate limits) and the stripe-mock fixtures for object shapes, not from Junction's client.
 *
 * <ul>
 *   <li><b>Auth</b>: the secret key as {@code Authorization: Bearer sk_...} or as the Basic user name; anything else
 *       is 401 with Stripe's error body. {@link #revokeKey} makes a key fail from then on.</li>
 *   <li><b>Lists</b> ({@code customers, products, prices, subscriptions, invoices, charges, payment_intents, refunds,
 *       events, subscription_items, webhook_endpoints}, {@code /v1/invoices/<id>/lines}): newest first,
 *       {@code limit} 1 to 100 (default 10), {@code starting_after} / {@code ending_before} by id, answer
 *       {@code {"object":"list","url","has_more","data"}}. Subscriptions omit canceled ones unless
 *       {@code status=all} or {@code status=canceled}. Embedded {@code items} / {@code lines} hold at most 10 entries
 *       with {@code has_more} and {@code total_count}.</li>
 *   <li><b>Events</b>: every mutation (create, update, delete) records an event ({@code customer.created}, ...);
 *       {@code /v1/events} filters by {@code created[gte|gt|lte|lt]}, {@code type} (with {@code *} wildcard) and
 *       {@code types[]}, and lists only the last 30 days.</li>
 *   <li><b>Rate limit</b>: per key, 25 requests a second by default (test mode), 429 with
 *       {@code {"error":{"code":"rate_limit",...}}} and no rate-limit or {@code Retry-After} headers, as Stripe.</li>
 *   <li><b>Errors</b> carry {@code Request-Id} and {@code Stripe-Should-Retry} ({@code true} for 409, 429 and 5xx).</li>
 *   <li><b>Idempotency</b>: a POST with {@code Idempotency-Key} is answered once; the same key with the same
 *       parameters replays the answer ({@code Idempotent-Replayed: true}), with other parameters it is 400
 *       {@code idempotency_error}.</li>
 *   <li><b>Webhooks</b>: {@code POST /v1/webhook_endpoints} ({@code url}, {@code enabled_events[]},
 *       {@code api_version}) returns a {@code whsec_} secret once; each event is POSTed to every enabled endpoint
 *       that listens for its type, with {@code Stripe-Signature: t=...,v1=hex(HMAC-SHA256(secret, "t.body"))}.</li>
 *   <li>{@link #faults()} and {@link #requestLog()} as every sandbox.</li>
 * </ul>
 * Seeded data is deterministic for a seed and counts. Thread-safe: state changes under this object's lock.
 */
public final class StripeSandbox implements ControllableSandbox {

    public static final String PROVIDER_ID = "stripe";
    public static final String DEFAULT_KEY = "sk_test_sandbox0000000000000000";
    public static final Duration EVENT_RETENTION = Duration.ofDays(30);
    /** The lists a sandbox holds, in creation order of the seed. */
    public static final List<String> RESOURCES = List.of("customers", "products", "prices", "subscriptions", "invoices",
            "charges", "payment_intents", "refunds");
    private static final int EMBEDDED_LIMIT = 10;
    private static final Map<String, String> PREFIX = Map.ofEntries(Map.entry("customers", "cus"),
            Map.entry("products", "prod"), Map.entry("prices", "price"), Map.entry("subscriptions", "sub"),
            Map.entry("invoices", "in"), Map.entry("charges", "ch"), Map.entry("payment_intents", "pi"),
            Map.entry("refunds", "re"), Map.entry("events", "evt"), Map.entry("subscription_items", "si"),
            Map.entry("webhook_endpoints", "we"), Map.entry("line_items", "il"));
    private static final Map<String, String> OBJECT = Map.of("customers", "customer", "products", "product",
            "prices", "price", "subscriptions", "subscription", "invoices", "invoice", "charges", "charge",
            "payment_intents", "payment_intent", "refunds", "refund");
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    private final SandboxServer server;
    private final Clock clock;
    private final Random random;
    private final FixedWindowRateLimiter limiter;
    private final WebhookDispatcher dispatcher;
    private final Set<String> keys = ConcurrentHashMap.newKeySet();
    private final Set<String> revoked = ConcurrentHashMap.newKeySet();
    /** Every object ever created, by list, in creation order; deleted ones leave the map but keep their sequence. */
    private final Map<String, LinkedHashMap<String, ObjectNode>> objects = new HashMap<>();
    private final Map<String, Long> sequence = new HashMap<>();
    private final List<ObjectNode> events = new ArrayList<>();
    private final LinkedHashMap<String, ObjectNode> endpoints = new LinkedHashMap<>();
    private final Map<String, Idempotent> idempotency = new HashMap<>();
    private final AtomicLong counter = new AtomicLong();
    private final AtomicLong requestIds = new AtomicLong();

    private record Idempotent(String fingerprint, SandboxResponse response) {}

    private StripeSandbox(Builder builder) {
        this.clock = builder.clock();
        this.random = new Random(builder.seed());
        this.limiter = new FixedWindowRateLimiter(builder.rateLimit(), builder.rateWindow(), Clock.systemUTC());
        this.dispatcher = new WebhookDispatcher(clock, Duration.ofSeconds(5));
        this.keys.add(builder.apiKey);
        for (String resource : RESOURCES) {
            objects.put(resource, new LinkedHashMap<>());
        }
        seed(builder);
        Set<String> logged = new java.util.HashSet<>(SandboxServer.DEFAULT_LOGGED_HEADERS);
        logged.add("Stripe-Version");
        this.server = SandboxServer.builder().withPort(builder.port()).withClock(clock).withLoggedHeaders(logged).build();
        routes();
    }

    public static Builder builder() {
        return new Builder();
    }

    // ---- public control surface ------------------------------------------------------------------------------

    @Override
    public String providerId() {
        return PROVIDER_ID;
    }

    @Override
    public String baseUrl() {
        return server.baseUrl();
    }

    /** {@code base_url} and {@code api_key}: what a connection needs. */
    @Override
    public Map<String, String> connectionProperties() {
        return Map.of("base_url", baseUrl(), "api_key", keys.iterator().next());
    }

    public FaultInjector faults() {
        return server.faults();
    }

    public RequestLog requestLog() {
        return server.requestLog();
    }

    public RateLimitStatistics rateLimitStatistics() {
        return limiter.statistics();
    }

    public Clock clock() {
        return clock;
    }

    /** Makes {@code key} fail with 401 from now on, as a rolled or deleted key does. */
    public void revokeKey(String key) {
        revoked.add(key);
    }

    /** Accepts another key (a restricted key, a second test key). */
    public void addKey(String key) {
        keys.add(key);
    }

    /** Every list's live object count ({@code events}: those within retention). */
    @Override
    public synchronized Map<String, Long> recordCounts() {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (String resource : List.of("customers", "products", "prices", "subscriptions", "invoices", "charges",
                "payment_intents", "refunds", "events")) {
            counts.put(resource, (long) liveIds(resource).size());
        }
        return counts;
    }

    /** Ids of the live objects of a list ({@code customers}, ..., {@code events} within retention). */
    public synchronized Set<String> liveIds(String resource) {
        if (resource.equals("events")) {
            return retainedEvents().stream().map(event -> event.path("id").asText()).collect(Collectors.toSet());
        }
        return Set.copyOf(list(resource).keySet());
    }

    /** A copy of a live object as the API renders it. */
    public synchronized Optional<ObjectNode> object(String resource, String id) {
        ObjectNode found = list(resource).get(id);
        return found == null ? Optional.empty() : Optional.of(render(resource, found));
    }

    /** Every event recorded, newest first (also those past retention). */
    public synchronized List<ObjectNode> events() {
        List<ObjectNode> copy = new ArrayList<>(events);
        Collections.reverse(copy);
        return copy.stream().map(ObjectNode::deepCopy).toList();
    }

    public synchronized String createCustomer(String name, String email) {
        ObjectNode customer = customer(name, email);
        store("customers", customer);
        event("customer.created", "customers", customer, null, null);
        return customer.path("id").asText();
    }

    /** Changes a customer's name (and records {@code customer.updated}). */
    public synchronized void updateCustomer(String id, String name) {
        ObjectNode customer = require("customers", id);
        ObjectNode previous = NODES.objectNode().set("name", customer.get("name"));
        customer.put("name", name);
        event("customer.updated", "customers", customer, previous, null);
    }

    public synchronized void deleteCustomer(String id) {
        ObjectNode customer = require("customers", id);
        list("customers").remove(id);
        event("customer.deleted", "customers", customer, null, null);
    }

    /** Makes an object unreadable ({@code created} becomes text) without an event. */
    public synchronized void corrupt(String resource, String id) {
        require(resource, id).put("created", "yesterday");
    }

    /** Changes a subscription's status as Stripe's billing engine would, with {@code customer.subscription.updated}. */
    public synchronized void setSubscriptionStatus(String id, String status) {
        ObjectNode subscription = require("subscriptions", id);
        ObjectNode previous = NODES.objectNode().put("status", subscription.path("status").asText());
        subscription.put("status", status);
        if (status.equals("active") && subscription.hasNonNull("trial_end")) {
            subscription.put("trial_end", now());
        }
        event("customer.subscription.updated", "subscriptions", subscription, previous, null);
    }

    /**
     * Bills a subscription: a paid or failed invoice ({@code invoice.created}, {@code invoice.finalized}, then
     * {@code invoice.payment_succeeded} or {@code invoice.payment_failed}); a failure moves an active subscription
     * to {@code past_due} and a success moves a {@code past_due} one back to {@code active}, each with
     * {@code customer.subscription.updated}, as Stripe's smart retries do. Returns the invoice id.
     */
    public synchronized String billSubscription(String subscriptionId, boolean paymentSucceeds) {
        ObjectNode subscription = require("subscriptions", subscriptionId);
        ObjectNode invoice = invoice(subscription, paymentSucceeds);
        store("invoices", invoice);
        event("invoice.created", "invoices", invoice, null, null);
        event("invoice.finalized", "invoices", invoice, null, null);
        if (paymentSucceeds) {
            ObjectNode charge = charge(subscription.path("customer").asText(), invoice.path("amount_due").asLong(), "usd");
            store("charges", charge);
            event("charge.succeeded", "charges", charge, null, null);
            event("invoice.payment_succeeded", "invoices", invoice, null, null);
            if (subscription.path("status").asText().equals("past_due")) {
                setSubscriptionStatus(subscriptionId, "active");
            }
        } else {
            event("invoice.payment_failed", "invoices", invoice, null, null);
            if (subscription.path("status").asText().equals("active")) {
                setSubscriptionStatus(subscriptionId, "past_due");
            }
        }
        return invoice.path("id").asText();
    }

    /** Blocks until every queued webhook delivery has been answered, or the wait ends. */
    public boolean awaitWebhooks(Duration maximumWait) {
        return dispatcher.awaitIdle(maximumWait);
    }

    public List<dev.junction.sandbox.WebhookDelivery> webhookDeliveries() {
        return dispatcher.deliveries();
    }

    @Override
    public void close() {
        server.close();
        dispatcher.close();
    }

    // ---- seed ------------------------------------------------------------------------------------------------

    private void seed(Builder builder) {
        long end = clock.instant().minus(Duration.ofDays(35)).getEpochSecond();
        long start = end - Duration.ofDays(365).toSeconds();
        int total = builder.counts.values().stream().mapToInt(Integer::intValue).sum() + 1;
        long step = Math.max(1, (end - start) / total);
        long[] time = {start};
        java.util.function.LongSupplier next = () -> time[0] += step;
        List<ObjectNode> prices = new ArrayList<>();
        for (int i = 0; i < builder.counts.get("products"); i++) {
            ObjectNode product = product(i, next.getAsLong());
            store("products", product);
            ObjectNode price = price(product, (i + 1) * 1000L, next.getAsLong());
            store("prices", price);
            product.put("default_price", price.path("id").asText());
            prices.add(price);
        }
        List<ObjectNode> customers = new ArrayList<>();
        for (int i = 0; i < builder.counts.get("customers"); i++) {
            ObjectNode customer = customer("Customer " + (i + 1), "customer" + (i + 1) + "@example.com");
            customer.put("created", next.getAsLong());
            store("customers", customer);
            customers.add(customer);
        }
        int subscriptions = Math.min(builder.counts.get("subscriptions"), customers.size());
        for (int i = 0; i < subscriptions && !prices.isEmpty(); i++) {
            int itemCount = i == 0 ? builder.itemsOnFirstSubscription : 1;
            List<ObjectNode> itemPrices = new ArrayList<>();
            for (int p = 0; p < itemCount; p++) {
                itemPrices.add(prices.get((i + p) % prices.size()));
            }
            ObjectNode subscription = subscription(customers.get(i).path("id").asText(), itemPrices, 0, next.getAsLong());
            store("subscriptions", subscription);
            ObjectNode invoice = invoice(subscription, true);
            invoice.put("created", next.getAsLong());
            if (i == 0) {
                ArrayNode lines = (ArrayNode) invoice.path("lines").path("data");
                for (int extra = 1; extra < builder.linesOnFirstInvoice; extra++) {
                    lines.add(line(invoice.path("id").asText(), subscription, 100L * extra));
                }
            }
            store("invoices", invoice);
            ObjectNode charge = charge(subscription.path("customer").asText(), invoice.path("amount_due").asLong(), "usd");
            charge.put("created", next.getAsLong());
            store("charges", charge);
            ObjectNode intent = paymentIntent(charge);
            store("payment_intents", intent);
            charge.put("payment_intent", intent.path("id").asText());
        }
        List<ObjectNode> charges = new ArrayList<>(list("charges").values());
        for (int i = 0; i < Math.min(builder.counts.get("refunds"), charges.size()); i++) {
            ObjectNode charge = charges.get(i);
            ObjectNode refund = NODES.objectNode().put("id", id("refunds")).put("object", "refund")
                    .put("amount", charge.path("amount").asLong()).putNull("balance_transaction")
                    .put("charge", charge.path("id").asText()).put("created", next.getAsLong()).put("currency", "usd");
            refund.set("metadata", NODES.objectNode());
            refund.put("payment_intent", charge.path("payment_intent").asText(null)).putNull("reason")
                    .putNull("receipt_number").put("status", "succeeded");
            charge.put("refunded", true).put("amount_refunded", charge.path("amount").asLong());
            store("refunds", refund);
        }
    }

    private ObjectNode customer(String name, String email) {
        ObjectNode customer = NODES.objectNode().put("id", id("customers")).put("object", "customer").putNull("address")
                .put("balance", 0).put("created", now()).putNull("currency").putNull("default_source")
                .put("delinquent", false).putNull("description").put("email", email)
                .put("invoice_prefix", randomText(7).toUpperCase());
        ObjectNode invoiceSettings = customer.putObject("invoice_settings");
        invoiceSettings.putNull("custom_fields").putNull("default_payment_method").putNull("footer").putNull("rendering_options");
        customer.put("livemode", false);
        customer.putObject("metadata");
        customer.put("name", name).put("next_invoice_sequence", 1).putNull("phone");
        customer.putArray("preferred_locales");
        customer.putNull("shipping").put("tax_exempt", "none").putNull("test_clock");
        return customer;
    }

    private ObjectNode product(int index, long created) {
        ObjectNode product = NODES.objectNode().put("id", id("products")).put("object", "product").put("active", true)
                .put("created", created).putNull("default_price").put("description", "Plan " + (index + 1));
        product.putArray("images");
        product.put("livemode", false);
        product.putArray("marketing_features");
        product.putObject("metadata");
        product.put("name", "Plan " + (index + 1)).putNull("package_dimensions").putNull("shippable")
                .putNull("statement_descriptor").putNull("tax_code").putNull("unit_label").put("updated", created).putNull("url");
        return product;
    }

    private ObjectNode price(ObjectNode product, long amount, long created) {
        ObjectNode price = NODES.objectNode().put("id", id("prices")).put("object", "price").put("active", true)
                .put("billing_scheme", "per_unit").put("created", created).put("currency", "usd")
                .putNull("custom_unit_amount").put("livemode", false).putNull("lookup_key");
        price.putObject("metadata");
        price.putNull("nickname").put("product", product.path("id").asText());
        price.putObject("recurring").put("interval", "month").put("interval_count", 1).putNull("meter")
                .putNull("trial_period_days").put("usage_type", "licensed");
        price.put("tax_behavior", "unspecified").putNull("tiers_mode").putNull("transform_quantity")
                .put("type", "recurring").put("unit_amount", amount).put("unit_amount_decimal", Long.toString(amount));
        return price;
    }

    private ObjectNode subscription(String customer, List<ObjectNode> prices, int trialDays, long created) {
        String id = id("subscriptions");
        long periodStart = created;
        long periodEnd = created + Duration.ofDays(30).toSeconds();
        ObjectNode subscription = NODES.objectNode().put("id", id).put("object", "subscription").putNull("application")
                .putNull("application_fee_percent").put("billing_cycle_anchor", created).putNull("cancel_at")
                .put("cancel_at_period_end", false).putNull("canceled_at").put("collection_method", "charge_automatically")
                .put("created", created).put("currency", "usd").put("customer", customer).putNull("days_until_due")
                .putNull("default_payment_method").putNull("description");
        subscription.putArray("discounts");
        subscription.putNull("ended_at");
        ObjectNode items = subscription.putObject("items").put("object", "list");
        ArrayNode data = items.putArray("data");
        for (ObjectNode price : prices) {
            ObjectNode item = NODES.objectNode().put("id", id("subscription_items")).put("object", "subscription_item")
                    .put("created", created).put("current_period_end", periodEnd).put("current_period_start", periodStart);
            item.putArray("discounts");
            item.putObject("metadata");
            item.set("price", price.deepCopy());
            item.put("quantity", 1).put("subscription", id);
            item.putArray("tax_rates");
            data.add(item);
        }
        items.put("has_more", false).put("total_count", data.size()).put("url", "/v1/subscription_items?subscription=" + id);
        subscription.putNull("latest_invoice").put("livemode", false);
        subscription.putObject("metadata");
        subscription.put("start_date", created).put("status", trialDays > 0 ? "trialing" : "active").putNull("test_clock");
        if (trialDays > 0) {
            subscription.put("trial_start", created).put("trial_end", created + Duration.ofDays(trialDays).toSeconds());
        } else {
            subscription.putNull("trial_start").putNull("trial_end");
        }
        return subscription;
    }

    private ObjectNode invoice(ObjectNode subscription, boolean paid) {
        String id = id("invoices");
        long amount = 0;
        for (JsonNode item : subscription.path("items").path("data")) {
            amount += item.path("price").path("unit_amount").asLong() * item.path("quantity").asLong(1);
        }
        long created = now();
        ObjectNode invoice = NODES.objectNode().put("id", id).put("object", "invoice").put("account_country", "US")
                .put("amount_due", amount).put("amount_paid", paid ? amount : 0).put("amount_remaining", paid ? 0 : amount)
                .put("attempt_count", 1).put("attempted", true).put("billing_reason", "subscription_cycle")
                .put("collection_method", "charge_automatically").put("created", created).put("currency", "usd")
                .put("customer", subscription.path("customer").asText()).putNull("due_date").put("effective_at", created);
        ObjectNode lines = invoice.putObject("lines").put("object", "list");
        lines.putArray("data").add(line(id, subscription, amount));
        lines.put("has_more", false).put("total_count", 1).put("url", "/v1/invoices/" + id + "/lines");
        invoice.put("livemode", false);
        invoice.putObject("metadata");
        invoice.put("number", "INV-" + String.format("%05d", counter.incrementAndGet()));
        ObjectNode parent = invoice.putObject("parent");
        parent.putNull("quote_details");
        parent.putObject("subscription_details").put("subscription", subscription.path("id").asText()).putObject("metadata");
        parent.put("type", "subscription_details");
        invoice.put("period_end", created).put("period_start", created - Duration.ofDays(30).toSeconds())
                .put("status", paid ? "paid" : "open").put("subtotal", amount).put("total", amount);
        invoice.putObject("status_transitions").put("finalized_at", created).putNull("marked_uncollectible_at")
                .put("paid_at", paid ? created : null).putNull("voided_at");
        return invoice;
    }

    private ObjectNode line(String invoiceId, ObjectNode subscription, long amount) {
        ObjectNode line = NODES.objectNode().put("id", id("line_items")).put("object", "line_item").put("amount", amount)
                .put("currency", "usd").put("description", "1 x Plan").put("invoice", invoiceId).put("livemode", false);
        line.putObject("metadata");
        line.putObject("period").put("end", now()).put("start", now() - Duration.ofDays(30).toSeconds());
        line.put("quantity", 1).put("subscription", subscription.path("id").asText());
        return line;
    }

    private ObjectNode charge(String customer, long amount, String currency) {
        ObjectNode charge = NODES.objectNode().put("id", id("charges")).put("object", "charge").put("amount", amount)
                .put("amount_captured", amount).put("amount_refunded", 0).put("captured", true).put("created", now())
                .put("currency", currency).put("customer", customer).put("description", "Subscription charge")
                .put("disputed", false).put("livemode", false);
        charge.putObject("metadata");
        charge.put("paid", true).putNull("payment_intent").put("refunded", false).put("status", "succeeded");
        return charge;
    }

    private ObjectNode paymentIntent(ObjectNode charge) {
        ObjectNode intent = NODES.objectNode().put("id", id("payment_intents")).put("object", "payment_intent")
                .put("amount", charge.path("amount").asLong()).put("amount_received", charge.path("amount").asLong())
                .put("capture_method", "automatic").put("created", charge.path("created").asLong())
                .put("currency", charge.path("currency").asText()).put("customer", charge.path("customer").asText())
                .putNull("description").put("latest_charge", charge.path("id").asText()).put("livemode", false);
        intent.putObject("metadata");
        intent.putArray("payment_method_types").add("card");
        intent.put("status", "succeeded");
        return intent;
    }

    // ---- HTTP ------------------------------------------------------------------------------------------------

    private void routes() {
        server.filter("/v1/**", (request, next) -> withStandardHeaders(request, next.handle(request)));
        server.filter("/v1/**", (request, next) -> {
            String key = authenticate(request);
            RateLimitDecision decision = limiter.acquire(key);
            if (!decision.allowed()) {
                // Stripe sends no rate-limit or Retry-After headers (providers.md, 4. Stripe).
                return error(429, "invalid_request_error", "rate_limit", "Request rate limit exceeded. You can learn more about "
                        + "rate limits here https://stripe.com/docs/rate-limits.", null);
            }
            if (request.method().equals("POST")) {
                return idempotent(key, request, next);
            }
            return next.handle(request);
        });
        server.route("GET", "/v1/invoices/{id}/lines", request -> nestedList(request, "invoices", "lines"));
        server.route("GET", "/v1/subscription_items", this::subscriptionItems);
        server.route("GET", "/v1/events", this::listEvents);
        server.route("GET", "/v1/events/{id}", this::retrieveEvent);
        server.route("POST", "/v1/webhook_endpoints", this::createEndpoint);
        server.route("GET", "/v1/webhook_endpoints", request -> {
            synchronized (this) {
                List<ObjectNode> all = new ArrayList<>(endpoints.values());
                Collections.reverse(all);
                return page(request, "/v1/webhook_endpoints", all.stream().map(this::withoutSecret).toList());
            }
        });
        server.route("DELETE", "/v1/webhook_endpoints/{id}", this::deleteEndpoint);
        server.route("POST", "/v1/customers", this::createCustomerRoute);
        server.route("POST", "/v1/customers/{id}", this::updateCustomerRoute);
        server.route("DELETE", "/v1/customers/{id}", this::deleteCustomerRoute);
        server.route("POST", "/v1/subscriptions", this::createSubscriptionRoute);
        server.route("DELETE", "/v1/subscriptions/{id}", this::cancelSubscriptionRoute);
        server.route("GET", "/v1/{resource}", this::listObjects);
        server.route("GET", "/v1/{resource}/{id}", this::retrieveObject);
        server.start();
    }

    private SandboxResponse withStandardHeaders(SandboxRequest request, SandboxResponse response) {
        SandboxResponse withId = response.withHeader("Request-Id", "req_" + String.format("%014d", requestIds.incrementAndGet()));
        int status = response.status();
        if (status >= 400) {
            boolean retry = status == 409 || status == 429 || status >= 500;
            withId = withId.withHeader("Stripe-Should-Retry", Boolean.toString(retry));
        }
        return withId;
    }

    private String authenticate(SandboxRequest request) {
        Optional<String> header = request.header("Authorization");
        if (header.isEmpty()) {
            throw new RequestRejectedException(error(401, "invalid_request_error", null, "You did not provide an API key. "
                    + "You need to provide your API key in the Authorization header, using Bearer auth.", null));
        }
        String key = request.bearerToken().orElse(null);
        if (key == null && header.get().regionMatches(true, 0, "Basic ", 0, 6)) {
            try {
                String decoded = new String(Base64.getDecoder().decode(header.get().substring(6).trim()), StandardCharsets.UTF_8);
                key = decoded.contains(":") ? decoded.substring(0, decoded.indexOf(':')) : decoded;
            } catch (IllegalArgumentException malformed) {
                key = null;
            }
        }
        if (key == null || !keys.contains(key) || revoked.contains(key)) {
            String shown = key == null || key.length() < 12 ? "****" : key.substring(0, 8) + "****" + key.substring(key.length() - 4);
            throw new RequestRejectedException(error(401, "invalid_request_error", null,
                    "Invalid API Key provided: " + shown, null));
        }
        return key;
    }

    private SandboxResponse idempotent(String key, SandboxRequest request, dev.junction.sandbox.RouteHandler next) {
        Optional<String> idempotencyKey = request.header("Idempotency-Key");
        if (idempotencyKey.isEmpty()) {
            return next.handle(request);
        }
        String fingerprint = request.method() + " " + request.path() + "?" + new TreeMap<>(request.formParameters().asMap());
        String scope = key + "|" + idempotencyKey.get();
        synchronized (this) {
            Idempotent seen = idempotency.get(scope);
            if (seen != null) {
                if (!seen.fingerprint().equals(fingerprint)) {
                    return error(400, "idempotency_error", null, "Keys for idempotent requests can only be used with the "
                            + "same parameters they were first used with. Try using a key other than '"
                            + idempotencyKey.get() + "' if you meant to execute a different request.", null);
                }
                return seen.response().withHeader("Idempotent-Replayed", "true");
            }
            SandboxResponse response = next.handle(request);
            idempotency.put(scope, new Idempotent(fingerprint, response));
            return response;
        }
    }

    private SandboxResponse listObjects(SandboxRequest request) {
        String resource = request.pathParameter("resource");
        if (!RESOURCES.contains(resource)) {
            return error(404, "invalid_request_error", null, "Unrecognized request URL (GET: /v1/" + resource + ").", null);
        }
        synchronized (this) {
            Predicate<ObjectNode> filter = object -> true;
            Optional<String> customer = request.queryParameter("customer");
            if (customer.isPresent()) {
                filter = filter.and(object -> customer.get().equals(object.path("customer").asText()));
            }
            if (resource.equals("subscriptions")) {
                String status = request.queryParameter("status").orElse(null);
                if (status == null) {
                    filter = filter.and(object -> !Set.of("canceled", "incomplete_expired").contains(object.path("status").asText()));
                } else if (!status.equals("all")) {
                    filter = filter.and(object -> status.equals(object.path("status").asText()));
                }
            }
            List<ObjectNode> newestFirst = new ArrayList<>();
            List<ObjectNode> all = new ArrayList<>(list(resource).values());
            Collections.reverse(all);
            for (ObjectNode object : all) {
                if (filter.test(object)) {
                    newestFirst.add(render(resource, object));
                }
            }
            return page(request, "/v1/" + resource, newestFirst);
        }
    }

    private SandboxResponse retrieveObject(SandboxRequest request) {
        String resource = request.pathParameter("resource");
        String id = request.pathParameter("id");
        if (!RESOURCES.contains(resource)) {
            return error(404, "invalid_request_error", null, "Unrecognized request URL (GET: /v1/" + resource + "/" + id + ").", null);
        }
        synchronized (this) {
            ObjectNode found = list(resource).get(id);
            if (found != null) {
                return SandboxResponse.json(200, render(resource, found));
            }
            if (sequence.containsKey(id) && (resource.equals("customers") || resource.equals("products"))) {
                return SandboxResponse.json(200, NODES.objectNode().put("id", id).put("object", OBJECT.get(resource)).put("deleted", true));
            }
            return missing(OBJECT.get(resource), id);
        }
    }

    private SandboxResponse nestedList(SandboxRequest request, String resource, String field) {
        synchronized (this) {
            ObjectNode parent = list(resource).get(request.pathParameter("id"));
            if (parent == null) {
                return missing(OBJECT.get(resource), request.pathParameter("id"));
            }
            List<ObjectNode> items = new ArrayList<>();
            parent.path(field).path("data").forEach(item -> items.add((ObjectNode) item.deepCopy()));
            return page(request, "/v1/" + resource + "/" + request.pathParameter("id") + "/" + field, items);
        }
    }

    private SandboxResponse subscriptionItems(SandboxRequest request) {
        Optional<String> subscription = request.queryParameter("subscription");
        if (subscription.isEmpty()) {
            return error(400, "invalid_request_error", "parameter_missing", "Missing required param: subscription.", "subscription");
        }
        synchronized (this) {
            ObjectNode parent = list("subscriptions").get(subscription.get());
            if (parent == null) {
                return missing("subscription", subscription.get());
            }
            List<ObjectNode> items = new ArrayList<>();
            parent.path("items").path("data").forEach(item -> items.add((ObjectNode) item.deepCopy()));
            return page(request, "/v1/subscription_items", items);
        }
    }

    private SandboxResponse listEvents(SandboxRequest request) {
        QueryParameters query = request.query();
        List<String> types = new ArrayList<>(query.all("types[]"));
        Optional<String> type = request.queryParameter("type");
        if (type.isPresent() && !types.isEmpty()) {
            return error(400, "invalid_request_error", null, "You may only specify one of these parameters: type, types.", "types");
        }
        if (types.size() > 20) {
            return error(400, "invalid_request_error", null, "You may specify at most 20 types.", "types");
        }
        Predicate<ObjectNode> filter = event -> true;
        for (String operator : List.of("gte", "gt", "lte", "lt")) {
            Optional<String> bound = request.queryParameter("created[" + operator + "]");
            if (bound.isEmpty()) {
                continue;
            }
            long value;
            try {
                value = Long.parseLong(bound.get());
            } catch (NumberFormatException e) {
                return error(400, "invalid_request_error", null, "Invalid integer: " + bound.get(), "created[" + operator + "]");
            }
            filter = filter.and(event -> {
                long created = event.path("created").asLong();
                return switch (operator) {
                    case "gte" -> created >= value;
                    case "gt" -> created > value;
                    case "lte" -> created <= value;
                    default -> created < value;
                };
            });
        }
        if (type.isPresent()) {
            types.add(type.get());
        }
        if (!types.isEmpty()) {
            List<String> wanted = List.copyOf(types);
            filter = filter.and(event -> wanted.stream().anyMatch(pattern -> typeMatches(pattern, event.path("type").asText())));
        }
        synchronized (this) {
            List<ObjectNode> matching = new ArrayList<>();
            List<ObjectNode> retained = retainedEvents();
            Collections.reverse(retained);
            for (ObjectNode event : retained) {
                if (filter.test(event)) {
                    matching.add(event.deepCopy());
                }
            }
            return page(request, "/v1/events", matching);
        }
    }

    private SandboxResponse retrieveEvent(SandboxRequest request) {
        String id = request.pathParameter("id");
        synchronized (this) {
            return retainedEvents().stream().filter(event -> event.path("id").asText().equals(id)).findFirst()
                    .map(event -> SandboxResponse.json(200, event.deepCopy())).orElseGet(() -> missing("event", id));
        }
    }

    private static boolean typeMatches(String pattern, String type) {
        return pattern.endsWith("*") ? type.startsWith(pattern.substring(0, pattern.length() - 1)) : pattern.equals(type);
    }

    private SandboxResponse createEndpoint(SandboxRequest request) {
        QueryParameters form = request.formParameters();
        Optional<String> url = form.first("url");
        List<String> enabled = form.all("enabled_events[]");
        if (url.isEmpty() || !(url.get().startsWith("http://") || url.get().startsWith("https://"))) {
            return error(400, "invalid_request_error", "url_invalid", "Invalid URL: a webhook endpoint needs an http(s) url.", "url");
        }
        if (enabled.isEmpty()) {
            return error(400, "invalid_request_error", "parameter_missing", "Missing required param: enabled_events.", "enabled_events");
        }
        synchronized (this) {
            ObjectNode endpoint = NODES.objectNode().put("id", id("webhook_endpoints")).put("object", "webhook_endpoint")
                    .put("api_version", form.first("api_version").orElse(null)).putNull("application").put("created", now())
                    .put("description", form.first("description").orElse(null));
            ArrayNode events = endpoint.putArray("enabled_events");
            enabled.forEach(events::add);
            endpoint.put("livemode", false);
            endpoint.putObject("metadata");
            endpoint.put("secret", "whsec_" + randomText(32)).put("status", "enabled").put("url", url.get());
            endpoints.put(endpoint.path("id").asText(), endpoint);
            return SandboxResponse.json(200, endpoint.deepCopy());
        }
    }

    private SandboxResponse deleteEndpoint(SandboxRequest request) {
        String id = request.pathParameter("id");
        synchronized (this) {
            if (endpoints.remove(id) == null) {
                return missing("webhook_endpoint", id);
            }
        }
        return SandboxResponse.json(200, NODES.objectNode().put("id", id).put("object", "webhook_endpoint").put("deleted", true));
    }

    private ObjectNode withoutSecret(ObjectNode endpoint) {
        ObjectNode copy = endpoint.deepCopy();
        copy.remove("secret");
        return copy;
    }

    private SandboxResponse createCustomerRoute(SandboxRequest request) {
        QueryParameters form = request.formParameters();
        synchronized (this) {
            ObjectNode customer = customer(form.first("name").orElse(null), form.first("email").orElse(null));
            applyCustomerFields(customer, form);
            store("customers", customer);
            event("customer.created", "customers", customer, null, request.header("Idempotency-Key").orElse(null));
            return SandboxResponse.json(200, render("customers", customer));
        }
    }

    private SandboxResponse updateCustomerRoute(SandboxRequest request) {
        QueryParameters form = request.formParameters();
        synchronized (this) {
            ObjectNode customer = list("customers").get(request.pathParameter("id"));
            if (customer == null) {
                return missing("customer", request.pathParameter("id"));
            }
            ObjectNode previous = NODES.objectNode();
            for (String field : List.of("name", "email", "phone", "description")) {
                if (form.contains(field)) {
                    previous.set(field, customer.get(field));
                }
            }
            applyCustomerFields(customer, form);
            event("customer.updated", "customers", customer, previous, request.header("Idempotency-Key").orElse(null));
            return SandboxResponse.json(200, render("customers", customer));
        }
    }

    private static void applyCustomerFields(ObjectNode customer, QueryParameters form) {
        for (String field : List.of("name", "email", "phone", "description")) {
            form.first(field).ifPresent(value -> customer.put(field, value.isEmpty() ? null : value));
        }
        for (QueryParameters.Parameter parameter : form.parameters()) {
            if (parameter.name().startsWith("metadata[") && parameter.name().endsWith("]")) {
                ((ObjectNode) customer.path("metadata")).put(parameter.name().substring(9, parameter.name().length() - 1), parameter.value());
            }
        }
    }

    private SandboxResponse deleteCustomerRoute(SandboxRequest request) {
        String id = request.pathParameter("id");
        synchronized (this) {
            if (!list("customers").containsKey(id)) {
                return missing("customer", id);
            }
            deleteCustomer(id);
        }
        return SandboxResponse.json(200, NODES.objectNode().put("id", id).put("object", "customer").put("deleted", true));
    }

    private SandboxResponse createSubscriptionRoute(SandboxRequest request) {
        QueryParameters form = request.formParameters();
        synchronized (this) {
            String customer = form.first("customer").orElse(null);
            if (customer == null) {
                return error(400, "invalid_request_error", "parameter_missing", "Missing required param: customer.", "customer");
            }
            if (!list("customers").containsKey(customer)) {
                return missing("customer", customer);
            }
            String priceId = form.first("items[0][price]").orElse(null);
            if (priceId == null) {
                return error(400, "invalid_request_error", "parameter_missing", "Missing required param: items.", "items");
            }
            ObjectNode price = list("prices").get(priceId);
            if (price == null) {
                return missing("price", priceId);
            }
            int trialDays = Integer.parseInt(form.first("trial_period_days").orElse("0"));
            ObjectNode subscription = subscription(customer, List.of(price), trialDays, now());
            long quantity = Long.parseLong(form.first("items[0][quantity]").orElse("1"));
            ((ObjectNode) subscription.path("items").path("data").get(0)).put("quantity", quantity);
            store("subscriptions", subscription);
            event("customer.subscription.created", "subscriptions", subscription, null, request.header("Idempotency-Key").orElse(null));
            return SandboxResponse.json(200, render("subscriptions", subscription));
        }
    }

    private SandboxResponse cancelSubscriptionRoute(SandboxRequest request) {
        String id = request.pathParameter("id");
        synchronized (this) {
            ObjectNode subscription = list("subscriptions").get(id);
            if (subscription == null) {
                return missing("subscription", id);
            }
            if (subscription.path("status").asText().equals("canceled")) {
                return SandboxResponse.json(200, render("subscriptions", subscription));
            }
            ObjectNode previous = NODES.objectNode().put("status", subscription.path("status").asText());
            subscription.put("status", "canceled").put("canceled_at", now()).put("ended_at", now());
            event("customer.subscription.deleted", "subscriptions", subscription, previous, null);
            return SandboxResponse.json(200, render("subscriptions", subscription));
        }
    }

    /** One page of {@code newestFirst} by {@code limit}, {@code starting_after} and {@code ending_before}. */
    private SandboxResponse page(SandboxRequest request, String url, List<ObjectNode> newestFirst) {
        int limit;
        try {
            limit = Integer.parseInt(request.queryParameter("limit").orElse("10"));
        } catch (NumberFormatException e) {
            return error(400, "invalid_request_error", null, "Invalid integer: " + request.queryParameter("limit").orElse(""), "limit");
        }
        if (limit < 1 || limit > 100) {
            return error(400, "invalid_request_error", null, "Invalid limit: must be between 1 and 100", "limit");
        }
        Optional<String> after = request.queryParameter("starting_after");
        Optional<String> before = request.queryParameter("ending_before");
        if (after.isPresent() && before.isPresent()) {
            return error(400, "invalid_request_error", null, "You may only specify one of these parameters: ending_before, starting_after.", "ending_before");
        }
        List<ObjectNode> window;
        boolean hasMore;
        if (after.isPresent() || before.isPresent()) {
            String cursor = after.orElseGet(before::get);
            Long position = sequence.get(cursor);
            if (position == null) {
                return error(400, "invalid_request_error", "resource_missing", "No such object: '" + cursor + "'",
                        after.isPresent() ? "starting_after" : "ending_before");
            }
            if (after.isPresent()) {
                List<ObjectNode> older = newestFirst.stream().filter(object -> seq(object) < position).toList();
                window = older.subList(0, Math.min(limit, older.size()));
                hasMore = older.size() > limit;
            } else {
                List<ObjectNode> newer = newestFirst.stream().filter(object -> seq(object) > position).toList();
                window = newer.subList(Math.max(0, newer.size() - limit), newer.size());
                hasMore = newer.size() > limit;
            }
        } else {
            window = newestFirst.subList(0, Math.min(limit, newestFirst.size()));
            hasMore = newestFirst.size() > limit;
        }
        ObjectNode body = NODES.objectNode().put("object", "list");
        ArrayNode data = body.putArray("data");
        window.forEach(data::add);
        body.put("has_more", hasMore).put("url", url);
        return SandboxResponse.json(200, body);
    }

    private long seq(ObjectNode object) {
        return sequence.getOrDefault(object.path("id").asText(), -1L);
    }

    /** An object as the API answers: embedded lists cut to 10 entries with {@code has_more}. */
    private ObjectNode render(String resource, ObjectNode stored) {
        ObjectNode copy = stored.deepCopy();
        String field = resource.equals("subscriptions") ? "items" : resource.equals("invoices") ? "lines" : null;
        if (field != null && copy.path(field).isObject()) {
            ObjectNode list = (ObjectNode) copy.path(field);
            ArrayNode data = (ArrayNode) list.path("data");
            list.put("total_count", data.size());
            list.put("has_more", data.size() > EMBEDDED_LIMIT);
            while (data.size() > EMBEDDED_LIMIT) {
                data.remove(data.size() - 1);
            }
        }
        return copy;
    }

    private static SandboxResponse error(int status, String type, String code, String message, String param) {
        ObjectNode body = NODES.objectNode();
        ObjectNode error = body.putObject("error");
        if (code != null) {
            error.put("code", code);
            error.put("doc_url", "https://stripe.com/docs/error-codes/" + code.replace('_', '-'));
        }
        error.put("message", message);
        if (param != null) {
            error.put("param", param);
        }
        error.put("type", type);
        return SandboxResponse.json(status, body);
    }

    private static SandboxResponse missing(String object, String id) {
        return error(404, "invalid_request_error", "resource_missing", "No such " + object + ": '" + id + "'", "id");
    }

    // ---- state -----------------------------------------------------------------------------------------------

    private LinkedHashMap<String, ObjectNode> list(String resource) {
        LinkedHashMap<String, ObjectNode> list = objects.get(resource);
        if (list == null) {
            throw new IllegalArgumentException("the Stripe sandbox has no list '" + resource + "'");
        }
        return list;
    }

    private ObjectNode require(String resource, String id) {
        ObjectNode found = list(resource).get(id);
        if (found == null) {
            throw new IllegalArgumentException("no " + resource + " " + id);
        }
        return found;
    }

    private void store(String resource, ObjectNode object) {
        list(resource).put(object.path("id").asText(), object);
    }

    private List<ObjectNode> retainedEvents() {
        long oldest = clock.instant().minus(EVENT_RETENTION).getEpochSecond();
        return new ArrayList<>(events.stream().filter(event -> event.path("created").asLong() >= oldest).toList());
    }

    /** Records an event for a mutation and delivers it to every endpoint that listens for its type. */
    private void event(String type, String resource, ObjectNode object, ObjectNode previous, String idempotencyKey) {
        ObjectNode event = NODES.objectNode().put("id", id("events")).put("object", "event")
                .put("api_version", dev.junction.provider.stripe.StripeProvider.API_VERSION).put("created", now());
        ObjectNode data = event.putObject("data");
        data.set("object", render(resource, object));
        if (previous != null && !previous.isEmpty()) {
            data.set("previous_attributes", previous.deepCopy());
        }
        List<ObjectNode> listening = endpoints.values().stream().filter(endpoint -> "enabled".equals(endpoint.path("status").asText()))
                .filter(endpoint -> {
                    for (JsonNode enabled : endpoint.path("enabled_events")) {
                        if (enabled.asText().equals("*") || enabled.asText().equals(type)) {
                            return true;
                        }
                    }
                    return false;
                }).toList();
        event.put("livemode", false).put("pending_webhooks", listening.size());
        event.putObject("request").putNull("id").put("idempotency_key", idempotencyKey);
        event.put("type", type);
        events.add(event);
        for (ObjectNode endpoint : listening) {
            ObjectNode delivered = event.deepCopy();
            if (endpoint.hasNonNull("api_version")) {
                delivered.put("api_version", endpoint.path("api_version").asText());
            }
            byte[] body = SandboxJson.toBytes(delivered);
            byte[] secret = endpoint.path("secret").asText().getBytes(StandardCharsets.UTF_8);
            dispatcher.send(URI.create(endpoint.path("url").asText()), Map.of("User-Agent", "Stripe/1.0 (+https://stripe.com/docs/webhooks)"),
                    body, signed -> {
                        long timestamp = clock.instant().getEpochSecond();
                        byte[] message = concat((timestamp + ".").getBytes(StandardCharsets.UTF_8), signed);
                        return Map.of("Stripe-Signature", "t=" + timestamp + ",v1=" + WebhookSigner.hmacSha256Hex(secret, message));
                    });
        }
    }

    private static byte[] concat(byte[] first, byte[] second) {
        byte[] out = new byte[first.length + second.length];
        System.arraycopy(first, 0, out, 0, first.length);
        System.arraycopy(second, 0, out, first.length, second.length);
        return out;
    }

    private long now() {
        return clock.instant().getEpochSecond();
    }

    private String id(String resource) {
        String id = PREFIX.get(resource) + "_" + randomText(14);
        sequence.put(id, counter.incrementAndGet());
        return id;
    }

    private String randomText(int length) {
        StringBuilder out = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            out.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        }
        return out.toString();
    }

    /** Configures a {@link StripeSandbox}. Not thread-safe. */
    public static final class Builder extends dev.junction.sandbox.SandboxBuilder<Builder> {

        private Builder() {
            super(25, Duration.ofSeconds(1));
        }
        private String apiKey = DEFAULT_KEY;
        private int itemsOnFirstSubscription = 1;
        private int linesOnFirstInvoice = 1;
        private final Map<String, Integer> counts = new LinkedHashMap<>(Map.of("customers", 100, "products", 3,
                "subscriptions", 5, "refunds", 1));

        public Builder withApiKey(String value) {
            this.apiKey = value;
            return this;
        }

        /**
         * Seeded counts of {@code customers}, {@code products} (one price each), {@code subscriptions} (one per
         * customer, each with an invoice, a charge and a payment intent) and {@code refunds}.
         */
        public Builder withCount(String resource, int count) {
            if (!counts.containsKey(resource) || count < 0) {
                throw new IllegalArgumentException("cannot seed " + count + " " + resource);
            }
            counts.put(resource, count);
            return this;
        }

        /** Items of the first subscription (more than 10 makes its embedded list say {@code has_more}). */
        public Builder withItemsOnFirstSubscription(int value) {
            this.itemsOnFirstSubscription = value;
            return this;
        }

        /** Lines of the first invoice (more than 10 makes its embedded list say {@code has_more}). */
        public Builder withLinesOnFirstInvoice(int value) {
            this.linesOnFirstInvoice = value;
            return this;
        }

        public StripeSandbox start() {
            return new StripeSandbox(this);
        }
    }
}
