package dev.junction.core.http;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;

/**
 * Walks every page of a list, lazily: a page is fetched when the iterator is asked for it, so a caller that stops
 * early sends no further request. For code that wants a whole list (webhook catch-up, id reconciliation, tests);
 * the sync engine pages with {@link ProviderHttpClient#fetchPage} instead, to checkpoint between pages.
 *
 * <pre>{@code
 * for (JsonNode page : Pages.all(client, HttpCall.get("contacts"), Pagination.pageNumber("page", "/payload"))) {
 *     page.at("/payload").forEach(contacts::add);
 * }
 * }</pre>
 *
 * <p>Iterators are not thread-safe; each {@link Iterable#iterator()} call starts again from the first page.
 */
public final class Pages {

    private Pages() {
    }

    /** The bodies of every page from the first, fetched one at a time as the iterator advances. */
    public static Iterator<JsonNode> iterator(ProviderHttpClient client, HttpCall firstPage, PaginationStrategy strategy) {
        return new PageIterator(Objects.requireNonNull(client, "client"), Objects.requireNonNull(firstPage, "firstPage"),
                Objects.requireNonNull(strategy, "strategy"));
    }

    /** {@link #iterator} as an {@link Iterable}, for for-each loops. */
    public static Iterable<JsonNode> all(ProviderHttpClient client, HttpCall firstPage, PaginationStrategy strategy) {
        return () -> iterator(client, firstPage, strategy);
    }

    private static final class PageIterator implements Iterator<JsonNode> {
        private final ProviderHttpClient client;
        private final HttpCall firstPage;
        private final PaginationStrategy strategy;
        private Optional<String> cursor = Optional.empty();
        private boolean finished;

        PageIterator(ProviderHttpClient client, HttpCall firstPage, PaginationStrategy strategy) {
            this.client = client;
            this.firstPage = firstPage;
            this.strategy = strategy;
        }

        @Override
        public boolean hasNext() {
            return !finished;
        }

        @Override
        public JsonNode next() {
            if (finished) {
                throw new NoSuchElementException("no page after the last one");
            }
            PageResponse page = client.fetchPage(firstPage, strategy, cursor);
            cursor = page.nextCursor();
            finished = page.last();
            return page.body();
        }
    }
}
