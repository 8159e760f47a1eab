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
import java.util.Iterator;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection's request budget, shared by every client of that connection so that concurrent syncs of one
 * connection spend one budget. Three rules decide when the next request may leave, and the latest wins:
 * <ol>
 *   <li>adaptive, while the provider's window is known (its remaining and reset headers): what the provider says
 *       remains is spent at once, less what this connection sent since; once none remains, callers wait until the
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
 * <p>An answer reports the provider's count when it counted that request; requests let through after it and not
 * answered yet are taken off what it says remains, as the provider may not have counted them. Answers that come
 * back out of order are not counted twice: the lower report about one window wins.
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
    /** The permits whose answers have not come back yet, by sequence, with the slot each left at. */
    private final NavigableMap<Long, Instant> outstanding = new TreeMap<>();
    /** The latest permit whose answer reported a window: the provider had counted the permits before it, too. */
    private long highestReportedSequence;
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
            Permit permit;
            synchronized (this) {
                Instant now = clock.instant();
                Instant slot = earliestSlot(now);
                wait = Duration.between(now, slot);
                if (wait.compareTo(maxWait.minus(waited)) > 0) {
                    throw new RateLimitedException("the rate limit needs a wait of " + wait.toMillis()
                            + " ms, past the call's limit of " + maxWait.toMillis() + " ms", wait, context);
                }
                permit = reserve(slot, waited.plus(wait));
                if (wait.isZero()) {
                    requestsSent++;
                    return permit;
                }
            }
            try {
                sleeper.sleep(wait);
            } catch (InterruptedException interrupted) {
                recordFailure(permit);
                throw interrupted;
            }
            waited = waited.plus(wait);
            synchronized (this) {
                timeWaited = timeWaited.plus(wait);
                // Another caller may have been answered 429 while this one slept; its pause holds here too.
                if (!clock.instant().isBefore(pausedUntil)) {
                    requestsSent++;
                    return permit;
                }
                outstanding.remove(permit.sequence());
            }
        }
    }

    /**
     * Reads the provider's budget headers from the answer to the request {@code permit} let through and, on a
     * 429, pauses every caller.
     */
    public synchronized void recordResponse(Permit permit, HttpResult result) {
        outstanding.remove(permit.sequence());
        Instant now = clock.instant();
        RateLimitHeaders headers = policy.headers();
        Optional<Instant> resetAt = number(result, headers.reset()).map(value -> headers.resetIsEpochSeconds()
                ? Instant.ofEpochMilli(value.movePointRight(3).longValue())
                : now.plusMillis(value.movePointRight(3).longValue()));
        Optional<BigDecimal> remaining = number(result, headers.remaining());
        if (resetAt.isPresent() && remaining.isPresent()) {
            OptionalInt limit = number(result, headers.limit()).map(value -> OptionalInt.of(value.intValue()))
                    .orElse(OptionalInt.empty());
            learnWindow(remaining.get().longValue() - unansweredSince(permit, resetAt.get()), resetAt.get(), limit);
            highestReportedSequence = Math.max(highestReportedSequence, permit.sequence());
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

    /** Forgets {@code permit}'s request, which failed without an answer (the provider may or may not have counted it). */
    public synchronized void recordFailure(Permit permit) {
        outstanding.remove(permit.sequence());
    }

    public synchronized RateLimiterStats stats() {
        Instant now = clock.instant();
        boolean windowOpen = window != null && !now.isBefore(window.opensAt()) && now.isBefore(window.resetAt());
        OptionalInt remaining = windowOpen ? OptionalInt.of((int) Math.max(0, window.remaining())) : OptionalInt.empty();
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
        return current.remaining() > 0 ? slot : latest(slot, current.resetAt().plus(resetMargin));
    }

    private Permit reserve(Instant slot, Duration waited) {
        permitsIssued++;
        forgetOutstandingBefore(slot.minus(FORGET_OUTSTANDING_AFTER));
        if (!policy.unlimited()) {
            nextProactiveSlot = slot.plus(policy.window().dividedBy(policy.requests()));
        }
        window = windowAt(slot);
        outstanding.put(permitsIssued, slot);
        boolean afterReset = false;
        if (window != null) {
            window = window.afterOneMore();
            afterReset = window.predicted();
        }
        return new Permit(waited, permitsIssued, afterReset);
    }

    /**
     * The provider's window that holds {@code instant}, or null when unknown. A reported window that has reset
     * is followed by a predicted one (the policy's window long), which stands until an answer confirms or
     * replaces it; a predicted window that has reset too is followed by nothing known. The predicted budget is
     * the limit less the requests that may not have been counted yet: one sent just before the reset may arrive
     * just after it, and count in the new window. Those sent before a request whose answer came back are taken as
     * counted already (the provider counts them in the order they arrive).
     */
    private ProviderWindow windowAt(Instant instant) {
        ProviderWindow candidate = window;
        if (candidate != null && !instant.isBefore(candidate.resetAt().plus(resetMargin))) {
            candidate = candidate.predicted() || policy.unlimited() ? null
                    : new ProviderWindow(candidate.limit() - (long) outstanding.tailMap(highestReportedSequence, false).size(), candidate.limit(),
                            candidate.resetAt().plus(resetMargin), candidate.resetAt().plus(policy.window()), true);
        }
        return candidate;
    }

    /** Takes in what an answer says about its window: {@code remaining} after every request sent so far. */
    private void learnWindow(long remaining, Instant resetAt, OptionalInt reportedLimit) {
        int limit = reportedLimit.orElse(policy.unlimited() ? Integer.MAX_VALUE : policy.requests());
        if (window == null || resetAt.isAfter(window.resetAt())) {
            window = new ProviderWindow(remaining, limit, Instant.MIN, resetAt, false);
        } else if (resetAt.equals(window.resetAt())) {
            // The same window: keep the lower count, as answers to earlier requests can arrive after later ones.
            window = new ProviderWindow(Math.min(remaining, window.remaining()), limit, window.opensAt(), resetAt, false);
        }
        // An answer about a window that has already reset says nothing about the current one.
    }

    /**
     * How many requests let through after {@code permit}'s, into the window ending at {@code resetAt}, have not
     * been answered yet: the provider may not have counted them when it counted this one. Those already answered
     * reported their own, lower, counts.
     */
    private long unansweredSince(Permit permit, Instant resetAt) {
        return outstanding.tailMap(permit.sequence(), false).values().stream().filter(slot -> slot.isBefore(resetAt)).count();
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
     * The provider's window {@code [opensAt, resetAt)} with {@code remaining} requests left after every request
     * this limiter let through into it; {@code predicted} while no answer has reported it.
     */
    private record ProviderWindow(long remaining, int limit, Instant opensAt, Instant resetAt, boolean predicted) {

        ProviderWindow afterOneMore() {
            return new ProviderWindow(remaining - 1, limit, opensAt, resetAt, predicted);
        }
    }
}
