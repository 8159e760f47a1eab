package dev.junction.core.error;

import java.time.Duration;
import java.util.Optional;

/** The provider failed or could not be reached: 5xx, timeout, reset connection. Retryable. */
public final class ProviderUnavailableException extends JunctionException {

    private final Duration retryAfter;

    public ProviderUnavailableException(String message, Duration retryAfter, ErrorContext context, Throwable cause) {
        super(ErrorKind.PROVIDER_UNAVAILABLE, message, context, cause);
        this.retryAfter = retryAfter;
    }

    /** The provider's own hint ({@code Retry-After} on a 503), when it gave one. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }

    @Override
    protected JunctionException copyWith(ErrorContext merged) {
        ProviderUnavailableException copy = new ProviderUnavailableException(reason(), retryAfter, merged, getCause());
        copy.setStackTrace(getStackTrace());
        return copy;
    }
}
