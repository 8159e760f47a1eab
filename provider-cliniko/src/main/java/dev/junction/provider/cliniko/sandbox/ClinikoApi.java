package dev.junction.provider.cliniko.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.junction.sandbox.QueryParameters;
import dev.junction.sandbox.RequestRejectedException;
import dev.junction.sandbox.SandboxJson;
import dev.junction.sandbox.SandboxRequest;
import dev.junction.sandbox.SandboxResponse;
import dev.junction.sandbox.SandboxServer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The routes of the Cliniko API v1 the sandbox serves, as Cliniko's public documentation describes them
 * ([CLINIKO-README], [CLINIKO-SEC]): lists with {@code page}/{@code per_page} (default 50, at most 100),
 * {@code total_entries} and absolute {@code links.self}/{@code next}/{@code previous}; {@code q[]=field:OPvalue}
 * filters on {@code created_at} and {@code updated_at} ({@code deleted_at} on deleted listings, {@code id} with
 * {@code =}), operators {@code > >= < <= =}; separate archived (patients, appointment types), cancelled
 * (appointments), inactive (practitioners) and deleted listings; single records;
 * and the writes the actions use.
 */
final class ClinikoApi {

    static final String PREFIX = "/v1";
    private static final int DEFAULT_PER_PAGE = 50;
    private static final int MAX_PER_PAGE = 100;
    private static final Set<String> DATE_FIELDS = Set.of("created_at", "updated_at");

    private final ClinikoStore store;
    private final Clock clock;
    private final Supplier<String> baseUrl;

    ClinikoApi(ClinikoStore store, Clock clock, Supplier<String> baseUrl) {
        this.store = store;
        this.clock = clock;
        this.baseUrl = baseUrl;
    }

    void install(SandboxServer server) {
        // Specific listings before the {id} routes: the first match wins.
        server.route("GET", PREFIX + "/patients/archived", request -> list(request, SandboxEntity.PATIENTS, Listing.ARCHIVED));
        server.route("GET", PREFIX + "/individual_appointments/cancelled",
                request -> list(request, SandboxEntity.INDIVIDUAL_APPOINTMENTS, Listing.CANCELLED));
        server.route("GET", PREFIX + "/practitioners/inactive", request -> list(request, SandboxEntity.PRACTITIONERS, Listing.INACTIVE));
        server.route("GET", PREFIX + "/appointment_types/archived",
                request -> list(request, SandboxEntity.APPOINTMENT_TYPES, Listing.ARCHIVED));
        for (SandboxEntity entity : List.of(SandboxEntity.PATIENTS, SandboxEntity.INDIVIDUAL_APPOINTMENTS, SandboxEntity.INVOICES)) {
            server.route("GET", PREFIX + "/" + entity.path() + "/deleted", request -> list(request, entity, Listing.DELETED));
        }
        for (SandboxEntity entity : SandboxEntity.values()) {
            server.route("GET", PREFIX + "/" + entity.path(), request -> list(request, entity, Listing.MAIN));
            server.route("GET", PREFIX + "/" + entity.path() + "/{id}", request -> one(request, entity));
        }
        server.route("POST", PREFIX + "/patients", this::createPatient);
        server.route("PUT", PREFIX + "/patients/{id}", this::updatePatient);
        server.route("POST", PREFIX + "/patients/{id}/archive", request -> archive(request, true));
        server.route("POST", PREFIX + "/patients/{id}/unarchive", request -> archive(request, false));
        server.route("DELETE", PREFIX + "/patients/{id}", request -> delete(request, SandboxEntity.PATIENTS));
        server.route("POST", PREFIX + "/individual_appointments", this::createAppointment);
        server.route("PATCH", PREFIX + "/individual_appointments/{id}/cancel", this::cancelAppointment);
        server.route("DELETE", PREFIX + "/individual_appointments/{id}", request -> delete(request, SandboxEntity.INDIVIDUAL_APPOINTMENTS));
    }

    enum Listing { MAIN, ARCHIVED, CANCELLED, INACTIVE, DELETED }

    // ---- reads -------------------------------------------------------------------------------------------

    private SandboxResponse list(SandboxRequest request, SandboxEntity entity, Listing listing) {
        QueryParameters query = request.query();
        int perPage = positive(query, "per_page", DEFAULT_PER_PAGE);
        perPage = Math.min(perPage, MAX_PER_PAGE);
        int page = positive(query, "page", 1);
        Predicate<ClinikoStore.Entry> filter = filters(query.all("q[]"), listing == Listing.DELETED);
        List<ClinikoStore.Entry> matching = switch (listing) {
            case MAIN -> store.live(entity, filter.and(entry -> mainListing(entity, entry)));
            case ARCHIVED -> store.live(entity, filter.and(entry -> isSet(entry.body, "archived_at")));
            case CANCELLED -> store.live(entity, filter.and(entry -> entry.body.hasNonNull("cancelled_at")));
            case INACTIVE -> store.live(entity, filter.and(entry -> !entry.body.path("active").asBoolean(true)));
            case DELETED -> store.deleted(entity, filter);
        };
        int from = (int) Math.min((long) (page - 1) * perPage, matching.size());
        int to = Math.min(from + perPage, matching.size());
        ObjectNode body = SandboxJson.object();
        ArrayNode items = body.putArray(entity.path());
        for (ClinikoStore.Entry entry : matching.subList(from, to)) {
            items.add(listing == Listing.DELETED && entity == SandboxEntity.PATIENTS ? deletedPatient(entry) : entry.body.deepCopy());
        }
        body.put("total_entries", matching.size());
        ObjectNode links = body.putObject("links");
        links.put("self", pageUrl(request, page));
        if (to < matching.size()) {
            links.put("next", pageUrl(request, page + 1));
        }
        if (page > 1) {
            links.put("previous", pageUrl(request, page - 1));
        }
        return SandboxResponse.json(200, body);
    }

    /** Deleted patients are listed with their link and deletion time only (the documented example). */
    private ObjectNode deletedPatient(ClinikoStore.Entry entry) {
        ObjectNode node = SandboxJson.object();
        node.put("deleted_at", entry.body.path("deleted_at").asText());
        node.set("links", entry.body.path("links").deepCopy());
        return node;
    }

    private static boolean mainListing(SandboxEntity entity, ClinikoStore.Entry entry) {
        return switch (entity) {
            case PATIENTS, APPOINTMENT_TYPES -> !isSet(entry.body, "archived_at");
            case INDIVIDUAL_APPOINTMENTS -> !entry.body.hasNonNull("cancelled_at");
            case PRACTITIONERS -> entry.body.path("active").asBoolean(true);
            default -> true;
        };
    }

    /** Whether a timestamp field holds a value: Cliniko writes an unset one as {@code null} or {@code ""}. */
    static boolean isSet(JsonNode body, String field) {
        return body.hasNonNull(field) && !body.get(field).asText().isEmpty();
    }

    private SandboxResponse one(SandboxRequest request, SandboxEntity entity) {
        long id = id(request);
        return store.find(entity, id).map(entry -> SandboxResponse.json(200, entry.body.deepCopy()))
                .orElseGet(() -> notFound());
    }

    private String pageUrl(SandboxRequest request, int page) {
        return baseUrl.get() + request.path() + "?" + request.query().replacing("page", Integer.toString(page)).encode();
    }

    /** {@code q[]} filters as Cliniko documents them: {@code field:OPvalue}, all of which must hold. */
    private static Predicate<ClinikoStore.Entry> filters(List<String> filters, boolean deletedListing) {
        Predicate<ClinikoStore.Entry> all = entry -> true;
        for (String filter : filters) {
            int colon = filter.indexOf(':');
            if (colon < 1) {
                throw badRequest("invalid filter '" + filter + "': expected field:OPERATORvalue");
            }
            String field = filter.substring(0, colon);
            String rest = filter.substring(colon + 1);
            String operator = rest.startsWith(">=") || rest.startsWith("<=") ? rest.substring(0, 2)
                    : rest.startsWith(">") || rest.startsWith("<") || rest.startsWith("=") ? rest.substring(0, 1) : "";
            String value = rest.substring(operator.length());
            if (operator.isEmpty()) {
                throw badRequest("invalid filter '" + filter + "': unknown operator");
            }
            if (field.equals("id") && operator.equals("=")) {
                Set<String> ids = Set.of(value.split(","));
                all = all.and(entry -> ids.contains(Long.toString(entry.id)));
                continue;
            }
            if (!DATE_FIELDS.contains(field) && !(deletedListing && field.equals("deleted_at"))) {
                throw badRequest("invalid filter '" + filter + "': cannot filter on '" + field + "'");
            }
            Instant bound;
            try {
                bound = OffsetDateTime.parse(value).toInstant();
            } catch (DateTimeParseException e) {
                throw badRequest("invalid filter '" + filter + "': '" + value + "' is not a UTC date-time");
            }
            String op = operator;
            all = all.and(entry -> {
                Instant actual = switch (field) {
                    case "created_at" -> entry.createdAt;
                    case "deleted_at" -> entry.deletedAt;
                    default -> entry.updatedAt;
                };
                int comparison = actual.compareTo(bound);
                return switch (op) {
                    case ">" -> comparison > 0;
                    case ">=" -> comparison >= 0;
                    case "<" -> comparison < 0;
                    case "<=" -> comparison <= 0;
                    default -> comparison == 0;
                };
            });
        }
        return all;
    }

    // ---- writes ------------------------------------------------------------------------------------------

    private static final Set<String> PATIENT_WRITABLE = Set.of("first_name", "last_name", "preferred_first_name", "email",
            "date_of_birth", "notes", "title", "address_1", "address_2", "address_3", "city", "state", "post_code", "country",
            "patient_phone_numbers", "time_zone", "occupation", "old_reference_id");

    private SandboxResponse createPatient(SandboxRequest request) {
        JsonNode input = objectBody(request);
        requireText(input, "first_name");
        requireText(input, "last_name");
        ClinikoStore.Entry entry = store.insert(SandboxEntity.PATIENTS, clock.instant(), id -> {
            ObjectNode body = store.patientBody(id, input.get("first_name").asText(), input.get("last_name").asText(), null);
            body.putArray("patient_phone_numbers");
            copyWritable(input, body);
            return body;
        });
        return SandboxResponse.json(201, entry.body.deepCopy()).withHeader("Location", store.selfLink(SandboxEntity.PATIENTS, entry.id));
    }

    private SandboxResponse updatePatient(SandboxRequest request) {
        long id = id(request);
        JsonNode input = objectBody(request);
        for (String name : List.of("first_name", "last_name")) {
            if (input.has(name)) {
                requireText(input, name);
            }
        }
        return store.update(SandboxEntity.PATIENTS, id, clock.instant(), body -> copyWritable(input, body))
                .map(entry -> SandboxResponse.json(200, entry.body.deepCopy())).orElseGet(ClinikoApi::notFound);
    }

    private SandboxResponse archive(SandboxRequest request, boolean archived) {
        long id = id(request);
        Instant now = clock.instant();
        return store.update(SandboxEntity.PATIENTS, id, now,
                        body -> body.put("archived_at", archived ? ClinikoStore.format(now) : ""))
                .map(entry -> SandboxResponse.empty(204)).orElseGet(ClinikoApi::notFound);
    }

    private SandboxResponse delete(SandboxRequest request, SandboxEntity entity) {
        return store.delete(entity, id(request), clock.instant()) ? SandboxResponse.empty(204) : notFound();
    }

    private SandboxResponse createAppointment(SandboxRequest request) {
        JsonNode input = objectBody(request);
        long patientId = reference(input, "patient_id", SandboxEntity.PATIENTS);
        long practitionerId = reference(input, "practitioner_id", SandboxEntity.PRACTITIONERS);
        long typeId = reference(input, "appointment_type_id", SandboxEntity.APPOINTMENT_TYPES);
        long businessId = reference(input, "business_id", SandboxEntity.BUSINESSES);
        Instant startsAt = time(input, "starts_at");
        Instant endsAt;
        if (input.hasNonNull("ends_at")) {
            endsAt = time(input, "ends_at");
            if (!endsAt.isAfter(startsAt)) {
                throw unprocessable("ends_at", "must be after starts_at");
            }
        } else {
            int minutes = store.find(SandboxEntity.APPOINTMENT_TYPES, typeId).orElseThrow().body.path("duration_in_minutes").asInt(30);
            endsAt = startsAt.plus(Duration.ofMinutes(minutes));
        }
        ClinikoStore.Entry patient = store.find(SandboxEntity.PATIENTS, patientId).orElseThrow();
        String name = (patient.body.path("first_name").asText() + " " + patient.body.path("last_name").asText()).trim();
        Instant end = endsAt;
        ClinikoStore.Entry entry = store.insert(SandboxEntity.INDIVIDUAL_APPOINTMENTS, clock.instant(), id -> {
            ObjectNode body = store.appointmentBody(id, patientId, name, practitionerId, typeId, businessId, startsAt, end);
            if (input.hasNonNull("notes")) {
                body.put("notes", input.get("notes").asText());
            }
            return body;
        });
        return SandboxResponse.json(201, entry.body.deepCopy())
                .withHeader("Location", store.selfLink(SandboxEntity.INDIVIDUAL_APPOINTMENTS, entry.id));
    }

    private SandboxResponse cancelAppointment(SandboxRequest request) {
        long id = id(request);
        JsonNode input = request.body().length == 0 ? SandboxJson.object() : objectBody(request);
        int reason = input.path("cancellation_reason").asInt(50);
        if (!Set.of(10, 20, 30, 40, 50, 60).contains(reason)) {
            throw unprocessable("cancellation_reason", "is not included in the list");
        }
        Instant now = clock.instant();
        return store.update(SandboxEntity.INDIVIDUAL_APPOINTMENTS, id, now, body -> {
            body.put("cancelled_at", ClinikoStore.format(now));
            body.put("cancellation_reason", reason);
            body.put("cancellation_reason_description", ClinikoSandbox.cancellationDescription(reason));
            if (input.hasNonNull("cancellation_note")) {
                body.put("cancellation_note", input.get("cancellation_note").asText());
            }
        }).map(entry -> SandboxResponse.empty(204)).orElseGet(ClinikoApi::notFound);
    }

    private static void copyWritable(JsonNode input, ObjectNode body) {
        input.fields().forEachRemaining(field -> {
            if (PATIENT_WRITABLE.contains(field.getKey())) {
                body.set(field.getKey(), field.getValue().deepCopy());
            }
        });
    }

    // ---- helpers -----------------------------------------------------------------------------------------

    private long reference(JsonNode input, String field, SandboxEntity entity) {
        JsonNode value = input.get(field);
        long id;
        try {
            id = value == null || value.isNull() ? -1 : Long.parseLong(value.asText());
        } catch (NumberFormatException e) {
            id = -1;
        }
        if (id < 0) {
            throw unprocessable(field, "can't be blank");
        }
        if (store.find(entity, id).isEmpty()) {
            throw unprocessable(field, "does not exist");
        }
        return id;
    }

    private static Instant time(JsonNode input, String field) {
        JsonNode value = input.get(field);
        if (value == null || !value.isTextual()) {
            throw unprocessable(field, "can't be blank");
        }
        try {
            return OffsetDateTime.parse(value.asText()).toInstant();
        } catch (DateTimeParseException e) {
            throw unprocessable(field, "is not a valid date-time");
        }
    }

    private static JsonNode objectBody(SandboxRequest request) {
        JsonNode body = request.bodyAsJson();
        if (!body.isObject()) {
            throw badRequest("the body must be a JSON object");
        }
        return body;
    }

    private static void requireText(JsonNode input, String field) {
        if (!input.hasNonNull(field) || !input.get(field).isTextual() || input.get(field).asText().isBlank()) {
            throw unprocessable(field, "can't be blank");
        }
    }

    private static long id(SandboxRequest request) {
        try {
            return Long.parseLong(request.pathParameter("id"));
        } catch (NumberFormatException e) {
            throw new RequestRejectedException(notFound());
        }
    }

    private static int positive(QueryParameters query, String name, int fallback) {
        String value = query.first(name).orElse(null);
        if (value == null) {
            return fallback;
        }
        try {
            int parsed = Integer.parseInt(value);
            if (parsed < 1) {
                throw new NumberFormatException();
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw badRequest("'" + name + "' must be a positive integer");
        }
    }

    static SandboxResponse notFound() {
        return SandboxResponse.json(404, Map.of("message", "Not found"));
    }

    private static RequestRejectedException badRequest(String message) {
        return new RequestRejectedException(SandboxResponse.json(400, Map.of("message", message)));
    }

    private static RequestRejectedException unprocessable(String field, String message) {
        return new RequestRejectedException(SandboxResponse.json(422,
                Map.of("message", "Validation failed", "errors", Map.of(field, List.of(message)))));
    }
}
