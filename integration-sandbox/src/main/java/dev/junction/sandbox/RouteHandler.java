package dev.junction.sandbox;

/**
 * Answers one HTTP request routed to it by a {@link SandboxServer}.
 *
 * <p>Called on one of the server's worker threads; several requests may be handled at once, so
 * implementations must be thread-safe. A handler may throw {@link RequestRejectedException} to
 * answer with a prepared response; any other exception becomes a {@code 500}.
 *
 * <pre>{@code
 * server.route("GET", "/api/v4/contacts/{id}.json",
 *         request -> SandboxResponse.json(200, Map.of("id", request.pathParameter("id"))));
 * }</pre>
 */
@FunctionalInterface
public interface RouteHandler {

    /** Returns the response for {@code request}; never {@code null}. */
    SandboxResponse handle(SandboxRequest request);
}
