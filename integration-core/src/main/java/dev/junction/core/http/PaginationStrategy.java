package dev.junction.core.http;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;

/**
 * How one provider's list endpoints page: how to ask for the page after a cursor, and where the next cursor is.
 * The cursor is an opaque string the sync engine stores in its checkpoint, so it must stay meaningful across
 * process restarts (a URL, a page number, an offset, a record id). Use the implementations in {@link Pagination};
 * {@link ProviderHttpClient#fetchPage} and {@link Pages} drive them.
 *
 * <p>Implementations must be stateless and thread-safe.
 */
public interface PaginationStrategy {

    /** The call for the first page (cursor empty) or for the page after {@code cursor}. */
    HttpCall request(HttpCall firstPage, Optional<String> cursor);

    /** The cursor for the page after this one, or empty when this was the last page. */
    Optional<String> nextCursor(HttpCall sent, HttpResult result, JsonNode body);
}
