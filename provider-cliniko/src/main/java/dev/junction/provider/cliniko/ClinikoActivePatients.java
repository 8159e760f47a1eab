package dev.junction.provider.cliniko;

import dev.junction.core.Hub;
import dev.junction.core.RecordPage;
import dev.junction.core.RecordQuery;
import dev.junction.core.StoredRecord;
import dev.junction.core.error.JunctionException;
import dev.junction.core.model.Appointment;
import dev.junction.core.model.Contact;
import dev.junction.core.model.UnifiedRecord;
import dev.junction.core.model.UnifiedType;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The "active patients" view of one Cliniko connection: per patient, how many appointments they had in the past
 * {@code N} days (default 90), how many are upcoming, and when their last appointment was. Computed from what the
 * {@link Hub} has stored (unified {@link Contact}s and {@link Appointment}s, read with {@link Hub#query} page by
 * page), so it is exactly as current as the last sync: run an incremental sync, then ask again.
 *
 * <p>Counting rules: cancelled and deleted appointments never count; an appointment counts as <em>recent</em> when
 * it started in {@code [now - window, now]}, as <em>upcoming</em> when it starts after {@code now}; a did-not-arrive
 * appointment still counts (it was booked). The last appointment is the latest counted one that started at or
 * before {@code now}. Archived patients are listed with {@code archived = true}; deleted ones are left out.
 *
 * <pre>{@code
 * ClinikoActivePatients view = new ClinikoActivePatients(hub, Clock.systemUTC());
 * hub.sync(tenant, connection, SyncRequest.incremental());
 * List<PatientActivity> active = view.activePatients(tenant, connection);  // recent or upcoming > 0
 * }</pre>
 *
 * <p>Thread-safe: it keeps no state between calls; each call reads the store afresh.
 */
public final class ClinikoActivePatients {

    /** The default look-back for "recent" appointments. */
    public static final Duration DEFAULT_WINDOW = Duration.ofDays(90);
    private static final int PAGE = 500;
    private static final Set<String> NOT_COUNTED = Set.of("cancelled", "deleted");

    private final Hub hub;
    private final Clock clock;
    private final Duration window;

    public ClinikoActivePatients(Hub hub, Clock clock) {
        this(hub, clock, DEFAULT_WINDOW);
    }

    /** @param window how far back an appointment counts as recent; positive */
    public ClinikoActivePatients(Hub hub, Clock clock, Duration window) {
        this.hub = Objects.requireNonNull(hub, "hub");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.window = Objects.requireNonNull(window, "window");
        if (window.isNegative() || window.isZero()) {
            throw JunctionException.invalidInput("window must be positive, was " + window);
        }
    }

    /**
     * One patient's activity.
     *
     * @param patientId the Cliniko patient id
     * @param name the patient's name as stored
     * @param archived whether the patient is archived in Cliniko
     * @param recentAppointments counted appointments that started in the window up to now
     * @param upcomingAppointments counted appointments that start after now
     * @param lastAppointmentAt start of the latest counted appointment at or before now, or null
     * @param nextAppointmentAt start of the earliest upcoming appointment, or null
     */
    public record PatientActivity(String patientId, String name, boolean archived, int recentAppointments,
            int upcomingAppointments, Instant lastAppointmentAt, Instant nextAppointmentAt) {

        /** Whether the patient has a recent or an upcoming appointment. */
        public boolean active() {
            return recentAppointments > 0 || upcomingAppointments > 0;
        }
    }

    /** Every stored patient of the connection with their activity, by patient id. */
    public List<PatientActivity> allPatients(String tenantId, String connectionId) {
        Instant now = clock.instant();
        Instant windowStart = now.minus(window);
        Map<String, Counter> counters = new HashMap<>();
        each(tenantId, connectionId, UnifiedType.APPOINTMENT, Appointment.class, stored -> {
            Appointment appointment = stored.record();
            if (stored.deleted() || appointment.contactId() == null || appointment.startsAt() == null
                    || NOT_COUNTED.contains(appointment.status())) {
                return;
            }
            counters.computeIfAbsent(appointment.contactId(), id -> new Counter()).add(appointment.startsAt(), now, windowStart);
        });
        List<PatientActivity> result = new ArrayList<>();
        each(tenantId, connectionId, UnifiedType.CONTACT, Contact.class, stored -> {
            if (stored.deleted() || !ClinikoEntity.PATIENTS.path().equals(stored.entity())) {
                return;
            }
            Contact patient = stored.record();
            Counter counter = counters.getOrDefault(patient.externalId(), new Counter());
            boolean archived = "archived".equals(patient.customFields().get(ClinikoTransformer.STATUS_FIELD));
            result.add(new PatientActivity(patient.externalId(), patient.name(), archived, counter.recent, counter.upcoming,
                    counter.last, counter.next));
        });
        result.sort(Comparator.comparing(PatientActivity::patientId, Comparator.comparingInt(String::length)
                .thenComparing(Comparator.naturalOrder())));
        return result;
    }

    /** The patients with a recent or upcoming appointment. */
    public List<PatientActivity> activePatients(String tenantId, String connectionId) {
        return allPatients(tenantId, connectionId).stream().filter(PatientActivity::active).toList();
    }

    /** One patient's activity, or empty when the patient is not stored (or deleted). */
    public Optional<PatientActivity> patient(String tenantId, String connectionId, String patientId) {
        return allPatients(tenantId, connectionId).stream().filter(activity -> activity.patientId().equals(patientId)).findFirst();
    }

    private <T extends UnifiedRecord> void each(String tenantId, String connectionId, UnifiedType type, Class<T> javaType,
            Consumer<StoredRecord<T>> consumer) {
        RecordQuery query = RecordQuery.of(tenantId, type).withConnection(connectionId).withLimit(PAGE);
        while (true) {
            RecordPage<StoredRecord<T>> page = hub.query(query, javaType);
            page.items().forEach(consumer);
            if (page.nextCursor().isEmpty()) {
                return;
            }
            query = query.withCursor(page.nextCursor().get());
        }
    }

    private static final class Counter {
        int recent;
        int upcoming;
        Instant last;
        Instant next;

        void add(Instant startsAt, Instant now, Instant windowStart) {
            if (startsAt.isAfter(now)) {
                upcoming++;
                next = next == null || startsAt.isBefore(next) ? startsAt : next;
                return;
            }
            if (!startsAt.isBefore(windowStart)) {
                recent++;
            }
            last = last == null || startsAt.isAfter(last) ? startsAt : last;
        }
    }
}
