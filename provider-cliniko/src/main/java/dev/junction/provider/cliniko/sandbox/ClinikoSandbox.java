package dev.junction.provider.cliniko.sandbox;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.junction.sandbox.ControllableSandbox;
import dev.junction.sandbox.FaultInjector;
import dev.junction.sandbox.FixedWindowRateLimiter;
import dev.junction.sandbox.RateLimitDecision;
import dev.junction.sandbox.RateLimitStatistics;
import dev.junction.sandbox.RequestLog;
import dev.junction.sandbox.RouteHandler;
import dev.junction.sandbox.SandboxJson;
import dev.junction.sandbox.SandboxRequest;
import dev.junction.sandbox.SandboxResponse;
import dev.junction.sandbox.SandboxServer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A simulator of the Cliniko API v1, built from Cliniko's public API documentation ([CLINIKO-README],
 * [CLINIKO-SHARD], [CLINIKO-SEC] in {@code shared/providers.md}), not from Junction's client. Serves {@code /v1/**}
 * on the loopback interface; every request passes, in order:
 * <ol>
 *   <li>HTTP Basic authentication with the API key as user name (the key with or without its shard suffix, any
 *       password): 401 otherwise, or when the key was revoked; with {@link Builder#withShardCheck} also 401 for a key
 *       whose suffix names another shard;</li>
 *   <li>the {@code User-Agent}: 403 unless it holds an app name and a contact e-mail in parentheses ("requests
 *       without ... may be automatically blocked");</li>
 *   <li>the rate limit, 200 requests a minute per key by default (fixed windows): over it, 429 with
 *       {@code X-RateLimit-Reset} (unix seconds), the only rate-limit header Cliniko documents.</li>
 * </ol>
 * Then the {@link FaultInjector}'s rules, and the routes of {@link ClinikoApi}. Data is seeded and deterministic:
 * businesses, practitioners, appointment types, patients (one in ten archived), individual appointments from half a
 * year ago to two months ahead (one in ten cancelled), invoices. Tests change it with the mutation helpers
 * ({@link #createPatient}, {@link #update}, {@link #archivePatient}, {@link #cancelAppointment}, {@link #delete},
 * {@link #corrupt}, ...), which stamp {@code updated_at} with the sandbox clock as Cliniko would.
 *
 * <p>Thread-safe.
 */
public final class ClinikoSandbox implements ControllableSandbox {

    public static final String PROVIDER_ID = "cliniko";
    /** The key a sandbox accepts unless told otherwise; its suffix names shard {@code au1}. */
    public static final String DEFAULT_API_KEY = "MS0xMjM0NTY3ODkwLXNhbmRib3g-au1";

    private static final Pattern USER_AGENT = Pattern.compile(".*\\S.*\\(\\s*[^\\s@()]+@[^\\s@()]+\\.[^\\s@()]+\\s*\\).*");

    private final SandboxServer server;
    private final ClinikoStore store;
    private final FixedWindowRateLimiter rateLimiter;
    private final Clock clock;
    private final String apiKey;
    private final String shard;
    private final boolean shardCheck;
    private volatile boolean revoked;

    private ClinikoSandbox(Builder builder) {
        this.clock = builder.clock();
        this.apiKey = builder.apiKey;
        int dash = apiKey.lastIndexOf('-');
        this.shard = dash < 0 ? "au1" : apiKey.substring(dash + 1);
        this.shardCheck = builder.shardCheck;
        this.rateLimiter = new FixedWindowRateLimiter(builder.rateLimit(), builder.rateWindow(), clock);
        this.server = SandboxServer.builder().withPort(builder.port()).withClock(clock).build();
        server.start();
        this.store = new ClinikoStore(builder.seed(), builder.counts, server.baseUrl() + ClinikoApi.PREFIX, clock.instant());
        server.filter(ClinikoApi.PREFIX + "/**", this::filter);
        new ClinikoApi(store, clock, server::baseUrl).install(server);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Starts a sandbox with default data on port 8099 and prints how to reach it. */
    public static void main(String[] args) throws InterruptedException {
        ClinikoSandbox sandbox = builder().withPort(8099).start();
        System.out.println("Cliniko sandbox at " + sandbox.apiBaseUrl() + " with API key " + sandbox.apiKey());
        Thread.currentThread().join();
    }

    // ---- the filter chain ----------------------------------------------------------------------------------

    private SandboxResponse filter(SandboxRequest request, RouteHandler next) {
        Optional<String> user = basicUser(request);
        if (user.isEmpty() || revoked || !accepts(user.get())) {
            return SandboxResponse.json(401, Map.of("message", "Unauthorized: provide your API key as the HTTP Basic user name"))
                    .withHeader("WWW-Authenticate", "Basic realm=\"Cliniko API\"");
        }
        if (!request.header("User-Agent").filter(value -> USER_AGENT.matcher(value).matches()).isPresent()) {
            return SandboxResponse.json(403, Map.of("message",
                    "Forbidden: send a User-Agent with your app name and contact e-mail, e.g. 'Helpful app (devs@example.com)'"));
        }
        RateLimitDecision decision = rateLimiter.acquire(apiKey);
        if (!decision.allowed()) {
            // Cliniko documents only X-RateLimit-Reset on a 429 (no Limit, Remaining or Retry-After).
            return SandboxResponse.json(429, Map.of("message", "Too many requests"))
                    .withHeader("X-RateLimit-Reset", decision.headers().get("X-RateLimit-Reset"));
        }
        return next.handle(request);
    }

    /** The key itself, the key without its shard suffix, or (without the shard check) the key with another suffix. */
    private boolean accepts(String user) {
        int dash = apiKey.lastIndexOf('-');
        String bare = dash < 0 ? apiKey : apiKey.substring(0, dash);
        if (user.equals(apiKey) || user.equals(bare)) {
            return true;
        }
        int userDash = user.lastIndexOf('-');
        return !shardCheck && userDash > 0 && user.substring(0, userDash).equals(bare);
    }

    private static Optional<String> basicUser(SandboxRequest request) {
        Optional<String> header = request.header("Authorization");
        if (header.isEmpty() || !header.get().regionMatches(true, 0, "Basic ", 0, 6)) {
            return Optional.empty();
        }
        try {
            String decoded = new String(Base64.getDecoder().decode(header.get().substring(6).trim()), StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            return Optional.of(colon < 0 ? decoded : decoded.substring(0, colon));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    // ---- access ---------------------------------------------------------------------------------------------

    @Override
    public String providerId() {
        return PROVIDER_ID;
    }

    /** The server root, {@code http://127.0.0.1:port}; the value of the provider's {@code base_url} setting. */
    @Override
    public String baseUrl() {
        return server.baseUrl();
    }

    /** The API root, {@code http://127.0.0.1:port/v1}. */
    public String apiBaseUrl() {
        return server.baseUrl() + ClinikoApi.PREFIX;
    }

    public String apiKey() {
        return apiKey;
    }

    /** {@code base_url}, {@code api_base_url} and {@code api_key}: sandbox credentials, safe to print. */
    @Override
    public Map<String, String> connectionProperties() {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("base_url", baseUrl());
        properties.put("api_base_url", apiBaseUrl());
        properties.put("api_key", apiKey);
        return properties;
    }

    /** Makes every request with the key fail with 401 from now on, as when the user deletes the key. */
    public void revokeKey() {
        revoked = true;
    }

    public void restoreKey() {
        revoked = false;
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

    public Clock clock() {
        return clock;
    }

    /** Every entity's live record count (main and archived, cancelled or inactive listings), by its path. */
    @Override
    public Map<String, Long> recordCounts() {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (SandboxEntity entity : SandboxEntity.values()) {
            counts.put(entity.path(), (long) liveIds(entity).size());
        }
        return counts;
    }

    /** The ids of the records that exist (archived patients and cancelled appointments included, deleted ones not). */
    public Set<Long> liveIds(SandboxEntity entity) {
        return store.liveIds(entity);
    }

    /** A copy of a live record's JSON as the API returns it. */
    public Optional<ObjectNode> record(SandboxEntity entity, long id) {
        return store.find(entity, id).map(entry -> entry.body.deepCopy());
    }

    // ---- mutation helpers ---------------------------------------------------------------------------------

    /** Creates an active patient; returns its id. */
    public long createPatient(String firstName, String lastName, String email) {
        return store.insert(SandboxEntity.PATIENTS, clock.instant(),
                id -> store.patientBody(id, firstName, lastName, email)).id;
    }

    /** Books an appointment of the first practitioner, type and business for {@code patientId}; returns its id. */
    public long createAppointment(long patientId, Instant startsAt, Duration length) {
        ObjectNode patient = record(SandboxEntity.PATIENTS, patientId)
                .orElseThrow(() -> new IllegalArgumentException("no patient " + patientId));
        long practitioner = first(SandboxEntity.PRACTITIONERS);
        long type = first(SandboxEntity.APPOINTMENT_TYPES);
        long business = first(SandboxEntity.BUSINESSES);
        String name = patient.path("first_name").asText() + " " + patient.path("last_name").asText();
        return store.insert(SandboxEntity.INDIVIDUAL_APPOINTMENTS, clock.instant(), id -> store.appointmentBody(id, patientId,
                name, practitioner, type, business, startsAt, startsAt.plus(length))).id;
    }

    /** Sets fields of a live record (and its {@code updated_at}); false when it does not exist. */
    public boolean update(SandboxEntity entity, long id, ObjectNode fields) {
        return store.update(entity, id, clock.instant(), body -> body.setAll(fields.deepCopy())).isPresent();
    }

    /** Archives a patient: it moves to {@code /patients/archived} with {@code archived_at} set. */
    public boolean archivePatient(long id) {
        Instant now = clock.instant();
        return store.update(SandboxEntity.PATIENTS, id, now, body -> body.put("archived_at", ClinikoStore.format(now))).isPresent();
    }

    public boolean unarchivePatient(long id) {
        return store.update(SandboxEntity.PATIENTS, id, clock.instant(), body -> body.put("archived_at", "")).isPresent();
    }

    /** Makes a practitioner inactive: it moves to {@code /practitioners/inactive} with {@code active: false}. */
    public boolean deactivatePractitioner(long id) {
        return store.update(SandboxEntity.PRACTITIONERS, id, clock.instant(), body -> body.put("active", false)).isPresent();
    }

    /** Archives an appointment type: it moves to {@code /appointment_types/archived} with {@code archived_at} set. */
    public boolean archiveAppointmentType(long id) {
        Instant now = clock.instant();
        return store.update(SandboxEntity.APPOINTMENT_TYPES, id, now, body -> body.put("archived_at", ClinikoStore.format(now))).isPresent();
    }

    /** Cancels an appointment: it moves to {@code /individual_appointments/cancelled} with {@code cancelled_at} set. */
    public boolean cancelAppointment(long id) {
        Instant now = clock.instant();
        return store.update(SandboxEntity.INDIVIDUAL_APPOINTMENTS, id, now, body -> {
            body.put("cancelled_at", ClinikoStore.format(now));
            body.put("cancellation_reason", 50);
            body.put("cancellation_reason_description", cancellationDescription(50));
        }).isPresent();
    }

    /** Deletes a record: it leaves its listings and appears in {@code /<entity>/deleted}. */
    public boolean delete(SandboxEntity entity, long id) {
        return store.delete(entity, id, clock.instant());
    }

    /**
     * Makes a record unreadable for a client while keeping its id: its name field becomes an object and
     * {@code updated_at} becomes {@code "not-a-date"}. It still counts as updated now, so incremental syncs fetch it.
     */
    public boolean corrupt(SandboxEntity entity, long id) {
        String field = switch (entity) {
            case PATIENTS, PRACTITIONERS -> "first_name";
            case INDIVIDUAL_APPOINTMENTS -> "starts_at";
            case INVOICES -> "total_amount";
            case BUSINESSES -> "business_name";
            case APPOINTMENT_TYPES -> "name";
        };
        return store.update(entity, id, clock.instant(), body -> {
            body.set(field, SandboxJson.object().put("unexpected", true));
            body.put("updated_at", "not-a-date");
        }).isPresent();
    }

    private long first(SandboxEntity entity) {
        return store.liveIds(entity).stream().findFirst().orElseThrow(() -> new IllegalStateException("no " + entity.path()));
    }

    static String cancellationDescription(int reason) {
        return switch (reason) {
            case 10 -> "Feeling better";
            case 20 -> "Condition worse";
            case 30 -> "Sick";
            case 40 -> "Away";
            case 60 -> "Work";
            default -> "Other";
        };
    }

    @Override
    public void close() {
        server.close();
    }

    /** Configures a sandbox. Not thread-safe. */
    public static final class Builder extends dev.junction.sandbox.SandboxBuilder<Builder> {
        private final Map<SandboxEntity, Integer> counts = new EnumMap<>(SandboxEntity.class);
        private String apiKey = DEFAULT_API_KEY;
        private boolean shardCheck;

        private Builder() {
            super(200, Duration.ofMinutes(1));
        }

        /** How many records of {@code entity} to generate (patients 50, appointments three per patient, ...). */
        public Builder withRecordCount(SandboxEntity entity, int count) {
            if (count < 0) {
                throw new IllegalArgumentException("count must not be negative");
            }
            counts.put(entity, count);
            return this;
        }

        /** The API key the sandbox accepts (its suffix after the last '-' is its shard). */
        public Builder withApiKey(String value) {
            this.apiKey = Objects.requireNonNull(value, "apiKey");
            return this;
        }

        /** Refuses (401) keys whose suffix names another shard than the sandbox key's; off by default. */
        public Builder withShardCheck(boolean value) {
            this.shardCheck = value;
            return this;
        }

        public ClinikoSandbox start() {
            return new ClinikoSandbox(this);
        }
    }
}
