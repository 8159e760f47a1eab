package dev.junction.core.http.internal;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import dev.junction.core.http.HttpCall;
import dev.junction.core.http.HttpResult;
import dev.junction.core.http.PaginationStrategy;
import java.util.Objects;
import java.util.Optional;

/** Numbered pages until an empty one. See {@link dev.junction.core.http.Pagination#pageNumber}. */
public record PageNumberPagination(String pageParam, JsonPointer items) implements PaginationStrategy {

    public PageNumberPagination {
        Objects.requireNonNull(pageParam, "pageParam");
        Objects.requireNonNull(items, "items");
    }

    @Override
    public HttpCall request(HttpCall firstPage, Optional<String> cursor) {
        return cursor.map(page -> firstPage.withQuery(pageParam, page)).orElse(firstPage);
    }

    @Override
    public Optional<String> nextCursor(HttpCall sent, HttpResult result, JsonNode body) {
        if (PageItems.array(body, items).isEmpty()) {
            return Optional.empty();
        }
        long page = PageItems.queryNumber(sent, pageParam, 1);
        return Optional.of(Long.toString(page + 1));
    }
}
