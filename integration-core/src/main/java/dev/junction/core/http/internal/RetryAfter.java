package dev.junction.core.http.internal;

import dev.junction.core.http.HttpResult;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/** Reads a {@code Retry-After} header (RFC 9110 section 10.2.3): delay seconds or an HTTP date. Stateless. */
public final class RetryAfter {

    private RetryAfter() {
    }

    /** How long {@code result} asks to wait, measured from {@code now}; empty when it does not say or says nonsense. */
    public static Optional<Duration> of(HttpResult result, Instant now) {
        return result.header("Retry-After").flatMap(value -> parse(value, now));
    }

    static Optional<Duration> parse(String value, Instant now) {
        String trimmed = value.trim();
        if (trimmed.isEmpty()) {
            return Optional.empty();
        }
        if (Character.isDigit(trimmed.charAt(0))) {
            try {
                return Optional.of(Duration.ofMillis(Math.round(Double.parseDouble(trimmed) * 1000)));
            } catch (NumberFormatException notSeconds) {
                return Optional.empty();
            }
        }
        try {
            Instant until = ZonedDateTime.parse(trimmed, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            Duration wait = Duration.between(now, until);
            return Optional.of(wait.isNegative() ? Duration.ZERO : wait);
        } catch (DateTimeParseException notDate) {
            return Optional.empty();
        }
    }
}
