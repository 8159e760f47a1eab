package dev.junction.provider.clio.sandbox;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.junction.sandbox.ControllableSandbox;
import dev.junction.sandbox.DatasetChange;
import dev.junction.sandbox.DatasetRecord;
import dev.junction.sandbox.FaultInjector;
import dev.junction.sandbox.FixedWindowRateLimiter;
import dev.junction.sandbox.OAuthAuthorizationServer;
import dev.junction.sandbox.OAuthClient;
import dev.junction.sandbox.OAuthTokens;
import dev.junction.sandbox.RateLimitStatistics;
import dev.junction.sandbox.RequestLog;
import dev.junction.sandbox.Sandbox;
import dev.junction.sandbox.SandboxJson;
import dev.junction.sandbox.SandboxServer;
import dev.junction.sandbox.WebhookDelivery;
import dev.junction.sandbox.WebhookDispatcher;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;

/**
 * A simulator of the Clio Manage API v4, built from Clio's public API reference, for tests, demos
 * and offline development.
 *
 * <p>It serves, on a loopback port:
 *
 * <ul>
 *   <li>{@code GET /api/v4/<entity>.json} and {@code /<entity>/{id}.json} (the {@code .json} suffix
 *       is optional) for every {@link ClioEntity}, plus {@code GET /api/v4/users/who_am_i.json};
 *       writes for {@code contacts}, {@code custom_actions} and {@code webhooks}.
 *   <li>Clio's semantics: {@code id} and {@code etag} only unless {@code fields} asks for more
 *       (one level of nesting, {@code client{id,name}}); cursor paging ({@code order=id(asc)}, {@code
 *       limit} 1..200, {@code meta.paging.next} carrying a {@code page_token} and the original query,
 *       {@code meta.records}); offset paging capped at 10,000 records (422); {@code updated_since}
 *       and {@code created_since}; {@code X-API-VERSION} echoed (410 when invalid); bearer tokens
 *       (401 {@code invalid_token}); rate limits per access token with {@code X-RateLimit-*} and 429
 *       with {@code Retry-After}; custom-action nonces (403); webhooks with the {@code X-Hook-Secret}
 *       handshake and {@code X-Hook-Signature} HMAC.
 *   <li>OAuth 2.0 at {@code /oauth/authorize} and {@code /oauth/token}; access tokens last 30 days
 *       and refresh tokens are reusable, as in Clio Manage, unless configured otherwise.
 * </ul>
 *
 * <p>Records are generated from the seed on demand, so a million contacts cost little memory; tests
 * change data with the control methods ({@link #createRecord}, {@link #updateRandom}, {@link
 * #corruptRecord}...), which also fire webhooks, and inspect traffic with {@link #requestLog()},
 * {@link #rateLimitStatistics()} and {@link #webhookDeliveries()}.
 *
 * <pre>{@code
 * try (ClioSandbox clio = ClioSandbox.builder()
 *         .withRecordCount(ClioEntity.CONTACTS, 1_000)
 *         .withRateLimit(10, Duration.ofSeconds(1))
 *         .withOAuthClient("my-app", "my-secret", "http://localhost:8080/callback")
 *         .start()) {
 *     OAuthTokens tokens = clio.issueTokens(1);
 *     // GET clio.apiBaseUrl() + "/contacts.json?fields=id,name" with "Authorization: Bearer " + tokens.accessToken()
 * }
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class ClioSandbox implements ControllableSandbox {

    /** The provider id, as used by the Clio provider plug-in. */
    public static final String PROVIDER_ID = "clio";

    private final SandboxServer server;
    private final OAuthAuthorizationServer oauth;
    private final OAuthClient client;
    private final FixedWindowRateLimiter rateLimiter;
    private final WebhookDispatcher dispatcher;
    private final ClioRecordStore store;
    private final ClioCustomActions customActions;
    private final Clock clock;
    private final SplittableRandom controlRandom;

    private ClioSandbox(Builder builder) {
        this.clock = builder.clock();
        this.client = builder.client;
        this.controlRandom = new SplittableRandom(builder.seed() ^ 0x5DEECE66DL);
        // Generated history ends a minute before start, so changes made by tests are always newer.
        Instant timelineEnd = clock.instant().truncatedTo(ChronoUnit.SECONDS).minus(Duration.ofMinutes(1));
        this.store = new ClioRecordStore(builder.seed(), clock, builder.counts, timelineEnd);
        this.oauth = OAuthAuthorizationServer.builder()
                .withClock(clock)
                .withAccessTokenLifetime(builder.tokenLifetime)
                .withRotatingRefreshTokens(builder.rotatingRefreshTokens)
                .withClient(client)
                .build();
        this.rateLimiter = new FixedWindowRateLimiter(builder.rateLimit(), builder.rateWindow(), clock);
        this.dispatcher = new WebhookDispatcher(clock, Duration.ofSeconds(5));
        this.customActions = new ClioCustomActions();
        this.server = SandboxServer.builder().withPort(builder.port()).withClock(clock).build();
        oauth.install(server, "/oauth/authorize", "/oauth/token");
        new ClioApi(server, store, oauth, rateLimiter, customActions, new ClioWebhooks(store, dispatcher, clock),
                builder.keepListPages).install();
    }

    /** Starts a builder with Clio's defaults: seed 42, the system clock, 50 requests per minute. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Runs a sandbox until the process is stopped, printing how to connect.
     *
     * @param args optionally the port to bind, and the number of contacts
     */
    public static void main(String[] args) throws InterruptedException {
        Builder builder = builder();
        if (args.length > 0) {
            builder.withPort(Integer.parseInt(args[0]));
        }
        if (args.length > 1) {
            builder.withRecordCount(ClioEntity.CONTACTS, Long.parseLong(args[1]));
        }
        ClioSandbox sandbox = builder.start();
        Runtime.getRuntime().addShutdownHook(new Thread(sandbox::close, "clio-sandbox-shutdown"));
        System.out.println("Clio sandbox running. Sandbox credentials:");
        sandbox.connectionProperties().forEach((key, value) -> System.out.println("  " + key + " = " + value));
        // The server's threads are daemons: keep the JVM alive until it is stopped.
        new CountDownLatch(1).await();
    }

    @Override
    public String providerId() {
        return PROVIDER_ID;
    }

    @Override
    public String baseUrl() {
        return server.baseUrl();
    }

    /** The API root, {@code baseUrl() + "/api/v4"}. */
    public String apiBaseUrl() {
        return server.baseUrl() + ClioApi.PREFIX;
    }

    /** The OAuth authorization endpoint. */
    public String authorizeUrl() {
        return server.baseUrl() + "/oauth/authorize";
    }

    /** The OAuth token endpoint. */
    public String tokenUrl() {
        return server.baseUrl() + "/oauth/token";
    }

    /**
     * Keys: {@code api_base_url}, {@code authorize_url}, {@code token_url}, {@code client_id},
     * {@code client_secret}, {@code redirect_uri}, and {@code access_token} and {@code refresh_token}
     * freshly issued for user 1.
     */
    @Override
    public Map<String, String> connectionProperties() {
        OAuthTokens tokens = issueTokens(1);
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("api_base_url", apiBaseUrl());
        properties.put("authorize_url", authorizeUrl());
        properties.put("token_url", tokenUrl());
        properties.put("client_id", client.clientId());
        properties.put("client_secret", client.clientSecret());
        properties.put("redirect_uri", client.redirectUris().get(0));
        properties.put("access_token", tokens.accessToken());
        properties.put("refresh_token", tokens.refreshToken());
        return properties;
    }

    /** Stops the server and the webhook sender. Calling it again does nothing. */
    @Override
    public void close() {
        server.close();
        dispatcher.close();
    }

    /** The registered OAuth application. */
    public OAuthClient oauthClient() {
        return client;
    }

    /** Issues tokens for {@code userId} without the browser step, as if the user had approved the app. */
    public OAuthTokens issueTokens(long userId) {
        return oauth.issueTokens(client.clientId(), Long.toString(userId));
    }

    /** The authorization server: revoke or expire tokens, count refresh grants. */
    public OAuthAuthorizationServer oauth() {
        return oauth;
    }

    /** The record with this id, as stored (every field). */
    public Optional<DatasetRecord> record(ClioEntity entity, long id) {
        return store.find(entity, id);
    }

    /**
     * Creates a generated record of {@code entity}, with {@code fields} replacing top-level fields,
     * stamped with the clock; webhooks fire.
     *
     * @throws IllegalArgumentException for {@link ClioEntity#WEBHOOKS}, which are created through the API
     */
    public DatasetRecord createRecord(ClioEntity entity, ObjectNode fields) {
        requireGeneratedEntity(entity);
        return store.create(entity, fields);
    }

    /** Replaces top-level fields of a record as given and stamps it with the clock; webhooks fire. */
    public Optional<DatasetRecord> updateRecord(ClioEntity entity, long id, ObjectNode fields) {
        return store.update(entity, id, fields).map(DatasetChange::after);
    }

    /**
     * Deletes a record; webhooks fire.
     *
     * @return whether the record existed
     */
    public boolean deleteRecord(ClioEntity entity, long id) {
        return store.delete(entity, id).isPresent();
    }

    /**
     * Changes {@code count} random live records the way users do (a new phone number, a matter
     * closing, a payment...), stamped with the clock; webhooks fire.
     *
     * @return the changed ids, ascending; fewer than {@code count} when fewer records exist
     */
    public List<Long> updateRandom(ClioEntity entity, int count) {
        requireGeneratedEntity(entity);
        List<Long> ids = randomLiveIds(entity, count);
        ids.forEach(id -> store.update(entity, id,
                (body, context) -> store.generator().mutate(entity, body, context)));
        return ids;
    }

    /**
     * Deletes {@code count} random live records; webhooks fire.
     *
     * @return the deleted ids, ascending; fewer than {@code count} when fewer records exist
     */
    public List<Long> deleteRandom(ClioEntity entity, int count) {
        requireGeneratedEntity(entity);
        List<Long> ids = randomLiveIds(entity, count);
        ids.forEach(id -> store.delete(entity, id));
        return ids;
    }

    /**
     * Breaks a record's shape so a transformer must reject it: its label field (a contact's {@code
     * name}, a matter's {@code display_number}...) becomes {@code {"unexpected": true}} and its
     * {@code updated_at} becomes {@code "not-a-date"}. It still counts as updated now, so incremental
     * syncs fetch it.
     *
     * @return whether the record existed
     */
    public boolean corruptRecord(ClioEntity entity, long id) {
        return store.update(entity, id, (body, context) -> {
            body.set(entity.labelField(), SandboxJson.object().put("unexpected", true));
            body.put("updated_at", "not-a-date");
            body.put("etag", ClioRecordGenerator.etag(body));
            return body;
        }).isPresent();
    }

    /** How many records of {@code entity} exist. */
    public long recordCount(ClioEntity entity) {
        return store.dataset(entity).count();
    }

    /** Every entity's live record count, by its API path ({@code contacts}). */
    @Override
    public Map<String, Long> recordCounts() {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (ClioEntity entity : ClioEntity.values()) {
            counts.put(entity.path(), (long) liveIds(entity).size());
        }
        return counts;
    }

    /** The ids of every existing record of {@code entity}, ascending; for asserting what a sync stored. */
    public Set<Long> liveIds(ClioEntity entity) {
        return store.dataset(entity).liveIds().boxed().collect(Collectors.toCollection(LinkedHashSet::new));
    }

    /**
     * Simulates a user clicking a custom action: returns the URL Clio would open, the action's
     * {@code target_url} with {@code custom_action_id}, {@code user_id}, {@code subject_url} and a
     * single-use {@code custom_action_nonce}.
     *
     * @throws IllegalArgumentException when the custom action does not exist
     */
    public URI simulateCustomActionClick(long customActionId, long userId, String subjectUrl) {
        ObjectNode action = store.find(ClioEntity.CUSTOM_ACTIONS, customActionId)
                .orElseThrow(() -> new IllegalArgumentException("No custom action " + customActionId))
                .body();
        return customActions.click(action, userId, Objects.requireNonNull(subjectUrl, "subjectUrl"));
    }

    /** Every request answered, for assertions. */
    public RequestLog requestLog() {
        return server.requestLog();
    }

    /** Fault rules: 5xx, delays, cut or malformed bodies, expired tokens. */
    public FaultInjector faults() {
        return server.faults();
    }

    /** How many API requests were counted against the rate limit, and how many got 429. */
    public RateLimitStatistics rateLimitStatistics() {
        return rateLimiter.statistics();
    }

    /** Every webhook request sent (handshakes and events), oldest first. */
    public List<WebhookDelivery> webhookDeliveries() {
        return dispatcher.deliveries();
    }

    /**
     * Waits until every queued webhook request has been answered and processed.
     *
     * @return whether that happened within {@code maximumWait}
     */
    public boolean awaitWebhookDeliveries(Duration maximumWait) {
        return dispatcher.awaitIdle(maximumWait);
    }

    /** The sandbox's clock. */
    public Clock clock() {
        return clock;
    }

    private static void requireGeneratedEntity(ClioEntity entity) {
        if (entity == ClioEntity.WEBHOOKS) {
            throw new IllegalArgumentException("Webhooks are created and changed through the API");
        }
    }

    private List<Long> randomLiveIds(ClioEntity entity, int count) {
        long maxId = store.dataset(entity).maxId();
        long wanted = Math.min(count, store.dataset(entity).count());
        Set<Long> chosen = new LinkedHashSet<>();
        synchronized (controlRandom) {
            // Random probing is fast while most ids are live; a bounded number of misses then
            // falls back to a scan so heavily deleted datasets still terminate.
            for (long attempt = 0; chosen.size() < wanted && attempt < wanted * 20 + 100; attempt++) {
                long id = 1 + controlRandom.nextLong(maxId);
                if (store.dataset(entity).contains(id)) {
                    chosen.add(id);
                }
            }
        }
        if (chosen.size() < wanted) {
            store.dataset(entity).liveIds().filter(id -> !chosen.contains(id)).limit(wanted - chosen.size())
                    .forEach(chosen::add);
        }
        List<Long> sorted = new ArrayList<>(chosen);
        sorted.sort(null);
        return sorted;
    }

    /** Configures a {@link ClioSandbox}. Not thread-safe. */
    public static final class Builder extends dev.junction.sandbox.SandboxBuilder<Builder> {

        private final Map<ClioEntity, Long> counts = new EnumMap<>(ClioEntity.class);
        private Duration tokenLifetime = Duration.ofDays(30);
        private boolean rotatingRefreshTokens;
        private boolean keepListPages;
        private OAuthClient client = OAuthClient.of("clio-sandbox-client", "clio-sandbox-secret",
                "http://127.0.0.1:8080/oauth/callback");

        private Builder() {
            super(50, Duration.ofSeconds(60));
            for (ClioEntity entity : ClioEntity.values()) {
                counts.put(entity, entity.defaultCount());
            }
        }

        /** How many records of {@code entity} to generate (contacts: 50 by default, up to millions). */
        public Builder withRecordCount(ClioEntity entity, long count) {
            if (count < 0) {
                throw new IllegalArgumentException("count must not be negative: " + count);
            }
            counts.put(entity, count);
            return this;
        }

        /** How long access tokens live; default 30 days, as in Clio Manage. */
        public Builder withTokenLifetime(Duration value) {
            this.tokenLifetime = Objects.requireNonNull(value, "lifetime");
            return this;
        }

        /** Whether refresh tokens rotate on use; default false (Clio Manage refresh tokens are reusable). */
        public Builder withRotatingRefreshTokens(boolean value) {
            this.rotatingRefreshTokens = value;
            return this;
        }

        /**
         * Whether list pages are kept once rendered and served again while their entity is unchanged; default false.
         * For benchmarks, where the sandbox stands in for a remote server whose CPU is not the client's to pay:
         * rendering a page of generated records costs more than the client's whole work on it. Memory grows with every
         * distinct page asked for (about the size of the records listed).
         */
        public Builder withListPageCache(boolean value) {
            this.keepListPages = value;
            return this;
        }

        /** The OAuth application allowed to connect. */
        public Builder withOAuthClient(String clientId, String clientSecret, String redirectUri) {
            this.client = OAuthClient.of(clientId, clientSecret, redirectUri);
            return this;
        }

        /**
         * Builds and starts the sandbox.
         *
         * @throws java.io.UncheckedIOException when the port cannot be bound
         */
        public ClioSandbox start() {
            ClioSandbox sandbox = new ClioSandbox(this);
            try {
                sandbox.server.start();
            } catch (RuntimeException failure) {
                sandbox.close();
                throw failure;
            }
            return sandbox;
        }
    }
}
