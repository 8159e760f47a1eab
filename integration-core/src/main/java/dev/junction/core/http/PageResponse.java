package dev.junction.core.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.junction.core.http.internal.JsonBodies;
import java.util.ArrayList;
import java.util.List;
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

    /**
     * The elements of the body's top-level array {@code field} (Clio's {@code data}, Cliniko's {@code patients}), each
     * with the JSON text it was parsed from, so that connectors can hand the provider's own bytes to the store
     * ({@link dev.junction.core.spi.RemoteRecord#json}) instead of having each record serialised again. Empty when the
     * body has no such array.
     */
    public Optional<List<PageItem>> items(String field) {
        JsonNode array = body.path(field);
        if (!array.isArray()) {
            return Optional.empty();
        }
        List<String> texts = JsonBodies.arrayElementTexts(result.body(), field, array.size());
        List<PageItem> items = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            items.add(new PageItem(array.get(i), texts == null ? null : texts.get(i)));
        }
        return Optional.of(items);
    }
}
