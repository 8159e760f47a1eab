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
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection's request budget, shared by every client of that connection so that concurrent syncs of one
 * connection spend one budget. Three rules decide when the next request may leave, and the latest wins:
 * <ol>
 *   <li>adaptive, while the provider's window is known (its remaining and reset headers): what the provider says
 *       remains is spent at once, less the requests still in flight; once none remains, callers wait until the
 *       reset plus a small margin, and the first {@code limit} of them then go together into the next window
 *       (the provider's limit header, else the policy's budget);</li>
 *   <li>proactive, while no window is known (no headers, before the first answer, or after a reset that no answer
 *       has confirmed yet): requests are spaced {@code window / requests} apart, so the policy's rate is never
 *       exceeded in any window;</li>
 *   <li>reactive: a 429 pauses every caller until its {@code Retry-After}, else the reset header, else an
 *       exponential pause.</li>
 * </ol>
 * Spending what remains at once, instead of spreading it until the reset, is what keeps a sync at the allowed
 * rate: a fixed window's budget that is not spent before its reset is lost, and a request spread towards the end
 * of a window slips into the next one whenever the page before it took a little longer. The price is latency for
 * a connection's other callers once a window is spent: with Clio's 50 a minute, a call made after a sync spent
 * the window waits for its reset (up to a minute) instead of the proactive 1.2 s.
 *
 * <p>What is left of a window is the lowest "remaining" an answer reported for it (the latest count, whatever order
 * the answers come back in), less every request sent into it and not answered yet: the provider may have counted
 * those before that report or not. That never overspends, and it is exact again once they are answered; a caller
 * that finds the window spent only while answers are pending looks again every
 * {@link #RECHECK_WHILE_ANSWERS_PENDING} instead of sleeping until the reset.
 *
 * <p>The margin after a reset covers a provider clock that is behind this one. The provider counts a request
 * when it arrives, later than it was sent, so equal clocks need none; clocks kept by NTP usually agree within tens
 * of milliseconds. It starts at {@value #RESET_MARGIN_MILLIS} ms and doubles, up to {@link #LONGEST_RESET_MARGIN},
 * each time a request sent after a reset is answered 429. A reset header in whole seconds needs no more as long as
 * the provider rounds its reset up or states it exactly: Clio documents that its budget resets "after this
 * timestamp". Windows do not drift by the margin: each one starts from the provider's reset, not from the last.
 *
 * <p>Callers reserve the next free slot under the lock, then sleep outside it, so they leave in order and each
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
    static final long RESET_MARGIN_MILLIS = 25;
    /** The first margin after a provider's reset. */
    static final Duration RESET_MARGIN = Duration.ofMillis(RESET_MARGIN_MILLIS);
    /** The margin never grows past this: more than the whole second a reset header can be off by. */
    static final Duration LONGEST_RESET_MARGIN = Duration.ofSeconds(2);
    /** While a window looks spent only because answers are pending, callers look again this often. */
    static final Duration RECHECK_WHILE_ANSWERS_PENDING = Duration.ofMillis(10);
    /** A permit whose request never reported back (its caller died) is forgotten after this long. */
    private static final Duration FORGET_OUTSTANDING_AFTER = Duration.ofMinutes(10);

    private final ErrorContext context;
    private final Clock clock;
    private final Sleeper sleeper;

    // Guarded by this.
    private RateLimitPolicy policy;
    private Instant nextProactiveSlot = Instant.MIN;
    private Instant pausedUntil = Instant.MIN;
    private ProviderWindow window;
    private Duration resetMargin = RESET_MARGIN;
    private long permitsIssued;
    /** The permits whose requests have not been answered yet, by sequence, with the slot each left at. */
    private final NavigableMap<Long, Instant> outstanding = new TreeMap<>();
    /**
     * The requests in flight when the predicted window after a reset began: each may count in either window, so
     * it is taken off the predicted one until its answer says which window counted it.
     */
    private final Set<Long> uncertainAtReset = new HashSet<>();
    private long requestsSent;
    private long rateLimitedResponses;
    private int consecutiveRateLimits;
    private Duration timeWaited = Duration.ZERO;

    public ConnectionRateLimiter(ErrorContext context, RateLimitPolicy policy, Clock clock, Sleeper sleeper) {
        this.context = Objects.requireNonNull(context, "context");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    }

    /**
     * Leave to send one request, to be handed back with its answer to {@link #recordResponse(Permit, HttpResult)}.
     *
     * @param waited how long {@link #acquire} waited
     * @param sequence the permit's place among every permit this limiter handed out, from 1
     * @param afterReset whether the permit was spent in a window that only the passing of a reset announced
     */
    public record Permit(Duration waited, long sequence, boolean afterReset) {

        public Permit {
            Objects.requireNonNull(waited, "waited");
        }
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
     * @return the permit, saying how long it waited
     * @throws RateLimitedException when the wait would be longer than {@code maxWait}; it is thrown before waiting
     */
    public Permit acquire(Duration maxWait) throws InterruptedException {
        Duration waited = Duration.ZERO;
        while (true) {
            Duration wait;
            Permit permit = null;
            synchronized (this) {
                Instant now = clock.instant();
                Instant slot = earliestSlot(now);
                wait = Duration.between(now, slot);
                if (wait.compareTo(maxWait.minus(waited)) > 0) {
                    throw new RateLimitedException("the rate limit needs a wait of " + wait.toMillis()
                            + " ms, past the call's limit of " + maxWait.toMillis() + " ms", wait, context);
                }
                if (!wait.isZero() && awaitingAnswers(now)) {
                    // The window looks spent only because requests are in flight that the provider may have
                    // counted already: look again when their answers may have come, rather than at the reset.
                    wait = min(wait, RECHECK_WHILE_ANSWERS_PENDING);
                } else {
                    permit = reserve(slot, waited.plus(wait));
                    if (wait.isZero()) {
                        requestsSent++;
                        return permit;
                    }
                }
            }
            try {
                sleeper.sleep(wait);
            } catch (InterruptedException interrupted) {
                if (permit != null) {
                    release(permit);
                }
                throw interrupted;
            }
            waited = waited.plus(wait);
            synchronized (this) {
                timeWaited = timeWaited.plus(wait);
                // Another caller may have been answered 429 while this one slept; its pause holds here too.
                if (permit != null && !clock.instant().isBefore(pausedUntil)) {
                    requestsSent++;
                    return permit;
                }
                if (permit != null) {
                    release(permit);
                }
            }
        }
    }

    /**
     * Reads the provider's budget headers from the answer to the request {@code permit} let through and, on a
     * 429, pauses every caller.
     */
    public synchronized void recordResponse(Permit permit, HttpResult result) {
        outstanding.remove(permit.sequence());
        boolean wasUncertain = uncertainAtReset.remove(permit.sequence());
        Instant now = clock.instant();
        RateLimitHeaders headers = policy.headers();
        Optional<Instant> resetAt = number(result, headers.reset()).map(value -> headers.resetIsEpochSeconds()
                ? Instant.ofEpochMilli(value.movePointRight(3).longValue())
                : now.plusMillis(value.movePointRight(3).longValue()));
        Optional<BigDecimal> remaining = number(result, headers.remaining());
        if (resetAt.isPresent() && remaining.isPresent()) {
            if (wasUncertain && window != null && window.predicted() && resetAt.get().isBefore(window.resetAt())) {
                // Counted before the reset, so not in the predicted window it was taken off.
                window = window.withReported(window.reported() + 1);
            }
            OptionalInt limit = number(result, headers.limit()).map(value -> OptionalInt.of(value.intValue()))
                    .orElse(OptionalInt.empty());
            learnWindow(remaining.get().longValue(), resetAt.get(), limit);
        }
        if (result.status() != 429) {
            consecutiveRateLimits = 0;
            return;
        }
        rateLimitedResponses++;
        consecutiveRateLimits++;
        if (permit.afterReset() && resetMargin.compareTo(LONGEST_RESET_MARGIN) < 0) {
            // The provider's window had not reset yet by its clock: wait longer after the next reset.
            resetMargin = min(resetMargin.multipliedBy(2), LONGEST_RESET_MARGIN);
            LOG.info("A request sent just after the provider's reset was answered 429 {}; waiting {} ms past resets from now on",
                    context, resetMargin.toMillis());
        }
        Duration hinted = RetryAfter.of(result, now)
                .or(() -> resetAt.map(reset -> Duration.between(now, reset)))
                .orElseGet(this::unhintedPause);
        Duration pause = hinted.compareTo(SHORTEST_PAUSE) < 0 ? SHORTEST_PAUSE : hinted;
        pausedUntil = latest(pausedUntil, now.plus(pause));
        LOG.info("Rate limited by the provider {}; pausing the connection for {} ms", context, pause.toMillis());
    }

    /**
     * Hands back a permit whose request was never sent (the caller gave up before sending it). A request that was
     * sent and failed without an answer keeps its permit: the provider may have counted it, and a later answer
     * about its window will say so.
     */
    public synchronized void release(Permit permit) {
        outstanding.remove(permit.sequence());
        uncertainAtReset.remove(permit.sequence());
    }

    public synchronized RateLimiterStats stats() {
        Instant now = clock.instant();
        boolean windowOpen = window != null && !now.isBefore(window.opensAt()) && now.isBefore(window.resetAt());
        OptionalInt remaining = windowOpen ? OptionalInt.of((int) Math.max(0, remaining(window))) : OptionalInt.empty();
        return new RateLimiterStats(requestsSent, rateLimitedResponses, timeWaited, remaining);
    }

    /** The margin currently waited past a provider's reset. */
    synchronized Duration resetMargin() {
        return resetMargin;
    }

    private Instant earliestSlot(Instant now) {
        Instant slot = latest(now, pausedUntil);
        if (window != null && !slot.isBefore(window.resetAt())) {
            // Between a reset and its margin the provider may not have reset yet: nothing leaves.
            slot = latest(slot, window.resetAt().plus(resetMargin));
        }
        ProviderWindow current = windowAt(slot);
        if (current == null) {
            return latest(slot, nextProactiveSlot);
        }
        slot = latest(slot, current.opensAt());
        return remaining(current) > 0 ? slot : latest(slot, current.resetAt().plus(resetMargin));
    }

    /** Whether the current window looks spent only while some of its requests are unanswered. */
    private boolean awaitingAnswers(Instant now) {
        Instant base = latest(now, pausedUntil);
        if (window == null || !base.isBefore(window.resetAt()) || base.isBefore(window.opensAt()) || remaining(window) > 0) {
            return false;
        }
        // A predicted window's own requests are counted in it for sure; only those in flight at its reset may
        // turn out to have counted in the window before. A reported window's requests in flight may already be
        // in its lowest report.
        return window.predicted() ? !uncertainAtReset.isEmpty() : inFlight(window) > 0;
    }

    private Permit reserve(Instant slot, Duration waited) {
        forgetOutstandingBefore(slot.minus(FORGET_OUTSTANDING_AFTER));
        ProviderWindow current = windowAt(slot);
        if (current != window) {
            uncertainAtReset.clear();
            if (current != null && current.predicted()) {
                outstanding.forEach((sequence, sentAt) -> {
                    if (!sentAt.isBefore(window.opensAt())) {
                        uncertainAtReset.add(sequence);
                    }
                });
            }
        }
        window = current;
        permitsIssued++;
        outstanding.put(permitsIssued, slot);
        if (!policy.unlimited()) {
            nextProactiveSlot = slot.plus(policy.window().dividedBy(policy.requests()));
        }
        return new Permit(waited, permitsIssued, window != null && window.predicted());
    }

    /**
     * The provider's window that holds {@code instant}, or null when unknown. A reported window that has reset
     * is followed by a predicted one (the policy's window long, the limit header's budget), which stands until an
     * answer confirms or replaces it; a predicted window that has reset too is followed by nothing known. The
     * predicted budget leaves out the requests sent into the old window and still in flight: one sent just before
     * the reset may arrive just after it, and count in the new window.
     */
    private ProviderWindow windowAt(Instant instant) {
        ProviderWindow candidate = window;
        if (candidate != null && !instant.isBefore(candidate.resetAt().plus(resetMargin))) {
            candidate = candidate.predicted() || policy.unlimited() ? null
                    : new ProviderWindow(candidate.limit() - inFlight(candidate), candidate.limit(),
                            candidate.resetAt().plus(resetMargin), candidate.resetAt().plus(policy.window()), true);
        }
        return candidate;
    }

    /**
     * Takes in what an answer says about its window. Within one window the lowest report is the latest count
     * (answers can come back in another order than the provider counted their requests).
     */
    private void learnWindow(long reported, Instant resetAt, OptionalInt reportedLimit) {
        int limit = reportedLimit.orElse(policy.unlimited() ? Integer.MAX_VALUE : policy.requests());
        if (window == null || resetAt.isAfter(window.resetAt())) {
            Instant opensAt = policy.unlimited() ? Instant.MIN : resetAt.minus(policy.window());
            window = new ProviderWindow(reported, limit, opensAt, resetAt, false);
            uncertainAtReset.clear();
        } else if (resetAt.equals(window.resetAt()) && (window.predicted() || reported < window.reported())) {
            // Requests sent before the reset arrived before this one: its report holds those it counted.
            window = new ProviderWindow(reported, limit, window.opensAt(), resetAt, false);
            uncertainAtReset.clear();
        }
        // An answer about a window that has already reset says nothing about the current one.
    }

    /**
     * What is left of {@code window}: its lowest report, less every request sent into it and not answered yet.
     * Those may have been counted before that report or after it; taking them all off never overspends, and the
     * count is exact again as soon as they are answered.
     */
    private long remaining(ProviderWindow of) {
        return of.reported() - inFlight(of);
    }

    private long inFlight(ProviderWindow of) {
        return outstanding.values().stream().filter(slot -> !slot.isBefore(of.opensAt()) && slot.isBefore(of.resetAt())).count();
    }

    private void forgetOutstandingBefore(Instant cutoff) {
        Iterator<Map.Entry<Long, Instant>> entries = outstanding.entrySet().iterator();
        while (entries.hasNext() && entries.next().getValue().isBefore(cutoff)) {
            entries.remove();
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

    private static Duration min(Duration first, Duration second) {
        return first.compareTo(second) <= 0 ? first : second;
    }

    /**
     * The provider's window {@code [opensAt, resetAt)} and the lowest count of what remains that an answer
     * reported for it ({@code reported}, before the requests still in flight); {@code predicted} while no answer
     * has reported it, with the limit less the requests that were in flight at the reset.
     */
    private record ProviderWindow(long reported, int limit, Instant opensAt, Instant resetAt, boolean predicted) {

        ProviderWindow withReported(long value) {
            return new ProviderWindow(value, limit, opensAt, resetAt, predicted);
        }
    }
}
