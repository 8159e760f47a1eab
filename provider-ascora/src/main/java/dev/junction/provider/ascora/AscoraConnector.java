package dev.junction.provider.ascora;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.junction.core.error.ErrorContext;
import dev.junction.core.error.ErrorKind;
import dev.junction.core.error.JunctionException;
import dev.junction.core.http.HttpCall;
import dev.junction.core.http.PageResponse;
import dev.junction.core.http.Pagination;
import dev.junction.core.http.PaginationStrategy;
import dev.junction.core.http.ProviderHttpClient;
import dev.junction.core.spi.Capability;
import dev.junction.core.spi.Connector;
import dev.junction.core.spi.ConnectorContext;
import dev.junction.core.spi.EntityType;
import dev.junction.core.spi.FetchRequest;
import dev.junction.core.spi.Page;
import dev.junction.core.spi.PushRequest;
import dev.junction.core.spi.RemoteRecord;
import dev.junction.core.error.UnsupportedCapabilityException;
import dev.junction.core.spi.WebhookSubscriptions;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads and writes Ascora for one connection.
 *
 * <p><b>Lists</b> ({@code customers}, {@code contacts}, {@code jobs}, {@code quotes}) are paged with {@code Page}
 * (1-based) and {@code PageSize}; the checkpoint cursor is the next page number.
 *
 * <p><b>Accounting queues</b> ({@code invoices}, {@code payments}): Ascora hands out every item not yet marked as
 * sent. An item is acknowledged only after Junction's own durable commit: a page returns the queue's items with the
 * cursor {@code ack:<id>,<id>…}; the sync engine commits the page together with that cursor before it asks for the
 * next page, and the next fetch first marks those ids as sent and then reads the queue again. A crash after the
 * commit resumes from the stored cursor and acknowledges then; a crash before the commit leaves the items in
 * Ascora's queue, so they are delivered again and the unchanged ones are skipped by hash. Nothing is acknowledged
 * that is not stored. {@code priorToDate} is the pass's upper bound, so a busy account cannot keep a pass going.
 * The queue endpoints are not paged, so a page is the first {@code pageSize} items of the queue.
 *
 * <p>Used by one thread at a time.
 */
final class AscoraConnector implements Connector {

    static final ObjectMapper JSON = new ObjectMapper();
    /** Ascora's documented default page size ([ASC-MC]); we never ask for more. */
    static final int MAX_PAGE_SIZE = 250;
    static final String ACK = "ack:";
    private static final PaginationStrategy PAGING = Pagination.pageNumber("Page", "/results");

    private final ProviderHttpClient http;

    AscoraConnector(ConnectorContext context) {
        this.http = httpClient(context);
    }

    /** A client that sends the connection's key in the {@code Auth} header (redacted from logs). */
    static ProviderHttpClient httpClient(ConnectorContext context) {
        String key = AscoraProvider.apiKey(context.connectionSettings());
        String baseUrl = AscoraProvider.baseUrl(context.connectionSettings());
        return context.http(baseUrl, (prepared, credentials) -> prepared
                .withAuthenticator(() -> Map.of("Auth", key))
                .withSecretHeaders(Set.of("Auth"))
                .withDefaultHeader("Accept", "application/json"));
    }

    @Override
    public String providerId() {
        return AscoraProvider.ID;
    }

    @Override
    public Page fetch(FetchRequest request) {
        AscoraEntity entity = entity(request.entity());
        return entity.queue() ? fetchQueue(entity, request) : fetchList(entity, request);
    }

    private Page fetchList(AscoraEntity entity, FetchRequest request) {
        HttpCall first = HttpCall.get(entity.listPath()).withEntity(entity.entityName())
                .withQuery("PageSize", Integer.toString(Math.min(request.pageSize(), MAX_PAGE_SIZE)));
        PageResponse response = http.fetchPage(first, PAGING, request.cursor());
        return toPage(entity, items(entity, response.body()), response.nextCursor());
    }

    private Page fetchQueue(AscoraEntity entity, FetchRequest request) {
        if (request.cursor().isPresent() && request.cursor().get().startsWith(ACK)) {
            List<String> ids = Arrays.stream(request.cursor().get().substring(ACK.length()).split(","))
                    .filter(id -> !id.isEmpty()).toList();
            markAsSent(entity, ids);
        }
        HttpCall call = HttpCall.get(entity.listPath()).withEntity(entity.entityName())
                .withQuery("priorToDate", DateTimeFormatter.ISO_INSTANT.format(request.until()));
        JsonNode queued = items(entity, http.executeJson(call));
        if (queued.isEmpty()) {
            return Page.last(List.of());
        }
        // The queue is not paged: take at most a page of it. The rest stays unacknowledged at Ascora and comes back
        // on the next read, after this page's items were marked as sent.
        ArrayNode items = JSON.createArrayNode();
        for (int i = 0; i < Math.min(queued.size(), Math.min(request.pageSize(), MAX_PAGE_SIZE)); i++) {
            items.add(queued.get(i));
        }
        Page page = toPage(entity, items, Optional.empty());
        List<String> delivered = new ArrayList<>();
        page.records().forEach(record -> delivered.add(record.externalId()));
        // Unreadable items are acknowledged too once their dead letters are committed with this page: they would
        // otherwise come back forever. Their ids, when they have one, are in the payload kept with the dead letter.
        for (JsonNode item : items) {
            String id = item.path(entity.idField()).asText("");
            if (!id.isEmpty() && !delivered.contains(id)) {
                delivered.add(id);
            }
        }
        return new Page(page.records(), Optional.of(ACK + String.join(",", delivered)), page.unreadable());
    }

    /** {@code POST /Accounting/MarkInvoicesAsSent} {@code {"invoiceIds":[…]}} (or payments). */
    void markAsSent(AscoraEntity entity, List<String> ids) {
        if (ids.isEmpty()) {
            return;
        }
        boolean invoices = entity == AscoraEntity.INVOICES;
        ObjectNode body = JSON.createObjectNode();
        ArrayNode array = body.putArray(invoices ? "invoiceIds" : "paymentIds");
        ids.forEach(array::add);
        JsonNode answer = http.executeJson(post(invoices ? "/Accounting/MarkInvoicesAsSent" : "/Accounting/MarkPaymentsAsSent",
                body).withEntity(entity.entityName()));
        checkSuccess(answer, entity.entityName());
    }

    private JsonNode items(AscoraEntity entity, JsonNode body) {
        JsonNode items = body == null ? null : body.get("results");
        if (items == null || !items.isArray()) {
            throw new JunctionException(ErrorKind.UNEXPECTED_PAYLOAD, "Ascora list response has no 'results' array",
                    context(entity.entityName()));
        }
        return items;
    }

    private static Page toPage(AscoraEntity entity, JsonNode items, Optional<String> next) {
        List<RemoteRecord> records = new ArrayList<>(items.size());
        List<String> unreadable = new ArrayList<>();
        for (JsonNode item : items) {
            Optional<String> id = AscoraTransformer.recordId(entity, item);
            if (id.isEmpty()) {
                unreadable.add(item.toString());
            } else {
                records.add(RemoteRecord.of(entity.entityName(), id.get(), null, item));
            }
        }
        return new Page(records, next, unreadable);
    }

    @Override
    public Optional<RemoteRecord> fetchOne(EntityType type, String externalId) {
        AscoraEntity entity = entity(type);
        String path = entity.onePath().orElseThrow(() -> new UnsupportedCapabilityException(AscoraProvider.ID,
                Capability.FETCH_ONE.name() + " for " + entity.entityName() + " (Ascora has no single-record endpoint)"));
        JsonNode body;
        try {
            body = http.executeJson(HttpCall.get(path + encode(externalId)).withEntity(entity.entityName()));
        } catch (JunctionException e) {
            if (e.kind() == ErrorKind.NOT_FOUND) {
                return Optional.empty();
            }
            throw e;
        }
        if (body == null || body.isNull() || body.isMissingNode() || (body.isObject() && body.isEmpty())) {
            return Optional.empty();
        }
        return Optional.of(RemoteRecord.of(entity.entityName(), externalId, null, body));
    }

    /**
     * Customers: {@code POST /Customers/Customer}, with {@code customerId} to update and without to create. Jobs:
     * {@code POST /Jobs/Job}; an update first reads the job by number for its {@code jobId}. A job create carries
     * the idempotency key in {@code clientOrderNumber} and first looks for a job with it ({@code FilterText}), so a
     * retry after a lost response finds the job it made instead of making a second one. The answer is read back
     * with {@link #fetchOne} so what is stored is what Ascora holds.
     */
    @Override
    public RemoteRecord push(PushRequest request) {
        AscoraEntity entity = entity(request.entity());
        if (!request.changes().isObject()) {
            throw AscoraProvider.invalid("changes must be a JSON object");
        }
        ObjectNode body = ((ObjectNode) request.changes()).deepCopy();
        return switch (entity) {
            case CUSTOMERS -> {
                body.remove("customerId");
                request.externalId().ifPresent(id -> body.put("customerId", id));
                JsonNode answer = http.executeJson(post("/Customers/Customer", body).withEntity(entity.entityName()));
                checkSuccess(answer, entity.entityName());
                String id = answer.path("customer").path("customerId").asText(request.externalId().orElse(""));
                yield reread(entity, id);
            }
            case JOBS -> request.create() ? createJob(body, request.idempotencyKey()) : updateJob(request.externalId().get(), body);
            default -> throw new UnsupportedCapabilityException(AscoraProvider.ID, Capability.PUSH.name() + " for " + entity.entityName());
        };
    }

    RemoteRecord createJob(ObjectNode body, String idempotencyKey) {
        Optional<JsonNode> earlier = findJobByKey(idempotencyKey);
        if (earlier.isPresent()) {
            return reread(AscoraEntity.JOBS, earlier.get().path("jobNumber").asText());
        }
        body.remove("jobId");
        body.put("clientOrderNumber", idempotencyKey);
        JsonNode answer = http.executeJson(post("/Jobs/Job", body).withEntity("jobs"));
        checkSuccess(answer, "jobs");
        return reread(AscoraEntity.JOBS, answer.path("job").path("jobNumber").asText(""));
    }

    private RemoteRecord updateJob(String jobNumber, ObjectNode body) {
        RemoteRecord current = fetchOne(AscoraEntity.JOBS.type(), jobNumber).orElseThrow(() -> new JunctionException(
                ErrorKind.NOT_FOUND, "Ascora has no job " + jobNumber, context("jobs")));
        body.remove("jobNumber");
        body.put("jobId", current.payload().path("jobId").asText());
        JsonNode answer = http.executeJson(post("/Jobs/Job", body).withEntity("jobs"));
        checkSuccess(answer, "jobs");
        return reread(AscoraEntity.JOBS, jobNumber);
    }

    private Optional<JsonNode> findJobByKey(String key) {
        JsonNode body = http.executeJson(HttpCall.get("/Jobs/Jobs").withEntity("jobs").withQuery("FilterText", key)
                .withQuery("PageSize", "10"));
        for (JsonNode job : items(AscoraEntity.JOBS, body)) {
            if (key.equals(job.path("clientOrderNumber").asText())) {
                return Optional.of(job);
            }
        }
        return Optional.empty();
    }

    private RemoteRecord reread(AscoraEntity entity, String id) {
        if (id.isEmpty()) {
            throw new JunctionException(ErrorKind.UNEXPECTED_PAYLOAD, "Ascora's answer names no " + entity.idField(),
                    context(entity.entityName()));
        }
        return fetchOne(entity.type(), id).orElseThrow(() -> new JunctionException(ErrorKind.UNEXPECTED_PAYLOAD,
                "Ascora cannot find the " + entity.entityName() + " it just wrote: " + id, context(entity.entityName())));
    }

    @Override
    public WebhookSubscriptions webhooks() {
        return new AscoraWebhookSubscriptions(http);
    }

    /** Ascora answers writes with {@code {success, message, …}}; {@code success:false} is a refused request. */
    static void checkSuccess(JsonNode answer, String entity) {
        if (answer == null || !answer.path("success").asBoolean(false)) {
            String message = answer == null ? "" : answer.path("message").asText("");
            throw new JunctionException(ErrorKind.INVALID_REQUEST, "Ascora refused the request"
                    + (message.isEmpty() ? "" : ": " + message), context(entity));
        }
    }

    static HttpCall post(String path, JsonNode body) {
        try {
            return HttpCall.post(path, "application/json", JSON.writeValueAsBytes(body));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    static ErrorContext context(String entity) {
        return ErrorContext.provider(AscoraProvider.ID).withEntity(entity);
    }

    private static AscoraEntity entity(EntityType type) {
        return AscoraEntity.byName(type.name()).orElseThrow(() -> new JunctionException(ErrorKind.INVALID_INPUT,
                "Ascora has no entity '" + type.name() + "'", ErrorContext.provider(AscoraProvider.ID)));
    }
}
