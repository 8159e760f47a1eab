package dev.junction.provider.cliniko;

import com.fasterxml.jackson.databind.JsonNode;
import dev.junction.core.error.ErrorContext;
import dev.junction.core.error.ErrorKind;
import dev.junction.core.error.JunctionException;
import dev.junction.core.http.HttpCall;
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
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads Cliniko for one connection. Every listing is paged with {@code per_page} (at most 100) and followed through
 * {@code links.next} verbatim, as Cliniko asks ([CLINIKO-README] "Pagination"). One pass of an entity reads its
 * listings in turn ({@link ClinikoEntity#listings}): the main listing, then the state listings (archived patients,
 * cancelled appointments), then, in incremental passes, the deleted listing as tombstones. Incremental passes filter
 * with {@code q[]=updated_at:>=since} ({@code deleted_at} on the deleted listing).
 *
 * <p>The checkpoint cursor is {@code <listing>|<next URL>}, or {@code <listing>|} for the first page of the next
 * listing, so a resumed pass continues in the right listing. Used by one thread at a time.
 */
final class ClinikoConnector implements Connector {

    /** Cliniko's largest page ([CLINIKO-README]). */
    static final int MAX_PER_PAGE = 100;
    private static final PaginationStrategy PAGING = Pagination.cursorUrl("/links/next");
    private static final DateTimeFormatter UTC_SECONDS = DateTimeFormatter.ISO_INSTANT;

    private final ProviderHttpClient http;

    ClinikoConnector(ConnectorContext context) {
        this.http = httpClient(context);
    }

    /**
     * A client for the connection's shard (or {@code base_url}) that authenticates with HTTP Basic (the key as user
     * name, empty password) and sends the provider's {@code User-Agent}; shared by the connector and the actions.
     * Checks both settings before anything is sent.
     */
    static ProviderHttpClient httpClient(ConnectorContext context) {
        ClinikoApiKey key = ClinikoApiKey.parse(context.connectionSettings().get(ClinikoProvider.API_KEY).orElse(null));
        String userAgent = ClinikoUserAgent.check(context.providerSettings().get(ClinikoProvider.USER_AGENT).orElse(null));
        String baseUrl = ClinikoProvider.apiBaseUrl(context.connectionSettings(), key);
        String basic = "Basic " + Base64.getEncoder().encodeToString((key.key() + ":").getBytes(StandardCharsets.UTF_8));
        return context.http(baseUrl, (prepared, credentials) -> prepared
                .withAuthenticator(() -> Map.of("Authorization", basic))
                .withDefaultHeader("User-Agent", userAgent)
                .withDefaultHeader("Accept", "application/json"));
    }

    @Override
    public String providerId() {
        return ClinikoProvider.ID;
    }

    @Override
    public Page fetch(FetchRequest request) {
        ClinikoEntity entity = entity(request.entity());
        List<ClinikoEntity.Listing> listings = entity.listings(request.incremental());
        Position position = Position.parse(request.cursor(), listings);
        ClinikoEntity.Listing listing = position.listing();
        HttpCall first = HttpCall.get(entity.path() + listing.suffix())
                .withEntity(entity.path())
                .withQuery("per_page", Integer.toString(Math.min(request.pageSize(), MAX_PER_PAGE)));
        if (request.since().isPresent()) {
            // Inclusive and truncated to whole seconds (Cliniko's precision), so nothing at 'since' is skipped.
            String field = listing == ClinikoEntity.Listing.DELETED ? "deleted_at" : "updated_at";
            Instant since = request.since().get().truncatedTo(ChronoUnit.SECONDS);
            first = first.withQuery("q[]", List.of(field + ":>=" + UTC_SECONDS.format(since)));
        }
        PageResponse response = http.fetchPage(first, PAGING, position.nextUrl());
        JsonNode items = response.body().get(entity.path());
        if (items == null || !items.isArray()) {
            throw new JunctionException(ErrorKind.UNEXPECTED_PAYLOAD, "Cliniko list response has no '" + entity.path()
                    + "' array", context(entity).withRequestId(response.result().requestId()));
        }
        List<RemoteRecord> records = new ArrayList<>(items.size());
        List<String> unreadable = new ArrayList<>();
        for (JsonNode item : items) {
            Optional<String> id = ClinikoTransformer.recordId(item);
            if (id.isEmpty()) {
                unreadable.add(item.toString());
            } else if (listing == ClinikoEntity.Listing.DELETED) {
                records.add(RemoteRecord.tombstone(entity.path(), id.get(), item));
            } else {
                records.add(RemoteRecord.of(entity.path(), id.get(), ClinikoTransformer.instantOrNull(item, "updated_at"), item));
            }
        }
        return new Page(records, position.next(response.nextCursor(), listings), unreadable);
    }

    private static ClinikoEntity entity(EntityType type) {
        return ClinikoEntity.byPath(type.name()).orElseThrow(() -> new JunctionException(ErrorKind.INVALID_INPUT,
                "Cliniko has no entity '" + type.name() + "'", ErrorContext.provider(ClinikoProvider.ID)));
    }

    private static ErrorContext context(ClinikoEntity entity) {
        return ErrorContext.provider(ClinikoProvider.ID).withEntity(entity.path());
    }

    /** Where a pass is: which listing, and the next page's URL within it (empty for the listing's first page). */
    record Position(ClinikoEntity.Listing listing, Optional<String> nextUrl) {

        static Position parse(Optional<String> cursor, List<ClinikoEntity.Listing> listings) {
            if (cursor.isEmpty()) {
                return new Position(listings.get(0), Optional.empty());
            }
            String value = cursor.get();
            int bar = value.indexOf('|');
            ClinikoEntity.Listing listing;
            try {
                listing = ClinikoEntity.Listing.valueOf(bar < 0 ? "" : value.substring(0, bar));
            } catch (IllegalArgumentException e) {
                throw new JunctionException(ErrorKind.UNEXPECTED_PAYLOAD, "not a Cliniko cursor: listing missing",
                        ErrorContext.provider(ClinikoProvider.ID));
            }
            if (!listings.contains(listing)) {
                throw new JunctionException(ErrorKind.UNEXPECTED_PAYLOAD, "Cliniko cursor names listing " + listing
                        + ", which this pass does not read", ErrorContext.provider(ClinikoProvider.ID));
            }
            String url = value.substring(bar + 1);
            return new Position(listing, url.isEmpty() ? Optional.empty() : Optional.of(url));
        }

        /** The cursor after a page: the same listing's next page, else the next listing's first, else none. */
        Optional<String> next(Optional<String> nextUrl, List<ClinikoEntity.Listing> listings) {
            if (nextUrl.isPresent()) {
                return Optional.of(listing.name() + "|" + nextUrl.get());
            }
            int index = listings.indexOf(listing);
            return index + 1 < listings.size() ? Optional.of(listings.get(index + 1).name() + "|") : Optional.empty();
        }
    }
}
