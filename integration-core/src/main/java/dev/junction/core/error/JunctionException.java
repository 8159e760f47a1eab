package dev.junction.core.error;

import java.util.Objects;

/**
 * The one unchecked root of every error Junction throws. Subclasses exist where the caller's next step
 * differs ({@link RateLimitedException} carries how long to wait, {@link NeedsReauthException} means
 * "send the user through OAuth again"); {@link #kind()} says the same for code that prefers a switch.
 *
 * <p>The message and {@link #context()} never contain secrets.
 */
public class JunctionException extends RuntimeException {

    private final ErrorKind kind;
    private final ErrorContext context;

    public JunctionException(ErrorKind kind, String message, ErrorContext context, Throwable cause) {
        super(message, cause);
        this.kind = Objects.requireNonNull(kind, "kind");
        this.context = context == null ? ErrorContext.EMPTY : context;
    }

    public JunctionException(ErrorKind kind, String message, ErrorContext context) {
        this(kind, message, context, null);
    }

    public JunctionException(ErrorKind kind, String message) {
        this(kind, message, ErrorContext.EMPTY, null);
    }

    public ErrorKind kind() {
        return kind;
    }

    public ErrorContext context() {
        return context;
    }

    /** Whether repeating the call later may succeed. */
    public boolean retryable() {
        return kind.retryable();
    }

    /**
     * A copy of this error with context components it lacks filled from {@code outer}. Used as an error
     * travels up (HTTP layer knows the status, the sync engine knows the entity).
     */
    public JunctionException withContext(ErrorContext outer) {
        ErrorContext merged = context.orElse(outer);
        if (merged.equals(context)) {
            return this;
        }
        return copyWith(merged);
    }

    /** Subclasses with extra state override this to keep it. */
    protected JunctionException copyWith(ErrorContext merged) {
        JunctionException copy = new JunctionException(kind, super.getMessage(), merged, getCause());
        copy.setStackTrace(getStackTrace());
        return copy;
    }

    /** The message without context, as given at construction. */
    public String reason() {
        return super.getMessage();
    }

    @Override
    public String getMessage() {
        return context.equals(ErrorContext.EMPTY) ? super.getMessage() : super.getMessage() + " " + context;
    }

    /** Shorthand for {@link ErrorKind#INVALID_INPUT}: a caller handed in something unusable. */
    public static JunctionException invalidInput(String message) {
        return new JunctionException(ErrorKind.INVALID_INPUT, message);
    }

    /** Checks a caller-supplied argument, naming it in the error. */
    public static <T> T requireArgument(T value, String name) {
        if (value == null) {
            throw invalidInput(name + " must not be null");
        }
        if (value instanceof CharSequence text && text.toString().isBlank()) {
            throw invalidInput(name + " must not be blank");
        }
        return value;
    }
}
