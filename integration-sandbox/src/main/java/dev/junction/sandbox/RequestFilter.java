package dev.junction.sandbox;

/**
 * Runs around route handlers, like a servlet filter or an OkHttp interceptor: it may answer by
 * itself (a {@code 401}, a {@code 429}), or call {@code next} and decorate its response (rate-limit
 * headers).
 *
 * <p>Filters are registered on a {@link SandboxServer} with a path pattern and run in registration
 * order, the first registered outermost. They run for unrouted paths too, before the {@code 404}.
 * Implementations must be thread-safe.
 */
@FunctionalInterface
public interface RequestFilter {

    /**
     * Handles {@code request}, usually by calling {@code next.handle(request)}.
     *
     * @return the response to send; never {@code null}
     */
    SandboxResponse filter(SandboxRequest request, RouteHandler next);
}
