package dev.junction.provider.ascora.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.junction.sandbox.ControllableSandbox;
import dev.junction.sandbox.FaultInjector;
import dev.junction.sandbox.FixedWindowRateLimiter;
import dev.junction.sandbox.RateLimitDecision;
import dev.junction.sandbox.RateLimitStatistics;
import dev.junction.sandbox.RequestLog;
import dev.junction.sandbox.RouteHandler;
import dev.junction.sandbox.Sandbox;
import dev.junction.sandbox.SandboxJson;
import dev.junction.sandbox.SandboxRequest;
import dev.junction.sandbox.SandboxResponse;
import dev.junction.sandbox.SandboxServer;
import dev.junction.sandbox.WebhookDispatcher;
import dev.junction.sandbox.WebhookSigner;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * A loopback Ascora, written from Ascora's public API descriptions ([ASC-MC] endpoint list, [ASC-PD] Pipedream
 * component and its captured test events), not from our client.
 *
 * <p>What the docs say and the sandbox does: the {@code Auth} header carries the API key (401 otherwise);
 * {@code Page} (1-based) / {@code PageSize} (default 250) on {@code GET /Customers/Customers}, {@code /Customers/Contacts},
 * {@code /Jobs/Jobs} (with {@code FilterText}), {@code /Quotes/Quotes}, items in {@code results[]}; single records at
 * {@code GET /Customers/Customer/{id}}, {@code /Jobs/Job/{jobNumber}}, {@code /Quotes/Quote/{quoteNumber}};
 * {@code POST /Customers/Customer} (with {@code customerId} updates, without creates) and {@code POST /Jobs/Job}
 * (same with {@code jobId}) answering {@code {success, message, customer|job}}, {@code success:false} with a message
 * on bad input; {@code POST /Accounting/CreatePayment}; the accounting queues {@code GET /Accounting/GetInvoicesToSend}
 * and {@code GetPaymentsToSend} ({@code priorToDate}) returning everything not yet marked by
 * {@code POST /Accounting/MarkInvoicesAsSent} / {@code MarkPaymentsAsSent}; {@code POST /WebHooks} →
 * {@code subscriptionId}, {@code DELETE /Webhooks/Delete/{id}}, and unsigned deliveries of the bare object
 * (JobCreated, JobStatusChanged, CustomerModified, InvoiceCreated, InvoiceModified) to every subscribed URL.
 *
 * <p>Where the docs say nothing, chosen here (and matched by the client): list and queue bodies are
 * {@code {"results":[…]}}; a missing record is 404 {@code {"message"}}; mark-as-sent bodies are
 * {@code {"invoiceIds":[…]}} / {@code {"paymentIds":[…]}}; {@code FilterText} matches job number, name, description
 * and the order numbers; a modified invoice goes back into the queue; contacts, quotes, invoices and payments have
 * the plain shapes built below; there is no delete endpoint and no delete event (deletions happen in the Ascora UI:
 * {@link #delete}); 429 with {@code Retry-After} when the configurable limiter says so (Ascora documents no limit).
 *
 * <p>Deterministic for a seed. Thread-safe: the store is guarded by this object's monitor.
 */
public final class AscoraSandbox implements ControllableSandbox {

    public static final String PROVIDER_ID = "ascora";
    public static final String DEFAULT_API_KEY = "ascora-sandbox-key-0001";
    static final int DEFAULT_PAGE_SIZE = 250;

    private final SandboxServer server;
    private final FixedWindowRateLimiter rateLimiter;
    private final WebhookDispatcher dispatcher;
    private final Clock clock;
    private final String apiKey;
    private final Random random;
    private volatile boolean revoked;

    private final Map<String, Map<String, ObjectNode>> store = new LinkedHashMap<>();
    private final Set<String> sentInvoices = new HashSet<>();
    private final Set<String> sentPayments = new HashSet<>();
    private final Map<String, String[]> subscriptions = new LinkedHashMap<>();
    private int jobCounter;
    private int quoteCounter;
    private int invoiceCounter;
    private int subscriptionCounter;
    private int customerCounter;

    private AscoraSandbox(Builder builder) {
        this.clock = builder.clock();
        this.apiKey = builder.apiKey;
        this.random = new Random(builder.seed());
        this.rateLimiter = new FixedWindowRateLimiter(builder.rateLimit(), builder.rateWindow(), clock);
        this.dispatcher = new WebhookDispatcher(clock, Duration.ofSeconds(5));
        for (String entity : List.of("customers", "contacts", "jobs", "quotes", "invoices", "payments")) {
            store.put(entity, new LinkedHashMap<>());
        }
        seed(builder);
        this.server = SandboxServer.builder().withPort(builder.port()).withClock(clock).build();
        install(server);
        server.start();
    }

    public static Builder builder() {
        return new Builder();
    }

    // ---- seeding ----------------------------------------------------------------------------------------------

    private synchronized void seed(Builder builder) {
        for (int i = 0; i < builder.customers; i++) {
            ObjectNode customer = customerBody(uuid(), "Customer " + (i + 1), "First" + (i + 1), "Last" + (i + 1),
                    "customer" + (i + 1) + "@example.com");
            put("customers", customer.path("customerId").asText(), customer);
            if (i % 2 == 0) {
                ObjectNode contact = SandboxJson.object().put("contactId", uuid()).put("customerId", customer.path("customerId").asText())
                        .put("firstName", "Contact" + (i + 1)).put("lastName", "Person").put("emailAddress", "contact" + (i + 1) + "@example.com")
                        .put("phoneNumber", "").put("mobileNumber", "0400 000 " + String.format(Locale.ROOT, "%03d", i % 1000));
                put("contacts", contact.path("contactId").asText(), contact);
            }
        }
        List<String> customers = new ArrayList<>(store.get("customers").keySet());
        for (int i = 0; i < builder.jobs && !customers.isEmpty(); i++) {
            ObjectNode customer = store.get("customers").get(customers.get(i % customers.size()));
            ObjectNode job = jobBody(customer, "Job " + (i + 1), "Seeded job " + (i + 1), i % 3 == 0 ? "FIXED-PRICE" : "TIME-AND-MATERIALS");
            put("jobs", job.path("jobNumber").asText(), job);
            if (i % 4 == 0) {
                ObjectNode quote = SandboxJson.object().put("quoteId", uuid()).put("quoteNumber", "Q" + (++quoteCounter))
                        .put("quoteName", "Quote for " + job.path("jobName").asText()).put("totalIncTax", 110).put("totalExTax", 100)
                        .put("dateCreated", now());
                quote.set("customer", ref(customer));
                put("quotes", quote.path("quoteNumber").asText(), quote);
            }
        }
        List<String> jobs = new ArrayList<>(store.get("jobs").keySet());
        for (int i = 0; i < builder.invoices && !jobs.isEmpty(); i++) {
            ObjectNode job = store.get("jobs").get(jobs.get(i % jobs.size()));
            ObjectNode invoice = invoiceBody(job, 100 + i);
            put("invoices", invoice.path("invoiceId").asText(), invoice);
            if (i % 2 == 0) {
                ObjectNode payment = paymentBody(invoice, invoice.path("totalIncTax").decimalValue(), "Cash", LocalDate.now(clock).toString());
                put("payments", payment.path("paymentId").asText(), payment);
            }
        }
    }

    private String uuid() {
        return new UUID(random.nextLong(), random.nextLong()).toString();
    }

    private String now() {
        return clock.instant().toString();
    }

    private void put(String entity, String key, ObjectNode body) {
        store.get(entity).put(key, body);
    }

    private ObjectNode customerBody(String id, String company, String first, String last, String email) {
        ObjectNode body = SandboxJson.object().put("customerId", id).put("customerNumber", "C" + (++customerCounter))
                .put("customerName", company.isBlank() ? (first + " " + last).trim() : company).put("companyName", company)
                .put("contactFirstName", first).put("contactLastName", last).put("emailAddress", email)
                .put("phoneNumber", "").put("mobileNumber", "").put("onHold", false).put("billingCustomerOnHold", false)
                .put("streetLine1", "").put("streetLine2", "").put("streetSuburb", "").put("streetPostcode", "")
                .put("streetCountry", "Australia").put("postalLine1", "").put("postalLine2", "").put("postalSuburb", "")
                .put("postalState", "").put("postalPostcode", "").put("postalCountry", "Australia");
        for (String field : List.of("streetState", "streetLongitude", "streetLatitude", "customerType", "leadSource",
                "billingCustomer", "assignedUser", "customFields")) {
            body.putNull(field);
        }
        return body;
    }

    private ObjectNode jobBody(ObjectNode customer, String name, String description, String pricing) {
        ObjectNode body = SandboxJson.object().put("jobId", uuid()).putNull("topLevelJobNumber").put("jobNumber", "J" + (++jobCounter))
                .put("jobName", name).put("jobDescription", description).put("workUndertaken", "").put("jobStatus", 0)
                .put("jobStatusText", "New").put("dateCreated", now()).put("pricingMethod", pricing)
                .put("totalIncTax", 0).put("totalExTax", 0).put("purchaseOrderNumber", "").put("clientOrderNumber", "")
                .put("addressLine1", "").put("addressLine2", "").put("suburb", "").putNull("state").put("postcode", "")
                .put("country", "Australia").putNull("latitude").putNull("longitude");
        body.set("jobType", SandboxJson.object().put("id", "b7cf2a4b-78c3-4c4d-ae6a-ded70a6e1c09").put("name", "Standard Job"));
        body.set("siteCustomer", ref(customer));
        body.putNull("siteContact");
        body.set("billingCustomer", ref(customer));
        body.putNull("billingContact");
        body.putNull("completedDate");
        body.putNull("displayOrder");
        body.putNull("customFields");
        return body;
    }

    private ObjectNode invoiceBody(ObjectNode job, int total) {
        ObjectNode invoice = SandboxJson.object().put("invoiceId", uuid()).put("invoiceNumber", "INV" + (++invoiceCounter))
                .put("jobNumber", job.path("jobNumber").asText()).put("status", "Approved")
                .put("invoiceDate", LocalDate.now(clock).toString()).put("dueDate", LocalDate.now(clock).plusDays(14).toString())
                .put("totalIncTax", total).put("totalExTax", total).put("amountOwing", total).put("dateCreated", now());
        invoice.set("customer", job.path("billingCustomer").deepCopy());
        return invoice;
    }

    private ObjectNode paymentBody(ObjectNode invoice, java.math.BigDecimal amount, String method, String date) {
        return SandboxJson.object().put("paymentId", uuid()).put("invoiceId", invoice.path("invoiceId").asText())
                .put("invoiceNumber", invoice.path("invoiceNumber").asText()).put("paymentAmount", amount)
                .put("paymentDate", date).put("paymentMethod", method).put("receiptNumber", "").put("surchargeAmount", 0)
                .put("comment", "").put("dateCreated", now());
    }

    private static ObjectNode ref(JsonNode customer) {
        return SandboxJson.object().put("id", customer.path("customerId").asText()).put("name", customer.path("customerName").asText());
    }

    // ---- HTTP -------------------------------------------------------------------------------------------------

    private void install(SandboxServer server) {
        server.filter("/**", this::filter);
        server.route("GET", "/Customers/Customers", request -> list(request, "customers", null));
        server.route("GET", "/Customers/Customer/{id}", request -> one("customers", request.pathParameter("id")));
        server.route("POST", "/Customers/Customer", this::writeCustomer);
        server.route("GET", "/Customers/Contacts", request -> list(request, "contacts", null));
        server.route("GET", "/Jobs/Jobs", request -> list(request, "jobs", request.queryParameter("FilterText").orElse(null)));
        server.route("GET", "/Jobs/Job/{jobNumber}", request -> one("jobs", request.pathParameter("jobNumber")));
        server.route("POST", "/Jobs/Job", this::writeJob);
        server.route("GET", "/Quotes/Quotes", request -> list(request, "quotes", null));
        server.route("GET", "/Quotes/Quote/{quoteNumber}", request -> one("quotes", request.pathParameter("quoteNumber")));
        server.route("GET", "/Accounting/GetInvoicesToSend", request -> queue("invoices", sentInvoices, request));
        server.route("GET", "/Accounting/GetPaymentsToSend", request -> queue("payments", sentPayments, request));
        server.route("POST", "/Accounting/MarkInvoicesAsSent", request -> mark(request, "invoiceIds", sentInvoices));
        server.route("POST", "/Accounting/MarkPaymentsAsSent", request -> mark(request, "paymentIds", sentPayments));
        server.route("POST", "/Accounting/CreatePayment", this::createPayment);
        server.route("POST", "/WebHooks", this::subscribe);
        server.route("DELETE", "/Webhooks/Delete/{id}", this::unsubscribe);
    }

    private SandboxResponse filter(SandboxRequest request, RouteHandler next) {
        Optional<String> key = request.header("Auth");
        if (key.isEmpty() || revoked || !key.get().equals(apiKey)) {
            return SandboxResponse.json(401, Map.of("message", "Authorization has been denied for this request."));
        }
        RateLimitDecision decision = rateLimiter.acquire(apiKey);
        if (!decision.allowed()) {
            return SandboxResponse.json(429, Map.of("message", "Too many requests"))
                    .withHeader("Retry-After", Long.toString(Math.max(1, decision.retryAfterSeconds())));
        }
        return next.handle(request);
    }

    private synchronized SandboxResponse list(SandboxRequest request, String entity, String filterText) {
        int page;
        int size;
        try {
            page = request.queryParameter("Page").map(Integer::parseInt).orElse(1);
            size = request.queryParameter("PageSize").map(Integer::parseInt).orElse(DEFAULT_PAGE_SIZE);
        } catch (NumberFormatException e) {
            return SandboxResponse.json(400, Map.of("message", "Page and PageSize must be numbers"));
        }
        if (page < 1 || size < 1) {
            return SandboxResponse.json(400, Map.of("message", "Page and PageSize must be positive"));
        }
        List<ObjectNode> all = new ArrayList<>();
        for (ObjectNode body : store.get(entity).values()) {
            if (filterText == null || matches(body, filterText)) {
                all.add(body);
            }
        }
        ArrayNode results = SandboxJson.array();
        long from = (long) (page - 1) * size;
        for (long i = from; i < Math.min(all.size(), from + size); i++) {
            results.add(all.get((int) i).deepCopy());
        }
        ObjectNode answer = SandboxJson.object();
        answer.set("results", results);
        return SandboxResponse.json(200, answer);
    }

    private static boolean matches(JsonNode job, String text) {
        String needle = text.toLowerCase(Locale.ROOT);
        for (String field : List.of("jobNumber", "jobName", "jobDescription", "clientOrderNumber", "purchaseOrderNumber")) {
            if (job.path(field).asText("").toLowerCase(Locale.ROOT).contains(needle)) {
                return true;
            }
        }
        return false;
    }

    private synchronized SandboxResponse one(String entity, String key) {
        ObjectNode body = store.get(entity).get(key);
        return body == null ? SandboxResponse.json(404, Map.of("message", "Not found"))
                : SandboxResponse.json(200, body.deepCopy());
    }

    private synchronized SandboxResponse queue(String entity, Set<String> sent, SandboxRequest request) {
        Instant prior;
        try {
            prior = request.queryParameter("priorToDate").map(Instant::parse).orElse(Instant.MAX);
        } catch (RuntimeException e) {
            return SandboxResponse.json(400, Map.of("message", "priorToDate is not a date"));
        }
        String idField = entity.equals("invoices") ? "invoiceId" : "paymentId";
        ArrayNode results = SandboxJson.array();
        for (ObjectNode body : store.get(entity).values()) {
            String created = body.path("dateCreated").asText("");
            boolean before = created.isEmpty() || !Instant.parse(created).isAfter(prior);
            if (before && !sent.contains(body.path(idField).asText())) {
                results.add(body.deepCopy());
            }
        }
        ObjectNode answer = SandboxJson.object();
        answer.set("results", results);
        return SandboxResponse.json(200, answer);
    }

    private synchronized SandboxResponse mark(SandboxRequest request, String field, Set<String> sent) {
        JsonNode ids = body(request).path(field);
        if (!ids.isArray()) {
            return failure("'" + field + "' must be an array of ids");
        }
        ids.forEach(id -> sent.add(id.asText()));
        return SandboxResponse.json(200, Map.of("success", true, "message", "Marked " + ids.size() + " as sent"));
    }

    private SandboxResponse writeCustomer(SandboxRequest request) {
        JsonNode input = body(request);
        if (!input.isObject()) {
            return failure("body must be a JSON object");
        }
        ObjectNode result;
        synchronized (this) {
            String id = input.path("customerId").asText("");
            if (id.isEmpty()) {
                String company = input.path("companyName").asText("");
                String first = input.path("contactFirstName").asText("");
                String last = input.path("contactLastName").asText("");
                if (company.isBlank() && first.isBlank() && last.isBlank()) {
                    return failure("A company name or contact name is required");
                }
                result = customerBody(uuid(), company, first, last, input.path("emailAddress").asText(""));
                apply(result, (ObjectNode) input, List.of("customerId", "customerNumber"));
                put("customers", result.path("customerId").asText(), result);
            } else {
                result = store.get("customers").get(id);
                if (result == null) {
                    return failure("Customer not found");
                }
                apply(result, (ObjectNode) input, List.of("customerId", "customerNumber"));
                refreshCustomerName(result);
            }
            result = result.deepCopy();
        }
        if (!input.path("customerId").asText("").isEmpty()) {
            deliver("CustomerModified", result);
        }
        ObjectNode answer = SandboxJson.object().put("success", true).put("message", "Customer saved");
        answer.set("customer", result);
        return SandboxResponse.json(200, answer);
    }

    private static void refreshCustomerName(ObjectNode customer) {
        String company = customer.path("companyName").asText("");
        String name = company.isBlank()
                ? (customer.path("contactFirstName").asText("") + " " + customer.path("contactLastName").asText("")).trim() : company;
        customer.put("customerName", name);
    }

    private SandboxResponse writeJob(SandboxRequest request) {
        JsonNode input = body(request);
        if (!input.isObject()) {
            return failure("body must be a JSON object");
        }
        ObjectNode result;
        String event;
        synchronized (this) {
            String jobId = input.path("jobId").asText("");
            if (jobId.isEmpty()) {
                ObjectNode customer = store.get("customers").get(input.path("siteCustomer").path("id").asText(""));
                if (customer == null) {
                    return failure("A valid siteCustomer is required");
                }
                result = jobBody(customer, input.path("jobName").asText(""), input.path("jobDescription").asText(""),
                        input.path("pricingMethod").asText("TIME-AND-MATERIALS"));
                apply(result, (ObjectNode) input, List.of("jobId", "jobNumber", "siteCustomer", "billingCustomer", "dateCreated"));
                JsonNode billing = store.get("customers").get(input.path("billingCustomer").path("id").asText(""));
                if (billing != null) {
                    result.set("billingCustomer", ref(billing));
                }
                put("jobs", result.path("jobNumber").asText(), result);
                event = "JobCreated";
            } else {
                result = store.get("jobs").values().stream().filter(job -> job.path("jobId").asText().equals(jobId)).findFirst().orElse(null);
                if (result == null) {
                    return failure("Job not found");
                }
                int before = result.path("jobStatus").asInt();
                apply(result, (ObjectNode) input, List.of("jobId", "jobNumber", "siteCustomer", "dateCreated"));
                event = before != result.path("jobStatus").asInt() ? "JobStatusChanged" : null;
            }
            result = result.deepCopy();
        }
        if (event != null) {
            deliver(event, result);
        }
        ObjectNode answer = SandboxJson.object().put("success", true).put("message", "Job saved");
        answer.set("job", result);
        return SandboxResponse.json(200, answer);
    }

    private SandboxResponse createPayment(SandboxRequest request) {
        JsonNode input = body(request);
        String number = input.path("invoiceNumber").asText("");
        JsonNode amount = input.path("paymentAmount");
        if (number.isBlank() || !amount.isNumber() || input.path("paymentDate").asText("").isBlank()
                || input.path("paymentMethod").asText("").isBlank()) {
            return failure("invoiceNumber, paymentAmount, paymentDate and paymentMethod are required");
        }
        ObjectNode payment;
        synchronized (this) {
            ObjectNode invoice = store.get("invoices").values().stream()
                    .filter(candidate -> candidate.path("invoiceNumber").asText().equals(number)).findFirst().orElse(null);
            if (invoice == null) {
                return failure("Invoice " + number + " not found");
            }
            payment = paymentBody(invoice, amount.decimalValue(), input.path("paymentMethod").asText(), input.path("paymentDate").asText());
            payment.put("receiptNumber", input.path("receiptNumber").asText(""));
            payment.put("comment", input.path("comment").asText(""));
            put("payments", payment.path("paymentId").asText(), payment);
            invoice.put("amountOwing", invoice.path("amountOwing").decimalValue().subtract(amount.decimalValue()));
            sentInvoices.remove(invoice.path("invoiceId").asText());
        }
        return SandboxResponse.json(200, Map.of("success", true, "message", "Payment created",
                "paymentId", payment.path("paymentId").asText()));
    }

    private synchronized SandboxResponse subscribe(SandboxRequest request) {
        JsonNode input = body(request);
        String url = input.path("hookUrl").asText("");
        String event = input.path("hookEvent").asText("");
        if (url.isBlank() || event.isBlank()) {
            return failure("hookUrl and hookEvent are required");
        }
        String id = "sub-" + (++subscriptionCounter);
        subscriptions.put(id, new String[] {url, event, input.path("systemName").asText("")});
        return SandboxResponse.json(200, Map.of("success", true, "subscriptionId", id));
    }

    private synchronized SandboxResponse unsubscribe(SandboxRequest request) {
        return subscriptions.remove(request.pathParameter("id")) == null
                ? SandboxResponse.json(404, Map.of("message", "Not found"))
                : SandboxResponse.json(200, Map.of("success", true));
    }

    private static JsonNode body(SandboxRequest request) {
        try {
            return request.body().length == 0 ? SandboxJson.object() : request.bodyAsJson();
        } catch (RuntimeException e) {
            return SandboxJson.object().put("__unreadable", true);
        }
    }

    private static void apply(ObjectNode target, ObjectNode input, List<String> protectedFields) {
        input.fields().forEachRemaining(field -> {
            if (!protectedFields.contains(field.getKey()) && target.has(field.getKey())) {
                target.set(field.getKey(), field.getValue().deepCopy());
            }
        });
    }

    private static SandboxResponse failure(String message) {
        return SandboxResponse.json(200, Map.of("success", false, "message", message));
    }

    /** Posts the bare object, unsigned, to every subscription for {@code event}. */
    private void deliver(String event, JsonNode body) {
        List<String> urls = new ArrayList<>();
        synchronized (this) {
            subscriptions.values().stream().filter(subscription -> subscription[1].equals(event)).forEach(subscription -> urls.add(subscription[0]));
        }
        byte[] bytes = SandboxJson.toBytes(body);
        for (String url : urls) {
            dispatcher.send(URI.create(url), Map.of(), bytes, WebhookSigner.none());
        }
    }

    // ---- access and mutation helpers ----------------------------------------------------------------------

    @Override
    public String providerId() {
        return PROVIDER_ID;
    }

    @Override
    public String baseUrl() {
        return server.baseUrl();
    }

    public String apiKey() {
        return apiKey;
    }

    @Override
    public Map<String, String> connectionProperties() {
        return Map.of("base_url", baseUrl(), "api_key", apiKey);
    }

    public void revokeKey() {
        revoked = true;
    }

    public RequestLog requestLog() {
        return server.requestLog();
    }

    public FaultInjector faults() {
        return server.faults();
    }

    public RateLimitStatistics rateLimitStatistics() {
        return rateLimiter.statistics();
    }

    /** The webhook subscriptions held now, as {@code event -> hookUrl} pairs. */
    public synchronized List<Map.Entry<String, String>> subscriptions() {
        List<Map.Entry<String, String>> all = new ArrayList<>();
        subscriptions.values().forEach(subscription -> all.add(Map.entry(subscription[1], subscription[0])));
        return all;
    }

    public WebhookDispatcher webhookDispatcher() {
        return dispatcher;
    }

    /** What a full sync lists now: every customer, contact, job and quote, and the invoices and payments still queued. */
    @Override
    public synchronized Map<String, Long> recordCounts() {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (String entity : List.of("customers", "contacts", "jobs", "quotes")) {
            counts.put(entity, (long) liveIds(entity).size());
        }
        counts.put("invoices", (long) queued("invoices").size());
        counts.put("payments", (long) queued("payments").size());
        return counts;
    }

    /** The keys (customerId, contactId, jobNumber, quoteNumber, invoiceId, paymentId) of every record held now. */
    public synchronized Set<String> liveIds(String entity) {
        return new HashSet<>(store(entity).keySet());
    }

    public synchronized Optional<ObjectNode> record(String entity, String key) {
        return Optional.ofNullable(store(entity).get(key)).map(ObjectNode::deepCopy);
    }

    /** Ids of the invoices (or payments) still in the accounting queue, i.e. not yet marked as sent. */
    public synchronized Set<String> queued(String entity) {
        Set<String> sent = entity.equals("invoices") ? sentInvoices : sentPayments;
        Set<String> ids = new HashSet<>(store(entity).keySet());
        ids.removeAll(sent);
        return ids;
    }

    /** Creates a customer as a user would in the Ascora UI (no webhook: Ascora documents no create event for customers). */
    public synchronized String createCustomer(String company, String first, String last) {
        ObjectNode customer = customerBody(uuid(), company, first, last, "");
        put("customers", customer.path("customerId").asText(), customer);
        return customer.path("customerId").asText();
    }

    /** Creates a job for a customer in the UI; fires JobCreated. Returns the job number. */
    public String createJob(String customerId, String name) {
        ObjectNode job;
        synchronized (this) {
            ObjectNode customer = Objects.requireNonNull(store.get("customers").get(customerId), "no customer " + customerId);
            job = jobBody(customer, name, "", "TIME-AND-MATERIALS");
            put("jobs", job.path("jobNumber").asText(), job);
            job = job.deepCopy();
        }
        deliver("JobCreated", job);
        return job.path("jobNumber").asText();
    }

    /** Raises an invoice for a job (UI); it enters the queue and fires InvoiceCreated. Returns the invoice id. */
    public String createInvoice(String jobNumber, int total) {
        ObjectNode invoice;
        synchronized (this) {
            invoice = invoiceBody(Objects.requireNonNull(store.get("jobs").get(jobNumber), "no job " + jobNumber), total);
            put("invoices", invoice.path("invoiceId").asText(), invoice);
            invoice = invoice.deepCopy();
        }
        deliver("InvoiceCreated", invoice);
        return invoice.path("invoiceId").asText();
    }

    /**
     * Changes a record as a user would in the UI: customers fire CustomerModified, jobs fire JobStatusChanged when
     * {@code jobStatus} changes, invoices go back into the queue and fire InvoiceModified.
     */
    public boolean update(String entity, String key, Consumer<ObjectNode> change) {
        ObjectNode body;
        String event = null;
        synchronized (this) {
            ObjectNode current = store(entity).get(key);
            if (current == null) {
                return false;
            }
            int status = current.path("jobStatus").asInt();
            change.accept(current);
            switch (entity) {
                case "customers" -> event = "CustomerModified";
                case "jobs" -> event = status != current.path("jobStatus").asInt() ? "JobStatusChanged" : null;
                case "invoices" -> {
                    sentInvoices.remove(key);
                    event = "InvoiceModified";
                }
                default -> { }
            }
            body = current.deepCopy();
        }
        if (event != null) {
            deliver(event, body);
        }
        return true;
    }

    /** Removes a record (a deletion in the Ascora UI: no API endpoint and no webhook event are documented). */
    public synchronized boolean delete(String entity, String key) {
        return store(entity).remove(key) != null;
    }

    private Map<String, ObjectNode> store(String entity) {
        Map<String, ObjectNode> records = store.get(entity);
        if (records == null) {
            throw new IllegalArgumentException("the Ascora sandbox has no entity " + entity);
        }
        return records;
    }

    @Override
    public void close() {
        server.close();
        dispatcher.close();
    }

    /** Sandbox settings. Not thread-safe. */
    public static final class Builder extends dev.junction.sandbox.SandboxBuilder<Builder> {
        private int customers = 40;
        private int jobs = 20;
        private int invoices = 10;
        private String apiKey = DEFAULT_API_KEY;

        private Builder() {
            super(120, Duration.ofMinutes(1));
        }

        public Builder withCustomers(int count) {
            this.customers = count;
            return this;
        }

        public Builder withJobs(int count) {
            this.jobs = count;
            return this;
        }

        public Builder withInvoices(int count) {
            this.invoices = count;
            return this;
        }

        public Builder withApiKey(String value) {
            this.apiKey = Objects.requireNonNull(value, "apiKey");
            return this;
        }

        public AscoraSandbox start() {
            return new AscoraSandbox(this);
        }
    }
}
