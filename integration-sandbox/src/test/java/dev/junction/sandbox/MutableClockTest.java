package dev.junction.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

class MutableClockTest {

    private static final Instant START = Instant.parse("2024-05-01T12:00:00Z");

    @Test
    void clockStandsStillUntilMoved() {
        MutableClock clock = MutableClock.at(START);

        assertThat(clock.instant()).isEqualTo(START);
        assertThat(clock.instant()).isEqualTo(START);
    }

    @Test
    void advanceMovesForwardAndReturnsTheNewInstant() {
        MutableClock clock = MutableClock.at(START);

        assertThat(clock.advance(Duration.ofSeconds(61))).isEqualTo(START.plusSeconds(61));
        assertThat(clock.instant()).isEqualTo(START.plusSeconds(61));
    }

    @Test
    void setInstantMovesToAnyInstant() {
        MutableClock clock = MutableClock.at(START);

        clock.setInstant(START.minusSeconds(5));

        assertThat(clock.millis()).isEqualTo(START.minusSeconds(5).toEpochMilli());
    }

    @Test
    void zonedViewSharesTheSameTime() {
        MutableClock clock = MutableClock.at(START);
        Clock paris = clock.withZone(ZoneId.of("Europe/Paris"));

        clock.advance(Duration.ofMinutes(1));

        assertThat(paris.instant()).isEqualTo(START.plusSeconds(60));
        assertThat(paris.getZone()).isEqualTo(ZoneId.of("Europe/Paris"));
    }
}
