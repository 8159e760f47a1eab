package dev.junction.benchmarks;

import dev.junction.core.HubObserver;
import dev.junction.sandbox.LoggedRequest;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Scenario 4's optional timeline ({@code --trace file}): for every API request, when the client's rate-limit wait
 * ended, when the sandbox received it (and where in the sandbox's window that fell), how long the client waited in
 * the limiter, how long the HTTP exchange took, and the gap since the previous response. Thread-safe.
 */
final class RequestTrace implements HubObserver {

    private record Event(Instant at, String thread, String kind, Duration duration, int status) {
    }

    private final List<Event> events = new ArrayList<>();

    @Override
    public synchronized void rateLimitWaited(String providerId, Duration waited) {
        events.add(new Event(Instant.now(), Thread.currentThread().getName(), "wait", waited, 0));
    }

    @Override
    public synchronized void providerRequest(String providerId, String method, int status, String exception, Duration latency) {
        events.add(new Event(Instant.now(), Thread.currentThread().getName(), "response", latency, status));
    }

    /**
     * Where the budget went, from the sandbox's log of accepted API requests: {@code windowShare}, the budget used in
     * the windows strictly between the first request's and the last one's (the steady state: a fixed window's
     * budget is all there is to spend, however the requests are spaced inside it), and {@code limiterHeldSeconds},
     * the time callers spent waiting in the limiter during windows that ended with budget unused (time the limiter
     * itself lost, as opposed to time the client spent fetching and writing).
     */
    synchronized Map<String, Object> budgetUse(List<LoggedRequest> log, Duration window, int limit) {
        long windowMillis = window.toMillis();
        TreeMap<Long, Integer> perWindow = new TreeMap<>();
        log.stream().filter(entry -> entry.path().contains("/api/") && entry.status() != 429)
                .forEach(entry -> perWindow.merge(Math.floorDiv(entry.timestamp().toEpochMilli(), windowMillis), 1, Integer::sum));
        Map<String, Object> result = new LinkedHashMap<>();
        if (perWindow.size() < 3) {
            return result;
        }
        long first = perWindow.firstKey();
        long last = perWindow.lastKey();
        long used = perWindow.subMap(first, false, last, false).values().stream().mapToLong(Integer::longValue).sum();
        result.put("windowShare", used / (double) ((last - first - 1) * limit));
        long heldMillis = 0;
        for (Event event : events) {
            if (!event.kind().equals("wait")) {
                continue;
            }
            long end = event.at().toEpochMilli();
            for (long at = end - event.duration().toMillis(); at < end; at++) {
                if (perWindow.getOrDefault(Math.floorDiv(at, windowMillis), 0) < limit) {
                    heldMillis++;
                }
            }
        }
        result.put("limiterHeldSeconds", heldMillis / 1000.0);
        return result;
    }

    synchronized void write(Path file, List<LoggedRequest> log, Duration window) throws IOException {
        List<LoggedRequest> api = log.stream().filter(entry -> entry.path().contains("/api/"))
                .sorted(Comparator.comparing(LoggedRequest::timestamp)).toList();
        if (api.isEmpty()) {
            return;
        }
        Instant origin = api.get(0).timestamp();
        long windowMillis = window.toMillis();
        try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8))) {
            out.println("# sandbox arrivals: ms since first, window index, ms into window, status, path");
            for (LoggedRequest entry : api) {
                long epochMillis = entry.timestamp().toEpochMilli();
                long micros = Duration.between(origin, entry.timestamp()).toNanos() / 1000;
                out.printf(Locale.ROOT, "arrive %10.3f %6d %6d %3d %s%n", micros / 1000.0,
                        Math.floorDiv(epochMillis, windowMillis) - Math.floorDiv(origin.toEpochMilli(), windowMillis),
                        Math.floorMod(epochMillis, windowMillis), entry.status(), entry.path());
            }
            out.println("# client events: ms since first arrival, thread, kind, duration ms, status");
            for (Event event : events) {
                out.printf(Locale.ROOT, "client %10.3f %-24s %-8s %9.3f %3d%n",
                        Duration.between(origin, event.at()).toNanos() / 1e6, event.thread(), event.kind(),
                        event.duration().toNanos() / 1e6, event.status());
            }
        }
    }
}
