package dev.junction.provider.clio;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/**
 * Parses Clio's timestamps ({@code 2024-03-01T12:34:56Z}, {@code 2024-03-01T12:34:56.123-05:00}) to an
 * {@link Instant}, with the result and the errors of {@link OffsetDateTime#parse(CharSequence)}.
 *
 * <p>The common shape is read by hand: {@code OffsetDateTime.parse} goes through a general formatter that fills a
 * map per call, and with two or three timestamps in every record it was the largest cost of transforming a page.
 * Anything else (other shapes, out-of-range fields) falls back to {@code OffsetDateTime.parse}, so the accepted
 * texts and the exceptions are unchanged. Stateless and thread-safe.
 */
final class ClioTimestamps {

    private ClioTimestamps() {
    }

    /**
     * The instant {@code text} denotes.
     *
     * @throws DateTimeParseException when it is not an ISO-8601 date-time with an offset
     */
    static Instant instant(String text) {
        OffsetDateTime fast = fastParse(text);
        return fast != null ? fast.toInstant() : OffsetDateTime.parse(text).toInstant();
    }

    /**
     * The local date of the date-time {@code text} (the date as written, in its own offset).
     *
     * @throws DateTimeParseException when it is not an ISO-8601 date-time with an offset
     */
    static LocalDate localDate(String text) {
        OffsetDateTime fast = fastParse(text);
        return fast != null ? fast.toLocalDate() : OffsetDateTime.parse(text).toLocalDate();
    }

    /** {@code yyyy-MM-ddTHH:mm:ss[.f{1,9}](Z|±HH:MM)}, or null for anything else (left to the general parser). */
    private static OffsetDateTime fastParse(String text) {
        int length = text.length();
        if (length < 20 || text.charAt(4) != '-' || text.charAt(7) != '-' || text.charAt(10) != 'T'
                || text.charAt(13) != ':' || text.charAt(16) != ':') {
            return null;
        }
        int year = digits(text, 0, 4);
        int month = digits(text, 5, 2);
        int day = digits(text, 8, 2);
        int hour = digits(text, 11, 2);
        int minute = digits(text, 14, 2);
        int second = digits(text, 17, 2);
        if ((year | month | day | hour | minute | second) < 0) {
            return null;
        }
        int position = 19;
        int nano = 0;
        if (text.charAt(position) == '.') {
            int start = ++position;
            while (position < length && position - start < 9 && isDigit(text.charAt(position))) {
                nano = nano * 10 + (text.charAt(position) - '0');
                position++;
            }
            int count = position - start;
            if (count == 0) {
                return null;
            }
            for (int i = count; i < 9; i++) {
                nano *= 10;
            }
        }
        if (position >= length) {
            return null;
        }
        ZoneOffset offset;
        char sign = text.charAt(position);
        if (sign == 'Z' && position + 1 == length) {
            offset = ZoneOffset.UTC;
        } else if ((sign == '+' || sign == '-') && position + 6 == length && text.charAt(position + 3) == ':') {
            int hours = digits(text, position + 1, 2);
            int minutes = digits(text, position + 4, 2);
            if ((hours | minutes) < 0) {
                return null;
            }
            try {
                offset = ZoneOffset.ofHoursMinutes(sign == '-' ? -hours : hours, sign == '-' ? -minutes : minutes);
            } catch (DateTimeException outOfRange) {
                return null;
            }
        } else {
            return null;
        }
        try {
            return OffsetDateTime.of(LocalDateTime.of(year, month, day, hour, minute, second, nano), offset);
        } catch (DateTimeException outOfRange) {
            return null; // the general parser reports it in its own words
        }
    }

    private static int digits(String text, int start, int count) {
        int value = 0;
        for (int i = start; i < start + count; i++) {
            char character = text.charAt(i);
            if (!isDigit(character)) {
                return -1;
            }
            value = value * 10 + (character - '0');
        }
        return value;
    }

    private static boolean isDigit(char character) {
        return character >= '0' && character <= '9';
    }
}
