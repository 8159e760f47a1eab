package dev.junction.hub;

import static dev.junction.hub.JsonSupport.map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.junction.core.ActionResult;
import dev.junction.core.ChangeEvent;
import dev.junction.core.ChangePage;
import dev.junction.core.Connection;
import dev.junction.core.EntitySyncStats;
import dev.junction.core.Hub;
import dev.junction.core.NewConnection;
import dev.junction.core.OAuthStart;
import dev.junction.core.RawRecord;
import dev.junction.core.RecordPage;
import dev.junction.core.RecordQuery;
import dev.junction.core.StoredRecord;
import dev.junction.core.SyncHandle;
import dev.junction.core.SyncMode;
import dev.junction.core.SyncProgress;
import dev.junction.core.SyncRequest;
import dev.junction.core.SyncRun;
import dev.junction.core.WebhookInboxEntry;
import dev.junction.core.WebhookResponse;
import dev.junction.core.error.ErrorKind;
import dev.junction.core.error.JunctionException;
import dev.junction.core.model.UnifiedRecord;
import dev.junction.core.model.UnifiedType;
import dev.junction.core.spi.Action;
import dev.junction.core.spi.AuthMethod;
import dev.junction.core.spi.EntityType;
import dev.junction.core.spi.Provider;
import dev.junction.core.spi.Setting;
import dev.junction.core.spi.WebhookRequest;
import dev.junction.core.spi.WebhookSubscription;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The REST API's routes and handlers, each a thin translation between HTTP and the {@link Hub} facade. Tenant routes
 * pass the authenticated tenant to every hub call, and the hub filters by it, so another tenant's id is simply not
 * found (404).
 *
 * <p>Sync handles of runs started here are kept in memory while they run, for live progress and cancel.
 *
 * <p>Thread-safe.
 */
final class HubApi implements AutoCloseable {

    private static final Pattern TENANT_ID = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");
    private static final Pattern IDEMPOTENCY_KEY = Pattern.compile("[\\x21-\\x7e]{1,200}");

    private final Hub hub;
    private final TenantStore tenants;
    private final String publicUrl;
    private final Map<String, SyncHandle> running = new ConcurrentHashMap<>();
    private final List<Route> routes;

    private final SyncScheduler schedules;

    HubApi(Hub hub, TenantStore tenants, String publicUrl, SyncScheduler schedules) {
        this(hub, tenants, publicUrl, schedules, List.of());
    }

    /** With more routes from hub-server's other parts (outbound webhooks, the errors view), documented like the rest. */
    HubApi(Hub hub, TenantStore tenants, String publicUrl, SyncScheduler schedules, List<Route> moreRoutes) {
        this.hub = hub;
        this.schedules = schedules;
        this.tenants = tenants;
        this.publicUrl = publicUrl;
        List<Route> all = buildRoutes();
        all.addAll(moreRoutes);
        this.routes = List.copyOf(all);
    }

    List<Route> routes() {
        return routes;
    }

    ObjectNode openApi() {
        return OpenApi.document(routes, publicUrl);
    }

    /** The handle of a run started through this API, while it is kept (tests and the demo watch it). */
    Optional<SyncHandle> handle(String runId) {
        return Optional.ofNullable(running.get(runId));
    }

    @Override
    public void close() {
        running.values().forEach(handle -> {
            if (!handle.done()) {
                handle.cancel();
            }
        });
        running.clear();
    }

    private List<Route> buildRoutes() {
        List<Route> list = new ArrayList<>();
        // ---- tenants and keys (admin) ------------------------------------------------------------------
        list.add(Route.builder("POST", "/v1/tenants", Route.Access.ADMIN).withTag("tenants")
                .withSummary("Create a tenant").withBody("NewTenant")
                .withResponse(201, "Tenant").withResponse(409, "Problem").withResponse(422, "Problem")
                .handledBy(this::createTenant));
        list.add(Route.builder("GET", "/v1/tenants", Route.Access.ADMIN).withTag("tenants")
                .withSummary("List tenants").withResponse(200, "TenantList")
                .handledBy(request -> ApiResponse.ok(map("items", tenants.listTenants().stream().map(HubApi::tenant).toList()))));
        list.add(Route.builder("POST", "/v1/tenants/{tenantId}/api-keys", Route.Access.ADMIN).withTag("tenants")
                .withSummary("Create an API key for a tenant; the key is shown once").withBody("NewApiKey")
                .withResponse(201, "CreatedApiKey").withResponse(404, "Problem")
                .handledBy(this::createKey));
        list.add(Route.builder("GET", "/v1/tenants/{tenantId}/api-keys", Route.Access.ADMIN).withTag("tenants")
                .withSummary("List a tenant's API keys (without secrets)").withResponse(200, "ApiKeyList").withResponse(404, "Problem")
                .handledBy(request -> ApiResponse.ok(map("items",
                        tenants.listKeys(existingTenant(request)).stream().map(HubApi::apiKey).toList()))));
        list.add(Route.builder("DELETE", "/v1/tenants/{tenantId}/api-keys/{keyId}", Route.Access.ADMIN).withTag("tenants")
                .withSummary("Revoke an API key").withResponse(204, null).withResponse(404, "Problem")
                .handledBy(request -> {
                    if (!tenants.revokeKey(existingTenant(request), request.pathId("keyId"))) {
                        throw ApiException.notFound("no API key '" + request.path("keyId") + "'");
                    }
                    return ApiResponse.noContent();
                }));
        // ---- providers ---------------------------------------------------------------------------------
        list.add(Route.builder("GET", "/v1/providers", Route.Access.TENANT).withTag("providers")
                .withSummary("Installed providers: auth kind, settings, entities, actions, capabilities").withResponse(200, "ProviderList")
                .handledBy(request -> ApiResponse.ok(map("items", hub.providers().stream()
                        .sorted((a, b) -> a.id().compareTo(b.id())).map(HubApi::provider).toList()))));
        // ---- connections -------------------------------------------------------------------------------
        list.add(Route.builder("POST", "/v1/connections", Route.Access.TENANT).withTag("connections")
                .withSummary("Create a connection (API-key or basic settings here; OAuth providers then start OAuth)")
                .withBody("NewConnection").withResponse(201, "Connection").withResponse(422, "Problem")
                .handledBy(this::createConnection));
        list.add(Route.builder("GET", "/v1/connections", Route.Access.TENANT).withTag("connections")
                .withSummary("List the tenant's connections").withResponse(200, "ConnectionList")
                .handledBy(request -> ApiResponse.ok(map("items",
                        hub.listConnections(request.tenantId()).stream().map(this::connection).toList()))));
        list.add(Route.builder("GET", "/v1/connections/{connectionId}", Route.Access.TENANT).withTag("connections")
                .withSummary("Read a connection: status, last error, latest run").withResponse(200, "Connection").withResponse(404, "Problem")
                .handledBy(request -> ApiResponse.ok(connectionDetail(request.tenantId(), request.pathId("connectionId")))));
        list.add(Route.builder("DELETE", "/v1/connections/{connectionId}", Route.Access.TENANT).withTag("connections")
                .withSummary("Delete a connection, its webhooks at the provider (best effort) and its data")
                .withResponse(204, null).withResponse(404, "Problem")
                .handledBy(request -> {
                    if (!hub.deleteConnection(request.tenantId(), request.pathId("connectionId"))) {
                        throw ApiException.notFound("no connection '" + request.path("connectionId") + "'");
                    }
                    schedules.connectionDeleted(request.pathId("connectionId"));
                    return ApiResponse.noContent();
                }));
        list.add(Route.builder("GET", "/v1/connections/{connectionId}/schedule", Route.Access.TENANT).withTag("connections")
                .withSummary("The connection's scheduled incremental sync: interval, on/off, next and last run")
                .withResponse(200, "Schedule").withResponse(404, "Problem")
                .handledBy(request -> {
                    Connection connection = hub.getConnection(request.tenantId(), request.pathId("connectionId"));
                    return ApiResponse.ok(schedule(schedules.schedule(connection.tenantId(), connection.id())));
                }));
        list.add(Route.builder("PUT", "/v1/connections/{connectionId}/schedule", Route.Access.TENANT).withTag("connections")
                .withSummary("Set the scheduled sync's interval (60..604800 s; null for the server default) and turn it on or off")
                .withBody("ScheduleUpdate").withResponse(200, "Schedule").withResponse(400, "Problem").withResponse(404, "Problem")
                .withResponse(422, "Problem")
                .handledBy(this::updateSchedule));
        list.add(Route.builder("POST", "/v1/connections/{connectionId}/oauth/start", Route.Access.TENANT).withTag("connections")
                .withSummary("Start OAuth: returns the provider's authorize URL to send the user to").withBody("OAuthStartRequest")
                .withResponse(200, "OAuthStart").withResponse(404, "Problem").withResponse(501, "Problem")
                .handledBy(this::startOAuth));
        list.add(Route.builder("GET", "/v1/oauth/callback", Route.Access.PUBLIC).withTag("connections")
                .withSummary("OAuth redirect target: completes the flow (the state says which connection)")
                .withRequiredQuery("code", "string", "the authorization code").withRequiredQuery("state", "string", "the state from the start")
                .withResponse(200, "OAuthCompleted").withResponse(400, "Problem").withResponse(422, "Problem")
                .handledBy(this::completeOAuth));
        // ---- syncs -------------------------------------------------------------------------------------
        list.add(Route.builder("POST", "/v1/connections/{connectionId}/syncs", Route.Access.TENANT).withTag("syncs")
                .withSummary("Start a full or incremental sync of all or some entities").withBody("SyncTrigger")
                .withResponse(202, "SyncStarted").withResponse(404, "Problem").withResponse(422, "Problem").withResponse(409, "Problem")
                .handledBy(this::startSync));
        list.add(Route.builder("GET", "/v1/connections/{connectionId}/syncs", Route.Access.TENANT).withTag("syncs")
                .withSummary("The connection's runs, newest first").withQuery("limit", "integer", "1..100, default 20")
                .withResponse(200, "SyncRunList").withResponse(404, "Problem")
                .handledBy(request -> ApiResponse.ok(map("items", hub.listSyncRuns(request.tenantId(),
                        request.pathId("connectionId"), request.queryInt("limit", 20, 1, 100)).stream().map(this::run).toList()))));
        list.add(Route.builder("GET", "/v1/syncs/{runId}", Route.Access.TENANT).withTag("syncs")
                .withSummary("A run: status, per-entity counts and errors, live progress while it runs")
                .withResponse(200, "SyncRun").withResponse(404, "Problem")
                .handledBy(request -> ApiResponse.ok(run(hub.getSyncRun(request.tenantId(), request.pathId("runId"))))));
        list.add(Route.builder("POST", "/v1/syncs/{runId}/cancel", Route.Access.TENANT).withTag("syncs")
                .withSummary("Cancel a running sync on any node (it stops after the current page)")
                .withResponse(202, "SyncRun").withResponse(404, "Problem").withResponse(409, "Problem")
                .handledBy(this::cancelSync));
        // ---- data --------------------------------------------------------------------------------------
        list.add(Route.builder("GET", "/v1/records/{type}", Route.Access.TENANT).withTag("data")
                .withSummary("Unified records of one type (contact, user, engagement, task, ...), filtered, cursor-paged")
                .withQuery("connection_id", "string", "only this connection's records")
                .withQuery("updated_since", "string", "ISO-8601 instant")
                .withQuery("q", "string", "text search")
                .withQuery("include_deleted", "boolean", "default false")
                .withQuery("cursor", "string", "next_cursor of the previous page")
                .withQuery("limit", "integer", "1..1000, default 100")
                .withResponse(200, "RecordList").withResponse(400, "Problem").withResponse(404, "Problem")
                .handledBy(this::listRecords));
        list.add(Route.builder("GET", "/v1/connections/{connectionId}/records/{type}/{externalId}", Route.Access.TENANT).withTag("data")
                .withSummary("One unified record").withResponse(200, "Record").withResponse(404, "Problem")
                .handledBy(this::getRecord));
        list.add(Route.builder("GET", "/v1/connections/{connectionId}/raw/{entity}/{externalId}", Route.Access.TENANT).withTag("data")
                .withSummary("A record's raw provider payload, as received").withResponse(200, "RawRecord").withResponse(404, "Problem")
                .handledBy(this::getRaw));
        list.add(Route.builder("GET", "/v1/changes", Route.Access.TENANT).withTag("data")
                .withSummary("The tenant's change feed after a cursor (0 for the beginning)")
                .withQuery("after", "integer", "the next_cursor of the previous page, default 0")
                .withQuery("connection_id", "string", "only this connection's events")
                .withQuery("limit", "integer", "1..1000, default 100")
                .withResponse(200, "ChangeList").withResponse(400, "Problem").withResponse(404, "Problem")
                .handledBy(this::changes));
        list.add(Route.builder("GET", "/v1/connections/{connectionId}/dead-letters", Route.Access.TENANT).withTag("data")
                .withSummary("Records that could not be processed (sync or webhook), oldest first")
                .withQuery("limit", "integer", "1..500, default 100")
                .withResponse(200, "DeadLetterList").withResponse(404, "Problem")
                .handledBy(request -> ApiResponse.ok(map("items", hub.deadLetters(request.tenantId(), request.pathId("connectionId"),
                        request.queryInt("limit", 100, 1, 500)).stream().map(letter -> map("id", letter.id(),
                        "connection_id", letter.connectionId(), "entity", letter.entity(), "external_id", letter.externalId(),
                        "run_id", letter.runId(), "source", letter.source(), "error", letter.error(),
                        "created_at", letter.createdAt())).toList()))));
        // ---- actions -----------------------------------------------------------------------------------
        list.add(Route.builder("POST", "/v1/connections/{connectionId}/actions/{action}", Route.Access.TENANT).withTag("actions")
                .withSummary("Run a provider action once per Idempotency-Key (same key and body: same result; other body: 409)")
                .withRequiredHeader("Idempotency-Key").withBody("ActionInput")
                .withResponse(200, "ActionResult").withResponse(400, "Problem").withResponse(404, "Problem").withResponse(409, "Problem")
                .withResponse(422, "Problem").withResponse(502, "Problem").withResponse(503, "Problem")
                .handledBy(this::runAction));
        // ---- two-way sync ------------------------------------------------------------------------------
        list.add(Route.builder("POST", "/v1/connections/{connectionId}/push", Route.Access.TENANT).withTag("two-way sync")
                .withSummary("Write a local change to the provider, checking for a conflict; once per Idempotency-Key")
                .withRequiredHeader("Idempotency-Key").withBody("PushInput")
                .withResponse(200, "PushResult").withResponse(400, "Problem").withResponse(404, "Problem").withResponse(409, "Problem")
                .withResponse(422, "Problem").withResponse(501, "Problem").withResponse(502, "Problem").withResponse(503, "Problem")
                .handledBy(this::push));
        list.add(Route.builder("GET", "/v1/connections/{connectionId}/pushes", Route.Access.TENANT).withTag("two-way sync")
                .withSummary("The audit log: every push with its conflict decision, newest first")
                .withQuery("limit", "integer", "1..500, default 100")
                .withResponse(200, "PushList").withResponse(404, "Problem")
                .handledBy(request -> ApiResponse.ok(map("items", hub.pushLog(request.tenantId(), request.pathId("connectionId"),
                        request.queryInt("limit", 100, 1, 500)).stream().map(HubApi::push).toList()))));
        list.add(Route.builder("GET", "/v1/connections/{connectionId}/conflict-strategy", Route.Access.TENANT).withTag("two-way sync")
                .withSummary("How conflicts are resolved for this connection (REMOTE_WINS until set)")
                .withResponse(200, "ConflictStrategy").withResponse(404, "Problem")
                .handledBy(request -> ApiResponse.ok(map("strategy",
                        hub.conflictStrategy(request.tenantId(), request.pathId("connectionId")).name()))));
        list.add(Route.builder("PUT", "/v1/connections/{connectionId}/conflict-strategy", Route.Access.TENANT).withTag("two-way sync")
                .withSummary("Set REMOTE_WINS, LOCAL_WINS or NEWEST_WINS").withBody("ConflictStrategy")
                .withResponse(200, "ConflictStrategy").withResponse(400, "Problem").withResponse(404, "Problem").withResponse(422, "Problem")
                .handledBy(this::setConflictStrategy));
        // ---- webhooks ----------------------------------------------------------------------------------
        list.add(Route.builder("POST", "/v1/webhooks/{token}", Route.Access.PUBLIC).withTag("webhooks")
                .withSummary("Inbound provider webhooks; the unguessable token names the connection, the provider's signature is verified")
                .withBody("WebhookPayload").withResponse(200, "WebhookAccepted").withResponse(401, "Problem")
                .handledBy(this::receiveWebhook));
        list.add(Route.builder("POST", "/v1/connections/{connectionId}/webhooks/enable", Route.Access.TENANT).withTag("webhooks")
                .withSummary("Register webhooks at the provider (callbacks to public.url)")
                .withResponse(200, "WebhookSubscriptionList").withResponse(404, "Problem").withResponse(501, "Problem")
                .handledBy(request -> ApiResponse.ok(map("items", hub.enableWebhooks(request.tenantId(), request.pathId("connectionId"),
                        publicUrl + "/v1/webhooks").stream().map(HubApi::subscription).toList()))));
        list.add(Route.builder("POST", "/v1/connections/{connectionId}/webhooks/disable", Route.Access.TENANT).withTag("webhooks")
                .withSummary("Remove the connection's webhooks at the provider")
                .withResponse(200, "WebhooksDisabled").withResponse(404, "Problem")
                .handledBy(request -> ApiResponse.ok(map("removed", hub.disableWebhooks(request.tenantId(), request.pathId("connectionId"))))));
        list.add(Route.builder("GET", "/v1/connections/{connectionId}/webhooks", Route.Access.TENANT).withTag("webhooks")
                .withSummary("The connection's webhook subscriptions and its inbound URL")
                .withResponse(200, "WebhookSubscriptionList").withResponse(404, "Problem")
                .handledBy(request -> ApiResponse.ok(map("items", hub.webhookSubscriptions(request.tenantId(), request.pathId("connectionId"))
                        .stream().map(HubApi::subscription).toList()))));
        list.add(Route.builder("GET", "/v1/connections/{connectionId}/webhooks/inbox", Route.Access.TENANT).withTag("webhooks")
                .withSummary("Received webhook events with their processing status")
                .withQuery("status", "string", "pending, processing, processed, dead (all when absent)")
                .withQuery("limit", "integer", "1..500, default 100")
                .withResponse(200, "WebhookInbox").withResponse(404, "Problem")
                .handledBy(this::inbox));
        list.add(Route.builder("POST", "/v1/connections/{connectionId}/webhooks/inbox/{inboxId}/replay", Route.Access.TENANT).withTag("webhooks")
                .withSummary("Process a dead-lettered webhook event again").withResponse(202, "Replayed").withResponse(404, "Problem")
                .handledBy(this::replay));
        return list;
    }

    // ---- tenants --------------------------------------------------------------------------------------------

    private ApiResponse createTenant(ApiRequest request) {
        ObjectNode body = request.jsonObject();
        String id = JsonSupport.requiredString(body, "id", 64);
        if (!TENANT_ID.matcher(id).matches()) {
            throw ApiException.invalid("field 'id' must be lower-case letters, digits, '-' or '_' (at most 64), starting with a letter or digit");
        }
        String name = JsonSupport.optionalString(body, "name", 200).orElse(id);
        TenantStore.Tenant tenant = tenants.createTenant(id, name)
                .orElseThrow(() -> ApiException.conflict("tenant '" + id + "' already exists"));
        return ApiResponse.status(201, tenant(tenant));
    }

    private ApiResponse createKey(ApiRequest request) {
        String tenantId = existingTenant(request);
        String name = JsonSupport.optionalString(request.jsonObjectOrEmpty(), "name", 200).orElse("default");
        TenantStore.CreatedKey created = tenants.createKey(tenantId, name);
        Map<String, Object> body = apiKey(created.apiKey());
        body.put("key", created.key());
        return ApiResponse.status(201, body);
    }

    private String existingTenant(ApiRequest request) {
        String tenantId = request.pathId("tenantId");
        return tenants.tenant(tenantId).map(TenantStore.Tenant::id)
                .orElseThrow(() -> ApiException.notFound("no tenant '" + tenantId + "'"));
    }

    static Map<String, Object> tenant(TenantStore.Tenant tenant) {
        return map("id", tenant.id(), "name", tenant.name(), "created_at", tenant.createdAt());
    }

    static Map<String, Object> apiKey(TenantStore.ApiKey key) {
        return map("id", key.id(), "tenant_id", key.tenantId(), "name", key.name(), "prefix", key.prefix(),
                "created_at", key.createdAt(), "revoked_at", key.revokedAt());
    }

    // ---- providers ------------------------------------------------------------------------------------------

    static Map<String, Object> provider(Provider provider) {
        AuthMethod auth = provider.authMethod();
        String kind = auth instanceof AuthMethod.OAuth2 ? "oauth2" : auth instanceof AuthMethod.ApiKey ? "api_key" : "basic";
        return map("id", provider.id(),
                "display_name", provider.displayName(),
                "auth_kind", kind,
                "capabilities", provider.capabilities().stream().map(Enum::name).sorted().toList(),
                "entities", provider.entityTypes().stream().map(entity -> map("name", entity.name(),
                        "depends_on", entity.dependsOn(), "incremental", entity.incremental())).toList(),
                "actions", provider.actions().stream().map(action -> map("name", action.name(),
                        "description", action.description())).toList(),
                "connection_settings", provider.settings().stream().filter(setting -> setting.scope() == Setting.Scope.CONNECTION)
                        .map(setting -> map("name", setting.name(), "required", setting.required(), "secret", setting.secret(),
                                "description", setting.description())).toList());
    }

    // ---- connections ----------------------------------------------------------------------------------------

    private ApiResponse createConnection(ApiRequest request) {
        ObjectNode body = request.jsonObject();
        String providerId = JsonSupport.requiredString(body, "provider", 64);
        Provider provider = hub.providers().stream().filter(candidate -> candidate.id().equals(providerId)).findFirst()
                .orElseThrow(() -> ApiException.invalid("provider '" + ApiRequest.truncate(providerId) + "' is not installed (GET /v1/providers)"));
        NewConnection connection = NewConnection.of(request.tenantId(), provider.id());
        Optional<String> displayName = JsonSupport.optionalString(body, "display_name", 200);
        if (displayName.isPresent()) {
            connection = connection.withDisplayName(displayName.get());
        }
        for (Map.Entry<String, String> setting : JsonSupport.stringMap(body, "settings").entrySet()) {
            connection = connection.withSetting(setting.getKey(), setting.getValue());
        }
        Connection created = hub.createConnection(connection);
        if (created.status() == dev.junction.core.ConnectionStatus.ACTIVE) {
            schedules.connectionActive(created.tenantId(), created.id());
        }
        return ApiResponse.status(201, connection(created));
    }

    private Map<String, Object> connection(Connection connection) {
        Set<String> secret = hub.providers().stream().filter(provider -> provider.id().equals(connection.providerId()))
                .flatMap(provider -> provider.settings().stream()).filter(Setting::secret).map(Setting::name)
                .collect(Collectors.toSet());
        Map<String, String> settings = new java.util.TreeMap<>(connection.settings());
        settings.keySet().removeAll(secret);
        return map("id", connection.id(),
                "provider", connection.providerId(),
                "display_name", connection.displayName(),
                "status", connection.status().name(),
                "settings", settings,
                "last_error", connection.lastError(),
                "webhook_url", publicUrl + "/v1/webhooks/" + connection.webhookToken(),
                "created_at", connection.createdAt(),
                "updated_at", connection.updatedAt());
    }

    private Map<String, Object> connectionDetail(String tenantId, String connectionId) {
        Map<String, Object> body = connection(hub.getConnection(tenantId, connectionId));
        List<SyncRun> runs = hub.listSyncRuns(tenantId, connectionId, 50);
        body.put("last_sync", runs.isEmpty() ? null : run(runs.get(0)));
        // freshness: when each entity last finished a successful pass, from the recent runs (newest first)
        Map<String, Object> freshness = new java.util.TreeMap<>();
        for (SyncRun run : runs) {
            for (EntitySyncStats stats : run.entities()) {
                if (stats.status() == dev.junction.core.SyncStatus.SUCCEEDED && stats.finishedAt() != null) {
                    freshness.putIfAbsent(stats.entity(), stats.finishedAt());
                }
            }
        }
        body.put("freshness", freshness);
        body.put("schedule", schedule(schedules.schedule(tenantId, connectionId)));
        return body;
    }

    private ApiResponse updateSchedule(ApiRequest request) {
        Connection connection = hub.getConnection(request.tenantId(), request.pathId("connectionId"));
        ObjectNode body = request.jsonObject();
        for (java.util.Iterator<String> names = body.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!name.equals("interval_seconds") && !name.equals("enabled")) {
                throw ApiException.invalid("unknown field '" + ApiRequest.truncate(name) + "'; a schedule has interval_seconds and enabled");
            }
        }
        SyncScheduler.Schedule current = schedules.schedule(connection.tenantId(), connection.id());
        Duration interval = current.ownInterval() ? current.interval() : null;
        if (body.has("interval_seconds")) {
            JsonNode value = body.get("interval_seconds");
            if (value.isNull()) {
                interval = null;
            } else if (value.isIntegralNumber() && value.canConvertToLong()
                    && value.asLong() >= SyncScheduler.MIN_INTERVAL.toSeconds() && value.asLong() <= SyncScheduler.MAX_INTERVAL.toSeconds()) {
                interval = Duration.ofSeconds(value.asLong());
            } else {
                throw ApiException.invalid("field 'interval_seconds' must be a whole number of seconds from "
                        + SyncScheduler.MIN_INTERVAL.toSeconds() + " to " + SyncScheduler.MAX_INTERVAL.toSeconds() + ", or null for the default");
            }
        }
        boolean enabled = current.enabled();
        if (body.has("enabled")) {
            if (!body.get("enabled").isBoolean()) {
                throw ApiException.invalid("field 'enabled' must be true or false");
            }
            enabled = body.get("enabled").asBoolean();
        }
        return ApiResponse.ok(schedule(schedules.update(connection, interval, enabled)));
    }

    static Map<String, Object> schedule(SyncScheduler.Schedule schedule) {
        return map("interval_seconds", schedule.interval().toSeconds(), "default_interval", !schedule.ownInterval(),
                "enabled", schedule.enabled(), "next_run_at", schedule.nextRunAt(), "running", schedule.running(),
                "last_run_id", schedule.lastRunId(), "last_run_at", schedule.lastRunAt());
    }

    private ApiResponse startOAuth(ApiRequest request) {
        String connectionId = request.pathId("connectionId");
        ObjectNode body = request.jsonObjectOrEmpty();
        String redirectUri = JsonSupport.optionalString(body, "redirect_uri", 2000).orElse(publicUrl + "/v1/oauth/callback");
        OAuthStart start = hub.startOAuth(request.tenantId(), connectionId, redirectUri);
        return ApiResponse.ok(map("connection_id", start.connectionId(), "authorize_url", start.authorizeUrl(),
                "state", start.state(), "redirect_uri", redirectUri));
    }

    private ApiResponse completeOAuth(ApiRequest request) {
        Optional<String> error = request.query("error");
        if (error.isPresent()) {
            throw ApiException.badRequest("the provider refused the authorisation: " + ApiRequest.truncate(error.get()));
        }
        String code = request.query("code").filter(value -> !value.isBlank() && value.length() <= 2000)
                .orElseThrow(() -> ApiException.badRequest("query parameter 'code' is required"));
        String state = request.query("state").filter(value -> !value.isBlank() && value.length() <= 200)
                .orElseThrow(() -> ApiException.badRequest("query parameter 'state' is required"));
        Connection connection = hub.completeOAuth(state, code);
        if (connection.status() == dev.junction.core.ConnectionStatus.ACTIVE) {
            schedules.connectionActive(connection.tenantId(), connection.id());
        }
        return ApiResponse.ok(map("connection_id", connection.id(), "status", connection.status().name(),
                "message", "Connected. You can close this window."));
    }

    // ---- syncs ----------------------------------------------------------------------------------------------

    private ApiResponse startSync(ApiRequest request) {
        String connectionId = request.pathId("connectionId");
        ObjectNode body = request.jsonObjectOrEmpty();
        String modeName = JsonSupport.optionalString(body, "mode", 20).orElse("incremental");
        SyncMode mode = switch (modeName) {
            case "full" -> SyncMode.FULL;
            case "incremental" -> SyncMode.INCREMENTAL;
            default -> throw ApiException.invalid("field 'mode' must be 'full' or 'incremental'");
        };
        Connection connection = hub.getConnection(request.tenantId(), connectionId);
        Set<String> known = hub.provider(connection.providerId()).entityTypes().stream().map(EntityType::name)
                .collect(Collectors.toCollection(LinkedHashSet::new));
        List<String> entities = new ArrayList<>();
        JsonNode entityNode = body.get("entities");
        if (entityNode != null && !entityNode.isNull()) {
            if (!entityNode.isArray()) {
                throw ApiException.invalid("field 'entities' must be an array of entity names");
            }
            for (JsonNode entity : entityNode) {
                if (!entity.isTextual() || !known.contains(entity.asText())) {
                    throw ApiException.invalid("unknown entity " + ApiRequest.truncate(entity.toString()) + "; "
                            + connection.providerId() + " has " + known);
                }
                if (!entities.contains(entity.asText())) {
                    entities.add(entity.asText());
                }
            }
        }
        SyncHandle handle = hub.startSync(request.tenantId(), connectionId, new SyncRequest(mode, entities));
        running.put(handle.runId(), handle);
        running.entrySet().removeIf(entry -> entry.getValue().done() && !entry.getKey().equals(handle.runId()));
        return ApiResponse.status(202, map("run_id", handle.runId(), "status", handle.progress().status().name(),
                "mode", modeName, "entities", entities))
                .withHeader("Location", "/v1/syncs/" + handle.runId());
    }

    private ApiResponse cancelSync(ApiRequest request) {
        String runId = request.pathId("runId");
        SyncRun run = hub.getSyncRun(request.tenantId(), runId);
        SyncHandle handle = running.get(runId);
        if (handle != null && !handle.done()) {
            handle.cancel(); // started here: at once
        } else if (!hub.cancelSync(request.tenantId(), runId)) {
            // run by another node (or the scheduler): it reads the request at its next page commit
            throw ApiException.conflict("run '" + runId + "' is not running (status " + run.status() + ")");
        }
        return ApiResponse.status(202, run(hub.getSyncRun(request.tenantId(), runId)));
    }

    Map<String, Object> run(SyncRun run) {
        SyncHandle handle = running.get(run.id());
        Map<String, Object> progress = null;
        if (handle != null && !handle.done()) {
            SyncProgress live = handle.progress();
            progress = map("status", live.status().name(), "current_entity", live.currentEntity(), "pages", live.pages(),
                    "records", live.records(), "records_per_second", Math.round(live.recordsPerSecond() * 10) / 10.0,
                    "rate_limit_wait_seconds", seconds(live.rateLimitWait()), "elapsed_seconds", seconds(live.elapsed()));
        }
        return map("id", run.id(),
                "connection_id", run.connectionId(),
                "mode", run.mode().name().toLowerCase(Locale.ROOT),
                "status", run.status().name(),
                "error", run.error(),
                "started_at", run.startedAt(),
                "finished_at", run.finishedAt(),
                "records", run.total(EntitySyncStats::records),
                "progress", progress,
                "entities", run.entities().stream().map(HubApi::entityStats).toList());
    }

    private static Map<String, Object> entityStats(EntitySyncStats stats) {
        return map("entity", stats.entity(), "status", stats.status().name(), "pages", stats.pages(), "added", stats.added(),
                "updated", stats.updated(), "unchanged", stats.unchanged(), "deleted", stats.deleted(), "failed", stats.failed(),
                "rate_limit_wait_seconds", seconds(stats.rateLimitWait()), "error", stats.error(),
                "started_at", stats.startedAt(), "finished_at", stats.finishedAt());
    }

    private static double seconds(Duration duration) {
        return duration == null ? 0 : Math.round(duration.toMillis() / 100.0) / 10.0;
    }

    // ---- data -----------------------------------------------------------------------------------------------

    static UnifiedType unifiedType(String raw) {
        String name = raw == null ? "" : raw.toUpperCase(Locale.ROOT).replace('-', '_');
        for (UnifiedType type : UnifiedType.values()) {
            if (type.name().equals(name)) {
                return type;
            }
        }
        throw ApiException.notFound("no record type '" + ApiRequest.truncate(String.valueOf(raw)) + "'; types are "
                + java.util.Arrays.stream(UnifiedType.values()).map(type -> type.name().toLowerCase(Locale.ROOT)).toList());
    }

    private ApiResponse listRecords(ApiRequest request) {
        UnifiedType type = unifiedType(request.path("type"));
        RecordQuery query = RecordQuery.of(request.tenantId(), type)
                .withLimit(request.queryInt("limit", 100, 1, RecordQuery.MAX_LIMIT))
                .withDeleted(request.queryBoolean("include_deleted"));
        Optional<String> connectionId = request.query("connection_id");
        if (connectionId.isPresent()) {
            hub.getConnection(request.tenantId(), connectionId.get()); // another tenant's id: 404, as everywhere
            query = query.withConnection(connectionId.get());
        }
        Optional<Instant> since = request.queryInstant("updated_since");
        if (since.isPresent()) {
            query = query.withUpdatedSince(since.get());
        }
        Optional<String> text = request.query("q");
        if (text.isPresent()) {
            if (text.get().length() > 200) {
                throw ApiException.badRequest("query parameter 'q' must be at most 200 characters");
            }
            query = query.withText(text.get());
        }
        Optional<String> cursor = request.query("cursor");
        if (cursor.isPresent()) {
            query = query.withCursor(cursor.get());
        }
        RecordPage<? extends StoredRecord<? extends UnifiedRecord>> page = queryPage(query, type.javaType());
        return ApiResponse.ok(map("items", page.items().stream().map(HubApi::record).toList(),
                "next_cursor", page.nextCursor().orElse(null)));
    }

    private <T extends UnifiedRecord> RecordPage<StoredRecord<T>> queryPage(RecordQuery query, Class<T> type) {
        try {
            return hub.query(query, type);
        } catch (JunctionException e) {
            if (e.kind() == ErrorKind.INVALID_INPUT) {
                throw ApiException.badRequest(e.reason());
            }
            throw e;
        }
    }

    static Map<String, Object> record(StoredRecord<? extends UnifiedRecord> stored) {
        return map("type", stored.record().type().name().toLowerCase(Locale.ROOT),
                "external_id", stored.record().externalId(),
                "connection_id", stored.connectionId(),
                "entity", stored.entity(),
                "deleted", stored.deleted(),
                "remote_updated_at", stored.remoteUpdatedAt(),
                "updated_at", stored.updatedAt(),
                "data", stored.record());
    }

    private ApiResponse getRecord(ApiRequest request) {
        String connectionId = request.pathId("connectionId");
        UnifiedType type = unifiedType(request.path("type"));
        String externalId = request.pathId("externalId");
        hub.getConnection(request.tenantId(), connectionId);
        return hub.getRecord(request.tenantId(), connectionId, type.javaType(), externalId)
                .map(stored -> ApiResponse.ok(record(stored)))
                .orElseThrow(() -> ApiException.notFound("no " + type.name().toLowerCase(Locale.ROOT) + " '" + externalId + "' in this connection"));
    }

    private ApiResponse getRaw(ApiRequest request) {
        String connectionId = request.pathId("connectionId");
        String entity = request.pathId("entity");
        String externalId = request.pathId("externalId");
        hub.getConnection(request.tenantId(), connectionId);
        RawRecord raw = hub.getRawRecord(request.tenantId(), connectionId, entity, externalId)
                .orElseThrow(() -> ApiException.notFound("no " + entity + " '" + externalId + "' in this connection"));
        JsonNode payload;
        try {
            payload = JsonSupport.MAPPER.readTree(raw.payload());
        } catch (Exception e) {
            payload = JsonSupport.MAPPER.getNodeFactory().textNode(raw.payload());
        }
        return ApiResponse.ok(map("connection_id", raw.connectionId(), "entity", raw.entity(), "external_id", raw.externalId(),
                "content_hash", raw.contentHash(), "deleted", raw.deleted(), "remote_updated_at", raw.remoteUpdatedAt(),
                "updated_at", raw.updatedAt(), "payload", payload));
    }

    private ApiResponse changes(ApiRequest request) {
        long after = request.queryLong("after", 0);
        int limit = request.queryInt("limit", 100, 1, 1000);
        String connectionId = request.query("connection_id").orElse(null);
        if (connectionId != null) {
            hub.getConnection(request.tenantId(), connectionId);
        }
        ChangePage page = hub.changes(request.tenantId(), after, connectionId, limit);
        return ApiResponse.ok(map("items", page.events().stream().map(HubApi::change).toList(), "next_cursor", page.nextCursor()));
    }

    static Map<String, Object> change(ChangeEvent event) {
        return map("sequence", event.sequence(), "connection_id", event.connectionId(), "entity", event.entity(),
                "type", event.unifiedType() == null ? null : event.unifiedType().toLowerCase(Locale.ROOT),
                "external_id", event.externalId(), "operation", event.operation(), "source", event.source(),
                "run_id", event.runId(), "occurred_at", event.occurredAt());
    }

    // ---- actions --------------------------------------------------------------------------------------------

    private ApiResponse runAction(ApiRequest request) {
        String connectionId = request.pathId("connectionId");
        String actionName = request.pathId("action");
        String key = request.header("Idempotency-Key")
                .orElseThrow(() -> ApiException.badRequest("the Idempotency-Key header is required (any unique string per intended write)"));
        if (!IDEMPOTENCY_KEY.matcher(key).matches()) {
            throw ApiException.badRequest("the Idempotency-Key header must be 1 to 200 visible ASCII characters");
        }
        ObjectNode input = request.jsonObjectOrEmpty();
        Connection connection = hub.getConnection(request.tenantId(), connectionId);
        List<String> actions = hub.provider(connection.providerId()).actions().stream().map(Action::name).toList();
        if (!actions.contains(actionName)) {
            throw ApiException.notFound("provider " + connection.providerId() + " has no action '" + actionName + "'; it has " + actions);
        }
        ActionResult result = hub.runAction(request.tenantId(), connectionId, actionName, input, key);
        return ApiResponse.ok(map("action", result.action(), "replayed", result.replayed(), "result", result.result()))
                .withHeader("Idempotent-Replayed", Boolean.toString(result.replayed()));
    }

    // ---- two-way sync ---------------------------------------------------------------------------------------

    private ApiResponse push(ApiRequest request) {
        String connectionId = request.pathId("connectionId");
        String key = request.header("Idempotency-Key")
                .orElseThrow(() -> ApiException.badRequest("the Idempotency-Key header is required (any unique string per intended change)"));
        if (!IDEMPOTENCY_KEY.matcher(key).matches()) {
            throw ApiException.badRequest("the Idempotency-Key header must be 1 to 200 visible ASCII characters");
        }
        ObjectNode body = request.jsonObject();
        String entity = JsonSupport.requiredString(body, "entity", 64);
        String externalId = JsonSupport.optionalString(body, "external_id", 255).orElse(null);
        com.fasterxml.jackson.databind.JsonNode changes = body.get("changes");
        if (changes == null || !changes.isObject() || changes.isEmpty()) {
            throw ApiException.invalid("field 'changes' must be a non-empty JSON object of the provider's fields");
        }
        Instant changedAt;
        try {
            changedAt = JsonSupport.optionalString(body, "changed_at", 64).map(Instant::parse).orElse(Instant.now());
        } catch (java.time.format.DateTimeParseException e) {
            throw ApiException.invalid("field 'changed_at' must be an ISO-8601 instant such as 2026-05-01T10:15:30Z");
        }
        dev.junction.core.PushResult result = hub.push(new dev.junction.core.PushChange(request.tenantId(), connectionId, entity,
                externalId, changes, changedAt, key));
        return ApiResponse.ok(push(result)).withHeader("Idempotent-Replayed", Boolean.toString(result.replayed()));
    }

    private static Map<String, Object> push(dev.junction.core.PushResult result) {
        return map("id", result.id(), "connection_id", result.connectionId(), "entity", result.entity(),
                "external_id", result.externalId(), "decision", result.decision(),
                "strategy", result.strategy() == null ? null : result.strategy().name(), "pushed", result.pushed(),
                "changes", result.changes(), "record", result.record(), "error", result.error(),
                "created_at", result.createdAt(), "finished_at", result.finishedAt(), "replayed", result.replayed());
    }

    private ApiResponse setConflictStrategy(ApiRequest request) {
        String value = JsonSupport.requiredString(request.jsonObject(), "strategy", 32);
        dev.junction.core.ConflictStrategy strategy;
        try {
            strategy = dev.junction.core.ConflictStrategy.valueOf(value);
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid("field 'strategy' must be REMOTE_WINS, LOCAL_WINS or NEWEST_WINS");
        }
        hub.setConflictStrategy(request.tenantId(), request.pathId("connectionId"), strategy);
        return ApiResponse.ok(map("strategy", strategy.name()));
    }

    // ---- webhooks -------------------------------------------------------------------------------------------

    private ApiResponse receiveWebhook(ApiRequest request) {
        String token = request.path("token");
        if (token == null || token.length() > 200) {
            throw new JunctionException(ErrorKind.WEBHOOK_REJECTED, "unknown webhook endpoint");
        }
        WebhookResponse response = hub.receiveWebhook(token, new WebhookRequest(request.headers(), request.body(), Instant.now()));
        // The usual answers' bytes are made once: serialising a one-field map cost a JSON generator per webhook.
        ApiResponse answer = response.accepted() >= 0 && response.accepted() < ACCEPTED_BODIES.length
                ? ApiResponse.raw(response.status(), "application/json", ACCEPTED_BODIES[response.accepted()])
                : ApiResponse.status(response.status(), map("accepted", response.accepted()));
        for (Map.Entry<String, String> header : response.headers().entrySet()) {
            answer = answer.withHeader(header.getKey(), header.getValue());
        }
        return answer;
    }

    /** {@code {"accepted":n}} for small n, as {@link JsonSupport#write} gives it (shared: never written to). */
    private static final byte[][] ACCEPTED_BODIES = java.util.stream.IntStream.range(0, 4)
            .mapToObj(n -> JsonSupport.write(map("accepted", n))).toArray(byte[][]::new);

    static Map<String, Object> subscription(WebhookSubscription subscription) {
        // never the secret
        return map("id", subscription.id(), "entity", subscription.entity(), "status", subscription.status(),
                "expires_at", subscription.expiresAt());
    }

    private ApiResponse inbox(ApiRequest request) {
        String connectionId = request.pathId("connectionId");
        String status = request.query("status").orElse(null);
        if (status != null && !Set.of("pending", "processing", "processed", "dead").contains(status)) {
            throw ApiException.badRequest("query parameter 'status' must be pending, processing, processed or dead");
        }
        int limit = request.queryInt("limit", 100, 1, 500);
        List<WebhookInboxEntry> entries = hub.webhookInbox(request.tenantId(), connectionId, status, limit);
        return ApiResponse.ok(map("items", entries.stream().map(entry -> map("id", entry.id(), "connection_id", entry.connectionId(),
                "entity", entry.entity(), "external_id", entry.externalId(), "kind", entry.kind(), "status", entry.status(),
                "attempts", entry.attempts(), "last_error", entry.lastError(), "received_at", entry.receivedAt(),
                "processed_at", entry.processedAt())).toList()));
    }

    private ApiResponse replay(ApiRequest request) {
        String connectionId = request.pathId("connectionId");
        long inboxId;
        try {
            inboxId = Long.parseLong(request.path("inboxId"));
        } catch (NumberFormatException e) {
            throw ApiException.notFound("no webhook event '" + ApiRequest.truncate(request.path("inboxId")) + "'");
        }
        if (!hub.replayWebhook(request.tenantId(), connectionId, inboxId)) {
            throw ApiException.notFound("no dead webhook event " + inboxId + " in this connection");
        }
        return ApiResponse.status(202, map("id", inboxId, "status", "pending"));
    }
}
