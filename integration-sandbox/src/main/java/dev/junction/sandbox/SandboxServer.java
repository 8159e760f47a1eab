package dev.junction.sandbox;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real HTTP server on the loopback interface that a provider simulator registers its routes on.
 *
 * <p>Requests flow through: {@link RequestLog} timestamp, {@link FaultInjector} (may answer or
 * delay), the {@link RequestFilter filters} whose pattern matches the path (first registered
 * outermost), then the first {@link #route route} whose method and {@link PathPattern} match, or a
 * {@code 404}. A {@link RequestRejectedException} thrown anywhere becomes its response; any other
 * exception becomes a {@code 500}.
 *
 * <pre>{@code
 * try (SandboxServer server = SandboxServer.builder().build()) {
 *     server.route("GET", "/ping", request -> SandboxResponse.json(200, Map.of("pong", true)));
 *     server.start();
 *     URI uri = URI.create(server.baseUrl() + "/ping");
 * }
 * }</pre>
 *
 * <p>Thread-safe: requests are served by a fixed pool of worker threads, and routes and filters
 * may be added before or after {@link #start()}.
 */
public final class SandboxServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SandboxServer.class);

    /** The request headers the log keeps when none are configured. */
    public static final Set<String> DEFAULT_LOGGED_HEADERS = Set.of(
            "Authorization", "Accept", "Content-Type", "User-Agent", "Idempotency-Key", "If-Match",
            "If-None-Match", "X-API-VERSION");

    private static final AtomicInteger SERVER_SEQUENCE = new AtomicInteger();

    private final int requestedPort;
    private final int threads;
    private final Clock clock;
    private final List<Route> routes = new CopyOnWriteArrayList<>();
    private final List<ScopedFilter> filters = new CopyOnWriteArrayList<>();
    private final FaultInjector faults = new FaultInjector();
    private final RequestLog requestLog;
    private final Object lifecycle = new Object();
    private HttpServer server;
    private ExecutorService executor;

    private SandboxServer(Builder builder) {
        this.requestedPort = builder.port;
        this.threads = builder.threads;
        this.clock = builder.clock;
        this.requestLog = new RequestLog(builder.requestLogCapacity, builder.loggedHeaders);
    }

    /** Starts a builder with port 0 (random), the system UTC clock and 8 worker threads. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Adds a route. Routes are tried in the order they were added; the first match wins, so add
     * {@code /users/who_am_i} before {@code /users/{id}}.
     *
     * @param method the HTTP method, any case
     * @param pathPattern a {@link PathPattern}
     * @return this server
     */
    public SandboxServer route(String method, String pathPattern, RouteHandler handler) {
        routes.add(new Route(method.toUpperCase(Locale.ROOT), PathPattern.compile(pathPattern),
                Objects.requireNonNull(handler, "handler")));
        return this;
    }

    /**
     * Adds a filter for the paths matching {@code pathPattern}, such as {@code /api/v4/**}.
     *
     * @return this server
     */
    public SandboxServer filter(String pathPattern, RequestFilter filter) {
        filters.add(new ScopedFilter(PathPattern.compile(pathPattern), Objects.requireNonNull(filter, "filter")));
        return this;
    }

    /**
     * Binds the port and starts serving.
     *
     * @return this server
     * @throws UncheckedIOException if the port cannot be bound
     * @throws IllegalStateException if already started
     */
    public SandboxServer start() {
        synchronized (lifecycle) {
            if (server != null) {
                throw new IllegalStateException("Sandbox server already started on " + baseUrl());
            }
            try {
                server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), requestedPort), 0);
            } catch (IOException exception) {
                throw new UncheckedIOException("Cannot bind sandbox server to port " + requestedPort, exception);
            }
            int sequence = SERVER_SEQUENCE.incrementAndGet();
            AtomicInteger threadNumber = new AtomicInteger();
            executor = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
                    runnable -> {
                        Thread thread = new Thread(runnable,
                                "sandbox-http-" + sequence + "-" + threadNumber.incrementAndGet());
                        thread.setDaemon(true);
                        return thread;
                    });
            server.setExecutor(executor);
            server.createContext("/", this::serve);
            server.start();
            LOG.debug("Sandbox server listening on {}", baseUrl());
            return this;
        }
    }

    /**
     * The URL the server listens on, such as {@code http://127.0.0.1:54321}, without a trailing slash.
     *
     * @throws IllegalStateException before {@link #start()}
     */
    public String baseUrl() {
        return "http://127.0.0.1:" + port();
    }

    /**
     * The bound port.
     *
     * @throws IllegalStateException before {@link #start()}
     */
    public int port() {
        synchronized (lifecycle) {
            if (server == null) {
                throw new IllegalStateException("Sandbox server not started");
            }
            return server.getAddress().getPort();
        }
    }

    /** The fault rules for this server. */
    public FaultInjector faults() {
        return faults;
    }

    /** The log of answered requests. */
    public RequestLog requestLog() {
        return requestLog;
    }

    /** The clock used to timestamp requests. */
    public Clock clock() {
        return clock;
    }

    /** Stops serving and releases the port and threads. Calling it again does nothing. */
    @Override
    public void close() {
        synchronized (lifecycle) {
            if (server == null) {
                return;
            }
            server.stop(0);
            executor.shutdownNow();
            LOG.debug("Sandbox server on port {} stopped", server.getAddress().getPort());
            server = null;
            executor = null;
        }
    }

    private void serve(HttpExchange exchange) throws IOException {
        SandboxRequest request;
        try (InputStream input = exchange.getRequestBody()) {
            request = SandboxRequest.create(
                    exchange.getRequestMethod(),
                    exchange.getRequestURI().getPath(),
                    QueryParameters.parse(exchange.getRequestURI().getRawQuery()),
                    exchange.getRequestHeaders(),
                    input.readAllBytes(),
                    clock.instant());
        } catch (IOException exception) {
            LOG.debug("Could not read a request: {}", exception.toString());
            exchange.close();
            return;
        }
        int status = 0;
        boolean connectionCut = false;
        boolean logged = false;
        try {
            Fault fault = faults.take(request).orElse(null);
            SandboxResponse response = respond(request, fault);
            status = response.status();
            // logged before the answer is written: a client that has read the answer finds its request in the log
            requestLog.record(request, status);
            logged = true;
            connectionCut = write(exchange, response, fault);
        } catch (IOException exception) {
            LOG.debug("Connection closed while answering {}: {}", request, exception.toString());
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        } finally {
            if (!logged) {
                requestLog.record(request, status);
            }
            if (!connectionCut) {
                exchange.close();
            }
        }
        if (connectionCut) {
            // The JDK server drops the connection only when a handler throws; closing a
            // fixed-length body early would leave the client waiting for the missing bytes.
            throw new IOException("Sandbox fault: connection cut in the middle of the body");
        }
    }

    private SandboxResponse respond(SandboxRequest request, Fault fault) throws InterruptedException {
        if (fault instanceof Fault.Status injected) {
            SandboxResponse response = SandboxResponse.json(injected.status(),
                    Map.of("error", "sandbox_fault", "message", "Injected HTTP " + injected.status()));
            return injected.retryAfter() == null
                    ? response
                    : response.withHeader("Retry-After", Long.toString(ceilingSeconds(injected.retryAfter())));
        }
        if (fault instanceof Fault.ExpiredToken) {
            return SandboxResponse.json(401, Map.of(
                            "error", "invalid_token",
                            "error_description", "The access token provided is expired"))
                    .withHeader("WWW-Authenticate", "Bearer error=\"invalid_token\"");
        }
        if (fault instanceof Fault.Delay delay) {
            Thread.sleep(delay.delay().toMillis());
        }
        return dispatch(request);
    }

    private SandboxResponse dispatch(SandboxRequest request) {
        SandboxRequest bound = request;
        RouteHandler target = null;
        for (Route route : routes) {
            if (!route.method().equals(request.method())) {
                continue;
            }
            Optional<Map<String, String>> parameters = route.pattern().match(request.path());
            if (parameters.isPresent()) {
                bound = request.withPathParameters(parameters.get());
                target = route.handler();
                break;
            }
        }
        RouteHandler chain = rejectionsAsResponses(target == null ? SandboxServer::notFound : target);
        List<ScopedFilter> applicable = new ArrayList<>();
        for (ScopedFilter scoped : filters) {
            if (scoped.pattern().matches(request.path())) {
                applicable.add(scoped);
            }
        }
        for (int index = applicable.size() - 1; index >= 0; index--) {
            RequestFilter filter = applicable.get(index).filter();
            RouteHandler next = chain;
            chain = rejectionsAsResponses(current -> filter.filter(current, next));
        }
        return chain.handle(bound);
    }

    private static RouteHandler rejectionsAsResponses(RouteHandler handler) {
        return request -> {
            try {
                return Objects.requireNonNull(handler.handle(request), "A handler returned no response");
            } catch (RequestRejectedException rejected) {
                return rejected.response();
            } catch (RuntimeException failure) {
                LOG.warn("Sandbox handler failed for {}", request, failure);
                return SandboxResponse.json(500, Map.of("error", "internal_error", "message", String.valueOf(failure)));
            }
        };
    }

    private static SandboxResponse notFound(SandboxRequest request) {
        return SandboxResponse.json(404,
                Map.of("error", "not_found", "message", "No route for " + request.method() + " " + request.path()));
    }

    /** Writes the response, shaped by the fault; returns whether the connection must be cut. */
    private static boolean write(HttpExchange exchange, SandboxResponse response, Fault fault)
            throws IOException, InterruptedException {
        response.headers().forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
        byte[] body = response.bodyWithoutCopy();
        if (fault instanceof Fault.MalformedJson && body.length > 1) {
            body = Arrays.copyOf(body, body.length / 2);
        }
        boolean noBody = body.length == 0 || response.status() == 204 || response.status() == 304;
        exchange.sendResponseHeaders(response.status(), noBody ? -1 : body.length);
        if (noBody) {
            return false;
        }
        OutputStream output = exchange.getResponseBody();
        int half = body.length / 2;
        if (fault instanceof Fault.TruncatedBody) {
            output.write(body, 0, half);
            output.flush();
            return true;
        }
        if (fault instanceof Fault.SlowBody slow) {
            output.write(body, 0, half);
            output.flush();
            Thread.sleep(slow.pause().toMillis());
            output.write(body, half, body.length - half);
        } else {
            output.write(body);
        }
        output.close();
        return false;
    }

    static long ceilingSeconds(Duration duration) {
        long seconds = duration.getSeconds();
        return duration.getNano() > 0 ? seconds + 1 : seconds;
    }

    private record Route(String method, PathPattern pattern, RouteHandler handler) {
    }

    private record ScopedFilter(PathPattern pattern, RequestFilter filter) {
    }

    /** Configures a {@link SandboxServer}. Not thread-safe. */
    public static final class Builder {

        private int port;
        private int threads = 8;
        private Clock clock = Clock.systemUTC();
        private int requestLogCapacity = 10_000;
        private Set<String> loggedHeaders = DEFAULT_LOGGED_HEADERS;

        private Builder() {
        }

        /** The port to bind on 127.0.0.1; 0 (the default) picks a free one. */
        public Builder withPort(int value) {
            if (value < 0 || value > 65_535) {
                throw new IllegalArgumentException("Not a port: " + value);
            }
            this.port = value;
            return this;
        }

        /** How many worker threads serve requests; default 8. */
        public Builder withThreads(int value) {
            if (value < 1) {
                throw new IllegalArgumentException("threads must be positive: " + value);
            }
            this.threads = value;
            return this;
        }

        /** The clock that timestamps logged requests; default {@link Clock#systemUTC()}. */
        public Builder withClock(Clock value) {
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /** How many recent requests the log retains; default 10,000. */
        public Builder withRequestLogCapacity(int value) {
            this.requestLogCapacity = value;
            return this;
        }

        /** Which request headers the log keeps; default {@link #DEFAULT_LOGGED_HEADERS}. */
        public Builder withLoggedHeaders(Set<String> names) {
            this.loggedHeaders = Set.copyOf(names);
            return this;
        }

        /** Creates the server, not yet started. */
        public SandboxServer build() {
            return new SandboxServer(this);
        }
    }
}
