package dev.junction.core.http.internal;

import dev.junction.core.error.ErrorContext;
import dev.junction.core.error.RateLimitedException;
import dev.junction.core.http.HttpResult;
import dev.junction.core.http.RateLimiterStats;
import dev.junction.core.http.Sleeper;
import dev.junction.core.spi.RateLimitPolicy;
import dev.junction.core.spi.RateLimitPolicy.RateLimitHeaders;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection's request budget, shared by every client of that connection so that concurrent syncs of one
 * connection spend one budget. Three rules decide when the next request may leave, and the latest wins:
 * <ol>
 *   <li>proactive: requests are spaced {@code window / requests} apart, so a sync runs at the policy's rate and
 *       never bursts past it in any window;</li>
 *   <li>adaptive: while the provider's last reported window is open, what it said remains is spread evenly until
 *       its reset, and nothing is sent once it says none remains;</li>
 *   <li>reactive: a 429 pauses every caller until its {@code Retry-After}, else the reset header, else an
 *       exponential pause.</li>
 * </ol>
 * Callers reserve the next free slot under the lock, then sleep outside it, so they leave in order and each
 * reservation moves the next slot on. A caller that wakes inside a pause another caller's 429 started reserves
 * again.
 *
 * <p>Thread-safe: state is guarded by this object's monitor.
 */
public final class ConnectionRateLimiter {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionRateLimiter.class);

    /**
     * A 429 pauses at least this long, even when it says {@code Retry-After: 0}, so a provider that keeps
     * answering 429 cannot make callers spin.
     */
    private static final Duration SHORTEST_PAUSE = Duration.ofSeconds(1);
    private static final Duration LONGEST_UNHINTED_PAUSE = Duration.ofMinutes(1);

    private final ErrorContext context;
    private final Clock clock;
    private final Sleeper sleeper;

    // Guarded by this.
    private RateLimitPolicy policy;
    private Instant nextProactiveSlot = Instant.MIN;
    private Instant lastSlot = Instant.MIN;
    private Instant pausedUntil = Instant.MIN;
    private ProviderWindow providerWindow;
    private int consecutiveRateLimits;
    private long requestsSent;
    private long rateLimitedResponses;
    private Duration timeWaited = Duration.ZERO;

    public ConnectionRateLimiter(ErrorContext context, RateLimitPolicy policy, Clock clock, Sleeper sleeper) {
        this.context = Objects.requireNonNull(context, "context");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    }

    /** The provider and connection this budget belongs to. */
    public ErrorContext context() {
        return context;
    }

    /** Applies the policy of the newest client spec; a connection's limits can change with its configuration. */
    public synchronized void usePolicy(RateLimitPolicy value) {
        policy = Objects.requireNonNull(value, "policy");
    }

    /**
     * Blocks until one more request may be sent, and counts it as sent.
     *
     * @param maxWait the longest this call may still wait
     * @return how long it waited
     * @throws RateLimitedException when the wait would be longer than {@code maxWait}; it is thrown before waiting
     */
    public Duration acquire(Duration maxWait) throws InterruptedException {
        Duration waited = Duration.ZERO;
        while (true) {
            Duration wait;
            synchronized (this) {
                Instant now = clock.instant();
                Instant slot = earliestSlot(now);
                wait = Duration.between(now, slot);
                if (wait.compareTo(maxWait.minus(waited)) > 0) {
                    throw new RateLimitedException("the rate limit needs a wait of " + wait.toMillis()
                            + " ms, past the call's limit of " + maxWait.toMillis() + " ms", wait, context);
                }
                reserve(slot);
                if (wait.isZero()) {
                    requestsSent++;
                    return waited;
                }
            }
            sleeper.sleep(wait);
            waited = waited.plus(wait);
            synchronized (this) {
                timeWaited = timeWaited.plus(wait);
                // Another caller may have been answered 429 while this one slept; its pause holds here too.
                if (!clock.instant().isBefore(pausedUntil)) {
                    requestsSent++;
                    return waited;
                }
            }
        }
    }

    /** Reads the provider's budget headers from a response and, on a 429, pauses every caller. */
    public synchronized void recordResponse(HttpResult result) {
        Instant now = clock.instant();
        RateLimitHeaders headers = policy.headers();
        Optional<Instant> resetAt = number(result, headers.reset()).map(value -> headers.resetIsEpochSeconds()
                ? Instant.ofEpochMilli(value.movePointRight(3).longValue())
                : now.plusMillis(value.movePointRight(3).longValue()));
        Optional<BigDecimal> remaining = number(result, headers.remaining());
        if (resetAt.isPresent() && remaining.isPresent()) {
            providerWindow = new ProviderWindow(remaining.get().intValue(), resetAt.get(), now);
        }
        if (result.status() != 429) {
            consecutiveRateLimits = 0;
            return;
        }
        rateLimitedResponses++;
        consecutiveRateLimits++;
        Duration hinted = RetryAfter.of(result, now)
                .or(() -> resetAt.map(reset -> Duration.between(now, reset)))
                .orElseGet(this::unhintedPause);
        Duration pause = hinted.compareTo(SHORTEST_PAUSE) < 0 ? SHORTEST_PAUSE : hinted;
        pausedUntil = latest(pausedUntil, now.plus(pause));
        LOG.info("Rate limited by the provider {}; pausing the connection for {} ms", context, pause.toMillis());
    }

    public synchronized RateLimiterStats stats() {
        boolean windowOpen = providerWindow != null && clock.instant().isBefore(providerWindow.resetAt());
        OptionalInt remaining = windowOpen ? OptionalInt.of(Math.max(0, providerWindow.remaining())) : OptionalInt.empty();
        return new RateLimiterStats(requestsSent, rateLimitedResponses, timeWaited, remaining);
    }

    private Instant earliestSlot(Instant now) {
        Instant slot = latest(latest(now, nextProactiveSlot), pausedUntil);
        // The provider's window holds requests back only when the proactive pace would spend what remains before
        // its reset; otherwise spreading would only lose time (a reset header in whole seconds makes windows look
        // longer than they are, which cost a fifth of the rate on a one-second window).
        Duration spacing = policy.unlimited() ? Duration.ZERO : policy.window().dividedBy(policy.requests());
        if (providerWindow != null && now.isBefore(providerWindow.resetAt()) && providerWindow.binds(lastSlot, spacing)) {
            slot = latest(slot, providerWindow.nextSlot(lastSlot));
        }
        return slot;
    }

    private void reserve(Instant slot) {
        lastSlot = slot;
        if (!policy.unlimited()) {
            nextProactiveSlot = slot.plus(policy.window().dividedBy(policy.requests()));
        }
        if (providerWindow != null) {
            providerWindow = providerWindow.afterOneMore();
        }
    }

    /** One second, doubling with each 429 in a row, up to a minute: for providers that give no hint. */
    private Duration unhintedPause() {
        Duration pause = SHORTEST_PAUSE.multipliedBy(1L << Math.min(consecutiveRateLimits - 1, 6));
        return pause.compareTo(LONGEST_UNHINTED_PAUSE) > 0 ? LONGEST_UNHINTED_PAUSE : pause;
    }

    private static Optional<BigDecimal> number(HttpResult result, String header) {
        if (header == null) {
            return Optional.empty();
        }
        return result.header(header).flatMap(value -> {
            try {
                return Optional.of(new BigDecimal(value.trim()));
            } catch (NumberFormatException notANumber) {
                LOG.debug("Ignoring header {} that is not a number", header);
                return Optional.empty();
            }
        });
    }

    private static Instant latest(Instant first, Instant second) {
        return first.isAfter(second) ? first : second;
    }

    /** What the provider last said about its window: {@code remaining} requests until {@code resetAt}. */
    private record ProviderWindow(int remaining, Instant resetAt, Instant observedAt) {

        /** Spreads what remains evenly from the later of the last slot and this report until the reset. */
        Instant nextSlot(Instant lastSlot) {
            if (remaining <= 0) {
                return resetAt;
            }
            Instant from = latest(lastSlot, observedAt);
            if (!from.isBefore(resetAt)) {
                return from;
            }
            return from.plus(Duration.between(from, resetAt).dividedBy(remaining));
        }

        /** Whether requests {@code spacing} apart from the last slot would run out before the reset. */
        boolean binds(Instant lastSlot, Duration spacing) {
            if (remaining <= 0) {
                return true;
            }
            Duration untilReset = Duration.between(latest(lastSlot, observedAt), resetAt);
            return spacing.multipliedBy(remaining).compareTo(untilReset) < 0;
        }

        ProviderWindow afterOneMore() {
            return new ProviderWindow(remaining - 1, resetAt, observedAt);
        }
    }
}
