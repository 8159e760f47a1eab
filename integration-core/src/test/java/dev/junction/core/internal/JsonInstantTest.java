package dev.junction.core.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Core's JSON writes instants by hand, and must write exactly what {@link Instant#toString()} writes. */
class JsonInstantTest {

    @Test
    void instantsAreWrittenExactlyAsToStringWritesThem() throws Exception {
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 20_000; i++) {
            long seconds = random.nextLong(Instant.parse("0000-01-01T00:00:00Z").getEpochSecond(),
                    Instant.parse("9999-12-31T23:59:59Z").getEpochSecond());
            int nano = switch (i % 4) {
                case 0 -> 0;
                case 1 -> random.nextInt(1000) * 1_000_000;
                case 2 -> random.nextInt(1_000_000) * 1_000;
                default -> random.nextInt(1_000_000_000);
            };
            Instant value = Instant.ofEpochSecond(seconds, nano);
            assertThat(Json.iso(value)).isEqualTo(value.toString());
            assertThat(Json.write(value)).isEqualTo("\"" + value + "\"");
        }
        // Every day of four centuries either side of the epoch, at a random second (the date is computed by hand).
        for (long day = Instant.parse("1600-01-01T00:00:00Z").getEpochSecond() / 86_400;
                day <= Instant.parse("2400-12-31T00:00:00Z").getEpochSecond() / 86_400; day++) {
            Instant value = Instant.ofEpochSecond(day * 86_400 + random.nextInt(86_400));
            assertThat(Json.iso(value)).isEqualTo(value.toString());
        }
        for (Instant edge : new Instant[] {Instant.parse("0000-01-01T00:00:00Z"), Instant.parse("0000-02-29T23:59:59Z"),
                Instant.parse("0000-03-01T00:00:00Z"), Instant.parse("9999-12-31T23:59:59.999999999Z"), Instant.EPOCH, Instant.MIN, Instant.MAX, Instant.parse("-0001-12-31T23:59:59Z"),
                Instant.parse("+10000-01-01T00:00:00Z"), Instant.parse("1969-12-31T23:59:59.999999999Z")}) {
            assertThat(Json.iso(edge)).isEqualTo(edge.toString());
            assertThat(Json.read(Json.write(edge), Instant.class)).isEqualTo(edge);
        }
    }
}
