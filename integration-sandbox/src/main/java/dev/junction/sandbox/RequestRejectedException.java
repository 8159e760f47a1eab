package dev.junction.sandbox;

import java.util.Objects;

/**
 * Thrown by a handler or filter to stop processing and answer with a ready response, such as a
 * {@code 400} for a bad parameter deep inside a parser.
 *
 * <p>The {@link SandboxServer} catches it and writes {@link #response()}. It carries no stack
 * trace: it is control flow, not a failure of the sandbox.
 */
public final class RequestRejectedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient SandboxResponse response;

    /** Creates an exception that answers with {@code response}. */
    public RequestRejectedException(SandboxResponse response) {
        super("Request rejected with HTTP " + Objects.requireNonNull(response, "response").status(),
                null, false, false);
        this.response = response;
    }

    /** The response to send. */
    public SandboxResponse response() {
        return response;
    }
}
