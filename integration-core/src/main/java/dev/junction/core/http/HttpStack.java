package dev.junction.core.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.junction.core.error.ErrorContext;
import dev.junction.core.http.internal.CallExecutor;
import dev.junction.core.http.internal.ConnectionRateLimiter;
import dev.junction.core.http.internal.ProviderHttpClientImpl;
import dev.junction.core.http.internal.RedactingLoggingInterceptor;
import dev.junction.core.http.internal.Redaction;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import okhttp3.ConnectionPool;
import okhttp3.OkHttpClient;

/**
 * The HTTP machinery every provider shares. A Hub creates one at start-up and closes it at shutdown; everything
 * else asks it for a {@link ProviderHttpClient} per connection.
 *
 * <p>It owns one OkHttp connection pool per provider, shared by all that provider's connections, and one rate
 * limiter per (provider, connection), shared by every client of that connection so that concurrent syncs of one
 * connection spend one budget. Clients are cheap to create. Redirects are not followed and OkHttp's silent
 * connection retries are off: the stack's retry policy alone decides what is sent again, so a POST without an
 * idempotency key is never repeated.
 *
 * <p>Thread-safe.
 *
 * <pre>{@code
 * try (HttpStack stack = HttpStack.create(Clock.systemUTC(), Sleeper.SYSTEM)) {
 *     ProviderHttpClient clio = stack.client(spec);
 *     JsonNode who = clio.executeJson(HttpCall.get("users/who_am_i.json"));
 * }
 * }</pre>
 */
public final class HttpStack implements AutoCloseable {

    private final Clock clock;
    private final Sleeper sleeper;
    private final HttpLogLevel logLevel;
    private final ObjectMapper objectMapper;
    private final OkHttpClient sharedSettings;
    private final ConcurrentMap<String, OkHttpClient> providerPools = new ConcurrentHashMap<>();
    private final ConcurrentMap<ConnectionKey, ConnectionRateLimiter> limiters = new ConcurrentHashMap<>();
    private final dev.junction.core.HubObserver observer;
    private volatile boolean closed;

    HttpStack(Clock clock, Sleeper sleeper, Duration connectTimeout, HttpLogLevel logLevel, ObjectMapper objectMapper,
            dev.junction.core.HubObserver observer) {
        this.observer = dev.junction.core.internal.SafeObserver.of(observer);
        this.clock = Objects.requireNonNull(clock, "clock");
        this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
        this.logLevel = Objects.requireNonNull(logLevel, "logLevel");
        this.objectMapper = Objects.requireNonNull(objectMapper, "objectMapper");
        this.sharedSettings = new OkHttpClient.Builder()
                .connectTimeout(connectTimeout)
                .followRedirects(false)
                .followSslRedirects(false)
                .retryOnConnectionFailure(false)
                .build();
    }

    /** A stack on {@code clock} that waits with {@code sleeper}, with the other settings of {@link #builder()}. */
    public static HttpStack create(Clock clock, Sleeper sleeper) {
        return builder().withClock(clock).withSleeper(sleeper).build();
    }

    public static HttpStackBuilder builder() {
        return new HttpStackBuilder();
    }

    /**
     * A client for one connection. Clients with the same provider and connection share a rate limiter; the newest
     * spec's rate-limit policy applies to it.
     *
     * @throws IllegalStateException after {@link #close()}
     */
    public ProviderHttpClient client(HttpClientSpec spec) {
        Objects.requireNonNull(spec, "spec");
        if (closed) {
            throw new IllegalStateException("the HttpStack is closed");
        }
        ConnectionRateLimiter limiter = limiters.computeIfAbsent(new ConnectionKey(spec.providerId(), spec.connectionId()),
                key -> new ConnectionRateLimiter(ErrorContext.provider(key.providerId()).withConnection(key.connectionId()),
                        spec.rateLimit(), clock, sleeper));
        limiter.usePolicy(spec.rateLimit());
        Redaction redaction = new Redaction(spec.secretHeaders());
        OkHttpClient okHttp = providerPool(spec.providerId()).newBuilder()
                .callTimeout(spec.timeout())
                .readTimeout(spec.timeout())
                .writeTimeout(spec.timeout())
                .addInterceptor(new RedactingLoggingInterceptor(logLevel, redaction))
                .build();
        CallExecutor executor = new CallExecutor(spec.authenticator(), limiter, redaction, spec.retry(), clock, sleeper,
                () -> closed, spec.providerId(), observer);
        return new ProviderHttpClientImpl(spec, okHttp, objectMapper, limiter, executor);
    }

    /** Closes idle connections and makes every client of this stack refuse further calls. Idempotent. */
    @Override
    public void close() {
        closed = true;
        providerPools.values().forEach(pool -> pool.connectionPool().evictAll());
        sharedSettings.dispatcher().executorService().shutdown();
    }

    private OkHttpClient providerPool(String providerId) {
        // newBuilder() shares the dispatcher; the pool is the provider's own.
        return providerPools.computeIfAbsent(providerId,
                id -> sharedSettings.newBuilder().connectionPool(new ConnectionPool()).build());
    }

    private record ConnectionKey(String providerId, String connectionId) {
    }
}
