package dev.junction.core.http.internal;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import dev.junction.core.http.HttpCall;
import dev.junction.core.http.HttpResult;
import dev.junction.core.http.PaginationStrategy;
import java.util.Objects;
import java.util.Optional;

/** The body names the next page's full URL. See {@link dev.junction.core.http.Pagination#cursorUrl}. */
public record CursorUrlPagination(JsonPointer nextUrl) implements PaginationStrategy {

    public CursorUrlPagination {
        Objects.requireNonNull(nextUrl, "nextUrl");
    }

    @Override
    public HttpCall request(HttpCall firstPage, Optional<String> cursor) {
        // The next URL already carries the query (filters, fields, page token): adding ours again would repeat it.
        return cursor.map(url -> firstPage.withPathOrUrl(url).withoutQuery()).orElse(firstPage);
    }

    @Override
    public Optional<String> nextCursor(HttpCall sent, HttpResult result, JsonNode body) {
        JsonNode next = body.at(nextUrl);
        return next.isTextual() && !next.asText().isBlank() ? Optional.of(next.asText()) : Optional.empty();
    }
}
