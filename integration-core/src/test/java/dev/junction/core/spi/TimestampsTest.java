package dev.junction.core.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TimestampsTest {

    @ParameterizedTest
    @ValueSource(strings = {
            "2024-03-01T12:34:56Z", "2024-03-01T12:34:56+00:00", "2024-03-01T12:34:56-05:00",
            "2024-03-01T23:59:59+14:00", "2024-02-29T00:00:00.5Z", "2024-03-01T12:34:56.123-05:30",
            "2024-03-01T12:34:56.123456789Z", "2024-03-01T12:34Z", "2024-03-01T12:34:56.Z",
            "+12024-03-01T12:34:56Z", "2024-03-01T12:34:56+05:00:30", "0000-01-01T00:00:00Z", "0000-02-29T12:00:00Z",
            "0400-02-29T12:00:00Z", "2000-02-29T12:00:00Z", "9999-12-31T23:59:59.999999999Z"})
    void agreesWithTheGeneralParser(String text) {
        OffsetDateTime expected = OffsetDateTime.parse(text);

        assertThat(Timestamps.instant(text)).isEqualTo(expected.toInstant());
        assertThat(Timestamps.localDate(text)).isEqualTo(expected.toLocalDate());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "2024-02-30T12:34:56Z", "2023-02-29T12:34:56Z", "1900-02-29T00:00:00Z", "2024-04-31T00:00:00Z",
            "2024-00-10T00:00:00Z", "2024-03-00T00:00:00Z", "2024-03-01T12:60:00Z", "2024-03-01T12:00:60Z",
            "2024-03-01T12:00:00+18:01", "2024-13-01T12:34:56Z", "2024-03-01T24:00:00Z", "2024-03-01T12:34:56",
            "2024-03-01T12:34:56+19:00", "2024-03-01 12:34:56Z", "2024-03-01T12:34:56+0500", "2024-03-01T1a:34:56Z",
            "2024-03-01T12:34:56.1234567891Z", "0100-02-29T00:00:00Z", "2100-02-29T00:00:00Z", "0001-02-29T00:00:00Z",
            "2024-03-01T12:34:56Zjunk", "", "yesterday"})
    void refusesWhatTheGeneralParserRefuses(String text) {
        assertThatThrownBy(() -> OffsetDateTime.parse(text)).isInstanceOf(DateTimeParseException.class);
        assertThatThrownBy(() -> Timestamps.instant(text)).isInstanceOf(DateTimeParseException.class);
    }

    /** Every day of four centuries (leap rules at 1900, 2000, 2100 included), at varied times, fractions and offsets. */
    @Test
    void agreesWithTheGeneralParserOnEveryDayOfFourCenturies() {
        Random random = new Random(42);
        String[] offsets = {"Z", "+00:00", "-05:00", "+05:30", "-09:30", "+14:00", "-12:00", "+18:00", "-18:00"};
        for (LocalDate date = LocalDate.of(1899, 12, 1); date.getYear() < 2300; date = date.plusDays(1)) {
            String fraction = switch (random.nextInt(4)) {
                case 0 -> "";
                case 1 -> "." + random.nextInt(10);
                case 2 -> String.format(".%03d", random.nextInt(1000));
                default -> String.format(".%09d", random.nextInt(1_000_000_000));
            };
            String text = String.format("%sT%02d:%02d:%02d%s%s", date, random.nextInt(24), random.nextInt(60), random.nextInt(60),
                    fraction, offsets[random.nextInt(offsets.length)]);
            assertThat(Timestamps.instant(text)).as(text).isEqualTo(OffsetDateTime.parse(text).toInstant());
        }
    }

    /**
     * Every date-time text in the providers' published payloads (the fixtures of every module): the same instant as
     * {@code OffsetDateTime.parse}, or refused by both (Ascora's offset-less local times, for one).
     */
    @Test
    void agreesWithTheGeneralParserOnEveryTimestampInTheProvidersFixtures() throws IOException {
        ObjectMapper mapper = new ObjectMapper();
        Pattern dateTime = Pattern.compile("\\d{4}-\\d{2}-\\d{2}T.*");
        List<String> texts = new ArrayList<>();
        try (Stream<Path> files = Files.walk(Path.of("..").toAbsolutePath().normalize(), 6)) {
            for (Path fixture : files.filter(file -> file.toString().contains("src/test/resources/fixtures")
                    && file.toString().endsWith(".json")).toList()) {
                collectTexts(mapper.readTree(fixture.toFile()), texts);
            }
        }
        List<String> timestamps = texts.stream().filter(text -> dateTime.matcher(text).matches()).toList();
        assertThat(timestamps).hasSizeGreaterThan(50); // 60 when written
        int parsed = 0;
        for (String text : timestamps) {
            Instant expected;
            try {
                expected = OffsetDateTime.parse(text).toInstant();
            } catch (DateTimeParseException refused) {
                assertThatThrownBy(() -> Timestamps.instant(text)).as(text).isInstanceOf(DateTimeParseException.class);
                continue;
            }
            assertThat(Timestamps.instant(text)).as(text).isEqualTo(expected);
            parsed++;
        }
        assertThat(parsed).isGreaterThan(50);
    }

    private static void collectTexts(JsonNode node, List<String> texts) {
        if (node.isTextual()) {
            texts.add(node.asText());
        }
        node.forEach(child -> collectTexts(child, texts));
    }

    @Test
    void keepsTheWrittenDateInItsOwnOffset() {
        assertThat(Timestamps.localDate("2024-03-01T23:30:00-05:00")).hasToString("2024-03-01");
        assertThat(Timestamps.instant("2024-03-01T23:30:00-05:00")).hasToString("2024-03-02T04:30:00Z");
    }
}
