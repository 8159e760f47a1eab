package dev.junction.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class QueryParametersTest {

    @Test
    void parsingDecodesPercentEscapesAndPlusSigns() {
        QueryParameters query = QueryParameters.parse("fields=id%2Cname%7Bfirst%7D&q=a+b&flag");

        assertThat(query.first("fields")).contains("id,name{first}");
        assertThat(query.first("q")).contains("a b");
        assertThat(query.first("flag")).contains("");
        assertThat(query.first("missing")).isEmpty();
    }

    @Test
    void repeatedNamesKeepEveryValueInOrder() {
        QueryParameters query = QueryParameters.parse("ids[]=1&ids[]=2&limit=5");

        assertThat(query.all("ids[]")).containsExactly("1", "2");
        assertThat(query.asMap()).containsEntry("ids[]", List.of("1", "2")).containsEntry("limit", List.of("5"));
    }

    @Test
    void encodingRoundTripsThroughParsing() {
        QueryParameters query = QueryParameters.empty()
                .with("fields", "id,client{id,name}")
                .with("updated_since", "2024-05-01T12:00:00+02:00");

        assertThat(QueryParameters.parse(query.encode())).isEqualTo(query);
    }

    @Test
    void replacingRemovesEveryOldValueAndAppendsTheNewOne() {
        QueryParameters query = QueryParameters.parse("page_token=a&limit=5&page_token=b");

        assertThat(query.replacing("page_token", "c").encode()).isEqualTo("limit=5&page_token=c");
        assertThat(query.without("page_token").encode()).isEqualTo("limit=5");
    }

    @Test
    void emptyOrMissingQueryGivesNoParameters() {
        assertThat(QueryParameters.parse(null).isEmpty()).isTrue();
        assertThat(QueryParameters.parse("").isEmpty()).isTrue();
    }
}
