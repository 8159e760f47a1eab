package dev.junction.provider.stripe;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.junction.core.error.ErrorContext;
import dev.junction.core.error.ErrorKind;
import dev.junction.core.error.JunctionException;
import dev.junction.core.http.HttpCall;
import dev.junction.core.http.PageResponse;
import dev.junction.core.http.Pages;
import dev.junction.core.http.Pagination;
import dev.junction.core.http.PaginationStrategy;
import dev.junction.core.http.ProviderHttpClient;
import dev.junction.core.spi.Connector;
import dev.junction.core.spi.ConnectorContext;
import dev.junction.core.spi.EntityType;
import dev.junction.core.spi.FetchRequest;
import dev.junction.core.spi.Page;
import dev.junction.core.spi.RateLimitPolicy;
import dev.junction.core.spi.RemoteRecord;
import dev.junction.core.spi.WebhookSubscriptions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads Stripe for one connection.
 *
 * <p><b>Full passes</b> list {@code /v1/<entity>?limit=100} and page with {@code starting_after} = the last id while
 * {@code has_more} ([STRIPE-DOCS] https://docs.stripe.com/api/pagination). Subscriptions are listed with
 * {@code status=all}: by default Stripe leaves canceled ones out.
 *
 * <p><b>Incremental passes</b> read the Events API: {@code /v1/events?created[gte]=<since>&types[]=...} with the
 * entity's event types; each event's {@code data.object} becomes a record, a {@code *.deleted} event a tombstone
 * (see {@link StripeEntity#isDeletion}). Events come newest first, so the first event of an object in a pass is its
 * latest state; older events of the same object later in the pass are skipped (remembered per pass in this
 * connector; a pass resumed after a crash re-reads the event ids of the pages before its cursor first). Stripe keeps events for 30
 * days only; when {@code since} is older than {@link #EVENT_RETENTION}, the pass lists the whole entity instead
 * (cursor prefix {@code list:}), so the engine's incremental pass sees every live record. Objects deleted in that
 * gap are not seen by such a pass; the next full pass sweeps them.
 *
 * <p><b>Nested lists.</b> A subscription's {@code items} and an invoice's {@code lines} are embedded lists that may
 * say {@code has_more}; the rest is read from {@code /v1/subscription_items?subscription=} and
 * {@code /v1/invoices/<id>/lines}, and the stored payload holds the complete list with {@code has_more: false}.
 *
 * <p>Cursors are {@code list:<last id>} or {@code events:<last event id>}. Used by one thread at a time.
 */
final class StripeConnector implements Connector {

    /** How far back Stripe guarantees events can be listed ([STRIPE-DOCS] /api/events). */
    static final Duration EVENT_RETENTION = Duration.ofDays(30);
    static final int MAX_LIMIT = 100;
    static final PaginationStrategy PAGING = Pagination.startingAfter("starting_after", "/has_more", "/data", "id");
    private static final String LIST = "list:";
    private static final String EVENTS = "events:";

    private final ProviderHttpClient http;
    private final Clock clock;
    private final String connectionId;
    private String passKey;
    private final Set<String> seenInPass = new HashSet<>();

    StripeConnector(ConnectorContext context) {
        this.http = httpClient(context);
        this.clock = context.clock();
        this.connectionId = context.connectionId();
    }

    /**
     * The connection's client: Bearer key, pinned {@code Stripe-Version}, {@code Idempotency-Key} as the idempotency
     * header (so keyed POSTs are retried), and the test-mode budget for test keys unless the hub set its own.
     */
    static ProviderHttpClient httpClient(ConnectorContext context) {
        String key = StripeProvider.checkedKey(context.connectionSettings().get(StripeProvider.API_KEY).orElse(null));
        String base = StripeProvider.baseUrl(context.connectionSettings()) + "/v1";
        return context.http(base, (prepared, credentials) -> {
            RateLimitPolicy limit = prepared.rateLimit();
            if (StripeProvider.testMode(key) && limit.equals(StripeProvider.LIVE_RATE_LIMIT)) {
                limit = StripeProvider.TEST_RATE_LIMIT;
            }
            return prepared
                    .withAuthenticator(() -> Map.of("Authorization", "Bearer " + key))
                    .withDefaultHeader("Stripe-Version", StripeProvider.API_VERSION)
                    .withDefaultHeader("Accept", "application/json")
                    .withIdempotencyHeader("Idempotency-Key")
                    .withRetry(prepared.retry().withAdviceHeader("Stripe-Should-Retry"))
                    .withRateLimit(limit);
        });
    }

    @Override
    public String providerId() {
        return StripeProvider.ID;
    }

    @Override
    public Page fetch(FetchRequest request) {
        StripeEntity entity = entity(request.entity());
        int limit = Math.min(request.pageSize(), MAX_LIMIT);
        Optional<String> cursor = request.cursor();
        boolean useEvents;
        if (cursor.isPresent()) {
            useEvents = cursor.get().startsWith(EVENTS);
            if (!useEvents && !cursor.get().startsWith(LIST)) {
                throw new JunctionException(ErrorKind.INVALID_INPUT, "not a Stripe cursor: '" + cursor.get() + "'", context(entity));
            }
        } else {
            useEvents = request.since().isPresent() && (entity == StripeEntity.EVENTS
                    || !request.since().get().isBefore(clock.instant().minus(EVENT_RETENTION)));
        }
        Optional<String> lastId = cursor.map(value -> value.substring(value.indexOf(':') + 1));
        return useEvents ? fetchEvents(entity, request, limit, lastId) : fetchList(entity, request, limit, lastId);
    }

    private Page fetchList(StripeEntity entity, FetchRequest request, int limit, Optional<String> lastId) {
        HttpCall first = HttpCall.get(entity.apiName()).withEntity(entity.apiName()).withQuery("limit", Integer.toString(limit));
        if (entity == StripeEntity.SUBSCRIPTIONS) {
            first = first.withQuery("status", "all");
        }
        if (entity == StripeEntity.EVENTS && request.since().isPresent()) {
            first = first.withQuery("created[gte]", Long.toString(request.since().get().getEpochSecond()));
        }
        PageResponse response = http.fetchPage(first, PAGING, lastId);
        List<RemoteRecord> records = new ArrayList<>();
        List<String> unreadable = new ArrayList<>();
        for (JsonNode item : items(response, entity)) {
            Optional<String> id = id(item);
            if (id.isEmpty()) {
                unreadable.add(item.toString());
                continue;
            }
            records.add(RemoteRecord.of(entity.apiName(), id.get(), updatedAt(item), complete(entity, item)));
        }
        return new Page(records, response.nextCursor().map(next -> LIST + next), unreadable);
    }

    private Page fetchEvents(StripeEntity entity, FetchRequest request, int limit, Optional<String> lastId) {
        HttpCall first = HttpCall.get("events").withEntity(entity.apiName()).withQuery("limit", Integer.toString(limit));
        if (request.since().isPresent()) {
            first = first.withQuery("created[gte]", Long.toString(request.since().get().getEpochSecond()));
        }
        if (!entity.eventTypes().isEmpty()) {
            first = first.withQuery("types[]", entity.eventTypes());
        }
        String key = entity.apiName() + "|" + request.since().map(Instant::toString).orElse("") + "|" + request.until();
        if (!key.equals(passKey)) {
            passKey = key;
            seenInPass.clear();
            if (lastId.isPresent() && entity != StripeEntity.EVENTS) {
                rememberPagesBefore(first, entity, lastId.get());
            }
        }
        PageResponse response = http.fetchPage(first, PAGING, lastId);
        List<RemoteRecord> records = new ArrayList<>();
        List<String> unreadable = new ArrayList<>();
        for (JsonNode event : items(response, entity)) {
            Optional<String> eventId = id(event);
            if (eventId.isEmpty()) {
                unreadable.add(event.toString());
                continue;
            }
            if (entity == StripeEntity.EVENTS) {
                records.add(RemoteRecord.of(entity.apiName(), eventId.get(), updatedAt(event), event));
                continue;
            }
            JsonNode object = event.path("data").path("object");
            String type = event.path("type").asText("");
            if (!entity.objectName().equals(object.path("object").asText())) {
                continue; // another object under a matching type (never expected for the types asked for)
            }
            Optional<String> id = id(object);
            if (id.isEmpty()) {
                unreadable.add(event.toString());
                continue;
            }
            if (!seenInPass.add(id.get())) {
                continue; // a newer event of this object came earlier in the pass
            }
            records.add(StripeEntity.isDeletion(type, entity.objectName())
                    ? RemoteRecord.tombstone(entity.apiName(), id.get(), object)
                    : RemoteRecord.of(entity.apiName(), id.get(), updatedAt(event), complete(entity, object)));
        }
        return new Page(records, response.nextCursor().map(next -> EVENTS + next), unreadable);
    }

    /**
     * A pass resumed after a crash (or by another process) has not seen the pages before its cursor: re-read their
     * events, ids only, so an older event of an object does not overwrite the newer state those pages stored.
     * Costs the already-read pages once more, on resume only.
     */
    private void rememberPagesBefore(HttpCall first, StripeEntity entity, String lastEventId) {
        for (JsonNode page : Pages.all(http, first, PAGING)) {
            for (JsonNode event : page.path("data")) {
                JsonNode object = event.path("data").path("object");
                if (entity.objectName().equals(object.path("object").asText())) {
                    id(object).ifPresent(seenInPass::add);
                }
                if (lastEventId.equals(event.path("id").asText())) {
                    return;
                }
            }
        }
    }

    @Override
    public Optional<RemoteRecord> fetchOne(EntityType type, String externalId) {
        StripeEntity entity = entity(type);
        try {
            JsonNode item = http.executeJson(HttpCall.get(entity.apiName() + "/" + pathSegment(externalId)).withEntity(entity.apiName()));
            if (!item.isObject()) {
                throw new JunctionException(ErrorKind.UNEXPECTED_PAYLOAD, "Stripe answered a non-object", context(entity));
            }
            if (item.path("deleted").asBoolean(false)) {
                return Optional.empty(); // a deleted customer or product retrieves as {"id", "object", "deleted": true}
            }
            return Optional.of(RemoteRecord.of(entity.apiName(), externalId, updatedAt(item), complete(entity, item)));
        } catch (JunctionException e) {
            if (e.kind() == ErrorKind.NOT_FOUND) {
                return Optional.empty();
            }
            throw e;
        }
    }

    @Override
    public WebhookSubscriptions webhooks() {
        return new StripeWebhookSubscriptions(http, connectionId);
    }

    /** The object with its embedded {@code items} / {@code lines} list completed when it says {@code has_more}. */
    private JsonNode complete(StripeEntity entity, JsonNode item) {
        if (entity == StripeEntity.SUBSCRIPTIONS) {
            return completeList(item, "items", HttpCall.get("subscription_items")
                    .withQuery("subscription", item.path("id").asText()), entity);
        }
        if (entity == StripeEntity.INVOICES) {
            return completeList(item, "lines", HttpCall.get("invoices/" + pathSegment(item.path("id").asText()) + "/lines"), entity);
        }
        return item;
    }

    private JsonNode completeList(JsonNode item, String field, HttpCall listCall, StripeEntity entity) {
        JsonNode nested = item.path(field);
        if (!nested.path("has_more").asBoolean(false) || !item.isObject()) {
            return item;
        }
        ArrayNode all = ((ObjectNode) nested).arrayNode();
        HttpCall first = listCall.withEntity(entity.apiName()).withQuery("limit", Integer.toString(MAX_LIMIT));
        for (JsonNode page : Pages.all(http, first, PAGING)) {
            page.path("data").forEach(all::add);
        }
        ObjectNode copy = ((ObjectNode) item).deepCopy();
        ObjectNode list = ((ObjectNode) nested).deepCopy();
        list.set("data", all);
        list.put("has_more", false);
        if (list.has("total_count")) {
            list.put("total_count", all.size());
        }
        copy.set(field, list);
        return copy;
    }

    private static JsonNode items(PageResponse response, StripeEntity entity) {
        JsonNode data = response.body().path("data");
        if (!data.isArray()) {
            throw new JunctionException(ErrorKind.UNEXPECTED_PAYLOAD, "Stripe list response has no 'data' array",
                    context(entity).withRequestId(response.result().requestId()));
        }
        return data;
    }

    private static Optional<String> id(JsonNode item) {
        JsonNode id = item.get("id");
        return id != null && id.isTextual() && !id.asText().isBlank() ? Optional.of(id.asText()) : Optional.empty();
    }

    /** {@code updated} (products) or {@code created}, unix seconds; null when absent. */
    static Instant updatedAt(JsonNode item) {
        JsonNode value = item.hasNonNull("updated") ? item.get("updated") : item.get("created");
        return value != null && value.isIntegralNumber() ? Instant.ofEpochSecond(value.longValue()) : null;
    }

    static String pathSegment(String id) {
        if (id == null || !id.matches("[A-Za-z0-9_]{1,255}")) {
            throw JunctionException.invalidInput("not a Stripe object id: '" + id + "'");
        }
        return id;
    }

    private static StripeEntity entity(EntityType type) {
        return StripeEntity.byName(type.name()).orElseThrow(() -> new JunctionException(ErrorKind.INVALID_INPUT,
                "Stripe has no entity '" + type.name() + "'", ErrorContext.provider(StripeProvider.ID)));
    }

    private static ErrorContext context(StripeEntity entity) {
        return ErrorContext.provider(StripeProvider.ID).withEntity(entity.apiName());
    }
}
