package dev.junction.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class PathPatternTest {

    @Test
    void literalPatternMatchesOnlyItsOwnPath() {
        PathPattern pattern = PathPattern.compile("/api/v4/contacts.json");

        assertThat(pattern.match("/api/v4/contacts.json")).contains(Map.of());
        assertThat(pattern.matches("/api/v4/contacts")).isFalse();
        assertThat(pattern.matches("/api/v4/contactsXjson")).isFalse();
    }

    @Test
    void parameterCapturesPartOfASegmentBeforeALiteralSuffix() {
        PathPattern pattern = PathPattern.compile("/api/v4/contacts/{id}.json");

        assertThat(pattern.match("/api/v4/contacts/12.json")).contains(Map.of("id", "12"));
        assertThat(pattern.matches("/api/v4/contacts/12")).isFalse();
        assertThat(pattern.matches("/api/v4/contacts/.json")).isFalse();
    }

    @Test
    void parametersWithUnderscoresAreCapturedInOrder() {
        PathPattern pattern = PathPattern.compile("/webhooks/{webhook_id}/events/{event_id}");

        assertThat(pattern.match("/webhooks/7/events/abc"))
                .contains(Map.of("webhook_id", "7", "event_id", "abc"));
    }

    @Test
    void singleStarStaysWithinASegmentAndDoubleStarCrossesSegments() {
        assertThat(PathPattern.compile("/api/*/contacts").matches("/api/v4/contacts")).isTrue();
        assertThat(PathPattern.compile("/api/*/contacts").matches("/api/v4/x/contacts")).isFalse();
        assertThat(PathPattern.compile("/api/v4/**").matches("/api/v4/users/who_am_i.json")).isTrue();
        assertThat(PathPattern.compile("/api/v4/**").matches("/oauth/token")).isFalse();
    }

    @Test
    void regexCharactersInLiteralsAreMatchedLiterally() {
        assertThat(PathPattern.compile("/a+b(c)").matches("/a+b(c)")).isTrue();
        assertThat(PathPattern.compile("/a+b(c)").matches("/aab(c)")).isFalse();
    }

    @Test
    void unclosedParameterIsRejected() {
        assertThatThrownBy(() -> PathPattern.compile("/contacts/{id")).isInstanceOf(IllegalArgumentException.class);
    }
}
