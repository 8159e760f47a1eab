package dev.junction.provider.clio.sandbox;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.junction.sandbox.AccessGrant;
import dev.junction.sandbox.Dataset;
import dev.junction.sandbox.DatasetChange;
import dev.junction.sandbox.DatasetFilter;
import dev.junction.sandbox.DatasetPage;
import dev.junction.sandbox.DatasetRecord;
import dev.junction.sandbox.FixedWindowRateLimiter;
import dev.junction.sandbox.OAuthAuthorizationServer;
import dev.junction.sandbox.OffsetPage;
import dev.junction.sandbox.PageToken;
import dev.junction.sandbox.QueryParameters;
import dev.junction.sandbox.RateLimitDecision;
import dev.junction.sandbox.RequestRejectedException;
import dev.junction.sandbox.RouteHandler;
import dev.junction.sandbox.SandboxJson;
import dev.junction.sandbox.SandboxRequest;
import dev.junction.sandbox.SandboxResponse;
import dev.junction.sandbox.SandboxServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * The routes of the simulated Clio Manage API v4, and the checks every {@code /api/v4} request
 * passes, in order: {@code X-API-VERSION} (410 when invalid), bearer token (401), rate limit per
 * access token (429), {@code custom_action_nonce} (403). Thread-safe.
 */
final class ClioApi {

    static final String PREFIX = "/api/v4";
    static final String DEFAULT_VERSION = "4.0.9";
    static final int MAXIMUM_LIMIT = 200;
    static final long OFFSET_RECORD_LIMIT = 10_000;

    private static final Pattern VERSION = Pattern.compile("4\\.\\d+\\.\\d+");
    private static final Set<String> CONTACT_WRITABLE_FIELDS = Set.of(
            "name", "first_name", "middle_name", "last_name", "type", "prefix", "title", "date_of_birth", "is_client",
            "clio_connect_email", "ledes_client_id", "sales_tax_number", "email_addresses", "phone_numbers",
            "addresses", "custom_field_values");

    private final SandboxServer server;
    private final ClioRecordStore store;
    private final OAuthAuthorizationServer oauth;
    private final FixedWindowRateLimiter rateLimiter;
    private final ClioCustomActions customActions;
    private final ClioWebhooks webhooks;
    /** Rendered list pages by entity and query, with the dataset version they show; null when pages are not kept. */
    private final java.util.concurrent.ConcurrentHashMap<String, RenderedPage> pageCache;

    private record RenderedPage(long version, byte[] body) {}

    ClioApi(SandboxServer server, ClioRecordStore store, OAuthAuthorizationServer oauth,
            FixedWindowRateLimiter rateLimiter, ClioCustomActions customActions, ClioWebhooks webhooks, boolean keepPages) {
        this.pageCache = keepPages ? new java.util.concurrent.ConcurrentHashMap<>() : null;
        this.server = server;
        this.store = store;
        this.oauth = oauth;
        this.rateLimiter = rateLimiter;
        this.customActions = customActions;
        this.webhooks = webhooks;
    }

    /** Adds the filter and every route to the server. */
    void install() {
        server.filter(PREFIX + "/**", this::filter);
        route("GET", "/users/who_am_i", this::whoAmI);
        for (ClioEntity entity : ClioEntity.values()) {
            route("GET", "/" + entity.path(), request -> list(entity, request));
            route("GET", "/" + entity.path() + "/{id}", request -> show(entity, request));
        }
        route("POST", "/contacts", this::createContact);
        route("PATCH", "/contacts/{id}", this::updateContact);
        route("DELETE", "/contacts/{id}", request -> delete(ClioEntity.CONTACTS, request));
        route("POST", "/custom_actions", this::createCustomAction);
        route("PATCH", "/custom_actions/{id}", this::updateCustomAction);
        route("DELETE", "/custom_actions/{id}", request -> delete(ClioEntity.CUSTOM_ACTIONS, request));
        route("POST", "/webhooks", this::createWebhook);
        route("PATCH", "/webhooks/{id}", this::updateWebhook);
        route("DELETE", "/webhooks/{id}", this::deleteWebhook);
        route("POST", "/webhooks/{id}/activate", this::activateWebhook);
        route("PUT", "/webhooks/{id}/activate", this::activateWebhook);
        for (String method : new String[] {"GET", "POST", "PUT", "PATCH", "DELETE"}) {
            server.route(method, PREFIX + "/**", request -> {
                throw ClioErrors.notFound("No such endpoint: " + request.method() + " " + request.path());
            });
        }
    }

    /** Registers {@code path} with the {@code .json} suffix of the reference, and without it. */
    private void route(String method, String path, RouteHandler handler) {
        server.route(method, PREFIX + path + ".json", handler);
        server.route(method, PREFIX + path, handler);
    }

    private SandboxResponse filter(SandboxRequest request, RouteHandler next) {
        Optional<String> version = request.header("X-API-VERSION");
        if (version.isPresent() && !VERSION.matcher(version.get()).matches()) {
            return ClioErrors.response(410, "ApiVersionError",
                    "API version '" + version.get() + "' is invalid or no longer supported");
        }
        AccessGrant grant = oauth.authenticate(request);
        RateLimitDecision decision = rateLimiter.acquire(grant.accessToken());
        if (!decision.allowed()) {
            return ClioErrors.response(429, "RateLimited",
                    "Rate limit exceeded. Retry in " + decision.retryAfterSeconds() + " seconds.")
                    .withHeaders(decision.headers());
        }
        SandboxResponse response;
        try {
            customActions.checkNonce(request, grant);
            response = next.handle(request);
        } catch (RequestRejectedException rejected) {
            response = rejected.response();
        }
        response = response.withHeaders(decision.headers());
        // Clio echoes the version used on every successful response.
        return response.status() < 400
                ? response.withHeader("X-API-VERSION", version.orElse(DEFAULT_VERSION))
                : response;
    }

    private SandboxResponse list(ClioEntity entity, SandboxRequest request) {
        QueryParameters query = request.query().without(ClioCustomActions.NONCE_PARAMETER);
        if (pageCache == null) {
            return SandboxResponse.bytes(200, SandboxResponse.JSON_CONTENT_TYPE, render(entity, request, query));
        }
        // The same query of an unchanged dataset renders the same bytes (parameters in any order).
        String key = entity.path() + "?" + query.parameters().stream().map(p -> p.name() + "=" + p.value()).sorted()
                .collect(java.util.stream.Collectors.joining("&"));
        long version = store.dataset(entity).version();
        RenderedPage kept = pageCache.get(key);
        if (kept == null || kept.version() != version) {
            kept = new RenderedPage(version, render(entity, request, query));
            pageCache.put(key, kept);
        }
        return SandboxResponse.bytes(200, SandboxResponse.JSON_CONTENT_TYPE, kept.body());
    }

    private byte[] render(ClioEntity entity, SandboxRequest request, QueryParameters query) {
        FieldSelection fields = fields(request, entity);
        int limit = limit(query);
        String order = query.first("order").orElse("id(asc)");
        if (!order.equals("id(asc)")) {
            throw ClioErrors.badRequest("The sandbox supports only order=id(asc)");
        }
        DatasetFilter filter = DatasetFilter.none()
                .withUpdatedSince(timestamp(query, "updated_since"))
                .withCreatedSince(timestamp(query, "created_since"));
        Dataset dataset = store.dataset(entity);
        ObjectNode paging = SandboxJson.object();
        DatasetPage page;
        Optional<String> offset = query.first("offset");
        if (offset.isPresent()) {
            OffsetPage window = new OffsetPage(number(offset.get(), "offset"), limit);
            if (window.exceeds(OFFSET_RECORD_LIMIT)) {
                throw ClioErrors.argumentError("Offset pagination is limited to the first " + OFFSET_RECORD_LIMIT
                        + " records; use cursor pagination (order=id(asc) without offset) to read further");
            }
            page = dataset.pageAt(window, filter);
            window.previous().ifPresent(previous ->
                    paging.put("previous", url(request, query.replacing("offset", Long.toString(previous.offset())))));
            if (page.hasMore()) {
                paging.put("next", url(request, query.replacing("offset", Long.toString(window.next().offset()))));
            }
        } else {
            long afterId = query.first("page_token")
                    .map(token -> PageToken.decode(token)
                            .orElseThrow(() -> ClioErrors.badRequest("Invalid page_token")))
                    .map(PageToken::afterId)
                    .orElse(0L);
            page = dataset.pageAfter(afterId, limit, filter);
            if (page.hasMore()) {
                // The next URL repeats the whole query (fields, filters, limit) with a new page_token.
                String token = new PageToken(page.lastId().orElseThrow()).encode();
                paging.put("next", url(request, query.replacing("page_token", token)));
            }
        }
        // Streamed: each record's selected fields go straight from its body to the response bytes.
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(16 * 1024);
        try (JsonGenerator json = SandboxJson.mapper().getFactory().createGenerator(bytes)) {
            json.writeStartObject();
            json.writeArrayFieldStart("data");
            for (DatasetRecord record : page.records()) {
                fields.write(json, record.bodyView());
            }
            json.writeEndArray();
            json.writeObjectFieldStart("meta");
            json.writeFieldName("paging");
            SandboxJson.mapper().writeTree(json, paging);
            json.writeNumberField("records", dataset.count(filter));
            json.writeEndObject();
            json.writeEndObject();
        } catch (IOException impossible) {
            throw new UncheckedIOException("writing to memory cannot fail", impossible);
        }
        return bytes.toByteArray();
    }

    private SandboxResponse show(ClioEntity entity, SandboxRequest request) {
        FieldSelection fields = fields(request, entity);
        DatasetRecord record = existing(entity, request);
        ObjectNode body = record.body();
        String etag = body.path("etag").asText();
        Map<String, String> headers = Map.of(
                "ETag", etag,
                "Last-Modified",
                DateTimeFormatter.RFC_1123_DATE_TIME.format(record.updatedAt().atOffset(ZoneOffset.UTC)));
        if (request.header("If-None-Match").filter(etag::equals).isPresent()) {
            return SandboxResponse.empty(304).withHeaders(headers);
        }
        return recordResponse(200, fields, record).withHeaders(headers);
    }

    private SandboxResponse whoAmI(SandboxRequest request) {
        FieldSelection fields = fields(request, ClioEntity.USERS);
        String subject = oauth.authenticate(request).subject();
        DatasetRecord user = parseId(subject)
                .flatMap(id -> store.find(ClioEntity.USERS, id))
                .orElseThrow(() -> ClioErrors.notFound("The token's user " + subject + " does not exist"));
        return recordResponse(200, fields, user);
    }

    private SandboxResponse createContact(SandboxRequest request) {
        FieldSelection fields = fields(request, ClioEntity.CONTACTS);
        ObjectNode data = data(request, CONTACT_WRITABLE_FIELDS);
        if (!data.hasNonNull("type")) {
            data.put("type", "Person");
        }
        splitPersonName(data);
        DatasetRecord created = store.createFromApi(ClioEntity.CONTACTS, data, ClioApi::checkContact);
        return recordResponse(201, fields, created);
    }

    private SandboxResponse updateContact(SandboxRequest request) {
        FieldSelection fields = fields(request, ClioEntity.CONTACTS);
        ObjectNode data = data(request, CONTACT_WRITABLE_FIELDS);
        DatasetRecord current = existing(ClioEntity.CONTACTS, request);
        checkIfMatch(request, current);
        if (!data.has("type")) {
            data.put("type", current.body().path("type").asText());
        }
        splitPersonName(data);
        return updated(ClioEntity.CONTACTS, current.id(), data, ClioApi::checkContact, fields);
    }

    private SandboxResponse createCustomAction(SandboxRequest request) {
        FieldSelection fields = fields(request, ClioEntity.CUSTOM_ACTIONS);
        ObjectNode data = data(request, ClioCustomActions.WRITABLE_FIELDS);
        DatasetRecord created = store.createFromApi(ClioEntity.CUSTOM_ACTIONS, data, ClioCustomActions::check);
        return recordResponse(201, fields, created);
    }

    private SandboxResponse updateCustomAction(SandboxRequest request) {
        FieldSelection fields = fields(request, ClioEntity.CUSTOM_ACTIONS);
        ObjectNode data = data(request, ClioCustomActions.WRITABLE_FIELDS);
        DatasetRecord current = existing(ClioEntity.CUSTOM_ACTIONS, request);
        checkIfMatch(request, current);
        return updated(ClioEntity.CUSTOM_ACTIONS, current.id(), data, ClioCustomActions::check, fields);
    }

    private SandboxResponse updated(ClioEntity entity, long id, ObjectNode data, Consumer<ObjectNode> check,
            FieldSelection fields) {
        DatasetChange change = store.updateFromApi(entity, id, data, check)
                .orElseThrow(() -> ClioErrors.notFound("No " + entity.path() + " record with id " + id));
        return recordResponse(200, fields, change.after());
    }

    private SandboxResponse delete(ClioEntity entity, SandboxRequest request) {
        DatasetRecord current = existing(entity, request);
        store.delete(entity, current.id());
        return SandboxResponse.empty(204);
    }

    private SandboxResponse createWebhook(SandboxRequest request) {
        FieldSelection fields = fields(request, ClioEntity.WEBHOOKS);
        DatasetRecord created = webhooks.create(data(request, ClioWebhooks.WRITABLE_FIELDS));
        return recordResponse(201, fields, created);
    }

    private SandboxResponse updateWebhook(SandboxRequest request) {
        FieldSelection fields = fields(request, ClioEntity.WEBHOOKS);
        ObjectNode data = data(request, ClioWebhooks.WRITABLE_FIELDS);
        DatasetRecord current = existing(ClioEntity.WEBHOOKS, request);
        checkIfMatch(request, current);
        DatasetRecord updated = webhooks.update(current.id(), data)
                .orElseThrow(() -> ClioErrors.notFound("No webhook with id " + current.id()));
        return recordResponse(200, fields, updated);
    }

    private SandboxResponse deleteWebhook(SandboxRequest request) {
        webhooks.delete(existing(ClioEntity.WEBHOOKS, request).id());
        return SandboxResponse.empty(204);
    }

    private SandboxResponse activateWebhook(SandboxRequest request) {
        FieldSelection fields = fields(request, ClioEntity.WEBHOOKS);
        long id = existing(ClioEntity.WEBHOOKS, request).id();
        String secret = request.header(ClioWebhooks.SECRET_HEADER)
                .orElseThrow(() -> ClioErrors.invalidRecord(
                        "The " + ClioWebhooks.SECRET_HEADER + " header is required"));
        DatasetRecord activated = webhooks.activate(id, secret)
                .orElseThrow(() -> ClioErrors.notFound("No webhook with id " + id));
        return recordResponse(200, fields, activated);
    }

    /** Clio's answer that carries one record: {@code {"data": {...}}}, with the fields the request selected. */
    private static SandboxResponse recordResponse(int status, FieldSelection fields, DatasetRecord record) {
        return SandboxResponse.json(status, Map.of("data", fields.project(record.body())));
    }

    /** Checks a contact as Clio does when it is saved. */
    static void checkContact(ObjectNode contact) {
        String type = contact.path("type").asText();
        if (type.equals("Person")) {
            if (contact.path("first_name").asText("").isBlank() && contact.path("last_name").asText("").isBlank()) {
                throw ClioErrors.invalidRecord("At least one of first name or last name must be provided");
            }
        } else if (type.equals("Company")) {
            if (contact.path("name").asText("").isBlank()) {
                throw ClioErrors.invalidRecord("Name can't be blank");
            }
        } else {
            throw ClioErrors.invalidRecord("type must be Person or Company");
        }
    }

    /** Clio infers a person's first and last name from {@code name} when only the full name is given. */
    private static void splitPersonName(ObjectNode data) {
        boolean nameOnly = data.path("type").asText().equals("Person") && data.hasNonNull("name")
                && !data.has("first_name") && !data.has("last_name");
        if (!nameOnly) {
            return;
        }
        String name = data.get("name").asText().trim();
        int space = name.lastIndexOf(' ');
        if (space < 0) {
            throw ClioErrors.invalidRecord("At least one of first name or last name must be provided");
        }
        data.put("first_name", name.substring(0, space).trim());
        data.put("last_name", name.substring(space + 1));
    }

    private static ObjectNode data(SandboxRequest request, Set<String> writableFields) {
        JsonNode data = request.bodyAsJson().get("data");
        if (data == null || !data.isObject()) {
            throw ClioErrors.invalidRecord("The request body must be a JSON object {\"data\": {...}}");
        }
        Iterator<String> names = data.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!writableFields.contains(name)) {
                throw ClioErrors.invalidRecord("Unknown or read-only field: " + name);
            }
        }
        return ((ObjectNode) data).deepCopy();
    }

    private static void checkIfMatch(SandboxRequest request, DatasetRecord current) {
        Optional<String> expected = request.header("If-Match");
        if (expected.isPresent() && !expected.get().equals(current.body().path("etag").asText())) {
            throw new RequestRejectedException(ClioErrors.response(412, "PreconditionFailed",
                    "The record has changed since the ETag in If-Match was issued"));
        }
    }

    private DatasetRecord existing(ClioEntity entity, SandboxRequest request) {
        String id = request.pathParameter("id");
        return parseId(id)
                .flatMap(number -> store.find(entity, number))
                .orElseThrow(() -> ClioErrors.notFound("No " + entity.path() + " record with id " + id));
    }

    private static Optional<Long> parseId(String text) {
        try {
            return Optional.of(Long.parseLong(text));
        } catch (NumberFormatException notANumber) {
            return Optional.empty();
        }
    }

    private static FieldSelection fields(SandboxRequest request, ClioEntity entity) {
        try {
            return FieldSelection.parse(request.queryParameter("fields").orElse(null), entity.schema());
        } catch (FieldSelection.InvalidFieldsException invalid) {
            throw ClioErrors.badRequest(invalid.getMessage());
        }
    }

    private static int limit(QueryParameters query) {
        long limit = query.first("limit").map(text -> number(text, "limit")).orElse((long) MAXIMUM_LIMIT);
        if (limit < 1 || limit > MAXIMUM_LIMIT) {
            throw ClioErrors.badRequest("limit must be between 1 and " + MAXIMUM_LIMIT);
        }
        return (int) limit;
    }

    private static long number(String text, String parameter) {
        return parseId(text).filter(value -> value >= 0)
                .orElseThrow(() -> ClioErrors.badRequest(parameter + " must be a non-negative integer"));
    }

    private static Instant timestamp(QueryParameters query, String parameter) {
        return query.first(parameter)
                .map(text -> ClioFormats.parseTimestamp(text).orElseThrow(() -> ClioErrors.badRequest(
                        parameter + " must be an ISO-8601 timestamp with an offset, such as 2024-05-01T12:00:00Z")))
                .orElse(null);
    }

    private String url(SandboxRequest request, QueryParameters query) {
        return server.baseUrl() + request.path() + "?" + query.encode();
    }
}
