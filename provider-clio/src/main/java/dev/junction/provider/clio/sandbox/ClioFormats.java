package dev.junction.provider.clio.sandbox;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/** How Clio writes and reads times: ISO-8601 timestamps with an offset, and ISO-8601 dates. */
final class ClioFormats {

    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssXXX");

    private ClioFormats() {
    }

    /** A timestamp such as {@code 2024-05-01T12:00:00Z}, in UTC, to the second. */
    static String timestamp(Instant instant) {
        return TIMESTAMP.format(instant.atOffset(ZoneOffset.UTC));
    }

    /** A date such as {@code 2024-05-01}, in UTC. */
    static String date(Instant instant) {
        return DateTimeFormatter.ISO_LOCAL_DATE.format(instant.atOffset(ZoneOffset.UTC));
    }

    /** Parses an ISO-8601 timestamp with an offset ({@code 2024-05-01T12:00:00-07:00} or {@code ...Z}). */
    static Optional<Instant> parseTimestamp(String text) {
        try {
            return Optional.of(OffsetDateTime.parse(text).toInstant());
        } catch (DateTimeParseException malformed) {
            return Optional.empty();
        }
    }
}
