package dev.junction.core.http;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;
import java.util.Optional;

/**
 * One page of a list as the provider answered it, from {@link ProviderHttpClient#fetchPage}. A connector turns
 * {@link #body()} into records and stores {@link #nextCursor()} as its checkpoint.
 *
 * <p>Immutable and thread-safe as long as nobody modifies the body.
 *
 * @param result the raw answer (status, headers, request id)
 * @param body the parsed body
 * @param nextCursor the cursor of the page after this one, empty when this is the last page
 */
public record PageResponse(HttpResult result, JsonNode body, Optional<String> nextCursor) {

    public PageResponse {
        Objects.requireNonNull(result, "result");
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(nextCursor, "nextCursor");
    }

    public boolean last() {
        return nextCursor.isEmpty();
    }
}
