package dev.junction.core.http;

import com.fasterxml.jackson.core.JsonPointer;
import dev.junction.core.http.internal.CursorUrlPagination;
import dev.junction.core.http.internal.LinkHeaderPagination;
import dev.junction.core.http.internal.OffsetPagination;
import dev.junction.core.http.internal.PageNumberPagination;
import dev.junction.core.http.internal.StartingAfterPagination;

/**
 * The pagination styles providers use, shared so that each provider only names its parameters. Pointers are JSON
 * Pointers (RFC 6901): {@code "/meta/paging/next"}, or {@code ""} for a body that is itself the array of items.
 *
 * <p>A strategy that cannot find the items array or the field it was told to read fails with
 * {@code UNEXPECTED_PAYLOAD} rather than ending the list early: a misnamed field must not look like a short list.
 * All strategies are immutable and thread-safe.
 */
public final class Pagination {

    private Pagination() {
    }

    /**
     * The body carries the full URL of the next page (Clio {@code /meta/paging/next}, Cliniko {@code /links/next});
     * absent, null or blank means last page. The URL is followed verbatim, query included, and must be on the base
     * URL's host.
     */
    public static PaginationStrategy cursorUrl(String jsonPointerToNextUrl) {
        return new CursorUrlPagination(JsonPointer.compile(jsonPointerToNextUrl));
    }

    /**
     * Pages numbered from the first call's {@code pageParam} (1 when it has none), one more each time, until a page
     * whose items array is empty (Chatwoot, Ascora).
     */
    public static PaginationStrategy pageNumber(String pageParam, String itemsPointer) {
        return new PageNumberPagination(pageParam, JsonPointer.compile(itemsPointer));
    }

    /**
     * {@code limitParam=limit} on every call and {@code offsetParam} advanced by the items received. A page with
     * fewer than {@code limit} items is the last, so {@code limit} must not exceed the provider's maximum page size.
     */
    public static PaginationStrategy offset(String offsetParam, String limitParam, int limit, String itemsPointer) {
        return new OffsetPagination(offsetParam, limitParam, limit, JsonPointer.compile(itemsPointer));
    }

    /**
     * Stripe style: {@code param} set to the id ({@code idField}) of the last item while the boolean at
     * {@code hasMorePointer} is true.
     */
    public static PaginationStrategy startingAfter(String param, String hasMorePointer, String itemsPointer, String idField) {
        return new StartingAfterPagination(param, JsonPointer.compile(hasMorePointer), JsonPointer.compile(itemsPointer), idField);
    }

    /**
     * RFC 8288 {@code Link} response header with {@code rel="next"}; no such link means last page. The target is
     * followed verbatim and must be on the base URL's host.
     */
    public static PaginationStrategy linkHeader() {
        return LinkHeaderPagination.INSTANCE;
    }
}
