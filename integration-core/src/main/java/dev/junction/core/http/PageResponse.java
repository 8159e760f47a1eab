package dev.junction.core.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.junction.core.http.internal.JsonBodies;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
 * @param elementTexts for top-level arrays of objects, each element's exact text, by field name, when the body was
 *     parsed with them (see {@link #items}); fields missing here are cut out of the body on demand
 */
public record PageResponse(HttpResult result, JsonNode body, Optional<String> nextCursor, Map<String, List<String>> elementTexts) {

    public PageResponse {
        Objects.requireNonNull(result, "result");
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(nextCursor, "nextCursor");
        elementTexts = Map.copyOf(Objects.requireNonNull(elementTexts, "elementTexts"));
    }

    /** A page without element texts: {@link #items} cuts them out of the body when asked. */
    public PageResponse(HttpResult result, JsonNode body, Optional<String> nextCursor) {
        this(result, body, nextCursor, Map.of());
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
        List<String> texts = elementTexts.get(field);
        if (texts == null || texts.size() != array.size()) {
            texts = JsonBodies.arrayElementTexts(result.body(), field, array.size());
        }
        List<PageItem> items = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
            items.add(new PageItem(array.get(i), texts == null ? null : texts.get(i)));
        }
        return Optional.of(items);
    }
}
