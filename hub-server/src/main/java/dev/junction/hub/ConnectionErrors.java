package dev.junction.hub;

import static dev.junction.hub.JsonSupport.map;

import dev.junction.core.Connection;
import dev.junction.core.ConnectionStatus;
import dev.junction.core.Hub;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Jdbi;

/**
 * The errors view of one connection ({@code GET /v1/connections/{id}/errors}): its recent sync, webhook and token
 * refresh errors, by entity, with counts and the latest messages — what a support engineer opens first.
 *
 * <ul>
 *   <li><b>sync</b>: failed entity passes of sync runs, and records dead-lettered by a sync (malformed payloads);</li>
 *   <li><b>webhook</b>: inbound webhook events whose processing failed (retrying, or dead);</li>
 *   <li><b>refresh</b>: token refreshes the provider refused ({@code needs_reauth}: a revoked or expired refresh token)
 *       or that failed ({@code failed}: the token endpoint erred), from the library's
 *       {@code junction_token_refresh_error}: under the entity whose sync pass needed the token, or under
 *       {@code (connection)} when none did (the maintenance round refreshing ahead of expiry, webhook handling).</li>
 * </ul>
 *
 * <p>It reads the library's tables ({@code junction_sync_run*}, {@code junction_dead_letter},
 * {@code junction_webhook_inbox}, always filtered by tenant and connection) through {@link Hub#database()}: the library
 * keeps these rows but has no aggregate query. Messages are the library's (which never carry secrets),
 * passed through {@link #redact} as a second guard.
 *
 * <p>Thread-safe.
 */
final class ConnectionErrors {

    static final int LATEST = 5;
    /** The pseudo-entity of errors that belong to the connection, not to one entity (a refresh outside a sync). */
    static final String CONNECTION = "(connection)";
    private static final List<Pattern> SECRETS = List.of(
            Pattern.compile("(?i)(bearer\\s+)[A-Za-z0-9._~+/=-]+"),
            Pattern.compile("(?i)((?:access|refresh)_token|client_secret|api_key|password)([\"']?\\s*[=:]\\s*[\"']?)[^\\s\"'&,}]+"),
            Pattern.compile("\\b(whsec_|jk_|sk_live_|sk_test_|rk_live_|rk_test_)[A-Za-z0-9+/=_-]+"));

    private final Hub hub;
    private final Jdbi jdbi;

    ConnectionErrors(Hub hub) {
        this.hub = hub;
        this.jdbi = hub.database().jdbi();
    }

    private record Error(String entity, String category, Instant at, String message, String runId, String externalId, String status) {}

    Route route() {
        return Route.builder("GET", "/v1/connections/{connectionId}/errors", Route.Access.TENANT).withTag("connections")
                .withSummary("Recent sync, webhook and token refresh errors, by entity, with counts and the latest messages")
                .withQuery("since", "string", "ISO-8601 instant; default 7 days ago")
                .withResponse(200, "ConnectionErrors").withResponse(400, "Problem").withResponse(404, "Problem")
                .handledBy(request -> {
                    Connection connection = hub.getConnection(request.tenantId(), request.pathId("connectionId"));
                    Instant since = request.queryInstant("since").orElse(Instant.now().minus(Duration.ofDays(7)));
                    return ApiResponse.ok(view(request.tenantId(), connection, since));
                });
    }

    Map<String, Object> view(String tenantId, Connection connection, Instant since) {
        List<Error> errors = new ArrayList<>();
        errors.addAll(syncAndRefreshFailures(tenantId, connection.id(), since));
        errors.addAll(deadLetters(tenantId, connection.id(), since));
        errors.addAll(webhookFailures(tenantId, connection.id(), since));

        Map<String, List<Error>> byEntity = new TreeMap<>();
        errors.forEach(error -> byEntity.computeIfAbsent(error.entity(), key -> new ArrayList<>()).add(error));
        List<Map<String, Object>> entities = new ArrayList<>();
        byEntity.forEach((entity, list) -> {
            list.sort(Comparator.comparing(Error::at, Comparator.nullsLast(Comparator.reverseOrder())));
            entities.add(map("entity", entity,
                    "sync_errors", count(list, "sync"), "webhook_errors", count(list, "webhook"), "refresh_errors", count(list, "refresh"),
                    "last_error_at", list.get(0).at(),
                    "latest", list.stream().limit(LATEST).map(ConnectionErrors::json).toList()));
        });
        entities.sort(Comparator.comparing((Map<String, Object> entity) -> -((long) entity.get("sync_errors")
                + (long) entity.get("webhook_errors") + (long) entity.get("refresh_errors"))));

        boolean needsReauth = connection.status() == ConnectionStatus.NEEDS_REAUTH;
        Map<String, Object> connectionState = map("status", connection.status().name(),
                "needs_reauth", needsReauth,
                "last_error", connection.lastError() == null ? null : redact(connection.lastError()),
                "updated_at", connection.updatedAt());
        return map("connection_id", connection.id(), "since", since, "connection", connectionState,
                "totals", map("sync_errors", count(errors, "sync"), "webhook_errors", count(errors, "webhook"),
                        "refresh_errors", count(errors, "refresh")),
                "entities", entities);
    }

    private static long count(List<Error> errors, String category) {
        return errors.stream().filter(error -> error.category().equals(category)).count();
    }

    private static Map<String, Object> json(Error error) {
        return map("kind", error.category(), "at", error.at(), "message", redact(error.message()), "run_id", error.runId(),
                "external_id", error.externalId(), "status", error.status());
    }

    /**
     * Failed entity passes and refused or failed token refreshes (the library keeps every one in
     * {@code junction_token_refresh_error}). A refresh that a sync run needed is shown under the entity whose pass it
     * failed (that run's latest failed pass, which then counts as the refresh error, not also as a sync error); one
     * outside a sync (the maintenance round refreshing ahead of expiry, webhook handling) under {@link #CONNECTION}.
     */
    private List<Error> syncAndRefreshFailures(String tenantId, String connectionId, Instant since) {
        record Pass(String runId, String entity, String error, Instant at) {}
        record Refresh(String runId, String outcome, String error, Instant at) {}
        List<Pass> passes = jdbi.withHandle(handle -> handle.createQuery("SELECT e.run_id, e.entity, e.error, "
                        + "COALESCE(e.finished_at, e.started_at, r.started_at) AS at FROM junction_sync_run_entity e "
                        + "JOIN junction_sync_run r ON r.id = e.run_id AND r.tenant_id = e.tenant_id "
                        + "WHERE r.tenant_id = :tenant AND r.connection_id = :connection AND LOWER(e.status) = 'failed' "
                        + "AND r.started_at >= :since ORDER BY at DESC")
                .bind("tenant", tenantId).bind("connection", connectionId).bind("since", OutboundWebhooks.timestamp(since))
                .map((rs, ctx) -> new Pass(rs.getString("run_id"), rs.getString("entity"), rs.getString("error"),
                        OutboundWebhooks.instant(rs, "at")))
                .list());
        List<Refresh> refreshes = jdbi.withHandle(handle -> handle.createQuery("SELECT run_id, outcome, error, created_at "
                        + "FROM junction_token_refresh_error WHERE tenant_id = :tenant AND connection_id = :connection "
                        + "AND created_at >= :since ORDER BY created_at DESC")
                .bind("tenant", tenantId).bind("connection", connectionId).bind("since", OutboundWebhooks.timestamp(since))
                .map((rs, ctx) -> new Refresh(rs.getString("run_id"), rs.getString("outcome"), rs.getString("error"),
                        OutboundWebhooks.instant(rs, "created_at")))
                .list());
        List<Error> errors = new ArrayList<>();
        java.util.Set<Pass> explained = new java.util.HashSet<>();
        for (Refresh refresh : refreshes) {
            Pass pass = refresh.runId() == null ? null : passes.stream() // passes are newest first
                    .filter(candidate -> candidate.runId().equals(refresh.runId()) && !explained.contains(candidate))
                    .findFirst().orElse(null);
            if (pass != null) {
                explained.add(pass);
            }
            errors.add(new Error(pass == null ? CONNECTION : pass.entity(), "refresh", refresh.at(), refresh.error(),
                    refresh.runId(), null, refresh.outcome().toLowerCase(Locale.ROOT)));
        }
        for (Pass pass : passes) {
            if (!explained.contains(pass)) {
                errors.add(new Error(pass.entity(), "sync", pass.at(), pass.error() == null ? "failed" : pass.error(), pass.runId(), null, "failed"));
            }
        }
        return errors;
    }

    /** Records a sync could not store (dead letters of source {@code sync}); webhook ones are counted from the inbox. */
    private List<Error> deadLetters(String tenantId, String connectionId, Instant since) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT entity, external_id, run_id, error, created_at FROM junction_dead_letter "
                        + "WHERE tenant_id = :tenant AND connection_id = :connection AND source = 'sync' AND created_at >= :since "
                        + "ORDER BY id DESC")
                .bind("tenant", tenantId).bind("connection", connectionId).bind("since", OutboundWebhooks.timestamp(since))
                .map((rs, ctx) -> new Error(rs.getString("entity"), "sync", OutboundWebhooks.instant(rs, "created_at"),
                        rs.getString("error"), rs.getString("run_id"), rs.getString("external_id"), "dead_letter"))
                .list());
    }

    /** Inbound webhook events whose processing failed: still retrying, or dead. */
    private List<Error> webhookFailures(String tenantId, String connectionId, Instant since) {
        return jdbi.withHandle(handle -> handle.createQuery("SELECT entity, external_id, status, last_error, "
                        + "COALESCE(processed_at, claimed_at, received_at) AS at FROM junction_webhook_inbox "
                        + "WHERE tenant_id = :tenant AND connection_id = :connection AND last_error IS NOT NULL "
                        + "AND status <> 'processed' AND received_at >= :since ORDER BY id DESC")
                .bind("tenant", tenantId).bind("connection", connectionId).bind("since", OutboundWebhooks.timestamp(since))
                .map((rs, ctx) -> new Error(rs.getString("entity"), "webhook", OutboundWebhooks.instant(rs, "at"),
                        rs.getString("last_error"), null, rs.getString("external_id"),
                        rs.getString("status").toLowerCase(Locale.ROOT).equals("dead") ? "dead" : "retrying"))
                .list());
    }

    /** Removes anything shaped like a credential from a message (the library's messages carry none; belt and braces). */
    static String redact(String message) {
        if (message == null) {
            return null;
        }
        String redacted = SECRETS.get(0).matcher(message).replaceAll("$1[redacted]");
        redacted = SECRETS.get(1).matcher(redacted).replaceAll("$1$2[redacted]");
        redacted = SECRETS.get(2).matcher(redacted).replaceAll("$1[redacted]");
        return redacted.length() > 1000 ? redacted.substring(0, 1000) + "…" : redacted;
    }
}
