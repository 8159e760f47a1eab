package dev.junction.sandbox;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * Allows at most {@code limit} requests per credential in each fixed window of time, as most SaaS
 * APIs do.
 *
 * <p>Windows are aligned to the epoch ({@code [k * window, (k + 1) * window)}), so every credential
 * sees a new window at the same moment, as with Clio's "new window every 60 seconds". Scale the
 * window down in tests (10 requests per second) and drive it with a {@link MutableClock}.
 *
 * <pre>{@code
 * RateLimitDecision decision = limiter.acquire(accessToken);
 * if (!decision.allowed()) {
 *     return SandboxResponse.json(429, error).withHeaders(decision.headers());
 * }
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class FixedWindowRateLimiter {

    private final int limit;
    private final Duration window;
    private final Clock clock;
    private final Map<String, AtomicReference<WindowCount>> counts = new ConcurrentHashMap<>();
    private final LongAdder requests = new LongAdder();
    private final LongAdder rejected = new LongAdder();

    /**
     * Creates a limiter.
     *
     * @param limit requests allowed per window and credential, 1 or more
     * @param window the window length, at least one millisecond
     * @param clock the time source
     */
    public FixedWindowRateLimiter(int limit, Duration window, Clock clock) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be positive: " + limit);
        }
        if (window.toMillis() < 1) {
            throw new IllegalArgumentException("window must be at least 1 ms: " + window);
        }
        this.limit = limit;
        this.window = window;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Counts one request for {@code credential} and says whether it may proceed. */
    public RateLimitDecision acquire(String credential) {
        Objects.requireNonNull(credential, "credential");
        Instant now = clock.instant();
        long windowMillis = window.toMillis();
        long windowIndex = Math.floorDiv(now.toEpochMilli(), windowMillis);
        WindowCount count = counts
                .computeIfAbsent(credential, key -> new AtomicReference<>(new WindowCount(windowIndex, 0)))
                .updateAndGet(current -> current.index() == windowIndex
                        ? new WindowCount(windowIndex, current.used() + 1)
                        : new WindowCount(windowIndex, 1));
        requests.increment();
        Instant resetAt = Instant.ofEpochMilli((windowIndex + 1) * windowMillis);
        boolean allowed = count.used() <= limit;
        if (!allowed) {
            rejected.increment();
        }
        Duration untilReset = Duration.between(now, resetAt);
        Duration retryAfter = allowed ? Duration.ZERO : (untilReset.compareTo(Duration.ofSeconds(1)) < 0
                ? Duration.ofSeconds(1)
                : untilReset);
        return new RateLimitDecision(allowed, limit, Math.max(0, limit - count.used()), resetAt, retryAfter);
    }

    /** The counters since creation or the last {@link #reset()}. */
    public RateLimitStatistics statistics() {
        return new RateLimitStatistics(requests.sum(), rejected.sum());
    }

    /** Forgets every window and counter. */
    public void reset() {
        counts.clear();
        requests.reset();
        rejected.reset();
    }

    private record WindowCount(long index, int used) {
    }
}
