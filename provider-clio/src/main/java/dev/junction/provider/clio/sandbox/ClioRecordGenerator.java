package dev.junction.provider.clio.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.junction.sandbox.RecordContext;
import dev.junction.sandbox.RecordGenerator;
import dev.junction.sandbox.SandboxJson;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Generates realistic Clio records, deterministically from the sandbox seed and the record id.
 *
 * <p>Records refer to each other (a matter's client, an activity's user) by base ids, and a nested
 * reference repeats the referenced record's name, computed from the same seed, so references agree
 * with the records they point to until those change. Immutable and thread-safe.
 */
final class ClioRecordGenerator {

    static final List<String> CUSTOM_FIELD_TYPES =
            List.of("text_line", "numeric", "date", "checkbox", "picklist", "email", "url", "text_area");

    private static final String[] FIRST_NAMES = {
        "Ada", "Alan", "Amara", "Beatriz", "Carlos", "Chen", "Dalia", "Darius", "Elena", "Emeka", "Farah", "Felix",
        "Grace", "Hana", "Ibrahim", "Ines", "Jonas", "Julia", "Kenji", "Keira", "Liam", "Lucia", "Malik", "Maya",
        "Nadia", "Noah", "Olga", "Omar", "Priya", "Quinn", "Rafael", "Rosa", "Samir", "Sofia", "Tariq", "Thea",
        "Uma", "Victor", "Wen", "Yara", "Zoe"};
    private static final String[] LAST_NAMES = {
        "Abbott", "Adeyemi", "Alvarez", "Bergstrom", "Brennan", "Castillo", "Chowdhury", "Dubois", "Eriksen",
        "Fitzgerald", "Garcia", "Haddad", "Hartley", "Ivanova", "Jensen", "Kowalski", "Lambert", "Larsen", "Mbeki",
        "Moreau", "Nakamura", "Novak", "O'Connor", "Okafor", "Patel", "Quintero", "Rahman", "Rossi", "Schmidt",
        "Silva", "Tanaka", "Thompson", "Ueda", "Vasquez", "Walsh", "Weber", "Xu", "Yilmaz", "Zhang", "Zimmerman"};
    private static final String[] COMPANY_SUFFIXES = {"LLP", "Inc.", "Ltd.", "& Associates", "Holdings", "Group"};
    private static final String[] PREFIXES = {"Mr.", "Ms.", "Mx.", "Dr."};
    private static final String[] TITLES = {"Director", "Owner", "Manager", "Consultant", "Engineer", "Accountant"};
    private static final String[] STREETS = {
        "Main Street", "Oak Avenue", "Granville Street", "King Street West", "Harbour Road", "Elm Drive",
        "Maple Crescent", "Pine Boulevard", "Cedar Lane", "Lakeshore Road"};
    private static final String[][] CITIES = {
        {"Vancouver", "BC", "V6B 1A1", "Canada"}, {"Toronto", "ON", "M5H 2N2", "Canada"},
        {"Calgary", "AB", "T2P 1J9", "Canada"}, {"Seattle", "WA", "98101", "United States"},
        {"Chicago", "IL", "60601", "United States"}, {"Austin", "TX", "73301", "United States"},
        {"Boston", "MA", "02108", "United States"}, {"Denver", "CO", "80202", "United States"}};
    private static final String[] AREA_CODES = {"604", "416", "403", "206", "312", "512", "617", "303"};
    private static final String[] MATTER_TOPICS = {
        "Estate planning", "Commercial lease review", "Employment dispute", "Real estate closing",
        "Trademark registration", "Family law consultation", "Contract negotiation", "Personal injury claim",
        "Corporate restructuring", "Immigration application"};
    private static final String[] TASK_NAMES = {
        "Draft engagement letter", "File court documents", "Review discovery", "Call client", "Prepare invoice",
        "Schedule deposition", "Research precedent", "Send retainer agreement", "Collect signatures",
        "Update trust ledger"};
    private static final String[] TASK_STATUSES = {"pending", "in_progress", "in_review", "complete"};
    private static final String[] PRIORITIES = {"High", "Normal", "Low"};
    private static final String[] ACTIVITY_NOTES = {
        "Telephone conference with client", "Drafted correspondence", "Reviewed file and documents",
        "Attended court hearing", "Legal research", "Prepared pleadings", "Meeting with opposing counsel",
        "Courier and filing fees", "Travel to client site", "Photocopies and printing"};
    private static final String[] CALENDAR_SUMMARIES = {
        "Client meeting", "Court appearance", "Filing deadline", "Deposition", "Mediation session",
        "Consultation call", "Closing meeting", "Team review"};
    private static final String[] BILL_STATES = {"draft", "awaiting_approval", "awaiting_payment", "paid", "void"};
    private static final String[] TIME_ZONES = {"Pacific Time (US & Canada)", "Eastern Time (US & Canada)",
        "Mountain Time (US & Canada)", "Central Time (US & Canada)"};
    private static final String[] CUSTOM_FIELD_NAMES = {
        "Referral source", "Estimated value", "Intake date", "Conflict check done", "Preferred language",
        "Billing email", "Website", "Internal notes"};
    private static final String[] UI_REFERENCES = {
        "matters/show", "contacts/show", "activities/show", "documents/show", "folders/show"};
    private static final int CUSTOM_FIELD_VALUES_PER_RECORD = 2;

    private final long seed;
    private final Map<ClioEntity, Long> baseCounts;

    ClioRecordGenerator(long seed, Map<ClioEntity, Long> baseCounts) {
        this.seed = seed;
        this.baseCounts = Map.copyOf(baseCounts);
    }

    RecordGenerator generatorFor(ClioEntity entity) {
        return context -> generate(entity, context);
    }

    /** A complete record for {@code entity}. */
    ObjectNode generate(ClioEntity entity, RecordContext context) {
        ObjectNode body = switch (entity) {
            case USERS -> user(context);
            case CONTACTS -> contact(context);
            case MATTERS -> matter(context);
            case TASKS -> task(context);
            case ACTIVITIES -> activity(context);
            case CALENDAR_ENTRIES -> calendarEntry(context);
            case BILLS -> bill(context);
            case CUSTOM_FIELDS -> customField(context);
            case CUSTOM_ACTIONS -> customAction(context);
            case WEBHOOKS -> webhook(context);
        };
        finish(body, context);
        return body;
    }

    /**
     * A record with every field present but empty (null, false or an empty list) except its id and
     * timestamps: the starting point of a record created through the API.
     */
    ObjectNode blank(ClioEntity entity, RecordContext context) {
        ObjectNode body = generate(entity, context);
        Iterator<Map.Entry<String, JsonNode>> fields = body.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            switch (field.getKey()) {
                case "id", "etag", "created_at", "updated_at" -> { }
                default -> field.setValue(emptyValue(field.getValue().getNodeType()));
            }
        }
        finish(body, context);
        return body;
    }

    private static JsonNode emptyValue(JsonNodeType type) {
        return switch (type) {
            case ARRAY -> SandboxJson.array();
            case BOOLEAN -> SandboxJson.mapper().getNodeFactory().booleanNode(false);
            default -> SandboxJson.mapper().getNodeFactory().nullNode();
        };
    }

    /** Changes a record the way a user would (a new phone number, a matter closing, a payment). */
    ObjectNode mutate(ClioEntity entity, ObjectNode body, RecordContext context) {
        SplittableRandom random = context.random();
        switch (entity) {
            case CONTACTS -> {
                String number = phoneNumber(random);
                body.put("primary_phone_number", number);
                body.put("title", pick(random, TITLES));
                JsonNode phones = body.path("phone_numbers");
                if (phones.isArray() && !phones.isEmpty() && phones.get(0).isObject()) {
                    ((ObjectNode) phones.get(0)).put("number", number);
                }
            }
            case MATTERS -> {
                String status = switch (body.path("status").asText()) {
                    case "Open" -> "Closed";
                    case "Pending" -> "Open";
                    default -> "Open";
                };
                body.put("status", status);
                body.put("close_date", status.equals("Closed") ? ClioFormats.date(context.updatedAt()) : null);
            }
            case TASKS -> {
                int next = (List.of(TASK_STATUSES).indexOf(body.path("status").asText()) + 1) % TASK_STATUSES.length;
                body.put("status", TASK_STATUSES[next]);
                body.put("completed_at", next == 3 ? ClioFormats.timestamp(context.updatedAt()) : null);
            }
            case ACTIVITIES -> {
                body.put("note", pick(random, ACTIVITY_NOTES) + " (revised)");
                if (body.path("type").asText().equals("TimeEntry")) {
                    timeEntryAmounts(body, body.path("quantity").asDouble() + 360, body.path("price").asDouble());
                }
            }
            case CALENDAR_ENTRIES -> body.put("location", pick(random, CITIES)[0]);
            case BILLS -> {
                double balance = round(body.path("balance").asDouble() / 2);
                double total = body.path("total").asDouble();
                body.put("balance", balance);
                body.put("paid", round(total - balance));
                body.put("state", balance == 0 ? "paid" : body.path("state").asText());
            }
            case USERS -> body.put("rate", 150 + 25 * random.nextInt(15));
            case CUSTOM_FIELDS -> body.put("display_order", random.nextInt(100));
            case CUSTOM_ACTIONS -> body.put("label", "Open in Junction (" + random.nextInt(1000) + ")");
            case WEBHOOKS -> throw new IllegalArgumentException("Webhooks change only through the API");
        }
        finish(body, context);
        return body;
    }

    /** Writes the record's timestamps and recomputes its etag. */
    void finish(ObjectNode body, RecordContext context) {
        body.put("created_at", ClioFormats.timestamp(context.createdAt()));
        body.put("updated_at", ClioFormats.timestamp(context.updatedAt()));
        body.put("etag", etag(body));
    }

    /**
     * Clio's etag: a quoted 32-digit hex tag, such as {@code "\"9a10...\""}, that changes whenever the body (without
     * its etag) changes. Clio's etags are opaque; this one is a 128-bit hash of the JSON tree, walked in place: the
     * MD5 of the serialised body it replaced cost a quarter of the sandbox's time per generated record.
     */
    static String etag(ObjectNode body) {
        TreeHash hash = new TreeHash();
        hash.object(body, "etag");
        return "\"" + HexFormat.of().toHexDigits(hash.high) + HexFormat.of().toHexDigits(hash.low) + "\"";
    }

    /** Two 64-bit multiplicative hashes over a JSON tree's structure, names and values, in order. */
    private static final class TreeHash {
        private long high = 0x6a09e667f3bcc908L;
        private long low = 0xbb67ae8584caa73bL;

        private void mix(long value) {
            high = (high ^ value) * 0x9e3779b97f4a7c15L;
            high ^= high >>> 29;
            low = (low + value) * 0xc2b2ae3d27d4eb4fL;
            low ^= low >>> 31;
        }

        private void text(String value) {
            mix(value.length());
            for (int i = 0; i < value.length(); i++) {
                mix(value.charAt(i));
            }
        }

        void object(ObjectNode node, String skipped) {
            mix('{');
            for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
                Map.Entry<String, JsonNode> field = fields.next();
                if (!field.getKey().equals(skipped)) {
                    text(field.getKey());
                    value(field.getValue());
                }
            }
            mix('}');
        }

        void value(JsonNode node) {
            switch (node.getNodeType()) {
                case OBJECT -> object((ObjectNode) node, null);
                case ARRAY -> {
                    mix('[');
                    for (JsonNode element : node) {
                        value(element);
                    }
                    mix(']');
                }
                case STRING -> {
                    mix('"');
                    text(node.textValue());
                }
                case NUMBER -> {
                    mix('#');
                    if (node.canConvertToExactIntegral() && node.canConvertToLong()) mix(node.longValue());
                    else text(node.asText());
                }
                case BOOLEAN -> mix(node.booleanValue() ? 't' : 'f');
                default -> mix('n');
            }
        }
    }

    /** Recomputes a contact's derived fields: name and initials of a person, primary email and phone. */
    static void deriveContactFields(ObjectNode contact) {
        if ("Person".equals(contact.path("type").asText())) {
            StringBuilder name = new StringBuilder();
            StringBuilder initials = new StringBuilder();
            for (String part : new String[] {"first_name", "middle_name", "last_name"}) {
                String value = contact.path(part).asText("");
                if (!value.isBlank()) {
                    name.append(name.length() == 0 ? "" : " ").append(value);
                    initials.append(value.charAt(0));
                }
            }
            contact.put("name", name.toString());
            contact.put("initials", initials.toString());
        }
        contact.put("primary_email_address", primaryValue(contact.path("email_addresses"), "address"));
        contact.put("primary_phone_number", primaryValue(contact.path("phone_numbers"), "number"));
    }

    private static String primaryValue(JsonNode elements, String field) {
        JsonNode first = null;
        for (JsonNode element : elements) {
            if (element.path("primary").asBoolean(false)) {
                return element.path(field).asText(null);
            }
            first = first == null ? element : first;
        }
        return first == null ? null : first.path(field).asText(null);
    }

    /** The definition of a base custom field: odd ids belong to contacts, even ids to matters. */
    CustomFieldDefinition customFieldDefinition(long id) {
        int type = (int) ((id - 1) / 2 % CUSTOM_FIELD_TYPES.size());
        return new CustomFieldDefinition(id, CUSTOM_FIELD_NAMES[type], id % 2 == 1 ? "Contact" : "Matter",
                CUSTOM_FIELD_TYPES.get(type));
    }

    /** A base custom field's name, parent type ({@code Contact} or {@code Matter}) and field type. */
    record CustomFieldDefinition(long id, String name, String parentType, String fieldType) {
    }

    private ObjectNode user(RecordContext context) {
        SplittableRandom random = context.random();
        Identity who = userIdentity(context.id());
        ObjectNode body = start(context);
        body.put("name", who.name());
        body.put("first_name", who.firstName());
        body.put("last_name", who.lastName());
        body.put("initials", initials(who.firstName(), who.lastName()));
        body.put("email", who.email());
        body.put("enabled", context.id() == 1 || random.nextInt(10) > 0);
        body.put("subscription_type", random.nextInt(3) == 0 ? "NonAttorney" : "Attorney");
        ArrayNode roles = body.putArray("roles");
        if (context.id() == 1) {
            roles.add("admin");
        }
        body.put("rate", 150 + 25 * random.nextInt(15));
        body.put("time_zone", pick(random, TIME_ZONES));
        body.put("phone_number", phoneNumber(random));
        body.put("account_owner", context.id() == 1);
        timestamps(body);
        return body;
    }

    private ObjectNode contact(RecordContext context) {
        SplittableRandom random = context.random();
        long id = context.id();
        Identity who = contactIdentity(id);
        boolean person = who.firstName() != null;
        ObjectNode body = start(context);
        body.put("name", who.name());
        body.put("first_name", who.firstName());
        boolean hasMiddleName = person && random.nextInt(3) == 0;
        body.put("middle_name", hasMiddleName ? String.valueOf((char) ('A' + random.nextInt(26))) : null);
        body.put("last_name", who.lastName());
        body.put("prefix", person ? pick(random, PREFIXES) : null);
        body.put("title", person ? pick(random, TITLES) : null);
        body.put("initials", person ? initials(who.firstName(), who.lastName()) : null);
        body.put("type", person ? "Person" : "Company");
        body.put("date_of_birth", person
                ? ClioFormats.date(Instant.parse("1950-01-01T00:00:00Z").plus(Duration.ofDays(random.nextInt(18_000))))
                : null);
        timestamps(body);
        ArrayNode emails = SandboxJson.array();
        emails.add(nested(id * 10, "address", who.email(), "Work", true));
        if (random.nextInt(3) == 0) {
            emails.add(nested(id * 10 + 1, "address", "personal." + who.email(), "Home", false));
        }
        ArrayNode phones = SandboxJson.array();
        phones.add(nested(id * 10, "number", phoneNumber(random), "Work", true));
        if (random.nextInt(3) == 0) {
            phones.add(nested(id * 10 + 1, "number", phoneNumber(random), "Mobile", false));
        }
        body.put("primary_email_address", emails.get(0).get("address").asText());
        body.put("secondary_email_address", emails.size() > 1 ? emails.get(1).get("address").asText() : null);
        body.put("primary_phone_number", phones.get(0).get("number").asText());
        body.put("secondary_phone_number", phones.size() > 1 ? phones.get(1).get("number").asText() : null);
        body.put("is_client", random.nextInt(10) < 6);
        body.put("is_co_counsel", random.nextInt(20) == 0);
        body.putNull("clio_connect_email");
        body.put("ledes_client_id", random.nextInt(4) == 0 ? "C" + (10_000 + id) : null);
        body.putNull("sales_tax_number");
        body.set("email_addresses", emails);
        body.set("phone_numbers", phones);
        body.set("addresses", SandboxJson.array().add(address(id, random)));
        body.set("custom_field_values", customFieldValues(context, "Contact", id * 10));
        return body;
    }

    private ObjectNode matter(RecordContext context) {
        SplittableRandom random = context.random();
        MatterIdentity matter = matterIdentity(context.id());
        ObjectNode body = start(context);
        body.put("number", context.id());
        body.put("display_number", matter.displayNumber());
        body.putNull("custom_number");
        body.put("description", matter.description());
        body.put("status", matter.status());
        body.put("location", pick(random, CITIES)[0]);
        body.put("client_reference", random.nextInt(3) == 0 ? "REF-" + (1_000 + random.nextInt(9_000)) : null);
        body.put("billable", random.nextInt(10) > 0);
        int method = random.nextInt(10);
        body.put("billing_method", method < 7 ? "hourly" : method < 9 ? "flat" : "contingency");
        body.put("open_date", matter.status().equals("Pending") ? null : ClioFormats.date(context.createdAt()));
        body.put("close_date", matter.status().equals("Closed") ? ClioFormats.date(context.updatedAt()) : null);
        body.put("pending_date", ClioFormats.date(context.createdAt()));
        timestamps(body);
        body.set("client", matter.clientId() == 0 ? null : contactReference(matter.clientId()));
        body.set("responsible_attorney", userReference(pickId(random, ClioEntity.USERS)));
        body.set("custom_field_values", customFieldValues(context, "Matter", context.id() * 10 + 5));
        return body;
    }

    private ObjectNode task(RecordContext context) {
        SplittableRandom random = context.random();
        ObjectNode body = start(context);
        String status = pick(random, TASK_STATUSES);
        body.put("name", pick(random, TASK_NAMES));
        body.put("status", status);
        body.put("description", "Follow up: " + pick(random, ACTIVITY_NOTES).toLowerCase(Locale.ROOT));
        body.put("priority", pick(random, PRIORITIES));
        body.put("due_at", ClioFormats.date(context.createdAt().plus(Duration.ofDays(1 + random.nextInt(60)))));
        body.put("completed_at", status.equals("complete") ? ClioFormats.timestamp(context.updatedAt()) : null);
        timestamps(body);
        long matterId = random.nextInt(10) == 0 ? 0 : pickId(random, ClioEntity.MATTERS);
        body.set("matter", matterReference(matterId));
        body.set("assignee", userReference(pickId(random, ClioEntity.USERS)));
        return body;
    }

    private ObjectNode activity(RecordContext context) {
        SplittableRandom random = context.random();
        ObjectNode body = start(context);
        boolean time = random.nextInt(4) > 0;
        body.put("type", time ? "TimeEntry" : "ExpenseEntry");
        body.put("date", ClioFormats.date(context.createdAt()));
        if (time) {
            // Clio bills in six-minute increments.
            double seconds = 360.0 * (1 + random.nextInt(80));
            timeEntryAmounts(body, seconds, 150 + 50 * random.nextInt(8));
        } else {
            double amount = round(5 + random.nextInt(50_000) / 100.0);
            body.put("quantity", 1.0);
            body.put("quantity_in_hours", 0.0);
            body.put("price", amount);
            body.put("total", amount);
        }
        body.put("note", pick(random, ACTIVITY_NOTES));
        boolean billed = random.nextInt(10) < 3;
        body.put("billed", billed);
        body.put("on_bill", billed || random.nextInt(10) == 0);
        body.put("non_billable", !billed && random.nextInt(20) == 0);
        body.put("flat_rate", false);
        timestamps(body);
        body.set("matter", matterReference(pickId(random, ClioEntity.MATTERS)));
        body.set("user", userReference(pickId(random, ClioEntity.USERS)));
        return body;
    }

    /**
     * Writes a time entry's quantity, which is in seconds since API version 4.0.4, the hours and the total it
     * bills at {@code rate} an hour.
     */
    private static void timeEntryAmounts(ObjectNode body, double seconds, double rate) {
        body.put("quantity", seconds);
        body.put("quantity_in_hours", round(seconds / 3600));
        body.put("price", rate);
        body.put("total", round(rate * seconds / 3600));
    }

    private ObjectNode calendarEntry(RecordContext context) {
        SplittableRandom random = context.random();
        ObjectNode body = SandboxJson.object();
        // Calendar entry ids are strings in Clio, because recurring instances share a parent id.
        body.put("id", Long.toString(context.id()));
        body.put("etag", "");
        boolean allDay = random.nextInt(10) == 0;
        Instant day = context.createdAt().plus(Duration.ofDays(1 + random.nextInt(30)))
                .truncatedTo(ChronoUnit.DAYS);
        Instant start = allDay ? day : day.plus(Duration.ofHours(9 + random.nextInt(8)));
        Instant end = allDay
                ? day.plus(Duration.ofDays(1))
                : start.plus(Duration.ofMinutes(30L * (1 + random.nextInt(4))));
        body.put("summary", pick(random, CALENDAR_SUMMARIES));
        body.put("description", pick(random, MATTER_TOPICS) + " discussion");
        body.put("location", pick(random, CITIES)[0]);
        body.put("start_at", ClioFormats.timestamp(start));
        body.put("end_at", ClioFormats.timestamp(end));
        body.put("all_day", allDay);
        body.putNull("recurrence_rule");
        body.putNull("parent_calendar_entry_id");
        body.put("court_rule", false);
        body.put("calendar_owner_id", pickId(random, ClioEntity.USERS));
        timestamps(body);
        body.set("matter", random.nextInt(10) < 7 ? matterReference(pickId(random, ClioEntity.MATTERS)) : null);
        return body;
    }

    private ObjectNode bill(RecordContext context) {
        SplittableRandom random = context.random();
        ObjectNode body = start(context);
        String state = pick(random, BILL_STATES);
        double subTotal = round(200 + random.nextInt(1_000_000) / 100.0);
        double tax = round(subTotal * 0.05);
        double total = round(subTotal + tax);
        double paid = switch (state) {
            case "paid" -> total;
            case "awaiting_payment" -> random.nextBoolean() ? 0 : round(total / 2);
            default -> 0;
        };
        body.put("number", Long.toString(1_000 + context.id()));
        body.put("issued_at", ClioFormats.date(context.createdAt()));
        body.put("due_at", ClioFormats.date(context.createdAt().plus(Duration.ofDays(30))));
        long matterId = pickId(random, ClioEntity.MATTERS);
        MatterIdentity matter = matterId == 0 ? null : matterIdentity(matterId);
        body.put("subject", matter == null ? "Professional services" : "Services for " + matter.displayNumber());
        body.put("type", "MatterBill");
        body.put("kind", "revenue_kind");
        body.put("state", state);
        body.put("sub_total", subTotal);
        body.put("tax_sum", tax);
        body.put("total", total);
        body.put("paid", paid);
        body.put("balance", state.equals("void") ? 0 : round(total - paid));
        timestamps(body);
        body.set("client", matter == null || matter.clientId() == 0 ? null : contactReference(matter.clientId()));
        ArrayNode matters = body.putArray("matters");
        if (matter != null) {
            matters.add(matterReference(matterId));
        }
        return body;
    }

    private ObjectNode customField(RecordContext context) {
        CustomFieldDefinition definition = customFieldDefinition(context.id());
        ObjectNode body = start(context);
        body.put("name", definition.name());
        body.put("parent_type", definition.parentType());
        body.put("field_type", definition.fieldType());
        body.put("displayed", true);
        body.put("deleted", false);
        body.put("required", false);
        body.put("display_order", context.id());
        timestamps(body);
        return body;
    }

    private ObjectNode customAction(RecordContext context) {
        ObjectNode body = start(context);
        body.put("label", "Open in Junction");
        body.put("target_url", "https://junction.example/clio/custom-actions/" + context.id());
        body.put("ui_reference", UI_REFERENCES[(int) (context.id() % UI_REFERENCES.length)]);
        timestamps(body);
        return body;
    }

    private ObjectNode webhook(RecordContext context) {
        ObjectNode body = start(context);
        for (String field : new String[] {"url", "fields", "shared_secret", "model", "status"}) {
            body.putNull(field);
        }
        body.putArray("events");
        body.putNull("expires_at");
        timestamps(body);
        return body;
    }

    private static ObjectNode start(RecordContext context) {
        // Sized for a contact's forty-odd fields, so the map is not rehashed three times while the record is built.
        ObjectNode body = new ObjectNode(SandboxJson.mapper().getNodeFactory(), new java.util.LinkedHashMap<>(64));
        body.put("id", context.id());
        body.put("etag", "");
        return body;
    }

    /** Reserves the timestamp fields at this position; {@link #finish} fills them. */
    private static void timestamps(ObjectNode body) {
        body.putNull("created_at");
        body.putNull("updated_at");
    }

    private static ObjectNode nested(long id, String valueField, String value, String name, boolean primary) {
        ObjectNode element = SandboxJson.object();
        element.put("id", id);
        element.put(valueField, value);
        element.put("name", name);
        element.put("primary", primary);
        return element;
    }

    private static ObjectNode address(long contactId, SplittableRandom random) {
        String[] city = pick(random, CITIES);
        ObjectNode address = SandboxJson.object();
        address.put("id", contactId * 10);
        address.put("street", (10 + random.nextInt(9_000)) + " " + pick(random, STREETS));
        address.put("city", city[0]);
        address.put("province", city[1]);
        address.put("postal_code", city[2]);
        address.put("country", city[3]);
        address.put("name", "Work");
        address.put("primary", true);
        return address;
    }

    private ArrayNode customFieldValues(RecordContext context, String parentType, long firstValueId) {
        SplittableRandom random = context.random();
        ArrayNode values = SandboxJson.array();
        long firstFieldId = parentType.equals("Contact") ? 1 : 2;
        long customFields = baseCounts.getOrDefault(ClioEntity.CUSTOM_FIELDS, 0L);
        for (int index = 0; index < CUSTOM_FIELD_VALUES_PER_RECORD; index++) {
            long fieldId = firstFieldId + 2L * index;
            if (fieldId > customFields) {
                break;
            }
            CustomFieldDefinition definition = customFieldDefinition(fieldId);
            ObjectNode value = SandboxJson.object();
            // Custom field value ids are composite strings: "<field type>-<value id>".
            value.put("id", definition.fieldType() + "-" + (firstValueId + index));
            value.put("etag", "");
            value.put("field_name", definition.name());
            value.put("field_type", definition.fieldType());
            value.put("value", customFieldValue(definition.fieldType(), context.id(), random));
            value.put("soft_deleted", false);
            value.set("custom_field", SandboxJson.object().put("id", fieldId));
            value.put("etag", etag(value));
            values.add(value);
        }
        return values;
    }

    private static String customFieldValue(String fieldType, long recordId, SplittableRandom random) {
        return switch (fieldType) {
            case "text_line" -> pick(random, new String[] {"Website", "Referral", "Existing client", "Conference"});
            case "numeric" -> Integer.toString(1_000 + random.nextInt(99_000));
            case "date" -> ClioFormats.date(
                    Instant.parse("2020-01-01T00:00:00Z").plus(Duration.ofDays(random.nextInt(1_500))));
            case "checkbox" -> Boolean.toString(random.nextBoolean());
            case "picklist" -> pick(random, new String[] {"English", "French", "Spanish", "Mandarin"});
            case "email" -> "billing+" + recordId + "@example.com";
            case "url" -> "https://example.com/records/" + recordId;
            default -> "Notes about record " + recordId;
        };
    }

    ObjectNode contactReference(long contactId) {
        Identity who = contactIdentity(contactId);
        ObjectNode reference = SandboxJson.object();
        reference.put("id", contactId);
        reference.put("name", who.name());
        reference.put("first_name", who.firstName());
        reference.put("last_name", who.lastName());
        reference.put("type", who.firstName() == null ? "Company" : "Person");
        return reference;
    }

    private ObjectNode userReference(long userId) {
        if (userId == 0) {
            return null;
        }
        Identity who = userIdentity(userId);
        ObjectNode reference = SandboxJson.object();
        reference.put("id", userId);
        reference.put("name", who.name());
        reference.put("email", who.email());
        return reference;
    }

    private ObjectNode matterReference(long matterId) {
        if (matterId == 0) {
            return null;
        }
        MatterIdentity matter = matterIdentity(matterId);
        ObjectNode reference = SandboxJson.object();
        reference.put("id", matterId);
        reference.put("display_number", matter.displayNumber());
        reference.put("description", matter.description());
        reference.put("status", matter.status());
        return reference;
    }

    /** Who a base contact or user is; {@code firstName} is null for a company. */
    private record Identity(String name, String firstName, String lastName, String email) {
    }

    /** What other records repeat about a base matter. {@code clientId} is 0 when it has no client. */
    private record MatterIdentity(long clientId, String displayNumber, String description, String status) {
    }

    private Identity contactIdentity(long id) {
        SplittableRandom random = identityRandom(ClioEntity.CONTACTS, id);
        String last = pick(random, LAST_NAMES);
        if (random.nextInt(5) == 0) {
            String company = last + " " + pick(random, COMPANY_SUFFIXES);
            return new Identity(company, null, null, "info." + id + "@" + slug(last) + ".example.com");
        }
        String first = pick(random, FIRST_NAMES);
        return new Identity(first + " " + last, first, last,
                slug(first) + "." + slug(last) + id + "@example.com");
    }

    private Identity userIdentity(long id) {
        SplittableRandom random = identityRandom(ClioEntity.USERS, id);
        String first = pick(random, FIRST_NAMES);
        String last = pick(random, LAST_NAMES);
        return new Identity(first + " " + last, first, last, slug(first) + "." + slug(last) + "@firm.example.com");
    }

    private MatterIdentity matterIdentity(long id) {
        SplittableRandom random = identityRandom(ClioEntity.MATTERS, id);
        long clientId = pickId(random, ClioEntity.CONTACTS);
        String topic = pick(random, MATTER_TOPICS);
        int status = random.nextInt(10);
        if (clientId == 0) {
            return new MatterIdentity(0, String.format("%05d", id), topic, "Open");
        }
        Identity client = contactIdentity(clientId);
        String shortName = client.lastName() != null ? client.lastName() : client.name().split(" ")[0];
        return new MatterIdentity(clientId, String.format("%05d-%s", id, shortName), topic + " for " + client.name(),
                status < 6 ? "Open" : status < 8 ? "Pending" : "Closed");
    }

    private SplittableRandom identityRandom(ClioEntity entity, long id) {
        return new SplittableRandom(mix(mix(seed, entity.ordinal() + 1_000L), id));
    }

    /** A random base id of {@code entity}, or 0 when there are none. */
    private long pickId(SplittableRandom random, ClioEntity entity) {
        long count = baseCounts.getOrDefault(entity, 0L);
        return count == 0 ? 0 : 1 + random.nextLong(count);
    }

    private static String phoneNumber(SplittableRandom random) {
        // 555-01xx numbers are reserved for fiction in North America.
        return "(" + pick(random, AREA_CODES) + ") 555-01" + String.format("%02d", random.nextInt(100));
    }

    private static String initials(String first, String last) {
        return first.substring(0, 1) + last.substring(0, 1);
    }

    private static String slug(String text) {
        return text.toLowerCase(Locale.ROOT).replaceAll("[^a-z]", "");
    }

    private static <T> T pick(SplittableRandom random, T[] choices) {
        return choices[random.nextInt(choices.length)];
    }

    private static double round(double amount) {
        return Math.round(amount * 100) / 100.0;
    }

    private static long mix(long first, long second) {
        long value = first * 0x9E3779B97F4A7C15L + second;
        value = (value ^ (value >>> 30)) * 0xBF58476D1CE4E5B9L;
        value = (value ^ (value >>> 27)) * 0x94D049BB133111EBL;
        return value ^ (value >>> 31);
    }
}
