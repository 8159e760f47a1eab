package dev.junction.core.http.internal;

import dev.failsafe.Execution;
import dev.failsafe.RetryPolicy;
import dev.failsafe.RetryPolicyBuilder;
import dev.junction.core.HubObserver;
import dev.junction.core.error.ErrorContext;
import dev.junction.core.error.ErrorKind;
import dev.junction.core.error.JunctionException;
import dev.junction.core.error.ProviderUnavailableException;
import dev.junction.core.error.RateLimitedException;
import dev.junction.core.http.HttpResult;
import dev.junction.core.http.RequestAuthenticator;
import dev.junction.core.http.RetrySettings;
import dev.junction.core.http.Sleeper;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BooleanSupplier;
import okhttp3.HttpUrl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one logical call for either front end ({@code execute} or Feign): rate limit, authentication, 429 and
 * 401 handling, retries and error mapping. The front end only knows how to send one attempt.
 *
 * <p>Two loops nest. The outer one is Failsafe's standalone {@link Execution}: it decides whether a failed attempt
 * (a {@link ProviderUnavailableException}) is retried and computes the jittered backoff, which this class sleeps
 * through the injected {@link Sleeper}. The inner loop, inside one attempt, sends again after a 429 or a
 * refreshed 401, so neither ever spends a retry; 429 waiting is bounded by the call's rate-limit allowance alone.
 *
 * <p>Thread-safe; the per-call state lives on the calling thread.
 */
public final class CallExecutor {

    private static final Logger LOG = LoggerFactory.getLogger(CallExecutor.class);

    private static final Set<String> ALWAYS_REPEATABLE_METHODS = Set.of("GET", "HEAD", "OPTIONS", "PUT", "DELETE");
    private static final Set<String> REPEATABLE_WITH_IDEMPOTENCY_KEY = Set.of("POST", "PATCH");

    private final RequestAuthenticator authenticator;
    private final ConnectionRateLimiter limiter;
    private final Redaction redaction;
    private final RetrySettings settings;
    private final RetryPolicy<HttpResult> retryPolicy;
    private final Clock clock;
    private final Sleeper sleeper;
    private final BooleanSupplier stackClosed;
    private final String providerId;
    private final HubObserver observer;

    public CallExecutor(RequestAuthenticator authenticator, ConnectionRateLimiter limiter, Redaction redaction,
                        RetrySettings settings, Clock clock, Sleeper sleeper, BooleanSupplier stackClosed) {
        this(authenticator, limiter, redaction, settings, clock, sleeper, stackClosed, "unknown", HubObserver.NONE);
    }

    /** @param observer hears each attempt's status and latency and each rate-limit wait; it must not throw */
    public CallExecutor(RequestAuthenticator authenticator, ConnectionRateLimiter limiter, Redaction redaction,
                        RetrySettings settings, Clock clock, Sleeper sleeper, BooleanSupplier stackClosed,
                        String providerId, HubObserver observer) {
        this.providerId = Objects.requireNonNull(providerId, "providerId");
        this.observer = Objects.requireNonNull(observer, "observer");
        this.authenticator = Objects.requireNonNull(authenticator, "authenticator");
        this.limiter = Objects.requireNonNull(limiter, "limiter");
        this.redaction = Objects.requireNonNull(redaction, "redaction");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.retryPolicy = retryPolicy(settings);
        this.clock = Objects.requireNonNull(clock, "clock");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
        this.stackClosed = Objects.requireNonNull(stackClosed, "stackClosed");
    }

    /** Sends one attempt with the authenticator's current headers and reads the whole response. */
    @FunctionalInterface
    public interface Transport {
        HttpResult send(Map<String, String> authenticationHeaders) throws IOException;
    }

    /**
     * What the executor needs to know about a call besides how to send it.
     *
     * @param idempotencyKeyed whether the call carries an idempotency key in the provider's idempotency header
     */
    public record CallDescription(String method, HttpUrl url, String entity, boolean idempotencyKeyed) {

        public CallDescription {
            Objects.requireNonNull(method, "method");
            Objects.requireNonNull(url, "url");
        }

        boolean repeatable() {
            return ALWAYS_REPEATABLE_METHODS.contains(method)
                    || (idempotencyKeyed && REPEATABLE_WITH_IDEMPOTENCY_KEY.contains(method));
        }

        /** "METHOD /path": enough to find the request, nothing secret (no query). */
        public String describe() {
            return method + " " + url.encodedPath();
        }
    }

    /** The connection's error context for a call about {@code entity} (may be null). */
    public ErrorContext context(String entity) {
        return limiter.context().withEntity(entity);
    }

    /** Runs {@code call}; returns a 2xx or 304 result and throws a {@link JunctionException} for anything else. */
    public HttpResult execute(CallDescription call, Transport transport) {
        if (stackClosed.getAsBoolean()) {
            throw new IllegalStateException("the HttpStack is closed");
        }
        ErrorContext context = context(call.entity());
        CallState state = new CallState();
        try {
            return call.repeatable() ? withRetries(call, transport, context, state) : attempt(call, transport, context, state);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw interrupted(call, context, interrupted);
        } catch (JunctionException failure) {
            throw failure.withContext(context);
        }
    }

    /**
     * The error for a result this executor returned that the front end cannot accept (a 304 where Feign expected
     * a body).
     */
    public JunctionException unsuccessful(String what, HttpResult result) {
        return ProviderErrors.forResult(what, result, limiter.context(), clock.instant(), List.of());
    }

    private HttpResult withRetries(CallDescription call, Transport transport, ErrorContext context, CallState state)
            throws InterruptedException {
        Execution<HttpResult> execution = Execution.of(retryPolicy);
        while (true) {
            try {
                return attempt(call, transport, context, state);
            } catch (ProviderUnavailableException failure) {
                execution.recordException(failure);
                if (execution.isComplete()) {
                    throw failure;
                }
                Duration backoff = execution.getDelay();
                // Jitter may shorten the backoff; a provider's Retry-After is a floor, never shortened.
                Duration delay = failure.retryAfter().filter(retryAfter -> retryAfter.compareTo(backoff) > 0).orElse(backoff);
                LOG.debug("Attempt {} of {} failed: {}; retrying in {} ms", execution.getAttemptCount(),
                        settings.maxAttempts(), failure.reason(), delay.toMillis());
                sleeper.sleep(delay);
            }
        }
    }

    private HttpResult attempt(CallDescription call, Transport transport, ErrorContext context, CallState state)
            throws InterruptedException {
        while (true) {
            ConnectionRateLimiter.Permit permit = waitForBudget(state);
            Map<String, String> authentication;
            try {
                authentication = authenticator.headers();
            } catch (RuntimeException failure) {
                limiter.release(permit); // never sent
                throw failure;
            }
            redaction.learnSecretHeaders(authentication.keySet());
            // A request that fails without an answer keeps its permit: the provider may have counted it.
            HttpResult result = observed(call, transport, authentication, context);
            limiter.recordResponse(permit, result);
            if (result.successful() || result.status() == 304) {
                return result;
            }
            if (result.status() == 429) {
                // The limiter now holds every caller of the connection until the pause ends; this one included.
                state.lastRateLimited = result;
                continue;
            }
            // Marked only once the refresh succeeded: a refresh that failed for a moment (token endpoint down) must
            // not turn the next attempt's 401 into "needs re-authorisation".
            if (result.status() == 401 && !state.credentialsRefreshed && authenticator.onUnauthorized()) {
                state.credentialsRefreshed = true;
                LOG.debug("{} answered 401; credentials refreshed, sending once more", call.describe());
                continue;
            }
            throw advised(ProviderErrors.forResult(call.describe(), result, context, clock.instant(), authentication.values()),
                    result, context);
        }
    }

    /** Applies the provider's retry advice header, if the settings name one and the response carries it. */
    private JunctionException advised(JunctionException error, HttpResult result, ErrorContext context) {
        if (settings.adviceHeader() == null) {
            return error;
        }
        String advice = result.header(settings.adviceHeader()).map(value -> value.trim().toLowerCase(java.util.Locale.ROOT)).orElse("");
        if (advice.equals("false") && error instanceof ProviderUnavailableException) {
            // Not a ProviderUnavailableException, so the retry policy lets it through at once.
            return new JunctionException(ErrorKind.PROVIDER_UNAVAILABLE, error.reason() + " (" + settings.adviceHeader()
                    + ": false)", error.context().orElse(context), error);
        }
        if (advice.equals("true") && !(error instanceof ProviderUnavailableException)) {
            return new ProviderUnavailableException(error.reason() + " (" + settings.adviceHeader() + ": true)", null,
                    error.context().orElse(context), error);
        }
        return error;
    }

    private ConnectionRateLimiter.Permit waitForBudget(CallState state) throws InterruptedException {
        try {
            Duration allowance = settings.maxRateLimitWait().minus(state.rateLimitWaited);
            ConnectionRateLimiter.Permit permit = limiter.acquire(allowance);
            Duration waited = permit.waited();
            if (!waited.isZero()) {
                observer.rateLimitWaited(providerId, waited);
            }
            state.rateLimitWaited = state.rateLimitWaited.plus(waited);
            return permit;
        } catch (RateLimitedException exhausted) {
            HttpResult cause = state.lastRateLimited;
            throw cause == null ? exhausted
                    : exhausted.withContext(ErrorContext.EMPTY.withHttpStatus(cause.status()).withRequestId(cause.requestId()));
        }
    }

    /** {@link #send}, reporting the attempt's status (or failure) and latency to the observer. */
    private HttpResult observed(CallDescription call, Transport transport, Map<String, String> authentication,
                                ErrorContext context) {
        long started = System.nanoTime();
        try {
            HttpResult result = send(call, transport, authentication, context);
            observer.providerRequest(providerId, call.method(), result.status(), null, Duration.ofNanos(System.nanoTime() - started));
            return result;
        } catch (RuntimeException failure) {
            Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
            observer.providerRequest(providerId, call.method(), 0, cause.getClass().getSimpleName(),
                    Duration.ofNanos(System.nanoTime() - started));
            throw failure;
        }
    }

    private static HttpResult send(CallDescription call, Transport transport, Map<String, String> authentication,
                                   ErrorContext context) {
        try {
            return transport.send(authentication);
        } catch (InterruptedIOException timeout) {
            if (Thread.currentThread().isInterrupted()) {
                throw interrupted(call, context, timeout);
            }
            throw new ProviderUnavailableException(call.describe() + " timed out", null, context, timeout);
        } catch (IOException failure) {
            throw new ProviderUnavailableException(call.describe() + " failed: " + failure.getClass().getSimpleName(),
                    null, context, failure);
        }
    }

    /** Not a {@link ProviderUnavailableException}, so it is never retried: the thread is being asked to stop. */
    private static JunctionException interrupted(CallDescription call, ErrorContext context, Throwable cause) {
        return new JunctionException(ErrorKind.PROVIDER_UNAVAILABLE, call.describe() + " was interrupted", context, cause);
    }

    private static RetryPolicy<HttpResult> retryPolicy(RetrySettings settings) {
        RetryPolicyBuilder<HttpResult> builder = RetryPolicy.<HttpResult>builder()
                .handle(ProviderUnavailableException.class)
                // Asked to come back later than we would ever wait: fail now, so the caller can reschedule.
                .abortOn(failure -> failure instanceof ProviderUnavailableException unavailable
                        && unavailable.retryAfter().filter(wait -> wait.compareTo(settings.maxDelay()) > 0).isPresent())
                .withMaxAttempts(settings.maxAttempts())
                .withJitter(settings.jitter());
        if (settings.maxDelay().compareTo(settings.initialDelay()) > 0) {
            builder.withBackoff(settings.initialDelay(), settings.maxDelay());
        } else {
            builder.withDelay(settings.initialDelay());
        }
        return builder.build();
    }

    /** What one call remembers across its attempts. */
    private static final class CallState {
        private Duration rateLimitWaited = Duration.ZERO;
        private boolean credentialsRefreshed;
        private HttpResult lastRateLimited;
    }
}
