package dev.junction.sandbox;

import java.time.Duration;
import java.util.Objects;

/**
 * A misbehaviour the {@link FaultInjector} makes the server show instead of, or on top of, the
 * normal response.
 *
 * <p>All implementations are immutable records.
 */
public sealed interface Fault {

    /** Answers with {@code status} (and a {@code Retry-After} header when given) without calling the handler. */
    static Fault status(int status) {
        return new Status(status, null);
    }

    /** Answers with {@code status} and a {@code Retry-After} of {@code retryAfter}, rounded up to whole seconds. */
    static Fault status(int status, Duration retryAfter) {
        return new Status(status, Objects.requireNonNull(retryAfter, "retryAfter"));
    }

    /** Waits {@code delay} before handling the request normally, to trigger client timeouts. */
    static Fault delay(Duration delay) {
        return new Delay(delay);
    }

    /** Sends the normal status and a {@code Content-Length} for the whole body, then cuts the connection halfway. */
    static Fault truncatedBody() {
        return new TruncatedBody();
    }

    /** Sends the normal status with only the first half of the body, so it is not valid JSON. */
    static Fault malformedJson() {
        return new MalformedJson();
    }

    /** Sends half the normal body, pauses for {@code pause}, then sends the rest: a slow page. */
    static Fault slowBody(Duration pause) {
        return new SlowBody(pause);
    }

    /** Answers {@code 401} with an OAuth {@code invalid_token} error, as if the access token had expired. */
    static Fault expiredToken() {
        return new ExpiredToken();
    }

    /**
     * Answer with an HTTP status and a small JSON error body.
     *
     * @param status the HTTP status, usually 500, 502 or 503
     * @param retryAfter the {@code Retry-After} to send, or {@code null} for none
     */
    record Status(int status, Duration retryAfter) implements Fault {
        /** Checks the status range. */
        public Status {
            if (status < 400 || status > 599) {
                throw new IllegalArgumentException("A fault status must be 4xx or 5xx: " + status);
            }
        }
    }

    /** Wait, then handle normally. */
    record Delay(Duration delay) implements Fault {
        /** Checks the delay is not negative. */
        public Delay {
            if (delay.isNegative()) {
                throw new IllegalArgumentException("delay must not be negative: " + delay);
            }
        }
    }

    /** Cut the connection halfway through the body. */
    record TruncatedBody() implements Fault {
    }

    /** Send half the body with a matching length. */
    record MalformedJson() implements Fault {
    }

    /** Send half the body, pause, send the rest. */
    record SlowBody(Duration pause) implements Fault {
        /** Checks the pause is not negative. */
        public SlowBody {
            if (pause.isNegative()) {
                throw new IllegalArgumentException("pause must not be negative: " + pause);
            }
        }
    }

    /** Answer 401 {@code invalid_token}. */
    record ExpiredToken() implements Fault {
    }
}
