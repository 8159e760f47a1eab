package dev.junction.core.spi;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/**
 * ISO-8601 timestamps with an offset ({@code 2024-03-01T12:34:56Z}, {@code 2024-03-01T12:34:56.123-05:00}), as
 * providers send them, parsed with the result and the errors of {@link OffsetDateTime#parse(CharSequence)}: a
 * transformer calls {@link #instant} where it would call {@code OffsetDateTime.parse(text).toInstant()}.
 *
 * <p>The common shape is read by hand: {@code OffsetDateTime.parse} goes through a general formatter that fills a
 * map per call, and with two or three timestamps in every record it was the largest cost of transforming a page.
 * Anything else (other shapes, out-of-range fields) falls back to {@code OffsetDateTime.parse}, so the accepted
 * texts and the exceptions are unchanged. Stateless and thread-safe.
 */
public final class Timestamps {

    private Timestamps() {
    }

    /**
     * The instant {@code text} denotes.
     *
     * @throws DateTimeParseException when it is not an ISO-8601 date-time with an offset
     */
    public static Instant instant(String text) {
        Fields fields = parse(text);
        Instant fast = fields == null ? null : fields.instant();
        return fast != null ? fast : OffsetDateTime.parse(text).toInstant();
    }

    /**
     * The local date of the date-time {@code text} (the date as written, in its own offset).
     *
     * @throws DateTimeParseException when it is not an ISO-8601 date-time with an offset
     */
    public static LocalDate localDate(String text) {
        Fields fields = parse(text);
        OffsetDateTime fast = fields == null ? null : fields.offsetDateTime();
        return fast != null ? fast.toLocalDate() : OffsetDateTime.parse(text).toLocalDate();
    }

    /** Days before each month's first: twelve for a common year, then twelve for a leap year. */
    private static final int[] DAYS_BEFORE_MONTH = {0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334,
            0, 31, 60, 91, 121, 152, 182, 213, 244, 274, 305, 335};
    /** Days in each month: twelve for a common year, then twelve for a leap year. */
    private static final int[] DAYS_IN_MONTH = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31,
            31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    /** Days from 0000-01-01 to 1970-01-01 in the proleptic Gregorian calendar. */
    private static final long DAYS_0000_TO_1970 = 719_528;

    /** The fields of {@code yyyy-MM-ddTHH:mm:ss[.f{1,9}](Z|±HH:MM)}, each in its range. */
    private record Fields(int year, int month, int day, int hour, int minute, int second, int nano, int offsetSeconds) {

        /**
         * The instant, computed from the fields without building a date-time and without a branch on the date:
         * {@code LocalDate}'s validation switches on the month, and such branches (a leap year, February), first
         * taken deep into a sync as the records' dates vary, made the optimising compiler throw away and recompile
         * the whole transformer it had inlined them into. The leap-year flag is computed with sign bits, and the
         * month tables are indexed by it.
         */
        Instant instant() {
            int month0 = (isLeap(year) * 12) + month - 1;
            if (day > DAYS_IN_MONTH[month0]) {
                return null; // the general parser reports it
            }
            long days = 365L * year + (year + 3) / 4 - (year + 99) / 100 + (year + 399) / 400
                    + DAYS_BEFORE_MONTH[month0] + day - 1 - DAYS_0000_TO_1970;
            return Instant.ofEpochSecond(days * 86_400 + hour * 3_600 + minute * 60 + second - offsetSeconds, nano);
        }

        /** 1 for a leap year of 0..9999, else 0: {@code (x - 1) >>> 31} is 1 exactly when x is 0. */
        private static int isLeap(int year) {
            int by4 = ((year & 3) - 1) >>> 31;
            int by100 = ((year % 100) - 1) >>> 31;
            int by400 = ((year % 400) - 1) >>> 31;
            return by4 & ((by100 ^ 1) | by400);
        }

        OffsetDateTime offsetDateTime() {
            try {
                return OffsetDateTime.of(LocalDateTime.of(year, month, day, hour, minute, second, nano),
                        ZoneOffset.ofTotalSeconds(offsetSeconds));
            } catch (DateTimeException outOfRange) {
                return null; // the general parser reports it in its own words
            }
        }
    }

    /**
     * The fields of {@code yyyy-MM-ddTHH:mm:ss[.f{1,9}](Z|±HH:MM)}, or null for any other shape or a field out of range
     * (left to the general parser).
     */
    private static Fields parse(String text) {
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
        int offsetSeconds;
        char sign = text.charAt(position);
        if (sign == 'Z' && position + 1 == length) {
            offsetSeconds = 0;
        } else if ((sign == '+' || sign == '-') && position + 6 == length && text.charAt(position + 3) == ':') {
            int hours = digits(text, position + 1, 2);
            int minutes = digits(text, position + 4, 2);
            if (hours < 0 || minutes < 0 || minutes > 59 || hours * 3_600 + minutes * 60 > 18 * 3_600) {
                return null; // ZoneOffset's range: ±18:00
            }
            offsetSeconds = (sign == '-' ? -1 : 1) * (hours * 3_600 + minutes * 60);
        } else {
            return null;
        }
        if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) {
            return null;
        }
        return new Fields(year, month, day, hour, minute, second, nano, offsetSeconds);
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
