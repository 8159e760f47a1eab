package dev.junction.sandbox;

import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The requests a {@link SandboxServer} has answered, for tests to assert on.
 *
 * <p>Only the selected headers are kept, under the names as configured, and {@code Authorization}
 * values are redacted to their scheme and first four characters ({@code Bearer abcd…}). The log
 * keeps the most recent {@code capacity} entries; the per-path counts cover every request since the
 * last {@link #clear()}.
 *
 * <p>Thread-safe.
 */
public final class RequestLog {

    private static final Set<String> REDACTED_HEADERS = Set.of("authorization", "proxy-authorization", "cookie");

    private final int capacity;
    private final Set<String> loggedHeaders;
    private final Deque<LoggedRequest> entries = new ArrayDeque<>();
    private final Map<String, LongAdder> countsByPath = new ConcurrentHashMap<>();
    private final AtomicLong total = new AtomicLong();

    RequestLog(int capacity, Set<String> loggedHeaders) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive: " + capacity);
        }
        this.capacity = capacity;
        TreeSet<String> names = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        names.addAll(loggedHeaders);
        this.loggedHeaders = Collections.unmodifiableSet(names);
    }

    void record(SandboxRequest request, int status) {
        Map<String, String> headers = new LinkedHashMap<>();
        for (String name : loggedHeaders) {
            request.header(name).ifPresent(value -> headers.put(name,
                    REDACTED_HEADERS.contains(name.toLowerCase(Locale.ROOT)) ? redact(value) : value));
        }
        LoggedRequest entry = new LoggedRequest(
                request.receivedAt(), request.method(), request.path(), request.query().asMap(), headers, status);
        countsByPath.computeIfAbsent(request.path(), path -> new LongAdder()).increment();
        total.incrementAndGet();
        synchronized (entries) {
            entries.addLast(entry);
            if (entries.size() > capacity) {
                entries.removeFirst();
            }
        }
    }

    static String redact(String value) {
        int space = value.indexOf(' ');
        String scheme = space < 0 ? "" : value.substring(0, space + 1);
        String secret = space < 0 ? value : value.substring(space + 1);
        return scheme + secret.substring(0, Math.min(4, secret.length())) + "…";
    }

    /** The retained entries, oldest first. */
    public List<LoggedRequest> entries() {
        synchronized (entries) {
            return List.copyOf(entries);
        }
    }

    /** The retained entries for one exact path, oldest first. */
    public List<LoggedRequest> entries(String path) {
        return entries().stream().filter(entry -> entry.path().equals(path)).toList();
    }

    /** How many requests had exactly this path since the last {@link #clear()}. */
    public long count(String path) {
        LongAdder count = countsByPath.get(path);
        return count == null ? 0 : count.sum();
    }

    /** How many requests arrived for each path since the last {@link #clear()}. */
    public Map<String, Long> countsByPath() {
        Map<String, Long> counts = new LinkedHashMap<>();
        countsByPath.forEach((path, count) -> counts.put(path, count.sum()));
        return Collections.unmodifiableMap(counts);
    }

    /** How many requests arrived since the last {@link #clear()}, including ones no longer retained. */
    public long totalCount() {
        return total.get();
    }

    /** Forgets every entry and count. */
    public void clear() {
        synchronized (entries) {
            entries.clear();
            countsByPath.clear();
            total.set(0);
        }
    }
}
