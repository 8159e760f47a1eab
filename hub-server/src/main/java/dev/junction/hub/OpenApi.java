package dev.junction.hub;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The OpenAPI 3.1 document, built from the registered {@link Route}s and the schemas below, so every route is in
 * it by construction; {@code OpenApiTest} checks real responses against the schemas.
 *
 * <p>Schemas are written compactly: {@code "name:type"} with type {@code string}, {@code integer}, {@code number},
 * {@code boolean}, {@code object}, {@code any}, {@code date-time}, {@code string[]}, a schema name, or a schema name
 * with {@code []}; a trailing {@code ?} allows null; a leading {@code ~} makes the property optional.
 */
final class OpenApi {

    static final Map<String, List<String>> SCHEMAS = new LinkedHashMap<>();

    static {
        SCHEMAS.put("Problem", List.of("type:string", "title:string", "status:integer", "detail:string", "instance:string",
                "request_id:string", "~error_kind:string"));
        SCHEMAS.put("NewTenant", List.of("id:string", "~name:string"));
        SCHEMAS.put("Tenant", List.of("id:string", "name:string", "created_at:date-time"));
        SCHEMAS.put("TenantList", List.of("items:Tenant[]"));
        SCHEMAS.put("NewApiKey", List.of("~name:string"));
        SCHEMAS.put("ApiKey", List.of("id:string", "tenant_id:string", "name:string", "prefix:string", "created_at:date-time",
                "revoked_at:date-time?"));
        SCHEMAS.put("CreatedApiKey", List.of("id:string", "tenant_id:string", "name:string", "prefix:string",
                "created_at:date-time", "revoked_at:date-time?", "key:string"));
        SCHEMAS.put("ApiKeyList", List.of("items:ApiKey[]"));
        SCHEMAS.put("ProviderEntity", List.of("name:string", "depends_on:string[]", "incremental:boolean"));
        SCHEMAS.put("ProviderAction", List.of("name:string", "description:string"));
        SCHEMAS.put("ProviderSetting", List.of("name:string", "required:boolean", "secret:boolean", "description:string"));
        SCHEMAS.put("Provider", List.of("id:string", "display_name:string", "auth_kind:string", "capabilities:string[]",
                "entities:ProviderEntity[]", "actions:ProviderAction[]", "connection_settings:ProviderSetting[]"));
        SCHEMAS.put("ProviderList", List.of("items:Provider[]"));
        SCHEMAS.put("NewConnection", List.of("provider:string", "~display_name:string", "~settings:object"));
        SCHEMAS.put("Connection", List.of("id:string", "provider:string", "display_name:string?", "status:string",
                "settings:object", "last_error:string?", "webhook_url:string", "created_at:date-time", "updated_at:date-time",
                "~last_sync:SyncRun?", "~freshness:object", "~schedule:Schedule"));
        SCHEMAS.put("Schedule", List.of("interval_seconds:integer", "default_interval:boolean", "enabled:boolean",
                "next_run_at:date-time?", "running:boolean", "last_run_id:string?", "last_run_at:date-time?"));
        SCHEMAS.put("ScheduleUpdate", List.of("~interval_seconds:integer?", "~enabled:boolean"));
        SCHEMAS.put("ConnectionList", List.of("items:Connection[]"));
        SCHEMAS.put("OAuthStartRequest", List.of("~redirect_uri:string"));
        SCHEMAS.put("OAuthStart", List.of("connection_id:string", "authorize_url:string", "state:string", "redirect_uri:string"));
        SCHEMAS.put("OAuthCompleted", List.of("connection_id:string", "status:string", "message:string"));
        SCHEMAS.put("SyncTrigger", List.of("~mode:string", "~entities:string[]"));
        SCHEMAS.put("SyncStarted", List.of("run_id:string", "status:string", "mode:string", "entities:string[]"));
        SCHEMAS.put("SyncProgress", List.of("status:string", "current_entity:string?", "pages:integer", "records:integer",
                "records_per_second:number", "rate_limit_wait_seconds:number", "elapsed_seconds:number"));
        SCHEMAS.put("EntityStats", List.of("entity:string", "status:string", "pages:integer", "added:integer", "updated:integer",
                "unchanged:integer", "deleted:integer", "failed:integer", "rate_limit_wait_seconds:number", "error:string?",
                "started_at:date-time?", "finished_at:date-time?"));
        SCHEMAS.put("SyncRun", List.of("id:string", "connection_id:string", "mode:string", "status:string", "error:string?",
                "started_at:date-time?", "finished_at:date-time?", "records:integer", "progress:SyncProgress?",
                "entities:EntityStats[]"));
        SCHEMAS.put("SyncRunList", List.of("items:SyncRun[]"));
        SCHEMAS.put("Record", List.of("type:string", "external_id:string", "connection_id:string", "entity:string",
                "deleted:boolean", "remote_updated_at:date-time?", "updated_at:date-time?", "data:object"));
        SCHEMAS.put("RecordList", List.of("items:Record[]", "next_cursor:string?"));
        SCHEMAS.put("RawRecord", List.of("connection_id:string", "entity:string", "external_id:string", "content_hash:string?",
                "deleted:boolean", "remote_updated_at:date-time?", "updated_at:date-time?", "payload:any"));
        SCHEMAS.put("ChangeEvent", List.of("sequence:integer", "connection_id:string", "entity:string", "type:string?",
                "external_id:string", "operation:string", "source:string?", "run_id:string?", "occurred_at:date-time"));
        SCHEMAS.put("ChangeList", List.of("items:ChangeEvent[]", "next_cursor:integer"));
        SCHEMAS.put("DeadLetter", List.of("id:integer", "connection_id:string", "entity:string", "external_id:string?",
                "run_id:string?", "source:string?", "error:string?", "created_at:date-time"));
        SCHEMAS.put("DeadLetterList", List.of("items:DeadLetter[]"));
        SCHEMAS.put("ActionInput", List.of());
        SCHEMAS.put("ActionResult", List.of("action:string", "replayed:boolean", "result:any"));
        SCHEMAS.put("PushInput", List.of("entity:string", "external_id:string?", "changes:object", "changed_at:date-time?"));
        SCHEMAS.put("PushResult", List.of("id:integer", "connection_id:string", "entity:string", "external_id:string?",
                "decision:string?", "strategy:string?", "pushed:boolean", "changes:any", "record:any", "error:string?",
                "created_at:date-time", "finished_at:date-time?", "replayed:boolean"));
        SCHEMAS.put("PushList", List.of("items:PushResult[]"));
        SCHEMAS.put("ConflictStrategy", List.of("strategy:string"));
        SCHEMAS.put("WebhookPayload", List.of());
        SCHEMAS.put("WebhookAccepted", List.of("accepted:integer"));
        SCHEMAS.put("WebhookSubscription", List.of("id:string", "entity:string", "status:string?", "expires_at:date-time?"));
        SCHEMAS.put("WebhookSubscriptionList", List.of("items:WebhookSubscription[]"));
        SCHEMAS.put("WebhooksDisabled", List.of("removed:integer"));
        SCHEMAS.put("WebhookInboxEntry", List.of("id:integer", "connection_id:string", "entity:string?", "external_id:string?",
                "kind:string", "status:string", "attempts:integer", "last_error:string?", "received_at:date-time",
                "processed_at:date-time?"));
        SCHEMAS.put("WebhookInbox", List.of("items:WebhookInboxEntry[]"));
        SCHEMAS.put("Replayed", List.of("id:integer", "status:string"));
        SCHEMAS.put("NewOutboundEndpoint", List.of("url:string", "~description:string", "~entities:string[]", "~connection_id:string",
                "~enabled:boolean", "~after:integer"));
        SCHEMAS.put("OutboundEndpointUpdate", List.of("~url:string", "~description:string?", "~entities:string[]?",
                "~connection_id:string?", "~enabled:boolean"));
        SCHEMAS.put("OutboundEndpoint", List.of("id:string", "url:string", "description:string?", "entities:string[]?",
                "connection_id:string?", "enabled:boolean", "cursor:integer", "created_at:date-time", "updated_at:date-time"));
        SCHEMAS.put("CreatedOutboundEndpoint", List.of("id:string", "url:string", "description:string?", "entities:string[]?",
                "connection_id:string?", "enabled:boolean", "cursor:integer", "created_at:date-time", "updated_at:date-time",
                "secret:string"));
        SCHEMAS.put("OutboundEndpointList", List.of("items:OutboundEndpoint[]"));
        SCHEMAS.put("SecretRotation", List.of("~previous_valid_seconds:integer"));
        SCHEMAS.put("OutboundSecret", List.of("secret:string", "previous_valid_until:date-time?"));
        SCHEMAS.put("OutboundAttempt", List.of("attempted_at:date-time", "status_code:integer?", "latency_ms:integer", "error:string?",
                "next_attempt_at:date-time?"));
        SCHEMAS.put("OutboundDelivery", List.of("id:string", "endpoint_id:string", "sequence:integer", "event_type:string",
                "status:string", "attempts_since_queued:integer", "next_attempt_at:date-time?", "last_status_code:integer?",
                "last_error:string?", "created_at:date-time", "finished_at:date-time?", "payload:any", "attempts:OutboundAttempt[]"));
        SCHEMAS.put("OutboundDeliveryList", List.of("items:OutboundDelivery[]"));
        SCHEMAS.put("ErrorEntry", List.of("kind:string", "at:date-time?", "message:string", "run_id:string?", "external_id:string?",
                "status:string"));
        SCHEMAS.put("EntityErrors", List.of("entity:string", "sync_errors:integer", "webhook_errors:integer", "refresh_errors:integer",
                "last_error_at:date-time?", "latest:ErrorEntry[]"));
        SCHEMAS.put("ConnectionErrorState", List.of("status:string", "needs_reauth:boolean", "last_error:string?", "updated_at:date-time"));
        SCHEMAS.put("ErrorTotals", List.of("sync_errors:integer", "webhook_errors:integer", "refresh_errors:integer"));
        SCHEMAS.put("ConnectionErrors", List.of("connection_id:string", "since:date-time", "connection:ConnectionErrorState",
                "totals:ErrorTotals", "entities:EntityErrors[]"));
    }

    private OpenApi() {}

    static ObjectNode document(List<Route> routes, String serverUrl) {
        ObjectNode root = JsonSupport.MAPPER.createObjectNode();
        root.put("openapi", "3.1.0");
        root.putObject("info").put("title", "Junction hub-server").put("version", "0.1.0")
                .put("description", "The multi-tenant REST gateway of Junction. Errors are application/problem+json (RFC 9457) "
                        + "and carry the X-Request-Id. Admin endpoints take the admin key, the others a tenant API key, "
                        + "both as 'Authorization: Bearer <key>'.");
        root.putArray("servers").addObject().put("url", serverUrl);
        ObjectNode paths = root.putObject("paths");
        for (Route route : routes) {
            ObjectNode item = paths.has(route.path()) ? (ObjectNode) paths.get(route.path()) : paths.putObject(route.path());
            ObjectNode operation = item.putObject(route.method().toLowerCase());
            operation.put("operationId", operationId(route));
            operation.put("summary", route.summary());
            operation.putArray("tags").add(route.tag());
            ArrayNode security = operation.putArray("security");
            if (route.access() == Route.Access.ADMIN) {
                security.addObject().putArray("adminKey");
            } else if (route.access() == Route.Access.TENANT) {
                security.addObject().putArray("tenantKey");
            }
            ArrayNode parameters = operation.putArray("parameters");
            for (String name : route.pathParameters()) {
                parameters.addObject().put("name", name).put("in", "path").put("required", true)
                        .putObject("schema").put("type", "string");
            }
            for (Route.Parameter parameter : route.parameters()) {
                ObjectNode node = parameters.addObject().put("name", parameter.name()).put("in", "query")
                        .put("required", parameter.required()).put("description", parameter.description());
                node.putObject("schema").put("type", parameter.type());
            }
            for (String header : route.headers()) {
                parameters.addObject().put("name", header).put("in", "header").put("required", true)
                        .putObject("schema").put("type", "string");
            }
            if (route.requestSchema() != null) {
                operation.putObject("requestBody").put("required", false).putObject("content").putObject("application/json")
                        .putObject("schema").put("$ref", "#/components/schemas/" + route.requestSchema());
            }
            ObjectNode responses = operation.putObject("responses");
            route.responses().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(entry -> {
                ObjectNode response = responses.putObject(Integer.toString(entry.getKey()));
                response.put("description", entry.getKey() < 300 ? "success" : "see the problem's detail");
                if (entry.getValue() != null && entry.getValue().contains("/")) {
                    // a media type instead of a schema name: a text body (GET /metrics)
                    response.putObject("content").putObject(entry.getValue()).putObject("schema").put("type", "string");
                } else if (entry.getValue() != null) {
                    String type = entry.getValue().equals("Problem") ? "application/problem+json" : "application/json";
                    response.putObject("content").putObject(type).putObject("schema")
                            .put("$ref", "#/components/schemas/" + entry.getValue());
                }
            });
            if (route.access() != Route.Access.PUBLIC && !route.responses().containsKey(401)) {
                problem(responses, "401", "missing, unknown or revoked key");
            }
            if (route.access() != Route.Access.PUBLIC) {
                problem(responses, "403", "the wrong kind of key (admin key on a tenant route, or the reverse)");
            }
            if (!route.responses().containsKey(400)) {
                problem(responses, "400", "malformed request");
            }
            if (route.requestSchema() != null) {
                problem(responses, "413", "body larger than the limit");
            }
            problem(responses, "default", "any other error");
        }
        ObjectNode components = root.putObject("components");
        ObjectNode securitySchemes = components.putObject("securitySchemes");
        securitySchemes.putObject("adminKey").put("type", "http").put("scheme", "bearer").put("description", "JUNCTION_ADMIN_KEY");
        securitySchemes.putObject("tenantKey").put("type", "http").put("scheme", "bearer").put("description", "a tenant API key (jk_...)");
        ObjectNode schemas = components.putObject("schemas");
        SCHEMAS.forEach((name, fields) -> schemas.set(name, schema(fields)));
        return root;
    }

    private static void problem(ObjectNode responses, String status, String description) {
        if (!responses.has(status)) {
            responses.putObject(status).put("description", description).putObject("content").putObject("application/problem+json")
                    .putObject("schema").put("$ref", "#/components/schemas/Problem");
        }
    }

    static String operationId(Route route) {
        StringBuilder id = new StringBuilder(route.method().toLowerCase());
        for (String part : route.path().split("/")) {
            if (part.isEmpty() || part.equals("v1")) {
                continue;
            }
            String clean = part.replaceAll("[{}]", "").replace("-", "");
            id.append(Character.toUpperCase(clean.charAt(0))).append(clean.substring(1));
        }
        return id.toString();
    }

    private static ObjectNode schema(List<String> fields) {
        ObjectNode schema = JsonSupport.MAPPER.createObjectNode();
        schema.put("type", "object");
        ObjectNode properties = schema.putObject("properties");
        ArrayNode required = JsonSupport.MAPPER.createArrayNode();
        for (String field : fields) {
            boolean optional = field.startsWith("~");
            String[] parts = (optional ? field.substring(1) : field).split(":", 2);
            String type = parts[1];
            boolean nullable = type.endsWith("?");
            if (nullable) {
                type = type.substring(0, type.length() - 1);
            }
            properties.set(parts[0], property(type, nullable));
            if (!optional) {
                required.add(parts[0]);
            }
        }
        if (!required.isEmpty()) {
            schema.set("required", required);
        }
        return schema;
    }

    private static ObjectNode property(String type, boolean nullable) {
        ObjectNode node = JsonSupport.MAPPER.createObjectNode();
        if (type.endsWith("[]")) {
            node.put("type", "array");
            node.set("items", property(type.substring(0, type.length() - 2), false));
        } else if (Character.isUpperCase(type.charAt(0))) {
            if (nullable) {
                ArrayNode oneOf = node.putArray("oneOf");
                oneOf.addObject().put("$ref", "#/components/schemas/" + type);
                oneOf.addObject().put("type", "null");
                return node;
            }
            return node.put("$ref", "#/components/schemas/" + type);
        } else if (type.equals("date-time")) {
            node.put("type", "string");
            node.put("format", "date-time");
        } else if (!type.equals("any")) {
            node.put("type", type);
        }
        if (nullable && node.has("type")) {
            ArrayNode types = JsonSupport.MAPPER.createArrayNode().add(node.get("type").asText()).add("null");
            node.set("type", types);
        }
        return node;
    }
}
