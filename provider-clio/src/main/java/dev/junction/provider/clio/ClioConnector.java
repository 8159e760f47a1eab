package dev.junction.provider.clio;

import com.fasterxml.jackson.databind.JsonNode;
import dev.junction.core.error.ErrorContext;
import dev.junction.core.error.ErrorKind;
import dev.junction.core.error.JunctionException;
import dev.junction.core.http.HttpCall;
import dev.junction.core.http.PageItem;
import dev.junction.core.http.PageResponse;
import dev.junction.core.http.Pagination;
import dev.junction.core.http.PaginationStrategy;
import dev.junction.core.http.ProviderHttpClient;
import dev.junction.core.spi.Connector;
import dev.junction.core.spi.ConnectorContext;
import dev.junction.core.spi.EntityType;
import dev.junction.core.spi.FetchRequest;
import dev.junction.core.spi.Page;
import dev.junction.core.spi.RemoteRecord;
import dev.junction.core.spi.Timestamps;
import dev.junction.core.spi.WebhookSubscriptions;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Reads Clio for one connection. Lists use cursor paging ({@code order=id(asc)}, no offset), which has no record
 * cap, and follow {@code meta.paging.next} verbatim: it carries the page token and the original query
 * ([CLIO-PAGING]). The cursor stored in checkpoints is that URL. Incremental passes add {@code updated_since}.
 * Used by one thread at a time.
 */
final class ClioConnector implements Connector {

    private static final PaginationStrategy PAGING = Pagination.cursorUrl("/meta/paging/next");
    private static final int MAX_LIMIT = 200;

    private final ProviderHttpClient http;
    private final Clock clock;

    ClioConnector(ConnectorContext context, String apiBaseUrl) {
        this.http = httpClient(context, apiBaseUrl);
        this.clock = context.clock();
    }

    /**
     * A client for Clio's API at {@code apiBaseUrl} ({@code https://app.clio.com/api/v4}) with the pinned
     * {@code X-API-VERSION}; shared by the connector, webhook registration and the custom-action actions.
     */
    static ProviderHttpClient httpClient(ConnectorContext context, String apiBaseUrl) {
        return context.http(apiBaseUrl, (prepared, credentials) -> {
            Set<String> secretHeaders = new HashSet<>(prepared.secretHeaders());
            secretHeaders.add(ClioWebhookHandler.SECRET_HEADER);
            return prepared
                    .withDefaultHeader("X-API-VERSION", ClioProvider.API_VERSION)
                    .withDefaultHeader("Accept", "application/json")
                    .withSecretHeaders(secretHeaders);
        });
    }

    @Override
    public String providerId() {
        return ClioProvider.ID;
    }

    @Override
    public Page fetch(FetchRequest request) {
        ClioEntity entity = entity(request.entity());
        HttpCall first = HttpCall.get(entity.apiName() + ".json")
                .withEntity(entity.apiName())
                .withQuery("fields", entity.fields())
                .withQuery("order", "id(asc)")
                .withQuery("limit", Integer.toString(Math.min(request.pageSize(), MAX_LIMIT)));
        if (request.since().isPresent()) {
            first = first.withQuery("updated_since", DateTimeFormatter.ISO_INSTANT.format(request.since().get()));
        }
        PageResponse response = http.fetchPage(first, PAGING, request.cursor());
        // Each record keeps its own slice of the page's bytes: stored and hashed as sent, never serialised again.
        List<PageItem> data = response.items("data").orElseThrow(() -> new JunctionException(ErrorKind.UNEXPECTED_PAYLOAD,
                "Clio list response has no 'data' array", context(entity).withRequestId(response.result().requestId())));
        return page(entity, data, response.nextCursor());
    }

    /** The page's records; a loop of its own, so that the optimising compiler compiles it apart from the request. */
    private static Page page(ClioEntity entity, List<PageItem> data, Optional<String> nextCursor) {
        List<RemoteRecord> records = new ArrayList<>(data.size());
        List<String> unreadable = new ArrayList<>();
        for (PageItem element : data) {
            JsonNode item = element.node();
            JsonNode id = item.get("id");
            if (id == null || !(id.isIntegralNumber() || id.isTextual()) || id.asText().isBlank()) {
                unreadable.add(element.json() != null ? element.json() : item.toString());
                continue;
            }
            records.add(RemoteRecord.of(entity.apiName(), id.asText(), updatedAt(item), item, element.json()));
        }
        return new Page(records, nextCursor, unreadable);
    }

    @Override
    public Optional<RemoteRecord> fetchOne(EntityType type, String externalId) {
        ClioEntity entity = entity(type);
        try {
            JsonNode body = http.executeJson(HttpCall.get(entity.apiName() + "/" + pathSegment(externalId) + ".json")
                    .withEntity(entity.apiName()).withQuery("fields", entity.fields()));
            JsonNode item = body.path("data");
            if (!item.isObject()) {
                throw new JunctionException(ErrorKind.UNEXPECTED_PAYLOAD, "Clio record response has no 'data' object", context(entity));
            }
            return Optional.of(RemoteRecord.of(entity.apiName(), externalId, updatedAt(item), item));
        } catch (JunctionException e) {
            if (e.kind() == ErrorKind.NOT_FOUND) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** Registers one webhook per watchable entity; see {@link ClioWebhookSubscriptions}. */
    @Override
    public WebhookSubscriptions webhooks() {
        return new ClioWebhookSubscriptions(http, clock);
    }

    /** The record's {@code updated_at}, or null when absent or unparseable (the transformer reports bad shapes). */
    private static Instant updatedAt(JsonNode item) {
        JsonNode value = item.get("updated_at");
        if (value == null || !value.isTextual()) {
            return null;
        }
        try {
            return Timestamps.instant(value.asText());
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static String pathSegment(String externalId) {
        if (!externalId.matches("[A-Za-z0-9_-]{1,64}")) {
            throw JunctionException.invalidInput("not a Clio record id: '" + externalId + "'");
        }
        return externalId;
    }

    private static ClioEntity entity(EntityType type) {
        return ClioEntity.byName(type.name()).orElseThrow(() -> new JunctionException(ErrorKind.INVALID_INPUT,
                "Clio has no entity '" + type.name() + "'", ErrorContext.provider(ClioProvider.ID)));
    }

    private static ErrorContext context(ClioEntity entity) {
        return ErrorContext.provider(ClioProvider.ID).withEntity(entity.apiName());
    }
}
