package dev.junction.provider.clio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.InstanceOfAssertFactories.type;

import dev.junction.core.error.ErrorKind;
import dev.junction.core.error.JunctionException;
import java.net.URI;
import org.junit.jupiter.api.Test;

class ClioCustomActionClickTest {

    private static final String BASE = "https://intake.example/clio/open?";

    @Test
    void aClickFromAContactPageNamesTheContact() {
        ClioCustomActionClick click = ClioCustomActionClick.parse(URI.create(BASE
                + "custom_action_id=12&user_id=345&subject_url=%2Fapi%2Fv4%2Fcontacts%2F678&custom_action_nonce=n%2Bonce"));

        assertThat(click).isEqualTo(new ClioCustomActionClick("12", "345", "/api/v4/contacts/678", "contacts", "678", "n+once"));
        assertThat(click.contactId()).contains("678");
        assertThat(click.matterId()).isEmpty();
        assertThat(click.verifyInput().toString()).isEqualTo("{\"custom_action_nonce\":\"n+once\",\"user_id\":\"345\"}");
    }

    @Test
    void absoluteSubjectUrlsAndTheJsonSuffixAreUnderstood() {
        ClioCustomActionClick click = ClioCustomActionClick.parse(URI.create(BASE
                + "custom_action_id=1&user_id=2&subject_url=https%3A%2F%2Fapp.clio.com%2Fapi%2Fv4%2Fmatters%2F99.json"
                + "&custom_action_nonce=x&unrelated=kept"));

        assertThat(click.matterId()).contains("99");
        assertThat(click.subjectEntity()).isEqualTo("matters");
    }

    @Test
    void aSubjectUrlOfAnotherShapeLeavesTheSubjectUnknown() {
        ClioCustomActionClick click = ClioCustomActionClick.parse(URI.create(BASE
                + "custom_action_id=1&user_id=2&subject_url=%2Fsomething%2Felse&custom_action_nonce=x"));

        assertThat(click.subjectUrl()).isEqualTo("/something/else");
        assertThat(click.subjectEntity()).isNull();
        assertThat(click.contactId()).isEmpty();
    }

    @Test
    void missingBlankOrRepeatedParametersAreInvalidInput() {
        for (String query : new String[] {
            "user_id=2&subject_url=%2Fapi%2Fv4%2Fcontacts%2F1&custom_action_nonce=x",
            "custom_action_id=1&user_id=2&subject_url=%2Fapi%2Fv4%2Fcontacts%2F1",
            "custom_action_id=1&user_id=&subject_url=%2Fapi%2Fv4%2Fcontacts%2F1&custom_action_nonce=x",
            "custom_action_id=1&user_id=2&subject_url=%2Fapi%2Fv4%2Fcontacts%2F1&custom_action_nonce=x&custom_action_nonce=y"}) {
            assertThatThrownBy(() -> ClioCustomActionClick.parse(URI.create(BASE + query))).as(query)
                    .asInstanceOf(type(JunctionException.class))
                    .extracting(JunctionException::kind).isEqualTo(ErrorKind.INVALID_INPUT);
        }
    }

    @Test
    void toStringHidesTheNonce() {
        ClioCustomActionClick click = new ClioCustomActionClick("1", "2", "/api/v4/contacts/3", "contacts", "3", "secret-nonce");

        assertThat(click.toString()).doesNotContain("secret-nonce").contains("nonce=***");
    }
}
