package dev.junction.examples.manychat.sandbox;

import com.fasterxml.jackson.databind.node.ArrayNode;
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
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A simulator of ManyChat's page API, built from ManyChat's published API description (api.manychat.com/swagger;
 * the shapes are the {@code Tag}, {@code Custom_Field}, {@code Bot_Field}, {@code Flow}, {@code Folder} and
 * {@code Growth_Tools} schemas): {@code GET /fb/page/getInfo}, {@code getTags}, {@code getCustomFields},
 * {@code getBotFields}, {@code getFlows} ({@code {"flows":[...],"folders":[...]}}), {@code getGrowthTools}, and
 * {@code POST /fb/page/createTag}. Every answer has ManyChat's envelope: {@code {"status":"success","data":...}}, or
 * {@code {"status":"error","message":...,"details":{"messages":[...]}}} with 400/401/429. Auth is
 * {@code Authorization: Bearer <api key>}. None of the lists is paged, as at ManyChat.
 *
 * <p>Deterministic. Thread-safe: the store is guarded by this object's monitor.
 */
public final class ManyChatSandbox implements ControllableSandbox {

    public static final String PROVIDER_ID = "manychat";
    /** ManyChat keys are {@code <page id>:<token>}; this one is the sandbox's and is made up. */
    public static final String DEFAULT_API_KEY = "1000001:" + "sandbox".repeat(4);
    static final List<String> ENTITIES = List.of("tags", "custom_fields", "bot_fields", "flows", "growth_tools");
    private static final String[] GROWTH_TOOL_TYPES = {"ref_url", "messenger_ref_url", "landing_page", "widget", "qr_code"};
    private static final String[] FIELD_TYPES = {"text", "number", "date", "datetime", "boolean"};

    private final SandboxServer server;
    private final FixedWindowRateLimiter rateLimiter;
    private final String apiKey;
    private final Map<String, Map<String, ObjectNode>> store = new LinkedHashMap<>();
    private long nextId = 100_000;
    private volatile boolean revoked;

    private ManyChatSandbox(Builder builder) {
        this.apiKey = builder.apiKey;
        this.rateLimiter = new FixedWindowRateLimiter(builder.rateLimit, builder.rateWindow, builder.clock);
        ENTITIES.forEach(entity -> store.put(entity, new LinkedHashMap<>()));
        seed(builder.counts);
        this.server = SandboxServer.builder().withPort(builder.port).withClock(builder.clock).build();
        server.filter("/**", this::filter);
        server.route("GET", "/fb/page/getInfo", request -> ok(SandboxJson.object().put("id", 1000001L).put("name", "Junction Demo Page")
                .put("category", "Software").put("avatar_link", "").put("username", "junctiondemo").put("about", "")
                .put("description", "A sandbox page").put("is_pro", true).put("timezone", "UTC")));
        server.route("GET", "/fb/page/getTags", request -> list("tags"));
        server.route("GET", "/fb/page/getCustomFields", request -> list("custom_fields"));
        server.route("GET", "/fb/page/getBotFields", request -> list("bot_fields"));
        server.route("GET", "/fb/page/getGrowthTools", request -> list("growth_tools"));
        server.route("GET", "/fb/page/getFlows", request -> flows());
        server.route("POST", "/fb/page/createTag", this::createTagRequest);
        server.start();
    }

    public static Builder builder() {
        return new Builder();
    }

    private synchronized void seed(Map<String, Integer> counts) {
        for (int i = 1; i <= counts.get("tags"); i++) {
            createTag("Tag " + i);
        }
        for (int i = 1; i <= counts.get("custom_fields"); i++) {
            String id = Long.toString(nextId++);
            store.get("custom_fields").put(id, SandboxJson.object().put("id", Long.parseLong(id)).put("name", "field_" + i)
                    .put("type", FIELD_TYPES[i % FIELD_TYPES.length]).put("description", "Custom field " + i));
        }
        for (int i = 1; i <= counts.get("bot_fields"); i++) {
            String id = Long.toString(nextId++);
            ObjectNode field = SandboxJson.object().put("id", Long.parseLong(id)).put("name", "bot_field_" + i)
                    .put("type", "number").put("description", "Bot field " + i).put("value", i * 10);
            store.get("bot_fields").put(id, field);
        }
        for (int i = 1; i <= counts.get("flows"); i++) {
            String ns = String.format("content%014d_%06d", 20_240_101_000_000L + i, i);
            store.get("flows").put(ns, SandboxJson.object().put("ns", ns).put("name", "Flow " + i).put("folder_id", i % 2 == 0 ? 0 : 10));
        }
        for (int i = 1; i <= counts.get("growth_tools"); i++) {
            String id = Long.toString(nextId++);
            store.get("growth_tools").put(id, SandboxJson.object().put("id", Long.parseLong(id)).put("name", "Growth tool " + i)
                    .put("type", GROWTH_TOOL_TYPES[i % GROWTH_TOOL_TYPES.length]));
        }
    }

    // ---- HTTP -------------------------------------------------------------------------------------------------

    private SandboxResponse filter(SandboxRequest request, RouteHandler next) {
        Optional<String> authorization = request.header("Authorization");
        if (authorization.isEmpty() || revoked || !authorization.get().equals("Bearer " + apiKey)) {
            return error(401, "Wrong format token");
        }
        RateLimitDecision decision = rateLimiter.acquire(apiKey);
        if (!decision.allowed()) {
            return error(429, "Too many requests");
        }
        return next.handle(request);
    }

    private synchronized SandboxResponse list(String entity) {
        ArrayNode items = SandboxJson.array();
        store.get(entity).values().forEach(item -> items.add(item.deepCopy()));
        return SandboxResponse.json(200, SandboxJson.object().put("status", "success").set("data", items));
    }

    private synchronized SandboxResponse flows() {
        ObjectNode data = SandboxJson.object();
        ArrayNode flows = data.putArray("flows");
        store.get("flows").values().forEach(flow -> flows.add(flow.deepCopy()));
        data.putArray("folders").add(SandboxJson.object().put("id", 10).put("name", "Campaigns").put("parent_id", 0));
        return ok(data);
    }

    private SandboxResponse createTagRequest(SandboxRequest request) {
        com.fasterxml.jackson.databind.JsonNode body;
        try {
            body = SandboxJson.parse(request.body());
        } catch (RuntimeException e) {
            return error(400, "Validation error");
        }
        if (!body.path("name").isTextual() || body.path("name").asText().isBlank()) {
            return error(400, "Validation error");
        }
        synchronized (this) {
            boolean exists = store.get("tags").values().stream().anyMatch(tag -> tag.path("name").asText().equals(body.path("name").asText()));
            if (exists) {
                return error(400, "Tag with this name already exists");
            }
            String id = createTag(body.path("name").asText());
            return ok(SandboxJson.object().set("tag", store.get("tags").get(id).deepCopy()));
        }
    }

    private static SandboxResponse ok(ObjectNode data) {
        return SandboxResponse.json(200, SandboxJson.object().put("status", "success").set("data", data));
    }

    private static SandboxResponse error(int status, String message) {
        ObjectNode body = SandboxJson.object().put("status", "error").put("message", message);
        body.putObject("details").putArray("messages").add(SandboxJson.object().put("message", message));
        return SandboxResponse.json(status, body);
    }

    // ---- control (tests and the demo) -------------------------------------------------------------------------

    /** Creates a tag as a user would in ManyChat's UI; returns its id. */
    public synchronized String createTag(String name) {
        String id = Long.toString(nextId++);
        store.get("tags").put(id, SandboxJson.object().put("id", Long.parseLong(id)).put("name", name));
        return id;
    }

    /** Changes a stored item in place; false when there is no such item. */
    public synchronized boolean update(String entity, String id, Consumer<ObjectNode> change) {
        ObjectNode item = entities(entity).get(id);
        if (item == null) {
            return false;
        }
        change.accept(item);
        return true;
    }

    public synchronized boolean delete(String entity, String id) {
        return entities(entity).remove(id) != null;
    }

    /** The ids held now ({@code ns} for flows). */
    public synchronized Set<String> liveIds(String entity) {
        return Set.copyOf(entities(entity).keySet());
    }

    @Override
    public synchronized Map<String, Long> recordCounts() {
        Map<String, Long> counts = new LinkedHashMap<>();
        ENTITIES.forEach(entity -> counts.put(entity, (long) store.get(entity).size()));
        return counts;
    }

    /** Every request with the key answers 401 from now on, as when the key is regenerated in ManyChat. */
    public void revokeKey() {
        revoked = true;
    }

    public String apiKey() {
        return apiKey;
    }

    private Map<String, ObjectNode> entities(String entity) {
        Map<String, ObjectNode> items = store.get(entity);
        if (items == null) {
            throw new IllegalArgumentException("no sandbox entity " + entity);
        }
        return items;
    }

    @Override
    public String providerId() {
        return PROVIDER_ID;
    }

    @Override
    public String baseUrl() {
        return server.baseUrl();
    }

    /** {@code base_url} and {@code api_key}: sandbox credentials, safe to print. */
    @Override
    public Map<String, String> connectionProperties() {
        return Map.of("base_url", baseUrl(), "api_key", apiKey);
    }

    @Override
    public FaultInjector faults() {
        return server.faults();
    }

    @Override
    public RequestLog requestLog() {
        return server.requestLog();
    }

    @Override
    public RateLimitStatistics rateLimitStatistics() {
        return rateLimiter.statistics();
    }

    @Override
    public void close() {
        server.close();
    }

    /** Configures and starts a {@link ManyChatSandbox}. */
    public static final class Builder {
        private final Map<String, Integer> counts = new LinkedHashMap<>(Map.of("tags", 50, "custom_fields", 6, "bot_fields", 3,
                "flows", 5, "growth_tools", 3));
        private Clock clock = Clock.systemUTC();
        private int port;
        private int rateLimit = 10;
        private Duration rateWindow = Duration.ofSeconds(1);
        private String apiKey = DEFAULT_API_KEY;

        private Builder() {
        }

        public Builder withCount(String entity, int count) {
            if (!counts.containsKey(entity) || count < 0) {
                throw new IllegalArgumentException("no sandbox entity " + entity + " or a negative count");
            }
            counts.put(entity, count);
            return this;
        }

        public Builder withClock(Clock value) {
            clock = value;
            return this;
        }

        public Builder withPort(int value) {
            port = value;
            return this;
        }

        /** ManyChat's documented limits are per second per method (10 to 100); default 10 per second. */
        public Builder withRateLimit(int limit, Duration window) {
            rateLimit = limit;
            rateWindow = window;
            return this;
        }

        public Builder withApiKey(String value) {
            apiKey = value;
            return this;
        }

        public ManyChatSandbox start() {
            return new ManyChatSandbox(this);
        }
    }
}
