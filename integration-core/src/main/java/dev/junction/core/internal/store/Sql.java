package dev.junction.core.internal.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/** Small helpers shared by the repositories: timestamps go in and out as UTC {@link OffsetDateTime}. */
final class Sql {

    private Sql() {
    }

    static OffsetDateTime timestamp(Instant instant) {
        // Not instant.atOffset(UTC): that builds the offset's ZoneRules on every call (three timestamps a row).
        return instant == null ? null
                : OffsetDateTime.of(LocalDateTime.ofEpochSecond(instant.getEpochSecond(), instant.getNano(), ZoneOffset.UTC),
                        ZoneOffset.UTC);
    }

    /**
     * The instant as ISO-8601 text in UTC (null for null), for a {@code ?::timestamptz} parameter of a statement that
     * runs once a page: the driver's {@code setObject} is one large method that a cold JVM's optimising compiler
     * compiled for half a second once it was hot, where this reuses the formatter the unified records' JSON keeps hot.
     */
    static String isoText(Instant instant) {
        return instant == null ? null : dev.junction.core.internal.Json.iso(instant);
    }

    static Instant instant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }
}
