package dev.junction.core.http.internal;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import dev.junction.core.http.HttpCall;
import dev.junction.core.http.HttpResult;
import dev.junction.core.http.PaginationStrategy;
import java.util.Objects;
import java.util.Optional;

/** Offset and limit parameters, until a short page. See {@link dev.junction.core.http.Pagination#offset}. */
public record OffsetPagination(String offsetParam, String limitParam, int limit, JsonPointer items)
        implements PaginationStrategy {

    public OffsetPagination {
        Objects.requireNonNull(offsetParam, "offsetParam");
        Objects.requireNonNull(limitParam, "limitParam");
        Objects.requireNonNull(items, "items");
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1, was " + limit);
        }
    }

    @Override
    public HttpCall request(HttpCall firstPage, Optional<String> cursor) {
        HttpCall limited = firstPage.withQuery(limitParam, Integer.toString(limit));
        return cursor.map(offset -> limited.withQuery(offsetParam, offset)).orElse(limited);
    }

    @Override
    public Optional<String> nextCursor(HttpCall sent, HttpResult result, JsonNode body) {
        int received = PageItems.array(body, items).size();
        if (received < limit) {
            return Optional.empty();
        }
        long offset = PageItems.queryNumber(sent, offsetParam, 0);
        return Optional.of(Long.toString(offset + received));
    }
}
