package dev.junction.provider.clio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ClioTimestampsTest {

    @ParameterizedTest
    @ValueSource(strings = {
            "2024-03-01T12:34:56Z", "2024-03-01T12:34:56+00:00", "2024-03-01T12:34:56-05:00",
            "2024-03-01T23:59:59+14:00", "2024-02-29T00:00:00.5Z", "2024-03-01T12:34:56.123-05:30",
            "2024-03-01T12:34:56.123456789Z", "2024-03-01T12:34Z", "2024-03-01T12:34:56.Z",
            "+12024-03-01T12:34:56Z", "2024-03-01T12:34:56+05:00:30"})
    void agreesWithTheGeneralParser(String text) {
        OffsetDateTime expected = OffsetDateTime.parse(text);

        assertThat(ClioTimestamps.instant(text)).isEqualTo(expected.toInstant());
        assertThat(ClioTimestamps.localDate(text)).isEqualTo(expected.toLocalDate());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "2024-02-30T12:34:56Z", "2024-13-01T12:34:56Z", "2024-03-01T24:00:00Z", "2024-03-01T12:34:56",
            "2024-03-01T12:34:56+19:00", "2024-03-01 12:34:56Z", "2024-03-01T12:34:56+0500", "2024-03-01T1a:34:56Z",
            "2024-03-01T12:34:56.1234567891Z",
            "2024-03-01T12:34:56Zjunk", "", "yesterday"})
    void refusesWhatTheGeneralParserRefuses(String text) {
        assertThatThrownBy(() -> OffsetDateTime.parse(text)).isInstanceOf(DateTimeParseException.class);
        assertThatThrownBy(() -> ClioTimestamps.instant(text)).isInstanceOf(DateTimeParseException.class);
    }

    @Test
    void keepsTheWrittenDateInItsOwnOffset() {
        assertThat(ClioTimestamps.localDate("2024-03-01T23:30:00-05:00")).hasToString("2024-03-01");
        assertThat(ClioTimestamps.instant("2024-03-01T23:30:00-05:00")).hasToString("2024-03-02T04:30:00Z");
    }
}
