package dev.junction.hub;

import static dev.junction.hub.JsonSupport.map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.junction.core.ChangePage;
import dev.junction.core.Hub;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The routes of outbound webhooks ({@code /v1/outbound-webhooks}): a tenant's endpoints, their secrets, the delivery
 * log and redelivery. Every query names the tenant, so another tenant's ids are 404.
 *
 * <p>Thread-safe.
 */
final class OutboundApi {

    private final Hub hub;
    private final OutboundWebhooks outbound;

    OutboundApi(Hub hub, OutboundWebhooks outbound) {
        this.hub = hub;
        this.outbound = outbound;
    }

    List<Route> routes() {
        List<Route> list = new ArrayList<>();
        String base = "/v1/outbound-webhooks";
        list.add(Route.builder("POST", base, Route.Access.TENANT).withTag("outbound webhooks")
                .withSummary("Register a URL to receive the tenant's change events (Standard Webhooks); the whsec_ secret is shown once")
                .withBody("NewOutboundEndpoint").withResponse(201, "CreatedOutboundEndpoint").withResponse(422, "Problem")
                .handledBy(this::create));
        list.add(Route.builder("GET", base, Route.Access.TENANT).withTag("outbound webhooks")
                .withSummary("The tenant's outbound webhook endpoints (without secrets)").withResponse(200, "OutboundEndpointList")
                .handledBy(request -> ApiResponse.ok(map("items", outbound.list(request.tenantId()).stream().map(OutboundApi::endpoint).toList()))));
        list.add(Route.builder("GET", base + "/{endpointId}", Route.Access.TENANT).withTag("outbound webhooks")
                .withSummary("One outbound webhook endpoint").withResponse(200, "OutboundEndpoint").withResponse(404, "Problem")
                .handledBy(request -> ApiResponse.ok(endpoint(existing(request)))));
        list.add(Route.builder("PATCH", base + "/{endpointId}", Route.Access.TENANT).withTag("outbound webhooks")
                .withSummary("Change an endpoint: enable or disable it, its URL, description or filters (null removes a filter)")
                .withBody("OutboundEndpointUpdate").withResponse(200, "OutboundEndpoint").withResponse(404, "Problem")
                .withResponse(422, "Problem")
                .handledBy(this::update));
        list.add(Route.builder("DELETE", base + "/{endpointId}", Route.Access.TENANT).withTag("outbound webhooks")
                .withSummary("Delete an endpoint and its delivery log").withResponse(204, null).withResponse(404, "Problem")
                .handledBy(request -> {
                    if (!outbound.delete(request.tenantId(), request.pathId("endpointId"))) {
                        throw notFound(request);
                    }
                    return ApiResponse.noContent();
                }));
        list.add(Route.builder("POST", base + "/{endpointId}/rotate-secret", Route.Access.TENANT).withTag("outbound webhooks")
                .withSummary("Replace the signing secret (shown once); the previous one keeps signing too for "
                        + "previous_valid_seconds (default 86400, 0 drops it at once)")
                .withBody("SecretRotation").withResponse(200, "OutboundSecret").withResponse(404, "Problem").withResponse(422, "Problem")
                .handledBy(this::rotate));
        list.add(Route.builder("GET", base + "/{endpointId}/deliveries", Route.Access.TENANT).withTag("outbound webhooks")
                .withSummary("The delivery log, newest event first: status, attempts with status code, latency and error, next attempt")
                .withQuery("status", "string", "pending, succeeded or failed (all when absent)")
                .withQuery("limit", "integer", "1..100, default 50")
                .withResponse(200, "OutboundDeliveryList").withResponse(400, "Problem").withResponse(404, "Problem")
                .handledBy(this::deliveries));
        list.add(Route.builder("GET", base + "/{endpointId}/deliveries/{deliveryId}", Route.Access.TENANT).withTag("outbound webhooks")
                .withSummary("One delivery with its payload and every attempt").withResponse(200, "OutboundDelivery").withResponse(404, "Problem")
                .handledBy(request -> ApiResponse.ok(delivery(request.tenantId(), outbound.delivery(request.tenantId(),
                        existing(request).id(), request.pathId("deliveryId"))
                        .orElseThrow(() -> ApiException.notFound("no delivery '" + request.path("deliveryId") + "' for this endpoint"))))));
        list.add(Route.builder("POST", base + "/{endpointId}/deliveries/{deliveryId}/redeliver", Route.Access.TENANT)
                .withTag("outbound webhooks")
                .withSummary("Send a delivery again (failed or not), with a fresh attempt budget").withResponse(202, "OutboundDelivery")
                .withResponse(404, "Problem")
                .handledBy(this::redeliver));
        return list;
    }

    private OutboundWebhooks.Endpoint existing(ApiRequest request) {
        return outbound.endpoint(request.tenantId(), request.pathId("endpointId")).orElseThrow(() -> notFound(request));
    }

    private static ApiException notFound(ApiRequest request) {
        return ApiException.notFound("no outbound webhook endpoint '" + ApiRequest.truncate(String.valueOf(request.path("endpointId"))) + "'");
    }

    private ApiResponse create(ApiRequest request) {
        ObjectNode body = request.jsonObject();
        String url = JsonSupport.requiredString(body, "url", 2000);
        outbound.urls().check(url);
        String description = JsonSupport.optionalString(body, "description", 500).orElse(null);
        List<String> entities = entities(body).orElse(null);
        String connectionId = connection(request, body).orElse(null);
        boolean enabled = optionalBoolean(body, "enabled").orElse(true);
        long cursor;
        JsonNode after = body.get("after");
        if (after != null && !after.isNull()) {
            if (!after.canConvertToLong() || !after.isIntegralNumber() || after.asLong() < 0) {
                throw ApiException.invalid("field 'after' must be a change-feed sequence (0 for the beginning)");
            }
            cursor = after.asLong();
        } else {
            cursor = feedEnd(request.tenantId());
        }
        OutboundWebhooks.Created created = outbound.create(request.tenantId(), url, description, entities, connectionId, enabled, cursor);
        Map<String, Object> answer = endpoint(created.endpoint());
        answer.put("secret", created.secret());
        return ApiResponse.status(201, answer).withHeader("Location", "/v1/outbound-webhooks/" + created.endpoint().id());
    }

    /** The tenant's latest change-feed sequence: a new endpoint receives what happens from now on. */
    private long feedEnd(String tenantId) {
        long cursor = 0;
        ChangePage page;
        while (!(page = hub.changes(tenantId, cursor, null, 1000)).events().isEmpty()) {
            cursor = page.nextCursor();
        }
        return cursor;
    }

    private ApiResponse update(ApiRequest request) {
        OutboundWebhooks.Endpoint endpoint = existing(request);
        ObjectNode body = request.jsonObject();
        String url = JsonSupport.optionalString(body, "url", 2000).orElse(null);
        if (url != null) {
            outbound.urls().check(url);
        }
        Optional<String> description = body.has("description") ? JsonSupport.optionalString(body, "description", 500) : null;
        Optional<List<String>> entities = body.has("entities") ? entities(body) : null;
        Optional<String> connection = body.has("connection_id") ? connection(request, body) : null;
        Boolean enabled = body.has("enabled") ? optionalBoolean(body, "enabled").orElseThrow(
                () -> ApiException.invalid("field 'enabled' must be true or false")) : null;
        return ApiResponse.ok(endpoint(outbound.update(request.tenantId(), endpoint.id(), url, description, entities, connection, enabled)
                .orElseThrow(() -> notFound(request))));
    }

    private ApiResponse rotate(ApiRequest request) {
        OutboundWebhooks.Endpoint endpoint = existing(request);
        JsonNode keep = request.jsonObjectOrEmpty().get("previous_valid_seconds");
        long seconds = 86_400;
        if (keep != null && !keep.isNull()) {
            if (!keep.isIntegralNumber() || keep.asLong() < 0 || keep.asLong() > 604_800) {
                throw ApiException.invalid("field 'previous_valid_seconds' must be an integer from 0 to 604800 (7 days)");
            }
            seconds = keep.asLong();
        }
        Duration overlap = Duration.ofSeconds(seconds);
        String secret = outbound.rotateSecret(request.tenantId(), endpoint.id(), overlap).orElseThrow(() -> notFound(request));
        return ApiResponse.ok(map("secret", secret, "previous_valid_until", seconds == 0 ? null : java.time.Instant.now().plus(overlap)));
    }

    private ApiResponse deliveries(ApiRequest request) {
        OutboundWebhooks.Endpoint endpoint = existing(request);
        String status = request.query("status").orElse(null);
        if (status != null && !Set.of("pending", "succeeded", "failed").contains(status)) {
            throw ApiException.badRequest("query parameter 'status' must be pending, succeeded or failed");
        }
        int limit = request.queryInt("limit", 50, 1, 100);
        return ApiResponse.ok(map("items", outbound.deliveries(request.tenantId(), endpoint.id(), status, limit).stream()
                .map(delivery -> delivery(request.tenantId(), delivery)).toList()));
    }

    private ApiResponse redeliver(ApiRequest request) {
        OutboundWebhooks.Endpoint endpoint = existing(request);
        String deliveryId = request.pathId("deliveryId");
        if (!outbound.redeliver(request.tenantId(), endpoint.id(), deliveryId)) {
            throw ApiException.notFound("no delivery '" + deliveryId + "' for this endpoint");
        }
        return ApiResponse.status(202, delivery(request.tenantId(), outbound.delivery(request.tenantId(), endpoint.id(), deliveryId).orElseThrow()));
    }

    private Optional<List<String>> entities(ObjectNode body) {
        JsonNode node = body.get("entities");
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        if (!node.isArray() || node.isEmpty() || node.size() > 50) {
            throw ApiException.invalid("field 'entities' must be an array of 1 to 50 entity names, such as [\"contacts\",\"matters\"]");
        }
        List<String> names = new ArrayList<>();
        for (JsonNode entity : node) {
            if (!entity.isTextual() || !entity.asText().matches("[a-z0-9_]{1,64}")) {
                throw ApiException.invalid("field 'entities' must hold entity names (lower-case letters, digits, '_')");
            }
            if (!names.contains(entity.asText())) {
                names.add(entity.asText());
            }
        }
        return Optional.of(names);
    }

    private Optional<String> connection(ApiRequest request, ObjectNode body) {
        Optional<String> connectionId = JsonSupport.optionalString(body, "connection_id", 128);
        connectionId.ifPresent(id -> {
            if (hub.listConnections(request.tenantId()).stream().noneMatch(connection -> connection.id().equals(id))) {
                throw ApiException.invalid("field 'connection_id': the tenant has no connection '" + ApiRequest.truncate(id) + "'");
            }
        });
        return connectionId;
    }

    private static Optional<Boolean> optionalBoolean(ObjectNode body, String field) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        if (!node.isBoolean()) {
            throw ApiException.invalid("field '" + field + "' must be true or false");
        }
        return Optional.of(node.asBoolean());
    }

    static Map<String, Object> endpoint(OutboundWebhooks.Endpoint endpoint) {
        // never the secret
        return map("id", endpoint.id(), "url", endpoint.url(), "description", endpoint.description(), "entities", endpoint.entities(),
                "connection_id", endpoint.connectionId(), "enabled", endpoint.enabled(), "cursor", endpoint.cursor(),
                "created_at", endpoint.createdAt(), "updated_at", endpoint.updatedAt());
    }

    private Map<String, Object> delivery(String tenantId, OutboundWebhooks.Delivery delivery) {
        JsonNode payload;
        try {
            payload = JsonSupport.MAPPER.readTree(delivery.payload());
        } catch (Exception e) {
            payload = JsonSupport.MAPPER.getNodeFactory().textNode(delivery.payload());
        }
        return map("id", delivery.id(), "endpoint_id", delivery.endpointId(), "sequence", delivery.sequence(),
                "event_type", delivery.eventType(), "status", delivery.status(), "attempts_since_queued", delivery.attempts(),
                "next_attempt_at", delivery.nextAttemptAt(), "last_status_code", delivery.lastStatusCode(),
                "last_error", delivery.lastError(), "created_at", delivery.createdAt(), "finished_at", delivery.finishedAt(),
                "payload", payload,
                "attempts", outbound.attempts(tenantId, delivery.id()).stream().map(attempt -> map("attempted_at", attempt.attemptedAt(),
                        "status_code", attempt.statusCode(), "latency_ms", attempt.latencyMillis(), "error", attempt.error(),
                        "next_attempt_at", attempt.nextAttemptAt())).toList());
    }
}
