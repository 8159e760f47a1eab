package dev.junction.core.http.internal;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import dev.junction.core.error.ErrorKind;
import dev.junction.core.error.JunctionException;
import dev.junction.core.http.HttpCall;
import dev.junction.core.http.HttpResult;
import dev.junction.core.http.PaginationStrategy;
import java.util.Objects;
import java.util.Optional;

/** The last item's id while the body says there is more. See {@link dev.junction.core.http.Pagination#startingAfter}. */
public record StartingAfterPagination(String param, JsonPointer hasMore, JsonPointer items, String idField)
        implements PaginationStrategy {

    public StartingAfterPagination {
        Objects.requireNonNull(param, "param");
        Objects.requireNonNull(hasMore, "hasMore");
        Objects.requireNonNull(items, "items");
        Objects.requireNonNull(idField, "idField");
    }

    @Override
    public HttpCall request(HttpCall firstPage, Optional<String> cursor) {
        return cursor.map(lastId -> firstPage.withQuery(param, lastId)).orElse(firstPage);
    }

    @Override
    public Optional<String> nextCursor(HttpCall sent, HttpResult result, JsonNode body) {
        JsonNode more = body.at(hasMore);
        if (!more.isBoolean()) {
            throw new JunctionException(ErrorKind.UNEXPECTED_PAYLOAD,
                    "expected a boolean at '" + hasMore + "' in the page, found " + more.getNodeType());
        }
        JsonNode list = PageItems.array(body, items);
        if (!more.booleanValue() || list.isEmpty()) {
            return Optional.empty();
        }
        JsonNode lastId = list.get(list.size() - 1).path(idField);
        if (!lastId.isValueNode() || lastId.asText().isBlank()) {
            throw new JunctionException(ErrorKind.UNEXPECTED_PAYLOAD,
                    "the last item of the page has no '" + idField + "' to continue after");
        }
        return Optional.of(lastId.asText());
    }
}
