package dev.junction.core.error;

import java.time.Duration;

/** The provider answered 429 (or its budget is spent); {@link #retryAfter()} says how long to wait. */
public final class RateLimitedException extends JunctionException {

    private final Duration retryAfter;

    public RateLimitedException(String message, Duration retryAfter, ErrorContext context) {
        super(ErrorKind.RATE_LIMITED, message, context);
        this.retryAfter = retryAfter == null ? Duration.ZERO : retryAfter;
    }

    public Duration retryAfter() {
        return retryAfter;
    }

    @Override
    protected JunctionException copyWith(ErrorContext merged) {
        RateLimitedException copy = new RateLimitedException(reason(), retryAfter, merged);
        copy.setStackTrace(getStackTrace());
        return copy;
    }
}
