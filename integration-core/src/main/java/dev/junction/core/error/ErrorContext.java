package dev.junction.core.error;

import java.util.StringJoiner;

/**
 * Where an error happened: provider, connection, entity, HTTP status and the provider's request id.
 * Every component is optional (null when unknown). It never holds a secret: no token, key, or credential
 * may be put here, and {@link #toString()} is safe to log.
 *
 * <p>Immutable and thread-safe.
 */
public record ErrorContext(String provider, String connectionId, String entity, Integer httpStatus, String requestId) {

    /** A context that knows nothing yet. */
    public static final ErrorContext EMPTY = new ErrorContext(null, null, null, null, null);

    public static ErrorContext provider(String provider) {
        return EMPTY.withProvider(provider);
    }

    public ErrorContext withProvider(String value) {
        return new ErrorContext(value, connectionId, entity, httpStatus, requestId);
    }

    public ErrorContext withConnection(String value) {
        return new ErrorContext(provider, value, entity, httpStatus, requestId);
    }

    public ErrorContext withEntity(String value) {
        return new ErrorContext(provider, connectionId, value, httpStatus, requestId);
    }

    public ErrorContext withHttpStatus(Integer value) {
        return new ErrorContext(provider, connectionId, entity, value, requestId);
    }

    public ErrorContext withRequestId(String value) {
        return new ErrorContext(provider, connectionId, entity, httpStatus, value);
    }

    /** Fills the components this context lacks from {@code other}; components already set win. */
    public ErrorContext orElse(ErrorContext other) {
        return new ErrorContext(
                provider != null ? provider : other.provider,
                connectionId != null ? connectionId : other.connectionId,
                entity != null ? entity : other.entity,
                httpStatus != null ? httpStatus : other.httpStatus,
                requestId != null ? requestId : other.requestId);
    }

    @Override
    public String toString() {
        StringJoiner joiner = new StringJoiner(", ", "[", "]");
        if (provider != null) joiner.add("provider=" + provider);
        if (connectionId != null) joiner.add("connection=" + connectionId);
        if (entity != null) joiner.add("entity=" + entity);
        if (httpStatus != null) joiner.add("status=" + httpStatus);
        if (requestId != null) joiner.add("requestId=" + requestId);
        return joiner.toString();
    }
}
