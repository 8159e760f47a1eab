package dev.junction.provider.cliniko.sandbox;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.junction.sandbox.SandboxJson;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * The sandbox's records: live ones by entity and id, deleted ones kept apart for the {@code /deleted} listings.
 * Each record keeps its body (the JSON Cliniko returns) and its own creation and update times, which filters read,
 * so a corrupted {@code updated_at} in the body does not hide the record from {@code q[]=updated_at} filters.
 *
 * <p>Seeded: the same seed and counts give the same records. Thread-safe: every method is synchronized.
 */
final class ClinikoStore {

    /** A stored record. */
    static final class Entry {
        final long id;
        final ObjectNode body;
        final Instant createdAt;
        Instant updatedAt;
        Instant deletedAt;

        Entry(long id, ObjectNode body, Instant createdAt, Instant updatedAt) {
            this.id = id;
            this.body = body;
            this.createdAt = createdAt;
            this.updatedAt = updatedAt;
        }
    }

    private static final String[] FIRST = {"Olivia", "Jack", "Charlotte", "Noah", "Amelia", "William", "Isla", "Oliver",
            "Mia", "Thomas", "Ava", "James", "Grace", "Lucas", "Chloe", "Henry", "Zoe", "Leo", "Ruby", "Ethan"};
    private static final String[] LAST = {"Smith", "Jones", "Williams", "Brown", "Wilson", "Taylor", "Nguyen", "Johnson",
            "Martin", "White", "Anderson", "Walker", "Thompson", "Harris", "Ryan", "Lee", "King", "Kelly", "Clarke", "Young"};
    private static final String[] DESIGNATIONS = {"Physiotherapist", "Osteopath", "Chiropractor", "Podiatrist", "Myotherapist"};
    private static final String[] APPOINTMENT_TYPES = {"Initial Consultation", "Standard Consultation", "Long Consultation",
            "Follow-up", "Review"};

    private final Map<SandboxEntity, TreeMap<Long, Entry>> live = new EnumMap<>(SandboxEntity.class);
    private final Map<SandboxEntity, TreeMap<Long, Entry>> deleted = new EnumMap<>(SandboxEntity.class);
    private final Map<SandboxEntity, Long> lastId = new EnumMap<>(SandboxEntity.class);
    private final String apiBase;
    private final SplittableRandom random;

    /**
     * @param apiBase the sandbox's API root ({@code http://127.0.0.1:port/v1}), for the records' links
     * @param now the end of generated history; generated changes happen before it, appointments around it
     */
    ClinikoStore(long seed, Map<SandboxEntity, Integer> counts, String apiBase, Instant now) {
        this.apiBase = apiBase;
        this.random = new SplittableRandom(seed);
        for (SandboxEntity entity : SandboxEntity.values()) {
            live.put(entity, new TreeMap<>());
            deleted.put(entity, new TreeMap<>());
            lastId.put(entity, 0L);
        }
        generate(counts, now.truncatedTo(ChronoUnit.SECONDS));
    }

    // ---- reading ---------------------------------------------------------------------------------------------

    /** Live records matching {@code filter}, ordered by creation then id, as Cliniko's default order. */
    synchronized List<Entry> live(SandboxEntity entity, Predicate<Entry> filter) {
        return select(live.get(entity), filter);
    }

    synchronized List<Entry> deleted(SandboxEntity entity, Predicate<Entry> filter) {
        return select(deleted.get(entity), filter);
    }

    synchronized Optional<Entry> find(SandboxEntity entity, long id) {
        return Optional.ofNullable(live.get(entity).get(id));
    }

    synchronized Set<Long> liveIds(SandboxEntity entity) {
        return new TreeSet<>(live.get(entity).keySet());
    }

    private static List<Entry> select(TreeMap<Long, Entry> entries, Predicate<Entry> filter) {
        List<Entry> selected = new ArrayList<>();
        for (Entry entry : entries.values()) {
            if (filter.test(entry)) {
                selected.add(entry);
            }
        }
        selected.sort((a, b) -> a.createdAt.equals(b.createdAt) ? Long.compare(a.id, b.id) : a.createdAt.compareTo(b.createdAt));
        return selected;
    }

    // ---- changing --------------------------------------------------------------------------------------------

    /** Stores a new record built by {@code body} from its id; returns it. */
    synchronized Entry insert(SandboxEntity entity, Instant now, java.util.function.LongFunction<ObjectNode> body) {
        long id = lastId.merge(entity, 1L, Long::sum);
        ObjectNode node = body.apply(id);
        stamp(node, now, now);
        Entry entry = new Entry(id, node, now, now);
        live.get(entity).put(id, entry);
        return entry;
    }

    /** Applies {@code change} to a live record's body and marks it updated at {@code now}; empty when absent. */
    synchronized Optional<Entry> update(SandboxEntity entity, long id, Instant now, java.util.function.Consumer<ObjectNode> change) {
        Entry entry = live.get(entity).get(id);
        if (entry == null) {
            return Optional.empty();
        }
        entry.updatedAt = later(now, entry.updatedAt);
        entry.body.put("updated_at", format(entry.updatedAt));
        change.accept(entry.body);
        return Optional.of(entry);
    }

    /** Moves a live record to the deleted ones; false when absent. */
    synchronized boolean delete(SandboxEntity entity, long id, Instant now) {
        Entry entry = live.get(entity).remove(id);
        if (entry == null) {
            return false;
        }
        entry.deletedAt = later(now, entry.updatedAt);
        entry.updatedAt = entry.deletedAt;
        entry.body.put("deleted_at", format(entry.deletedAt));
        entry.body.put("updated_at", format(entry.updatedAt));
        deleted.get(entity).put(id, entry);
        return true;
    }

    private static Instant later(Instant now, Instant previous) {
        Instant truncated = now.truncatedTo(ChronoUnit.SECONDS);
        return truncated.isBefore(previous) ? previous : truncated;
    }

    // ---- rendering helpers -----------------------------------------------------------------------------------

    String selfLink(SandboxEntity entity, long id) {
        return apiBase + "/" + entity.path() + "/" + id;
    }

    ObjectNode link(String url) {
        ObjectNode node = SandboxJson.object();
        node.putObject("links").put("self", url);
        return node;
    }

    static String format(Instant instant) {
        return instant.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    private static void stamp(ObjectNode node, Instant createdAt, Instant updatedAt) {
        node.put("created_at", format(createdAt));
        node.put("updated_at", format(updatedAt));
    }

    // ---- bodies --------------------------------------------------------------------------------------------

    ObjectNode patientBody(long id, String firstName, String lastName, String email) {
        ObjectNode body = SandboxJson.object();
        body.put("id", id);
        body.put("accepted_privacy_policy", (String) null);
        body.put("address_1", (id % 97) + " Collins Street").put("address_2", "").put("address_3", "");
        body.put("archived_at", "");
        body.put("city", "Melbourne").put("country", "Australia").put("state", "Victoria").put("post_code", "3000");
        body.putNull("custom_fields");
        body.put("date_of_birth", LocalDate.of(1950, 1, 1).plusDays(id * 131 % 20_000).toString());
        body.put("deleted_at", "");
        body.put("email", email == null ? "" : email);
        body.put("first_name", firstName);
        body.put("last_name", lastName);
        body.put("preferred_first_name", "");
        body.put("notes", "");
        body.put("old_reference_id", "");
        body.putArray("patient_phone_numbers").addObject().put("phone_type", "Mobile").put("number", "614" + String.format("%08d", id));
        body.put("time_zone", "Australia/Melbourne");
        body.put("title", "");
        body.set("appointments", link(apiBase + "/patients/" + id + "/appointments?page=1"));
        body.set("invoices", link(apiBase + "/patients/" + id + "/invoices?page=1"));
        body.putObject("links").put("self", selfLink(SandboxEntity.PATIENTS, id));
        return body;
    }

    ObjectNode appointmentBody(long id, long patientId, String patientName, long practitionerId, long typeId, long businessId,
            Instant startsAt, Instant endsAt) {
        ObjectNode body = SandboxJson.object();
        body.put("id", id);
        body.put("booking_ip_address", (String) null);
        body.putNull("cancellation_note");
        body.putNull("cancellation_reason");
        body.put("cancellation_reason_description", "");
        body.putNull("cancelled_at");
        body.put("did_not_arrive", false);
        body.put("email_reminder_sent", false);
        body.putNull("invoice_status");
        body.putNull("notes");
        body.put("patient_arrived", false);
        body.put("patient_name", patientName);
        body.putObject("repeat_rule");
        body.putNull("repeats");
        body.put("sms_reminder_sent", false);
        body.putNull("deleted_at");
        body.put("starts_at", format(startsAt));
        body.put("ends_at", format(endsAt));
        body.set("appointment_type", link(selfLink(SandboxEntity.APPOINTMENT_TYPES, typeId)));
        body.set("business", link(selfLink(SandboxEntity.BUSINESSES, businessId)));
        body.set("practitioner", link(selfLink(SandboxEntity.PRACTITIONERS, practitionerId)));
        body.set("patient", link(selfLink(SandboxEntity.PATIENTS, patientId)));
        body.set("attendees", link(selfLink(SandboxEntity.INDIVIDUAL_APPOINTMENTS, id) + "/attendees"));
        body.putObject("links").put("self", selfLink(SandboxEntity.INDIVIDUAL_APPOINTMENTS, id));
        return body;
    }

    // ---- generation ----------------------------------------------------------------------------------------

    private void generate(Map<SandboxEntity, Integer> counts, Instant now) {
        Instant historyStart = now.minus(Duration.ofDays(365));
        Instant historyEnd = now.minus(Duration.ofMinutes(1));
        int businesses = counts.getOrDefault(SandboxEntity.BUSINESSES, 1);
        for (int i = 0; i < businesses; i++) {
            Instant created = between(historyStart, historyStart.plus(Duration.ofDays(1)));
            base(SandboxEntity.BUSINESSES, created, historyEnd, id -> {
                ObjectNode body = SandboxJson.object().put("id", id);
                body.put("business_name", "Healthy Times " + id).put("display_name", (String) null);
                body.put("address_1", id + " Smith Street").put("address_2", (String) null).put("city", "Smithytown");
                body.put("state", "Victoria").put("post_code", "3000").put("country", "Australia").put("country_code", "AU");
                body.put("email_reply_to", "clinic" + id + "@example.com").put("show_in_online_bookings", true);
                body.set("practitioners", link(apiBase + "/businesses/" + id + "/practitioners"));
                body.putObject("links").put("self", selfLink(SandboxEntity.BUSINESSES, id));
                return body;
            });
        }
        int practitioners = counts.getOrDefault(SandboxEntity.PRACTITIONERS, 3);
        for (int i = 0; i < practitioners; i++) {
            String first = FIRST[random.nextInt(FIRST.length)];
            String last = LAST[random.nextInt(LAST.length)];
            String designation = DESIGNATIONS[random.nextInt(DESIGNATIONS.length)];
            base(SandboxEntity.PRACTITIONERS, between(historyStart, historyStart.plus(Duration.ofDays(2))), historyEnd, id -> {
                ObjectNode body = SandboxJson.object().put("id", id);
                body.put("active", true).put("designation", designation).putNull("description");
                body.put("first_name", first).put("last_name", last).put("label", first + " " + last).put("title", "");
                body.put("show_in_online_bookings", true);
                body.set("user", link(apiBase + "/users/" + id));
                body.set("appointments", link(apiBase + "/practitioners/" + id + "/appointments?page=1"));
                body.putObject("links").put("self", selfLink(SandboxEntity.PRACTITIONERS, id));
                return body;
            });
        }
        int types = counts.getOrDefault(SandboxEntity.APPOINTMENT_TYPES, 3);
        for (int i = 0; i < types; i++) {
            String name = APPOINTMENT_TYPES[i % APPOINTMENT_TYPES.length] + (i >= APPOINTMENT_TYPES.length ? " " + i : "");
            int minutes = 30 + 15 * (i % 3);
            base(SandboxEntity.APPOINTMENT_TYPES, between(historyStart, historyStart.plus(Duration.ofDays(2))), historyEnd, id -> {
                ObjectNode body = SandboxJson.object().put("id", id);
                body.put("name", name).put("category", "Consultation").put("color", "#00FF00").putNull("description");
                body.put("archived_at", (String) null);
                body.put("duration_in_minutes", minutes).put("max_attendees", 1).put("show_in_online_bookings", true);
                body.set("practitioners", link(apiBase + "/appointment_types/" + id + "/practitioners"));
                body.putObject("links").put("self", selfLink(SandboxEntity.APPOINTMENT_TYPES, id));
                return body;
            });
        }
        int patients = counts.getOrDefault(SandboxEntity.PATIENTS, 50);
        List<String> names = new ArrayList<>();
        for (int i = 0; i < patients; i++) {
            String first = FIRST[random.nextInt(FIRST.length)];
            String last = LAST[random.nextInt(LAST.length)];
            boolean archived = random.nextInt(10) == 0;
            Instant created = between(historyStart, historyEnd.minus(Duration.ofDays(30)));
            Instant updated = between(created, historyEnd);
            names.add(first + " " + last);
            Entry entry = base(SandboxEntity.PATIENTS, created, updated,
                    id -> patientBody(id, first, last, first.toLowerCase() + "." + last.toLowerCase() + id + "@example.com"));
            if (archived) {
                entry.body.put("archived_at", format(updated));
            }
        }
        int appointments = counts.getOrDefault(SandboxEntity.INDIVIDUAL_APPOINTMENTS, patients * 3);
        for (int i = 0; i < appointments && patients > 0 && practitioners > 0 && types > 0 && businesses > 0; i++) {
            long patientId = 1 + random.nextInt(patients);
            long practitionerId = 1 + random.nextInt(practitioners);
            long typeId = 1 + random.nextInt(types);
            long businessId = 1 + random.nextInt(businesses);
            // Appointments from half a year ago to two months ahead, on the quarter hour.
            Instant startsAt = between(now.minus(Duration.ofDays(180)), now.plus(Duration.ofDays(60))).truncatedTo(ChronoUnit.HOURS)
                    .plus(Duration.ofMinutes(15L * random.nextInt(4)));
            Instant endsAt = startsAt.plus(Duration.ofMinutes(45));
            Instant created = earliest(startsAt.minus(Duration.ofDays(7 + random.nextInt(30))), historyEnd.minus(Duration.ofHours(1)));
            created = created.isBefore(historyStart) ? historyStart : created;
            Instant updated = between(created, earliest(historyEnd, later(startsAt, created)));
            int roll = random.nextInt(20);
            String name = names.get((int) patientId - 1);
            Entry entry = base(SandboxEntity.INDIVIDUAL_APPOINTMENTS, created, updated,
                    id -> appointmentBody(id, patientId, name, practitionerId, typeId, businessId, startsAt, endsAt));
            if (roll < 2) {
                entry.body.put("cancelled_at", format(updated));
                entry.body.put("cancellation_reason", 50);
                entry.body.put("cancellation_reason_description", "Other");
            } else if (roll < 3 && startsAt.isBefore(now)) {
                entry.body.put("did_not_arrive", true);
            } else if (startsAt.isBefore(now)) {
                entry.body.put("patient_arrived", true);
            }
        }
        int invoices = counts.getOrDefault(SandboxEntity.INVOICES, patients);
        for (int i = 0; i < invoices && patients > 0 && practitioners > 0 && businesses > 0; i++) {
            long patientId = 1 + random.nextInt(patients);
            long practitionerId = 1 + random.nextInt(practitioners);
            long businessId = 1 + random.nextInt(businesses);
            Instant created = between(historyStart, historyEnd);
            Instant updated = between(created, historyEnd);
            boolean closed = random.nextBoolean();
            String amount = (40 + random.nextInt(160)) + ".0";
            base(SandboxEntity.INVOICES, created, updated, id -> {
                ObjectNode body = SandboxJson.object().put("id", id);
                body.put("number", 100 + id);
                body.put("issue_date", LocalDate.ofInstant(created, ZoneOffset.UTC).toString());
                body.put("total_amount", amount).put("tax_amount", "0.0").put("net_amount", amount).put("discounted_amount", "0.0");
                body.put("notes", "").put("invoice_to", "").put("patient_extra_information", "");
                body.put("status", closed ? 20 : 10).put("status_description", closed ? "Closed" : "Open");
                body.putNull("deleted_at");
                body.put("closed_at", closed ? format(updated) : null);
                body.set("business", link(selfLink(SandboxEntity.BUSINESSES, businessId)));
                body.set("practitioner", link(selfLink(SandboxEntity.PRACTITIONERS, practitionerId)));
                body.set("patient", link(selfLink(SandboxEntity.PATIENTS, patientId)));
                body.putObject("links").put("self", selfLink(SandboxEntity.INVOICES, id));
                return body;
            });
        }
    }

    private Entry base(SandboxEntity entity, Instant created, Instant updated, java.util.function.LongFunction<ObjectNode> body) {
        long id = lastId.merge(entity, 1L, Long::sum);
        ObjectNode node = body.apply(id);
        Instant createdAt = created.truncatedTo(ChronoUnit.SECONDS);
        Instant updatedAt = later(updated, createdAt);
        stamp(node, createdAt, updatedAt);
        Entry entry = new Entry(id, node, createdAt, updatedAt);
        live.get(entity).put(id, entry);
        return entry;
    }

    private Instant between(Instant from, Instant to) {
        long span = Math.max(1, Duration.between(from, to).getSeconds());
        return from.plusSeconds(random.nextLong(span));
    }

    private static Instant earliest(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }
}
