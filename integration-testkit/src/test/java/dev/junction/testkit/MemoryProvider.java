package dev.junction.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.junction.core.Hub;
import dev.junction.core.HubBuilder;
import dev.junction.core.crypto.SecretCipher;
import dev.junction.core.error.ErrorContext;
import dev.junction.core.error.ErrorKind;
import dev.junction.core.error.JunctionException;
import dev.junction.core.error.ProviderUnavailableException;
import dev.junction.core.model.Contact;
import dev.junction.core.spi.Action;
import dev.junction.core.spi.AuthMethod;
import dev.junction.core.spi.Capability;
import dev.junction.core.spi.Connector;
import dev.junction.core.spi.ConnectorContext;
import dev.junction.core.spi.EntityType;
import dev.junction.core.spi.FetchRequest;
import dev.junction.core.spi.Page;
import dev.junction.core.spi.Provider;
import dev.junction.core.spi.RateLimitPolicy;
import dev.junction.core.spi.RemoteRecord;
import dev.junction.core.spi.Setting;
import dev.junction.core.spi.Settings;
import dev.junction.core.spi.Transformer;
import dev.junction.core.spi.WebhookEvent;
import dev.junction.core.spi.WebhookHandler;
import dev.junction.core.spi.WebhookOutcome;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A hand-written fake provider whose "API" is an in-memory map, for testing the sync engine and store without HTTP.
 * Entity {@code people} becomes unified contacts. Ids page in ascending order; the cursor is the last id seen.
 */
final class MemoryProvider implements Provider {

    static final ObjectMapper JSON = new ObjectMapper();

    final ConcurrentSkipListMap<Long, ObjectNode> people = new ConcurrentSkipListMap<>();
    /** Fail every fetch after this many successful pages (negative: never). */
    final AtomicInteger failAfterPages = new AtomicInteger(-1);
    final AtomicInteger pagesServed = new AtomicInteger();
    /** Runs before each page is served, with the number of pages served before it. */
    final java.util.concurrent.atomic.AtomicReference<java.util.function.IntConsumer> beforePage =
            new java.util.concurrent.atomic.AtomicReference<>(served -> { });
    private final Clock clock;

    MemoryProvider(Clock clock) {
        this.clock = clock;
    }

    /**
     * A hub builder on {@code database} with this provider, its clock, a new encryption key and the background loop
     * off (the tests drive syncs and the webhook worker themselves); a test adds what it varies, then builds.
     */
    HubBuilder hubBuilder(TestDatabase database) {
        return hubBuilder(database, SecretCipher.generateKey());
    }

    /** The same with a given encryption key (for a test that opens a second hub on the same database). */
    HubBuilder hubBuilder(TestDatabase database, String encryptionKey) {
        return database.configure(Hub.builder()).withEncryptionKey("k1", encryptionKey).withClock(clock)
                .withBackgroundInterval(Duration.ZERO).withProvider(this, Settings.EMPTY);
    }

    void put(long id, String name) {
        ObjectNode node = JSON.createObjectNode();
        node.put("id", id).put("name", name).put("email", name.toLowerCase().replace(' ', '.') + "@example.com")
                .put("updated_at", clock.instant().toString());
        people.put(id, node);
    }

    /** Lists the person from now on as a tombstone (as Stripe's and Cliniko's connectors list deleted records). */
    void tombstone(long id) {
        people.get(id).put("_deleted", true).put("updated_at", clock.instant().toString());
    }

    void corrupt(long id) {
        people.get(id).putObject("name").put("unexpected", true);
        people.get(id).put("updated_at", clock.instant().toString());
    }

    @Override
    public String id() {
        return "memory";
    }

    @Override
    public AuthMethod authMethod() {
        return new AuthMethod.ApiKey("api_key");
    }

    @Override
    public List<EntityType> entityTypes() {
        return List.of(EntityType.of("people"));
    }

    @Override
    public RateLimitPolicy rateLimitPolicy() {
        return RateLimitPolicy.UNLIMITED;
    }

    @Override
    public Set<Capability> capabilities() {
        return Set.of(Capability.INCREMENTAL_SYNC, Capability.FETCH_ONE, Capability.WEBHOOKS, Capability.ACTIONS,
                Capability.PUSH);
    }

    @Override
    public List<Setting> settings() {
        return List.of(Setting.connectionSecret("api_key", "any value"),
                new Setting("webhook_secret", Setting.Scope.CONNECTION, true, false, "signs webhooks (HMAC-SHA256 hex of the body)"));
    }

    @Override
    public Connector connect(ConnectorContext context) {
        return new Connector() {
            @Override
            public Page fetch(FetchRequest request) {
                int served = pagesServed.get();
                beforePage.get().accept(served);
                if (failAfterPages.get() >= 0 && served >= failAfterPages.get()) {
                    throw new ProviderUnavailableException("memory provider is down", null, ErrorContext.provider("memory"), null);
                }
                pagesServed.incrementAndGet();
                long after = request.cursor().map(Long::parseLong).orElse(0L);
                List<RemoteRecord> records = new ArrayList<>();
                Long last = null;
                for (Map.Entry<Long, ObjectNode> entry : people.tailMap(after, false).entrySet()) {
                    Instant updated = updatedAt(entry.getValue());
                    if (request.since().isPresent() && updated.isBefore(request.since().get())) {
                        continue;
                    }
                    records.add(entry.getValue().path("_deleted").asBoolean()
                            ? RemoteRecord.tombstone("people", Long.toString(entry.getKey()), entry.getValue().deepCopy())
                            : RemoteRecord.of("people", Long.toString(entry.getKey()), updated, entry.getValue().deepCopy()));
                    last = entry.getKey();
                    if (records.size() == request.pageSize()) {
                        break;
                    }
                }
                boolean more = last != null && people.higherKey(last) != null && records.size() == request.pageSize();
                return Page.of(records, more ? Optional.of(Long.toString(last)) : Optional.empty());
            }

            @Override
            public Optional<RemoteRecord> fetchOne(EntityType entity, String externalId) {
                fetchOneCalls.incrementAndGet();
                beforeFetchOne.run();
                if (down.get()) {
                    throw new ProviderUnavailableException("memory provider is down", null, ErrorContext.provider("memory"), null);
                }
                ObjectNode node = people.get(Long.parseLong(externalId));
                return node == null ? Optional.empty()
                        : Optional.of(RemoteRecord.of("people", externalId, updatedAt(node), node.deepCopy()));
            }

            @Override
            public RemoteRecord push(dev.junction.core.spi.PushRequest request) {
                pushCalls.incrementAndGet();
                if (down.get()) {
                    throw new ProviderUnavailableException("memory provider is down", null, ErrorContext.provider("memory"), null);
                }
                long id;
                if (request.create()) {
                    if (!request.changes().path("name").isTextual()) {
                        throw JunctionException.invalidInput("name is required");
                    }
                    id = people.isEmpty() ? 1 : people.lastKey() + 1;
                    put(id, request.changes().path("name").asText());
                } else {
                    id = Long.parseLong(request.externalId().get());
                    if (!people.containsKey(id)) {
                        throw new JunctionException(ErrorKind.NOT_FOUND, "no person " + id);
                    }
                }
                ObjectNode node = people.get(id);
                request.changes().fields().forEachRemaining(field -> node.set(field.getKey(), field.getValue()));
                node.put("updated_at", clock.instant().toString());
                return RemoteRecord.of("people", Long.toString(id), updatedAt(node), node.deepCopy());
            }

            @Override
            public String providerId() {
                return "memory";
            }
        };
    }

    final AtomicInteger pushCalls = new AtomicInteger();

    final AtomicInteger fetchOneCalls = new AtomicInteger();
    /** Runs at the start of every fetchOne (tests move the clock or look at the inbox there). */
    volatile Runnable beforeFetchOne = () -> { };
    /** While true, fetchOne and the action fail as a provider outage would. */
    final java.util.concurrent.atomic.AtomicBoolean down = new java.util.concurrent.atomic.AtomicBoolean();
    final AtomicInteger actionCalls = new AtomicInteger();
    /** Webhook requests whose signature the handler verified. */
    final AtomicInteger webhooksVerified = new AtomicInteger();

    /**
     * Webhooks signed with the connection's {@code webhook_secret}: header {@code X-Memory-Signature} is the hex
     * HMAC-SHA256 of the body {@code {"delivery":..,"event":"upsert|refetch|delete","person":{..}}}.
     */
    @Override
    public WebhookHandler webhookHandler() {
        return (request, secrets) -> {
            String secret = secrets.connectionSecret().orElseThrow(() ->
                    new JunctionException(ErrorKind.WEBHOOK_REJECTED, "no webhook secret configured"));
            String presented = request.header("X-Memory-Signature").orElseThrow(() ->
                    new JunctionException(ErrorKind.WEBHOOK_REJECTED, "missing signature"));
            if (!java.security.MessageDigest.isEqual(sign(secret, request.body()).getBytes(java.nio.charset.StandardCharsets.UTF_8),
                    presented.getBytes(java.nio.charset.StandardCharsets.UTF_8))) {
                throw new JunctionException(ErrorKind.WEBHOOK_REJECTED, "bad signature");
            }
            webhooksVerified.incrementAndGet();
            JsonNode body;
            try {
                body = JSON.readTree(request.body());
            } catch (java.io.IOException e) {
                throw new JunctionException(ErrorKind.WEBHOOK_REJECTED, "body is not JSON");
            }
            JsonNode person = body.path("person");
            WebhookEvent.Kind kind = WebhookEvent.Kind.valueOf(body.path("event").asText().toUpperCase(java.util.Locale.ROOT));
            return new WebhookOutcome.Events(List.of(new WebhookEvent(body.path("delivery").asText(), "people",
                    person.path("id").asText(), kind, person)));
        };
    }

    static String sign(String secret, byte[] body) {
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec(secret.getBytes(java.nio.charset.StandardCharsets.UTF_8), "HmacSHA256"));
            return java.util.HexFormat.of().formatHex(mac.doFinal(body));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One action, {@code add_person} (input {@code {"name": ...}}), which creates a person with the next id. */
    @Override
    public List<Action> actions() {
        return List.of(new Action() {
            @Override
            public String name() {
                return "add_person";
            }

            @Override
            public String description() {
                return "creates a person";
            }

            @Override
            public JsonNode execute(ActionContext context) {
                JsonNode name = context.input().path("name");
                if (!name.isTextual() || name.asText().isBlank()) {
                    throw JunctionException.invalidInput("name is required");
                }
                actionCalls.incrementAndGet();
                if (down.get()) {
                    throw new ProviderUnavailableException("memory provider is down", null, ErrorContext.provider("memory"), null);
                }
                long id = people.isEmpty() ? 1 : people.lastKey() + 1;
                put(id, name.asText());
                return people.get(id).deepCopy();
            }
        });
    }

    private static Instant updatedAt(JsonNode node) {
        try {
            return Instant.parse(node.path("updated_at").asText());
        } catch (java.time.format.DateTimeParseException e) {
            return Instant.EPOCH;
        }
    }

    @Override
    public Transformer transformer() {
        return record -> {
            JsonNode name = record.payload().get("name");
            if (name == null || !name.isTextual()) {
                throw new JunctionException(ErrorKind.UNEXPECTED_PAYLOAD, "name is not text");
            }
            return Optional.of(new Contact(record.externalId(), Contact.Kind.PERSON, name.asText(), null, null,
                    record.payload().path("email").asText(null), null, null, Map.of(), null, record.updatedAt()));
        };
    }
}
