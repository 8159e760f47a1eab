package dev.junction.examples.manychat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.junction.core.error.ErrorContext;
import dev.junction.core.error.ErrorKind;
import dev.junction.core.error.JunctionException;
import dev.junction.core.http.HttpCall;
import dev.junction.core.http.ProviderHttpClient;
import dev.junction.core.spi.Connector;
import dev.junction.core.spi.ConnectorContext;
import dev.junction.core.spi.EntityType;
import dev.junction.core.spi.FetchRequest;
import dev.junction.core.spi.Page;
import dev.junction.core.spi.RemoteRecord;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads ManyChat's page-level lists for one connection.
 *
 * <p>ManyChat's lists are not paged: one request returns the whole list. So that a pass still commits in pages with
 * a checkpoint, a page is the next {@code pageSize} items in id order after the cursor (the last id of the previous
 * page), read from a fresh copy of the list. Keyset rather than offset: an item created or deleted between two pages
 * never shifts another out of the pass. The cost is one request per page; the lists are small (a page's tags, fields
 * and flows), and the hub's page size (200 by default) keeps it to one or two requests per entity in practice.
 *
 * <p>Used by one thread at a time.
 */
final class ManyChatConnector implements Connector {

    private final ProviderHttpClient http;

    ManyChatConnector(ConnectorContext context) {
        String key = context.connectionSettings().get(ManyChatProvider.API_KEY).orElseThrow();
        String baseUrl = context.connectionSettings().get(ManyChatProvider.BASE_URL).orElse(ManyChatProvider.DEFAULT_BASE_URL);
        this.http = context.http(baseUrl, (prepared, credentials) -> prepared
                .withAuthenticator(() -> Map.of("Authorization", "Bearer " + key))
                .withSecretHeaders(Set.of("Authorization"))
                .withDefaultHeader("Accept", "application/json"));
    }

    @Override
    public String providerId() {
        return ManyChatProvider.ID;
    }

    @Override
    public Page fetch(FetchRequest request) {
        ManyChatEntity entity = entity(request.entity());
        JsonNode body = http.executeJson(HttpCall.get(entity.path()).withEntity(entity.entityName()));
        JsonNode items = items(entity, body);

        List<JsonNode> sorted = new ArrayList<>();
        List<String> unreadable = new ArrayList<>();
        for (JsonNode item : items) {
            if (id(entity, item).isPresent()) {
                sorted.add(item);
            } else if (request.cursor().isEmpty()) {
                unreadable.add(item.toString()); // reported once per pass, on its first page
            }
        }
        Comparator<JsonNode> byId = Comparator.comparing(item -> key(entity, id(entity, item).orElseThrow()));
        sorted.sort(byId);
        Optional<Comparable<Object>> after = request.cursor().map(cursor -> key(entity, cursor));
        List<RemoteRecord> records = new ArrayList<>();
        boolean more = false;
        for (JsonNode item : sorted) {
            String id = id(entity, item).orElseThrow();
            if (after.isPresent() && key(entity, id).compareTo(after.get()) <= 0) {
                continue;
            }
            if (records.size() == request.pageSize()) {
                more = true;
                break;
            }
            records.add(RemoteRecord.of(entity.entityName(), id, null, item));
        }
        Optional<String> next = more ? Optional.of(records.get(records.size() - 1).externalId()) : Optional.empty();
        return new Page(records, next, unreadable);
    }

    /** The array in {@code {"status":"success","data":...}}; anything else is an unexpected payload. */
    static JsonNode items(ManyChatEntity entity, JsonNode body) {
        if (body == null || !"success".equals(body.path("status").asText())) {
            throw new JunctionException(ErrorKind.UNEXPECTED_PAYLOAD, "ManyChat " + entity.path() + " did not answer status 'success'",
                    ErrorContext.provider(ManyChatProvider.ID).withEntity(entity.entityName()));
        }
        JsonNode items = body.at(entity.arrayPointer());
        if (!items.isArray()) {
            throw new JunctionException(ErrorKind.UNEXPECTED_PAYLOAD, "ManyChat " + entity.path() + " has no array at "
                    + entity.arrayPointer(), ErrorContext.provider(ManyChatProvider.ID).withEntity(entity.entityName()));
        }
        return items;
    }

    /** The item's id as text: an integer {@code id}, or a flow's {@code ns}; empty when missing or of another type. */
    static Optional<String> id(ManyChatEntity entity, JsonNode item) {
        JsonNode id = item.get(entity.idField());
        if (id == null) {
            return Optional.empty();
        }
        if (entity.numericId()) {
            return id.isIntegralNumber() || (id.isTextual() && id.asText().matches("[0-9]{1,30}"))
                    ? Optional.of(id.asText()) : Optional.empty();
        }
        return id.isTextual() && !id.asText().isBlank() ? Optional.of(id.asText()) : Optional.empty();
    }

    @SuppressWarnings("unchecked")
    private static Comparable<Object> key(ManyChatEntity entity, String id) {
        if (entity.numericId()) {
            try {
                return (Comparable<Object>) (Comparable<?>) new BigInteger(id);
            } catch (NumberFormatException e) {
                throw new JunctionException(ErrorKind.INVALID_INPUT, "not a " + entity.entityName() + " cursor: '" + id + "'",
                        ErrorContext.provider(ManyChatProvider.ID).withEntity(entity.entityName()));
            }
        }
        return (Comparable<Object>) (Comparable<?>) id;
    }

    private static ManyChatEntity entity(EntityType type) {
        return ManyChatEntity.byName(type.name()).orElseThrow(() -> new JunctionException(ErrorKind.INVALID_INPUT,
                "unknown ManyChat entity '" + type.name() + "'", ErrorContext.provider(ManyChatProvider.ID)));
    }
}
