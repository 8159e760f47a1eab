package dev.junction.provider.cliniko;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.junction.core.ActionResult;
import dev.junction.core.ChangeEvent;
import dev.junction.core.Connection;
import dev.junction.core.EntitySyncStats;
import dev.junction.core.Hub;
import dev.junction.core.StoredRecord;
import dev.junction.core.SyncRequest;
import dev.junction.core.SyncRun;
import dev.junction.core.SyncStatus;
import dev.junction.core.crypto.SecretCipher;
import dev.junction.core.error.ErrorKind;
import dev.junction.core.error.JunctionException;
import dev.junction.core.model.Appointment;
import dev.junction.core.model.Contact;
import dev.junction.core.spi.RateLimitPolicy;
import dev.junction.provider.cliniko.ClinikoActivePatients.PatientActivity;
import dev.junction.provider.cliniko.sandbox.ClinikoSandbox;
import dev.junction.provider.cliniko.sandbox.SandboxEntity;
import dev.junction.sandbox.LoggedRequest;
import dev.junction.testkit.TestDatabase;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Cliniko through the Hub against ClinikoSandbox, on both databases: archived and cancelled records as states,
 * incremental passes with tombstones from the deleted listings, the active-patients view kept current by syncs, and
 * the actions run once per idempotency key.
 */
class ClinikoThroughHubTest {

    private static final String TENANT = "clinic";

    private ClinikoSandbox sandbox;
    private TestDatabase database;
    private Hub hub;
    private Connection connection;

    void start(TestDatabase.Kind kind) {
        sandbox = ClinikoSandbox.builder()
                .withRecordCount(SandboxEntity.PATIENTS, 60)
                .withRecordCount(SandboxEntity.INDIVIDUAL_APPOINTMENTS, 240)
                .withRecordCount(SandboxEntity.INVOICES, 40)
                .withRateLimit(1_000_000, Duration.ofMinutes(1))
                .start();
        database = TestDatabase.create(kind, "ClinikoThroughHubTest");
        hub = database.configure(Hub.builder())
                .withEncryptionKey("k1", SecretCipher.generateKey())
                .withBackgroundInterval(Duration.ZERO)
                .withPageSize(50)
                .withRateLimit(ClinikoProvider.ID, RateLimitPolicy.UNLIMITED)
                .withProvider(new ClinikoProvider(), dev.junction.core.spi.Settings.of(ClinikoProvider.USER_AGENT,
                        ClinikoConformanceTest.ClinikoConformanceSandbox.USER_AGENT))
                .build();
        connection = hub.createConnection(dev.junction.core.NewConnection.of(TENANT, ClinikoProvider.ID)
                .withSetting(ClinikoProvider.API_KEY, sandbox.apiKey())
                .withSetting(ClinikoProvider.BASE_URL, sandbox.baseUrl()));
    }

    @AfterEach
    void stop() {
        if (hub != null) hub.close();
        if (database != null) database.close();
        if (sandbox != null) sandbox.close();
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void archivedPatientsAndCancelledAppointmentsAreStatesNotDeletions(TestDatabase.Kind kind) {
        start(kind);
        SyncRun full = sync(SyncRequest.full());
        assertThat(full.status()).as(full.toString()).isEqualTo(SyncStatus.SUCCEEDED);
        Set<Long> archived = idsWhere(SandboxEntity.PATIENTS, body -> !body.path("archived_at").asText().isEmpty());
        Set<Long> cancelled = idsWhere(SandboxEntity.INDIVIDUAL_APPOINTMENTS, body -> body.hasNonNull("cancelled_at"));
        assertThat(archived).as("seeded archived patients").isNotEmpty();
        assertThat(cancelled).as("seeded cancelled appointments").isNotEmpty();
        for (SandboxEntity entity : SandboxEntity.values()) {
            assertThat(stored(entity.path())).as("stored " + entity.path()).isEqualTo(sandboxIds(entity));
        }
        archived.forEach(id -> assertThat(status(contact(id))).isEqualTo("archived"));
        cancelled.forEach(id -> assertThat(appointment(id).record().status()).isEqualTo("cancelled"));
        assertThat(sandbox.requestLog().count("/v1/patients/archived")).isPositive();
        assertThat(sandbox.requestLog().count("/v1/individual_appointments/cancelled")).isPositive();

        long patient = firstWhere(SandboxEntity.PATIENTS, body -> body.path("archived_at").asText().isEmpty());
        long booked = firstWhere(SandboxEntity.INDIVIDUAL_APPOINTMENTS, body -> !body.hasNonNull("cancelled_at"));
        long sequence = lastSequence();
        sandbox.archivePatient(patient);
        sandbox.cancelAppointment(booked);
        SyncRun incremental = sync(SyncRequest.incremental());

        assertThat(incremental.status()).isEqualTo(SyncStatus.SUCCEEDED);
        assertThat(status(contact(patient))).isEqualTo("archived");
        assertThat(contact(patient).deleted()).isFalse();
        assertThat(appointment(booked).record().status()).isEqualTo("cancelled");
        assertThat(appointment(booked).deleted()).isFalse();
        assertThat(incremental.entity("patients").orElseThrow().deleted()).isZero();
        assertThat(incremental.entity("individual_appointments").orElseThrow().deleted()).isZero();
        assertThat(changesAfter(sequence)).extracting(ChangeEvent::operation).containsOnly("updated");

        sandbox.unarchivePatient(patient);
        long practitioner = first(SandboxEntity.PRACTITIONERS);
        long type = first(SandboxEntity.APPOINTMENT_TYPES);
        sandbox.deactivatePractitioner(practitioner);
        sandbox.archiveAppointmentType(type);
        sync(SyncRequest.incremental());
        assertThat(status(contact(patient))).isEqualTo("active");
        assertThat(hub.getRecord(TENANT, connection.id(), dev.junction.core.model.User.class, String.valueOf(practitioner))
                .orElseThrow().record().enabled()).isFalse();

        SyncRun fullAgain = sync(SyncRequest.full());
        for (EntitySyncStats stats : fullAgain.entities()) {
            assertThat(stats.deleted()).as("records swept from " + stats.entity() + " by a full pass").isZero();
        }
        assertThat(stored("practitioners")).contains(String.valueOf(practitioner));
        assertThat(stored("appointment_types")).contains(String.valueOf(type));
        String typePayload = hub.getRawRecord(TENANT, connection.id(), "appointment_types", String.valueOf(type)).orElseThrow().payload();
        assertThat(ClinikoTransformer.parse(typePayload).path("archived_at").asText()).as("archived type's archived_at").matches("\\d{4}-.*");
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void incrementalPassesFilterByUpdatedAtAndTurnDeletedListingsIntoTombstones(TestDatabase.Kind kind) {
        start(kind);
        sync(SyncRequest.full());
        long patient = sandboxIds(SandboxEntity.PATIENTS).stream().map(Long::parseLong).sorted().toList().get(4);
        long appointment = sandboxIds(SandboxEntity.INDIVIDUAL_APPOINTMENTS).stream().map(Long::parseLong).sorted().toList().get(9);
        long invoice = sandboxIds(SandboxEntity.INVOICES).stream().map(Long::parseLong).sorted().toList().get(2);
        sandbox.delete(SandboxEntity.PATIENTS, patient);
        sandbox.delete(SandboxEntity.INDIVIDUAL_APPOINTMENTS, appointment);
        sandbox.delete(SandboxEntity.INVOICES, invoice);
        long created = sandbox.createPatient("Ada", "Lovelace", "ada@example.com");
        sandbox.requestLog().clear();

        SyncRun incremental = sync(SyncRequest.incremental());

        assertThat(incremental.status()).isEqualTo(SyncStatus.SUCCEEDED);
        for (SandboxEntity entity : SandboxEntity.values()) {
            assertThat(stored(entity.path())).as("stored " + entity.path()).isEqualTo(sandboxIds(entity));
        }
        assertThat(incremental.entity("patients").orElseThrow().deleted()).isEqualTo(1);
        assertThat(incremental.entity("patients").orElseThrow().added()).isEqualTo(1);
        assertThat(incremental.entity("individual_appointments").orElseThrow().deleted()).isEqualTo(1);
        assertThat(incremental.entity("invoices").orElseThrow().deleted()).isEqualTo(1);
        assertThat(contact(created).record().email()).isEqualTo("ada@example.com");
        // Cheap: one request per listing, each filtered on the change time.
        List<LoggedRequest> requests = sandbox.requestLog().entries();
        assertThat(requests).extracting(LoggedRequest::path).containsExactlyInAnyOrder("/v1/businesses", "/v1/practitioners",
                "/v1/practitioners/inactive", "/v1/appointment_types", "/v1/appointment_types/archived", "/v1/patients", "/v1/patients/archived", "/v1/patients/deleted",
                "/v1/individual_appointments", "/v1/individual_appointments/cancelled", "/v1/individual_appointments/deleted",
                "/v1/invoices", "/v1/invoices/deleted");
        assertThat(requests).allSatisfy(request -> {
            assertThat(request.headers()).containsEntry("User-Agent", ClinikoConformanceTest.ClinikoConformanceSandbox.USER_AGENT)
                    .containsEntry("Accept", "application/json");
            assertThat(request.headers().get("Authorization")).startsWith("Basic ");
            assertThat(request.queryParameter("per_page")).isEqualTo("50");
            assertThat(request.queryParameters().get("q[]")).singleElement().asString()
                    .matches((request.path().endsWith("/deleted") ? "deleted_at" : "updated_at") + ":>=\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
        });
        for (EntitySyncStats stats : incremental.entities()) {
            assertThat(stats.unchanged()).as("unchanged records read again for " + stats.entity()).isLessThan(5);
        }
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void aRecordCreatedAndDeletedBetweenTwoPollsLeavesNothingBehind(TestDatabase.Kind kind) {
        start(kind);
        sync(SyncRequest.full());
        long shortLived = sandbox.createPatient("Brief", "Visitor", null);
        sandbox.delete(SandboxEntity.PATIENTS, shortLived);

        SyncRun incremental = sync(SyncRequest.incremental());

        assertThat(stored("patients")).isEqualTo(sandboxIds(SandboxEntity.PATIENTS)).doesNotContain(String.valueOf(shortLived));
        assertThat(hub.getRecord(TENANT, connection.id(), Contact.class, String.valueOf(shortLived)))
                .as("a tombstone for a record never stored").satisfiesAnyOf(
                        record -> assertThat(record).isEmpty(),
                        record -> assertThat(record.orElseThrow().deleted()).isTrue());
        assertThat(incremental.entity("patients").orElseThrow().added()).isZero();
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void theActivePatientsViewMatchesTheSandboxAndIsCurrentAfterEachSync(TestDatabase.Kind kind) {
        start(kind);
        sync(SyncRequest.full());
        Clock now = Clock.fixed(Instant.now().truncatedTo(ChronoUnit.SECONDS), ZoneOffset.UTC);
        ClinikoActivePatients view = new ClinikoActivePatients(hub, now);

        List<PatientActivity> all = view.allPatients(TENANT, connection.id());

        assertThat(all).containsExactlyInAnyOrderElementsOf(expected(now.instant()));
        assertThat(all).anyMatch(activity -> activity.recentAppointments() > 0);
        assertThat(all).anyMatch(activity -> activity.upcomingAppointments() > 0);
        assertThat(view.activePatients(TENANT, connection.id())).allMatch(PatientActivity::active)
                .hasSize((int) all.stream().filter(PatientActivity::active).count());

        // A booking for someone with nothing ahead, a cancellation of a recent visit, a deleted patient.
        PatientActivity idle = all.stream().filter(activity -> activity.upcomingAppointments() == 0 && !activity.archived())
                .findFirst().orElseThrow();
        PatientActivity recent = all.stream().filter(activity -> activity.recentAppointments() > 0
                && !activity.patientId().equals(idle.patientId())).findFirst().orElseThrow();
        PatientActivity gone = all.stream().filter(activity -> !activity.patientId().equals(idle.patientId())
                && !activity.patientId().equals(recent.patientId())).findFirst().orElseThrow();
        Instant booking = now.instant().plus(Duration.ofDays(3));
        sandbox.createAppointment(Long.parseLong(idle.patientId()), booking, Duration.ofMinutes(30));
        long recentAppointment = firstWhere(SandboxEntity.INDIVIDUAL_APPOINTMENTS, body ->
                body.path("patient").path("links").path("self").asText().endsWith("/patients/" + recent.patientId())
                        && !body.hasNonNull("cancelled_at")
                        && Instant.parse(body.path("starts_at").asText()).isBefore(now.instant())
                        && Instant.parse(body.path("starts_at").asText()).isAfter(now.instant().minus(Duration.ofDays(89))));
        sandbox.cancelAppointment(recentAppointment);
        sandbox.delete(SandboxEntity.PATIENTS, Long.parseLong(gone.patientId()));

        assertThat(view.patient(TENANT, connection.id(), idle.patientId())).as("unchanged until the next sync").contains(idle);

        sync(SyncRequest.incremental());

        PatientActivity idleAfter = view.patient(TENANT, connection.id(), idle.patientId()).orElseThrow();
        assertThat(idleAfter.upcomingAppointments()).isEqualTo(idle.upcomingAppointments() + 1);
        assertThat(idleAfter.nextAppointmentAt()).isEqualTo(booking);
        assertThat(idleAfter.active()).isTrue();
        assertThat(view.patient(TENANT, connection.id(), recent.patientId()).orElseThrow().recentAppointments())
                .isEqualTo(recent.recentAppointments() - 1);
        assertThat(view.patient(TENANT, connection.id(), gone.patientId())).isEmpty();
        assertThat(view.allPatients(TENANT, connection.id())).containsExactlyInAnyOrderElementsOf(expected(now.instant()));
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void actionsRunOncePerIdempotencyKeyAndCheckTheirInputBeforeAnyRequest(TestDatabase.Kind kind) {
        start(kind);
        ObjectNode newPatient = json().put("first_name", "Grace").put("last_name", "Hopper").put("email", "grace@example.com")
                .put("date_of_birth", "1906-12-09").put("phone", "+61 400 000 000");
        int patientsBefore = sandbox.liveIds(SandboxEntity.PATIENTS).size();

        ActionResult first = hub.runAction(TENANT, connection.id(), ClinikoActions.CREATE_PATIENT, newPatient, "create-grace");
        ActionResult again = hub.runAction(TENANT, connection.id(), ClinikoActions.CREATE_PATIENT, newPatient, "create-grace");

        assertThat(first.replayed()).isFalse();
        assertThat(again.replayed()).isTrue();
        assertThat(again.result()).isEqualTo(first.result());
        assertThat(sandbox.liveIds(SandboxEntity.PATIENTS)).hasSize(patientsBefore + 1);
        assertThat(posts("/v1/patients")).isEqualTo(1);
        long patientId = first.result().get("id").asLong();
        assertThatThrownBy(() -> hub.runAction(TENANT, connection.id(), ClinikoActions.CREATE_PATIENT,
                newPatient.deepCopy().put("first_name", "Other"), "create-grace"))
                .isInstanceOf(JunctionException.class).extracting("kind").isEqualTo(ErrorKind.CONFLICT);

        hub.runAction(TENANT, connection.id(), ClinikoActions.UPDATE_PATIENT,
                json().put("id", patientId).put("last_name", "Hopper-Murray"), "rename-grace");
        assertThat(sandbox.record(SandboxEntity.PATIENTS, patientId).orElseThrow().path("last_name").asText()).isEqualTo("Hopper-Murray");

        Instant startsAt = Instant.now().plus(Duration.ofDays(2)).truncatedTo(ChronoUnit.HOURS);
        ObjectNode booking = json().put("patient_id", String.valueOf(patientId))
                .put("practitioner_id", first(SandboxEntity.PRACTITIONERS)).put("appointment_type_id", first(SandboxEntity.APPOINTMENT_TYPES))
                .put("business_id", first(SandboxEntity.BUSINESSES)).put("starts_at", startsAt.toString());
        ActionResult booked = hub.runAction(TENANT, connection.id(), ClinikoActions.CREATE_APPOINTMENT, booking, "book-grace");
        hub.runAction(TENANT, connection.id(), ClinikoActions.CREATE_APPOINTMENT, booking, "book-grace");
        long appointmentId = booked.result().get("id").asLong();
        assertThat(posts("/v1/individual_appointments")).isEqualTo(1);

        ActionResult cancelled = hub.runAction(TENANT, connection.id(), ClinikoActions.CANCEL_APPOINTMENT,
                json().put("id", appointmentId).put("cancellation_reason", 30).put("cancellation_note", "Flu"), "cancel-grace");
        assertThat(cancelled.result().get("cancelled").asBoolean()).isTrue();
        assertThat(sandbox.record(SandboxEntity.INDIVIDUAL_APPOINTMENTS, appointmentId).orElseThrow().path("cancelled_at").asText())
                .isNotEmpty();

        sync(SyncRequest.full());
        Contact grace = contact(patientId).record();
        assertThat(grace.name()).isEqualTo("Grace Hopper-Murray");
        assertThat(grace.phone()).isEqualTo("+61 400 000 000");
        Appointment appointment = appointment(appointmentId).record();
        assertThat(appointment.status()).isEqualTo("cancelled");
        assertThat(appointment.contactId()).isEqualTo(String.valueOf(patientId));
        assertThat(appointment.startsAt()).isEqualTo(startsAt);
    }

    @ParameterizedTest
    @EnumSource(TestDatabase.Kind.class)
    void badActionInputIsRefusedBeforeAnyRequest(TestDatabase.Kind kind) {
        start(kind);
        long before = sandbox.requestLog().totalCount();
        List<Object[]> cases = List.of(
                new Object[] {ClinikoActions.CREATE_PATIENT, json().put("first_name", "Only")},
                new Object[] {ClinikoActions.CREATE_PATIENT, json().put("first_name", "A").put("last_name", "B").put("firstName", "typo")},
                new Object[] {ClinikoActions.CREATE_PATIENT, json().put("first_name", "A").put("last_name", "B").put("email", "nope")},
                new Object[] {ClinikoActions.CREATE_PATIENT, json().put("first_name", "A").put("last_name", "B").put("date_of_birth", "9/12/1906")},
                new Object[] {ClinikoActions.UPDATE_PATIENT, json().put("id", "1")},
                new Object[] {ClinikoActions.UPDATE_PATIENT, json().put("id", "../1").put("last_name", "X")},
                new Object[] {ClinikoActions.CREATE_APPOINTMENT, json().put("patient_id", 1).put("practitioner_id", 1)
                        .put("appointment_type_id", 1).put("business_id", 1).put("starts_at", "tomorrow")},
                new Object[] {ClinikoActions.CREATE_APPOINTMENT, json().put("patient_id", 1).put("practitioner_id", 1)
                        .put("appointment_type_id", 1).put("business_id", 1).put("starts_at", "2030-01-01T10:00:00Z")
                        .put("ends_at", "2030-01-01T09:00:00Z")},
                new Object[] {ClinikoActions.CREATE_APPOINTMENT, json().put("patient_id", 1).put("starts_at", "2030-01-01T10:00:00Z")},
                new Object[] {ClinikoActions.CANCEL_APPOINTMENT, json().put("id", 1).put("cancellation_reason", 99)},
                new Object[] {ClinikoActions.CANCEL_APPOINTMENT, json()});
        int key = 0;
        for (Object[] bad : cases) {
            String action = (String) bad[0];
            JsonNode input = (JsonNode) bad[1];
            String idempotencyKey = "bad-" + key++;
            assertThatThrownBy(() -> hub.runAction(TENANT, connection.id(), action, input, idempotencyKey))
                    .as(action + " " + input).isInstanceOf(JunctionException.class).extracting("kind").isEqualTo(ErrorKind.INVALID_INPUT);
        }
        assertThat(sandbox.requestLog().totalCount()).as("requests sent").isEqualTo(before);
    }

    // ---- helpers --------------------------------------------------------------------------------------------

    /** The view computed straight from the sandbox's records, independently of the Hub. */
    private List<PatientActivity> expected(Instant now) {
        Map<String, List<Instant>> starts = new HashMap<>();
        for (long id : sandbox.liveIds(SandboxEntity.INDIVIDUAL_APPOINTMENTS)) {
            JsonNode body = sandbox.record(SandboxEntity.INDIVIDUAL_APPOINTMENTS, id).orElseThrow();
            if (body.hasNonNull("cancelled_at")) {
                continue;
            }
            String self = body.path("patient").path("links").path("self").asText();
            starts.computeIfAbsent(self.substring(self.lastIndexOf('/') + 1), key -> new ArrayList<>())
                    .add(Instant.parse(body.path("starts_at").asText()));
        }
        List<PatientActivity> expected = new ArrayList<>();
        for (long id : sandbox.liveIds(SandboxEntity.PATIENTS)) {
            JsonNode body = sandbox.record(SandboxEntity.PATIENTS, id).orElseThrow();
            List<Instant> mine = starts.getOrDefault(String.valueOf(id), List.of());
            int recent = (int) mine.stream().filter(at -> !at.isAfter(now) && !at.isBefore(now.minus(Duration.ofDays(90)))).count();
            int upcoming = (int) mine.stream().filter(at -> at.isAfter(now)).count();
            Instant last = mine.stream().filter(at -> !at.isAfter(now)).max(Instant::compareTo).orElse(null);
            Instant next = mine.stream().filter(at -> at.isAfter(now)).min(Instant::compareTo).orElse(null);
            String name = (body.path("first_name").asText() + " " + body.path("last_name").asText()).trim();
            expected.add(new PatientActivity(String.valueOf(id), name, !body.path("archived_at").asText().isEmpty(), recent,
                    upcoming, last, next));
        }
        return expected;
    }

    private SyncRun sync(SyncRequest request) {
        SyncRun run = hub.sync(TENANT, connection.id(), request);
        assertThat(run.status()).as(run.toString()).isEqualTo(SyncStatus.SUCCEEDED);
        return run;
    }

    private Set<String> stored(String entity) {
        return new HashSet<>(hub.liveIds(TENANT, connection.id(), entity));
    }

    private Set<String> sandboxIds(SandboxEntity entity) {
        return sandbox.liveIds(entity).stream().map(String::valueOf).collect(Collectors.toSet());
    }

    private Set<Long> idsWhere(SandboxEntity entity, java.util.function.Predicate<JsonNode> condition) {
        return sandbox.liveIds(entity).stream().filter(id -> condition.test(sandbox.record(entity, id).orElseThrow()))
                .collect(Collectors.toSet());
    }

    private long firstWhere(SandboxEntity entity, java.util.function.Predicate<JsonNode> condition) {
        return idsWhere(entity, condition).stream().sorted().findFirst().orElseThrow();
    }

    private long first(SandboxEntity entity) {
        return sandbox.liveIds(entity).iterator().next();
    }

    private StoredRecord<Contact> contact(long id) {
        return hub.getRecord(TENANT, connection.id(), Contact.class, String.valueOf(id)).orElseThrow();
    }

    private StoredRecord<Appointment> appointment(long id) {
        return hub.getRecord(TENANT, connection.id(), Appointment.class, String.valueOf(id)).orElseThrow();
    }

    private static String status(StoredRecord<Contact> contact) {
        return contact.record().customFields().get(ClinikoTransformer.STATUS_FIELD);
    }

    private long posts(String path) {
        return sandbox.requestLog().entries(path).stream().filter(request -> request.method().equals("POST")).count();
    }

    private long lastSequence() {
        return changesAfter(0).stream().mapToLong(ChangeEvent::sequence).max().orElse(0);
    }

    private List<ChangeEvent> changesAfter(long sequence) {
        List<ChangeEvent> all = new ArrayList<>();
        long cursor = sequence;
        while (true) {
            var page = hub.changes(TENANT, cursor, connection.id(), 1000);
            all.addAll(page.events());
            if (page.events().isEmpty()) {
                return all;
            }
            cursor = page.nextCursor();
        }
    }

    private static ObjectNode json() {
        return JsonNodeFactory.instance.objectNode();
    }
}
