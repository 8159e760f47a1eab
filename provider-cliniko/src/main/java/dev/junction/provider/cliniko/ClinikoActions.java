package dev.junction.provider.cliniko;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.junction.core.error.ErrorContext;
import dev.junction.core.error.ErrorKind;
import dev.junction.core.error.JunctionException;
import dev.junction.core.http.HttpCall;
import dev.junction.core.http.HttpResult;
import dev.junction.core.http.ProviderHttpClient;
import dev.junction.core.spi.Action;
import dev.junction.core.spi.Timestamps;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Cliniko's typed writes ([CLINIKO-SEC] patients, individual appointments). Core runs each with an idempotency key
 * and stores its result; Cliniko has no idempotency key of its own, so POST and PATCH are sent once and never
 * retried by the HTTP stack (a retry is the caller's, under the same key). Every input is checked before any request
 * and refused with {@code INVALID_INPUT}, unknown fields included.
 *
 * <ul>
 *   <li>{@code create_patient} {@code {"first_name", "last_name", "email"?, "date_of_birth"? (YYYY-MM-DD),
 *       "phone"?, "notes"?}}: {@code POST /patients}; returns the created patient.</li>
 *   <li>{@code update_patient} {@code {"id", and any of the fields above}}: {@code PUT /patients/:id} (Cliniko
 *       updates with PUT, sending only the given fields); returns the patient.</li>
 *   <li>{@code create_appointment} {@code {"patient_id", "practitioner_id", "appointment_type_id", "business_id",
 *       "starts_at" (ISO-8601 with offset), "ends_at"?, "notes"?}}: {@code POST /individual_appointments}; returns
 *       the appointment.</li>
 *   <li>{@code cancel_appointment} {@code {"id", "cancellation_reason"? (10, 20, 30, 40, 50 or 60; default 50,
 *       "Other"), "cancellation_note"?}}: {@code PATCH /individual_appointments/:id/cancel}; returns
 *       {@code {"id", "cancelled": true}}. The appointment stays, with {@code cancelled_at} set.</li>
 * </ul>
 *
 * <p>Stateless and thread-safe.
 */
public final class ClinikoActions {

    public static final String CREATE_PATIENT = "create_patient";
    public static final String UPDATE_PATIENT = "update_patient";
    public static final String CREATE_APPOINTMENT = "create_appointment";
    public static final String CANCEL_APPOINTMENT = "cancel_appointment";

    /** Cliniko's cancellation reasons: feeling better, condition worse, sick, away, other, work. */
    public static final Set<Integer> CANCELLATION_REASONS = Set.of(10, 20, 30, 40, 50, 60);

    private static final ObjectMapper JSON = JsonMapper.builder().build();
    private static final Set<String> PATIENT_FIELDS = Set.of("first_name", "last_name", "email", "date_of_birth", "phone", "notes");
    private static final Pattern ID = Pattern.compile("[0-9]{1,20}");
    private static final Pattern EMAIL = Pattern.compile("[^\\s@]+@[^\\s@]+\\.[^\\s@]+");
    private static final int LONGEST_TEXT = 1_000;

    private ClinikoActions() {
    }

    public static List<Action> all() {
        return List.of(
                action(CREATE_PATIENT, "Creates a patient", ClinikoActions::createPatient),
                action(UPDATE_PATIENT, "Changes a patient's name, e-mail, date of birth, phone or notes", ClinikoActions::updatePatient),
                action(CREATE_APPOINTMENT, "Books an individual appointment", ClinikoActions::createAppointment),
                action(CANCEL_APPOINTMENT, "Cancels an individual appointment (it stays, as cancelled)", ClinikoActions::cancelAppointment));
    }

    private static JsonNode createPatient(Action.ActionContext context) {
        ObjectNode input = inputObject(context, PATIENT_FIELDS);
        requireText(input, "first_name");
        requireText(input, "last_name");
        ObjectNode body = patientBody(input);
        ProviderHttpClient http = ClinikoConnector.httpClient(context.connection());
        return http.executeJson(HttpCall.post("patients", "application/json", bytes(body)).withEntity("patients"));
    }

    private static JsonNode updatePatient(Action.ActionContext context) {
        ObjectNode input = inputObject(context, union(PATIENT_FIELDS, "id"));
        String id = id(input, "id");
        input.remove("id");
        if (input.isEmpty()) {
            throw invalid("update_patient needs at least one of " + PATIENT_FIELDS);
        }
        for (String name : List.of("first_name", "last_name")) {
            if (input.has(name)) {
                requireText(input, name);
            }
        }
        ObjectNode body = patientBody(input);
        ProviderHttpClient http = ClinikoConnector.httpClient(context.connection());
        return http.executeJson(HttpCall.put("patients/" + id, "application/json", bytes(body)).withEntity("patients"));
    }

    private static JsonNode createAppointment(Action.ActionContext context) {
        ObjectNode input = inputObject(context, Set.of("patient_id", "practitioner_id", "appointment_type_id", "business_id",
                "starts_at", "ends_at", "notes"));
        ObjectNode body = JSON.createObjectNode();
        for (String name : List.of("patient_id", "practitioner_id", "appointment_type_id", "business_id")) {
            body.put(name, id(input, name));
        }
        Instant startsAt = timestamp(input, "starts_at", true);
        body.put("starts_at", startsAt.toString());
        Instant endsAt = timestamp(input, "ends_at", false);
        if (endsAt != null) {
            if (!endsAt.isAfter(startsAt)) {
                throw invalid("'ends_at' must be after 'starts_at'");
            }
            body.put("ends_at", endsAt.toString());
        }
        optionalText(input, "notes").ifPresent(notes -> body.put("notes", notes));
        ProviderHttpClient http = ClinikoConnector.httpClient(context.connection());
        return http.executeJson(HttpCall.post("individual_appointments", "application/json", bytes(body))
                .withEntity("individual_appointments"));
    }

    private static JsonNode cancelAppointment(Action.ActionContext context) {
        ObjectNode input = inputObject(context, Set.of("id", "cancellation_reason", "cancellation_note"));
        String id = id(input, "id");
        int reason = 50;
        JsonNode given = input.get("cancellation_reason");
        if (given != null && !given.isNull()) {
            if (!given.canConvertToInt() || !CANCELLATION_REASONS.contains(given.asInt()) || !(given.isInt() || given.isTextual())) {
                throw invalid("'cancellation_reason' must be one of " + new java.util.TreeSet<>(CANCELLATION_REASONS));
            }
            reason = given.asInt();
        }
        ObjectNode body = JSON.createObjectNode().put("cancellation_reason", reason);
        optionalText(input, "cancellation_note").ifPresent(note -> body.put("cancellation_note", note));
        ProviderHttpClient http = ClinikoConnector.httpClient(context.connection());
        HttpResult result = http.execute(HttpCall.patch("individual_appointments/" + id + "/cancel", "application/json", bytes(body))
                .withEntity("individual_appointments"));
        ObjectNode answer = JSON.createObjectNode().put("id", id).put("cancelled", true).put("cancellation_reason", reason);
        answer.put("status", result.status());
        return answer;
    }

    // ---- input checks ----------------------------------------------------------------------------------

    private static ObjectNode patientBody(ObjectNode input) {
        ObjectNode body = JSON.createObjectNode();
        for (String name : List.of("first_name", "last_name", "notes")) {
            optionalText(input, name).ifPresent(value -> body.put(name, value));
        }
        optionalText(input, "email").ifPresent(email -> {
            if (!EMAIL.matcher(email).matches()) {
                throw invalid("'email' is not an e-mail address");
            }
            body.put("email", email);
        });
        optionalText(input, "date_of_birth").ifPresent(date -> {
            try {
                LocalDate.parse(date);
            } catch (DateTimeParseException e) {
                throw invalid("'date_of_birth' must be a date as YYYY-MM-DD");
            }
            body.put("date_of_birth", date);
        });
        optionalText(input, "phone").ifPresent(phone -> {
            if (!phone.matches("\\+?[0-9 ()-]{3,32}")) {
                throw invalid("'phone' is not a phone number");
            }
            body.putArray("patient_phone_numbers").addObject().put("phone_type", "Mobile").put("number", phone);
        });
        return body;
    }

    private static ObjectNode inputObject(Action.ActionContext context, Set<String> allowed) {
        JsonNode input = context.input();
        if (input == null || !input.isObject()) {
            throw invalid("input must be a JSON object");
        }
        for (Iterator<String> names = input.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!allowed.contains(name)) {
                throw invalid("unknown field '" + name + "'; accepted: " + new java.util.TreeSet<>(allowed));
            }
        }
        return ((ObjectNode) input).deepCopy();
    }

    private static String id(ObjectNode input, String name) {
        JsonNode value = input.get(name);
        if (value == null || value.isNull()) {
            throw invalid("'" + name + "' is required");
        }
        String text = value.isIntegralNumber() || value.isTextual() ? value.asText() : "";
        if (!ID.matcher(text).matches()) {
            throw invalid("'" + name + "' must be a Cliniko id (digits)");
        }
        return text;
    }

    private static void requireText(ObjectNode input, String name) {
        if (optionalText(input, name).isEmpty()) {
            throw invalid("'" + name + "' is required");
        }
    }

    private static java.util.Optional<String> optionalText(ObjectNode input, String name) {
        JsonNode value = input.get(name);
        if (value == null || value.isNull()) {
            return java.util.Optional.empty();
        }
        if (!value.isTextual()) {
            throw invalid("'" + name + "' must be a string");
        }
        String text = value.asText().trim();
        if (text.length() > LONGEST_TEXT) {
            throw invalid("'" + name + "' is longer than " + LONGEST_TEXT + " characters");
        }
        return text.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(text);
    }

    private static Instant timestamp(ObjectNode input, String name, boolean required) {
        java.util.Optional<String> text = optionalText(input, name);
        if (text.isEmpty()) {
            if (required) {
                throw invalid("'" + name + "' is required");
            }
            return null;
        }
        try {
            return Timestamps.instant(text.get());
        } catch (DateTimeParseException e) {
            throw invalid("'" + name + "' must be an ISO-8601 timestamp with an offset, such as 2026-01-31T09:00:00Z");
        }
    }

    private static Set<String> union(Set<String> names, String extra) {
        java.util.Set<String> all = new java.util.HashSet<>(names);
        all.add(extra);
        return all;
    }

    private static byte[] bytes(JsonNode body) {
        try {
            return JSON.writeValueAsString(body).getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JunctionException invalid(String message) {
        return new JunctionException(ErrorKind.INVALID_INPUT, message, ErrorContext.provider(ClinikoProvider.ID));
    }

    private static Action action(String name, String description, Function<Action.ActionContext, JsonNode> body) {
        return Action.of(name, description, body);
    }
}
