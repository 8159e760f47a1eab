package dev.junction.provider.cliniko;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.junction.core.error.ErrorKind;
import dev.junction.core.error.JunctionException;
import dev.junction.provider.cliniko.ClinikoConnector.Position;
import dev.junction.provider.cliniko.ClinikoEntity.Listing;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The checkpoint cursor names the listing, so a resumed pass continues where it stopped. */
class ClinikoConnectorCursorTest {

    private final List<Listing> incremental = ClinikoEntity.PATIENTS.listings(true);

    @Test
    void aPassReadsTheMainListingThenTheStateListingsThenInIncrementalPassesTheDeletedOne() {
        assertThat(ClinikoEntity.PATIENTS.listings(false)).containsExactly(Listing.MAIN, Listing.ARCHIVED);
        assertThat(incremental).containsExactly(Listing.MAIN, Listing.ARCHIVED, Listing.DELETED);
        assertThat(ClinikoEntity.INDIVIDUAL_APPOINTMENTS.listings(true)).containsExactly(Listing.MAIN, Listing.CANCELLED, Listing.DELETED);
        assertThat(ClinikoEntity.PRACTITIONERS.listings(true)).containsExactly(Listing.MAIN, Listing.INACTIVE);
        assertThat(ClinikoEntity.BUSINESSES.listings(true)).containsExactly(Listing.MAIN);
    }

    @Test
    void theCursorMovesThroughPagesAndListingsAndEndsAfterTheLast() {
        Position start = Position.parse(Optional.empty(), incremental);
        assertThat(start).isEqualTo(new Position(Listing.MAIN, Optional.empty()));

        Optional<String> nextPage = start.next(Optional.of("https://api.au1.cliniko.com/v1/patients?page=2&per_page=100"), incremental);
        assertThat(nextPage).contains("MAIN|https://api.au1.cliniko.com/v1/patients?page=2&per_page=100");
        assertThat(Position.parse(nextPage, incremental).nextUrl()).contains("https://api.au1.cliniko.com/v1/patients?page=2&per_page=100");

        Optional<String> archived = start.next(Optional.empty(), incremental);
        assertThat(archived).contains("ARCHIVED|");
        Position resumed = Position.parse(archived, incremental);
        assertThat(resumed).isEqualTo(new Position(Listing.ARCHIVED, Optional.empty()));
        Position deleted = Position.parse(resumed.next(Optional.empty(), incremental), incremental);
        assertThat(deleted.listing()).isEqualTo(Listing.DELETED);
        assertThat(deleted.next(Optional.empty(), incremental)).isEmpty();
    }

    @Test
    void aCursorFromAnotherKindOfPassOrNotACursorIsRefused() {
        List<Listing> full = ClinikoEntity.PATIENTS.listings(false);
        assertThatThrownBy(() -> Position.parse(Optional.of("DELETED|"), full)).isInstanceOf(JunctionException.class)
                .extracting("kind").isEqualTo(ErrorKind.UNEXPECTED_PAYLOAD);
        assertThatThrownBy(() -> Position.parse(Optional.of("https://api.au1.cliniko.com/v1/patients?page=2"), full))
                .isInstanceOf(JunctionException.class).extracting("kind").isEqualTo(ErrorKind.UNEXPECTED_PAYLOAD);
    }
}
