package dev.junction.provider.clio.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.junction.sandbox.DatasetChange;
import dev.junction.sandbox.DatasetFilter;
import dev.junction.sandbox.DatasetPage;
import dev.junction.sandbox.DatasetRecord;
import dev.junction.sandbox.SandboxJson;
import dev.junction.sandbox.WebhookDispatcher;
import dev.junction.sandbox.WebhookSigner;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Clio webhook subscriptions, as described in the "Webhooks" section of Clio's API v4 reference.
 *
 * <ul>
 *   <li>Creation validates {@code url}, {@code model}, {@code fields} and {@code events}; {@code
 *       expires_at} defaults to three days and may be at most 31 days ahead.
 *   <li>Right after creation (or a URL change) the sandbox POSTs a handshake with an {@code
 *       X-Hook-Secret} header and the body {@code {"data":{"id":<webhook id>}}} (Clio does not
 *       document the body). A {@code 200} echoing the secret enables the webhook; otherwise it stays
 *       {@code pending} until {@code POST|PUT /webhooks/{id}/activate} with that header.
 *   <li>When a record of the watched model changes, each enabled, unexpired webhook subscribed to
 *       the event receives {@code {"data":{<fields>},"meta":{"event":...,"webhook_id":...}}} signed
 *       with {@code X-Hook-Signature}, the lowercase hex HMAC-SHA256 of the body keyed by the shared
 *       secret. An {@code updated} event is sent only when a watched field changed, except the first
 *       time a webhook reports that record.
 *   <li>A {@code 410} answer suspends the webhook. Other failures are not retried here.
 * </ul>
 *
 * <p>Thread-safe.
 */
final class ClioWebhooks {

    static final String SECRET_HEADER = "X-Hook-Secret";
    static final String SIGNATURE_HEADER = "X-Hook-Signature";
    static final Duration DEFAULT_LIFETIME = Duration.ofDays(3);
    static final Duration MAXIMUM_LIFETIME = Duration.ofDays(31);
    static final int MAXIMUM_FIELDS_LENGTH = 1_000;
    static final Set<String> WRITABLE_FIELDS = Set.of("url", "model", "fields", "events", "expires_at");

    private static final Logger LOG = LoggerFactory.getLogger(ClioWebhooks.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final List<String> COMMON_EVENTS = List.of("created", "updated", "deleted");
    private static final List<String> MATTER_EVENTS = List.of("matter_opened", "matter_pended", "matter_closed");
    private static final Map<String, String> MATTER_STATUS_EVENTS =
            Map.of("Open", "matter_opened", "Pending", "matter_pended", "Closed", "matter_closed");
    private static final Set<String> DOCUMENTED_MODELS = Set.of(
            "matter", "activity", "bill", "calendar_entry", "communication", "contact", "task", "document", "folder",
            "clio_payments_payment");
    private static final Set<String> LOOPBACK_HOSTS = Set.of("127.0.0.1", "localhost", "[::1]", "::1");

    private final ClioRecordStore store;
    private final WebhookDispatcher dispatcher;
    private final Clock clock;
    /** Per webhook, the ids of the records it has already reported. */
    private final Map<Long, Set<Long>> reportedRecords = new ConcurrentHashMap<>();

    ClioWebhooks(ClioRecordStore store, WebhookDispatcher dispatcher, Clock clock) {
        this.store = store;
        this.dispatcher = dispatcher;
        this.clock = clock;
        store.onChange(this::deliver);
    }

    /** Creates a webhook from a request's {@code data} and starts the handshake. */
    DatasetRecord create(ObjectNode data) {
        String url = url(data.path("url"));
        ClioEntity model = model(data.path("model"));
        ObjectNode webhook = SandboxJson.object();
        String secret = newSecret();
        webhook.put("url", url);
        webhook.put("fields", fields(data.path("fields"), model));
        webhook.put("shared_secret", secret);
        webhook.put("model", model.webhookModel().orElseThrow());
        webhook.put("status", "pending");
        webhook.set("events", events(data.get("events"), model));
        webhook.put("expires_at", ClioFormats.timestamp(data.hasNonNull("expires_at")
                ? expiresAt(data.get("expires_at"))
                : clock.instant().plus(DEFAULT_LIFETIME)));
        DatasetRecord created = store.create(ClioEntity.WEBHOOKS, webhook);
        handshake(created.id(), url, secret);
        return created;
    }

    /** Updates a webhook (renewal of {@code expires_at}, new fields, events or URL); empty when unknown. */
    Optional<DatasetRecord> update(long id, ObjectNode data) {
        Optional<DatasetRecord> current = store.find(ClioEntity.WEBHOOKS, id);
        if (current.isEmpty()) {
            return Optional.empty();
        }
        ObjectNode existing = current.get().body();
        ClioEntity model = data.has("model")
                ? model(data.get("model"))
                : ClioEntity.fromWebhookModel(existing.path("model").asText()).orElseThrow();
        ObjectNode changes = SandboxJson.object();
        changes.put("model", model.webhookModel().orElseThrow());
        changes.put("fields", fields(data.has("fields") ? data.get("fields") : existing.get("fields"), model));
        changes.set("events", events(data.has("events") ? data.get("events") : existing.get("events"), model));
        if (data.has("expires_at")) {
            changes.put("expires_at", ClioFormats.timestamp(expiresAt(data.get("expires_at"))));
        }
        String url = data.has("url") ? url(data.get("url")) : existing.path("url").asText();
        boolean urlChanged = !url.equals(existing.path("url").asText());
        String secret = urlChanged ? newSecret() : existing.path("shared_secret").asText();
        if (urlChanged) {
            changes.put("url", url);
            changes.put("shared_secret", secret);
            changes.put("status", "pending");
        }
        Optional<DatasetRecord> updated = store.update(ClioEntity.WEBHOOKS, id, changes).map(DatasetChange::after);
        if (urlChanged && updated.isPresent()) {
            reportedRecords.remove(id);
            handshake(id, url, secret);
        }
        return updated;
    }

    /**
     * Enables a webhook whose handshake was not answered, given the secret the handshake carried.
     *
     * @return the enabled webhook; empty when unknown
     */
    Optional<DatasetRecord> activate(long id, String presentedSecret) {
        Optional<DatasetRecord> webhook = store.find(ClioEntity.WEBHOOKS, id);
        if (webhook.isEmpty()) {
            return Optional.empty();
        }
        if (!webhook.get().body().path("shared_secret").asText().equals(presentedSecret)) {
            throw ClioErrors.invalidRecord("The " + SECRET_HEADER + " header does not match this webhook's secret");
        }
        return store.update(ClioEntity.WEBHOOKS, id, SandboxJson.object().put("status", "enabled"))
                .map(DatasetChange::after);
    }

    /** Deletes a webhook; returns whether it existed. */
    boolean delete(long id) {
        reportedRecords.remove(id);
        return store.delete(ClioEntity.WEBHOOKS, id).isPresent();
    }

    private void handshake(long webhookId, String url, String secret) {
        byte[] body = SandboxJson.toBytes(Map.of("data", Map.of("id", webhookId)));
        dispatcher.send(URI.create(url), Map.of(SECRET_HEADER, secret), body, WebhookSigner.none(), delivery -> {
            boolean confirmed = delivery.status() == 200
                    && delivery.responseHeader(SECRET_HEADER).filter(secret::equals).isPresent();
            if (!confirmed) {
                LOG.debug("Webhook {} handshake not confirmed (HTTP {}); it stays pending",
                        webhookId, delivery.status());
                return;
            }
            boolean stillThisHandshake = store.find(ClioEntity.WEBHOOKS, webhookId)
                    .map(DatasetRecord::body)
                    .filter(webhook -> webhook.path("shared_secret").asText().equals(secret))
                    .filter(webhook -> webhook.path("status").asText().equals("pending"))
                    .isPresent();
            if (stillThisHandshake) {
                store.update(ClioEntity.WEBHOOKS, webhookId, SandboxJson.object().put("status", "enabled"));
            }
        });
    }

    private void deliver(RecordChange change) {
        if (change.entity().webhookModel().isEmpty()) {
            return;
        }
        List<String> events = eventsOf(change);
        Instant now = clock.instant();
        for (DatasetRecord webhook : webhooks()) {
            ObjectNode subscription = webhook.body();
            boolean active = subscription.path("model").asText().equals(change.entity().webhookModel().get())
                    && subscription.path("status").asText().equals("enabled")
                    && ClioFormats.parseTimestamp(subscription.path("expires_at").asText())
                            .filter(now::isBefore).isPresent();
            if (!active) {
                continue;
            }
            for (String event : events) {
                if (contains(subscription.path("events"), event)) {
                    send(webhook.id(), subscription, change, event);
                }
            }
        }
    }

    private void send(long webhookId, ObjectNode subscription, RecordChange change, String event) {
        FieldSelection selection = FieldSelection.parse(subscription.path("fields").asText(), change.entity().schema());
        ObjectNode data = selection.project(change.latest().body());
        boolean firstReport = reportedRecords.computeIfAbsent(webhookId, id -> ConcurrentHashMap.newKeySet())
                .add(change.latest().id());
        boolean watchedFieldChanged = change.before() == null || change.after() == null
                || !selection.project(change.before().body()).equals(data);
        if (event.equals(RecordChange.UPDATED) && !firstReport && !watchedFieldChanged) {
            return;
        }
        ObjectNode payload = SandboxJson.object();
        payload.set("data", data);
        payload.putObject("meta").put("event", event).put("webhook_id", webhookId);
        byte[] key = subscription.path("shared_secret").asText().getBytes(StandardCharsets.UTF_8);
        dispatcher.send(URI.create(subscription.path("url").asText()), Map.of(), SandboxJson.toBytes(payload),
                WebhookSigner.hmacSha256Hex(SIGNATURE_HEADER, key), delivery -> {
                    if (delivery.status() == 410) {
                        // Clio treats 410 Gone as "stop sending": the subscription is disabled.
                        store.update(ClioEntity.WEBHOOKS, webhookId, SandboxJson.object().put("status", "suspended"));
                    }
                });
    }

    private static List<String> eventsOf(RecordChange change) {
        List<String> events = new ArrayList<>(List.of(change.event()));
        if (change.entity() == ClioEntity.MATTERS && change.before() != null && change.after() != null) {
            String before = change.before().body().path("status").asText();
            String after = change.after().body().path("status").asText();
            if (!before.equals(after) && MATTER_STATUS_EVENTS.containsKey(after)) {
                events.add(MATTER_STATUS_EVENTS.get(after));
            }
        }
        return events;
    }

    private List<DatasetRecord> webhooks() {
        List<DatasetRecord> all = new ArrayList<>();
        long afterId = 0;
        DatasetPage page;
        do {
            page = store.dataset(ClioEntity.WEBHOOKS).pageAfter(afterId, 200, DatasetFilter.none());
            all.addAll(page.records());
            afterId = page.lastId().orElse(afterId);
        } while (page.hasMore());
        return all;
    }

    private static String url(JsonNode value) {
        if (!value.isTextual() || value.asText().isBlank()) {
            throw ClioErrors.invalidRecord("url can't be blank");
        }
        try {
            URI uri = new URI(value.asText());
            boolean https = "https".equals(uri.getScheme());
            // The sandbox also accepts plain http to loopback, so local receivers need no certificate.
            boolean loopbackHttp = "http".equals(uri.getScheme()) && LOOPBACK_HOSTS.contains(uri.getHost());
            if (uri.getHost() == null || !(https || loopbackHttp)) {
                throw ClioErrors.invalidRecord("url must use the https scheme");
            }
            return uri.toString();
        } catch (URISyntaxException malformed) {
            throw ClioErrors.invalidRecord("url is not a valid URL");
        }
    }

    private static ClioEntity model(JsonNode value) {
        String model = value.asText("");
        Optional<ClioEntity> entity = ClioEntity.fromWebhookModel(model);
        if (entity.isPresent()) {
            return entity.get();
        }
        throw ClioErrors.invalidRecord(DOCUMENTED_MODELS.contains(model)
                ? "model '" + model + "' is not simulated by the sandbox"
                : "model must be one of " + DOCUMENTED_MODELS + " or its numeric id");
    }

    private static String fields(JsonNode value, ClioEntity model) {
        if (!value.isTextual() || value.asText().isBlank()) {
            throw ClioErrors.invalidRecord("fields can't be blank");
        }
        String fields = value.asText();
        if (fields.length() > MAXIMUM_FIELDS_LENGTH) {
            throw ClioErrors.invalidRecord("fields must be at most " + MAXIMUM_FIELDS_LENGTH + " characters");
        }
        try {
            FieldSelection.parse(fields, model.schema());
        } catch (FieldSelection.InvalidFieldsException invalid) {
            throw ClioErrors.invalidRecord(invalid.getMessage());
        }
        return fields;
    }

    private static ArrayNode events(JsonNode value, ClioEntity model) {
        ArrayNode events = SandboxJson.array();
        if (value == null || value.isNull()) {
            COMMON_EVENTS.forEach(events::add);
            return events;
        }
        if (!value.isArray() || value.isEmpty()) {
            throw ClioErrors.invalidRecord("events must be a non-empty list");
        }
        for (JsonNode event : value) {
            String name = event.asText();
            boolean valid = COMMON_EVENTS.contains(name) || model == ClioEntity.MATTERS && MATTER_EVENTS.contains(name);
            if (!valid) {
                throw ClioErrors.invalidRecord("event '" + name + "' is not supported for this model");
            }
            events.add(name);
        }
        return events;
    }

    private Instant expiresAt(JsonNode value) {
        Instant expiresAt = ClioFormats.parseTimestamp(value.asText(""))
                .orElseThrow(() -> ClioErrors.invalidRecord("expires_at must be an ISO-8601 timestamp"));
        Instant now = clock.instant();
        if (!expiresAt.isAfter(now)) {
            throw ClioErrors.invalidRecord("expires_at must be in the future");
        }
        if (expiresAt.isAfter(now.plus(MAXIMUM_LIFETIME))) {
            throw ClioErrors.invalidRecord("expires_at must be at most 31 days from now");
        }
        return expiresAt;
    }

    private static boolean contains(JsonNode list, String value) {
        for (JsonNode element : list) {
            if (element.asText().equals(value)) {
                return true;
            }
        }
        return false;
    }

    private static String newSecret() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
