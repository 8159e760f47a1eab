package dev.junction.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PaginationTest {

    @Test
    void pageTokenRoundTripsAndLooksOpaque() {
        String encoded = new PageToken(12_345).encode();

        assertThat(encoded).doesNotContain("12345").matches("[A-Za-z0-9_-]+");
        assertThat(PageToken.decode(encoded)).contains(new PageToken(12_345));
    }

    @Test
    void foreignOrDamagedPageTokensAreRejected() {
        assertThat(PageToken.decode("not base64 !")).isEmpty();
        assertThat(PageToken.decode("aGVsbG8")).isEmpty();
        assertThat(PageToken.decode(new PageToken(5).encode() + "x")).isEmpty();
    }

    @Test
    void pageNumbersMapToOffsets() {
        OffsetPage third = OffsetPage.ofPageNumber(3, 50);

        assertThat(third).isEqualTo(new OffsetPage(100, 50));
        assertThat(third.pageNumber()).isEqualTo(3);
        assertThat(third.next()).isEqualTo(new OffsetPage(150, 50));
        assertThat(third.previous()).contains(new OffsetPage(50, 50));
        assertThat(OffsetPage.ofPageNumber(1, 50).previous()).isEmpty();
    }

    @Test
    void windowsPastACapAreDetected() {
        assertThat(new OffsetPage(9_800, 200).exceeds(10_000)).isFalse();
        assertThat(new OffsetPage(10_000, 200).exceeds(10_000)).isTrue();
    }

    @Test
    void invalidWindowsAreRejected() {
        assertThatThrownBy(() -> new OffsetPage(-1, 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new OffsetPage(0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> OffsetPage.ofPageNumber(0, 10)).isInstanceOf(IllegalArgumentException.class);
    }
}
