package dev.junction.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.junction.core.error.ErrorContext;
import dev.junction.core.error.ErrorKind;
import dev.junction.core.error.JunctionException;
import dev.junction.core.error.ProviderUnavailableException;
import dev.junction.core.model.Contact;
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
import dev.junction.core.spi.Transformer;
import java.time.Clock;
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
    private final Clock clock;

    MemoryProvider(Clock clock) {
        this.clock = clock;
    }

    void put(long id, String name) {
        ObjectNode node = JSON.createObjectNode();
        node.put("id", id).put("name", name).put("email", name.toLowerCase().replace(' ', '.') + "@example.com")
                .put("updated_at", clock.instant().toString());
        people.put(id, node);
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
        return Set.of(Capability.INCREMENTAL_SYNC);
    }

    @Override
    public List<Setting> settings() {
        return List.of(Setting.connectionSecret("api_key", "any value"));
    }

    @Override
    public Connector connect(ConnectorContext context) {
        return new Connector() {
            @Override
            public Page fetch(FetchRequest request) {
                int served = pagesServed.get();
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
                    records.add(RemoteRecord.of("people", Long.toString(entry.getKey()), updated, entry.getValue().deepCopy()));
                    last = entry.getKey();
                    if (records.size() == request.pageSize()) {
                        break;
                    }
                }
                boolean more = last != null && people.higherKey(last) != null && records.size() == request.pageSize();
                return Page.of(records, more ? Optional.of(Long.toString(last)) : Optional.empty());
            }

            @Override
            public String providerId() {
                return "memory";
            }
        };
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
