package dev.junction.provider.clio;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.junction.core.error.ErrorContext;
import dev.junction.core.error.ErrorKind;
import dev.junction.core.error.JunctionException;
import dev.junction.core.http.HttpCall;
import dev.junction.core.http.ProviderHttpClient;
import dev.junction.core.spi.Timestamps;
import dev.junction.core.spi.WebhookSubscription;
import dev.junction.core.spi.WebhookSubscriptions;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers, activates, renews and removes a connection's Clio webhooks. Core obtains it from the Clio connector's
 * {@code webhooks()}; like the connector, it is used by one thread at a time.
 *
 * <ul>
 *   <li>{@link #subscribe} creates one webhook per watchable entity (contacts, matters, tasks, activities,
 *       calendar entries, bills), so that a delivery's webhook id names its entity (see {@link ClioWebhookHandler}).
 *       Each watches {@code created}, {@code updated} and {@code deleted} with the fields {@code id,etag,updated_at}:
 *       since {@code fields} is also Clio's watch list for {@code updated}, watching {@code updated_at} makes every
 *       update fire, and the etag gives each change its own dedupe key. The matter status events are not requested:
 *       a status change is also an {@code updated}, and a second event would only cause a second refetch. If one
 *       creation fails, the webhooks already created are deleted and the failure is rethrown.</li>
 *   <li>Expiry is clamped to Clio's maximum of 31 days ahead, less {@link #CLOCK_SKEW_MARGIN} so that a clock a
 *       little ahead of Clio's does not get a 422; {@code null} asks for the maximum. Clio's default is 3 days, and
 *       nothing warns before a webhook expires, so core must {@link #renew} on a schedule.</li>
 *   <li>The secret: Clio returns {@code shared_secret} with the created webhook (the subscription carries it), and
 *       also POSTs it in the {@code X-Hook-Secret} handshake; when that handshake was not answered,
 *       {@link #activate} sends it back to {@code PUT /webhooks/{id}/activate}.</li>
 * </ul>
 *
 * <p>Retries: creation (POST) and renewal (PATCH) are never repeated by the HTTP stack, because Clio has no
 * idempotency key and a repeated create would register a second webhook; a failed renewal is simply retried at
 * core's next renewal. Activation (PUT) and deletion (DELETE) are safe to repeat and are retried; a DELETE whose
 * webhook is already gone (404) counts as done. A create whose answer is lost (a timeout) may still have registered
 * a webhook that Junction does not know; its deliveries are rejected as an unknown subscription, and it expires by
 * itself within 31 days.
 */
public final class ClioWebhookSubscriptions implements WebhookSubscriptions {

    /** The longest lifetime Clio accepts for a webhook. */
    public static final Duration MAXIMUM_LIFETIME = Duration.ofDays(31);
    /** Kept off the 31-day maximum, so that a clock slightly ahead of Clio's stays within it. */
    public static final Duration CLOCK_SKEW_MARGIN = Duration.ofMinutes(5);
    /** Events every webhook watches. */
    public static final List<String> EVENTS = List.of("created", "updated", "deleted");
    /** The record fields each delivery carries, and which changes fire {@code updated}. */
    public static final String DELIVERED_FIELDS = "id,etag,updated_at";

    private static final Logger LOG = LoggerFactory.getLogger(ClioWebhookSubscriptions.class);
    private static final ObjectMapper JSON = JsonMapper.builder().build();
    private static final String RESPONSE_FIELDS = "id,etag,url,model,events,status,shared_secret,expires_at";
    private static final String RESPONSE_FIELDS_WITHOUT_SECRET = "id,etag,status,expires_at";
    private static final String ENTITY = "webhooks";

    private final ProviderHttpClient http;
    private final Clock clock;

    /**
     * @param http a client for Clio's API root ({@code https://app.clio.com/api/v4}) with the pinned API version
     * @param clock decides how far ahead expiry may be
     */
    public ClioWebhookSubscriptions(ProviderHttpClient http, Clock clock) {
        this.http = Objects.requireNonNull(http, "http");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Creates one webhook per watchable entity delivering to {@code callbackUrl}. Clio starts each webhook's
     * handshake at once, possibly before this method returns, so core must expect handshakes before calling it.
     *
     * @param callbackUrl where Clio delivers; Clio requires https (checked by Clio, so that a local test receiver
     *     may use http on loopback)
     * @param expiresAt requested expiry, clamped to 31 days ahead; null for the longest allowed
     * @return one pending (or, if the handshake was already answered, enabled) subscription per entity, each with
     *     its entity name, secret, expiry and status
     * @throws JunctionException {@code INVALID_INPUT} for a callback URL that is not absolute http(s) or an expiry
     *     not in the future (before any request); otherwise the HTTP layer's errors, after deleting the webhooks
     *     created so far
     */
    @Override
    public List<WebhookSubscription> subscribe(String callbackUrl, Instant expiresAt) {
        String url = checkedCallbackUrl(callbackUrl);
        String expiry = expiry(expiresAt);
        List<WebhookSubscription> created = new ArrayList<>();
        for (ClioEntity entity : ClioEntity.watchable()) {
            try {
                created.add(create(url, entity, expiry));
            } catch (RuntimeException failure) {
                LOG.warn("Creating the Clio webhook for {} failed; deleting the {} created before it", entity.apiName(),
                        created.size());
                for (WebhookSubscription subscription : created) {
                    try {
                        unsubscribe(subscription);
                    } catch (RuntimeException cleanupFailure) {
                        failure.addSuppressed(cleanupFailure);
                    }
                }
                throw failure;
            }
        }
        LOG.info("Registered {} Clio webhooks expiring at {}", created.size(), expiry);
        return List.copyOf(created);
    }

    /**
     * Enables a webhook whose handshake was not answered, with the secret it carried (or that Clio returned at
     * creation): {@code PUT /webhooks/{id}/activate} with {@code X-Hook-Secret}.
     *
     * @return the subscription with Clio's new status ({@code enabled}) and expiry
     * @throws JunctionException {@code INVALID_INPUT} when the subscription has no secret; {@code INVALID_REQUEST}
     *     when Clio refuses the secret (422); {@code NOT_FOUND} when the webhook is gone
     */
    @Override
    public WebhookSubscription activate(WebhookSubscription subscription) {
        Objects.requireNonNull(subscription, "subscription");
        if (subscription.secret() == null || subscription.secret().isBlank()) {
            throw JunctionException.invalidInput("Clio webhook " + subscription.id() + " has no secret to activate it with");
        }
        JsonNode data = data(http.executeJson(
                HttpCall.of("PUT", "webhooks/" + pathSegment(subscription.id()) + "/activate")
                        .withHeader(ClioWebhookHandler.SECRET_HEADER, subscription.secret())
                        .withQuery("fields", RESPONSE_FIELDS_WITHOUT_SECRET)
                        .withEntity(ENTITY)));
        return updated(subscription, data);
    }

    /**
     * Moves a webhook's expiry: {@code PATCH /webhooks/{id}.json} with {@code expires_at}, clamped to 31 days ahead
     * ({@code null} for the longest allowed).
     *
     * @return the subscription with Clio's expiry and status (check it: a webhook may have been {@code suspended})
     * @throws JunctionException {@code NOT_FOUND} when the webhook is gone (subscribe again), {@code INVALID_INPUT}
     *     for an expiry not in the future, or the HTTP layer's errors
     */
    @Override
    public WebhookSubscription renew(WebhookSubscription subscription, Instant expiresAt) {
        Objects.requireNonNull(subscription, "subscription");
        ObjectNode request = JSON.createObjectNode();
        request.putObject("data").put("expires_at", expiry(expiresAt));
        JsonNode data = data(http.executeJson(
                HttpCall.patch("webhooks/" + pathSegment(subscription.id()) + ".json", "application/json", body(request))
                        .withQuery("fields", RESPONSE_FIELDS_WITHOUT_SECRET)
                        .withEntity(ENTITY)));
        return updated(subscription, data);
    }

    /** Deletes a webhook: {@code DELETE /webhooks/{id}.json}; one that is already gone is not an error. */
    @Override
    public void unsubscribe(WebhookSubscription subscription) {
        Objects.requireNonNull(subscription, "subscription");
        try {
            http.execute(HttpCall.delete("webhooks/" + pathSegment(subscription.id()) + ".json").withEntity(ENTITY));
        } catch (JunctionException failure) {
            if (failure.kind() != ErrorKind.NOT_FOUND) {
                throw failure;
            }
            LOG.debug("Clio webhook {} was already gone", subscription.id());
        }
    }

    /** {@code expiresAt} clamped to the longest lifetime Clio accepts, as Clio's ISO-8601 text. */
    String expiry(Instant expiresAt) {
        Instant now = clock.instant();
        Instant latest = now.plus(MAXIMUM_LIFETIME).minus(CLOCK_SKEW_MARGIN);
        Instant wanted = expiresAt == null ? latest : expiresAt;
        if (!wanted.isAfter(now)) {
            throw JunctionException.invalidInput("webhook expiry must be in the future, was " + expiresAt);
        }
        Instant clamped = wanted.isAfter(latest) ? latest : wanted;
        return DateTimeFormatter.ISO_INSTANT.format(clamped.truncatedTo(ChronoUnit.SECONDS));
    }

    private WebhookSubscription create(String url, ClioEntity entity, String expiry) {
        ObjectNode request = JSON.createObjectNode();
        ObjectNode data = request.putObject("data");
        data.put("url", url);
        data.put("model", entity.webhookModel().orElseThrow());
        EVENTS.forEach(data.putArray("events")::add);
        data.put("fields", DELIVERED_FIELDS);
        data.put("expires_at", expiry);
        // No idempotency key: the stack sends this POST once, so a lost answer cannot register a second webhook.
        JsonNode created = data(http.executeJson(HttpCall.post("webhooks.json", "application/json", body(request))
                .withQuery("fields", RESPONSE_FIELDS)
                .withEntity(ENTITY)));
        String id = requiredId(created);
        return new WebhookSubscription(id, entity.apiName(), text(created.path("shared_secret")),
                instant(created.path("expires_at")), text(created.path("status")));
    }

    private static WebhookSubscription updated(WebhookSubscription subscription, JsonNode data) {
        Instant expiresAt = instant(data.path("expires_at"));
        String status = text(data.path("status"));
        return new WebhookSubscription(subscription.id(), subscription.entity(), subscription.secret(),
                expiresAt == null ? subscription.expiresAt() : expiresAt,
                status == null ? subscription.status() : status);
    }

    private static JsonNode data(JsonNode body) {
        JsonNode data = body.path("data");
        if (!data.isObject()) {
            throw new JunctionException(ErrorKind.UNEXPECTED_PAYLOAD, "Clio webhook response has no 'data' object",
                    ErrorContext.provider(ClioProvider.ID).withEntity(ENTITY));
        }
        return data;
    }

    private static String requiredId(JsonNode data) {
        JsonNode id = data.path("id");
        if (!(id.isIntegralNumber() || (id.isTextual() && !id.asText().isBlank()))) {
            throw new JunctionException(ErrorKind.UNEXPECTED_PAYLOAD, "Clio webhook response has no id",
                    ErrorContext.provider(ClioProvider.ID).withEntity(ENTITY));
        }
        return id.asText();
    }

    private static String text(JsonNode node) {
        return node.isTextual() && !node.asText().isBlank() ? node.asText() : null;
    }

    /** Clio's timestamp, or null when absent or unparseable (the subscription then keeps its previous expiry). */
    private static Instant instant(JsonNode node) {
        if (!node.isTextual()) {
            return null;
        }
        try {
            return Timestamps.instant(node.asText());
        } catch (DateTimeParseException unparseable) {
            return null;
        }
    }

    private static String checkedCallbackUrl(String callbackUrl) {
        JunctionException.requireArgument(callbackUrl, "callbackUrl");
        try {
            URI uri = new URI(callbackUrl);
            boolean web = "https".equalsIgnoreCase(uri.getScheme()) || "http".equalsIgnoreCase(uri.getScheme());
            if (!web || uri.getHost() == null) {
                // The URL is not echoed: a callback URL may carry a token of its own.
                throw JunctionException.invalidInput("callbackUrl must be an absolute https URL");
            }
        } catch (URISyntaxException malformed) {
            throw JunctionException.invalidInput("callbackUrl is not a URL");
        }
        return callbackUrl;
    }

    private static String pathSegment(String id) {
        if (id == null || !id.matches("[0-9]{1,20}")) {
            throw JunctionException.invalidInput("not a Clio webhook id: '" + id + "'");
        }
        return id;
    }

    private static byte[] body(JsonNode json) {
        try {
            return JSON.writeValueAsBytes(json);
        } catch (com.fasterxml.jackson.core.JsonProcessingException impossible) {
            throw new IllegalStateException("a JSON tree always serialises", impossible);
        }
    }
}
