package dev.junction.core.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.junction.core.http.internal.JsonBodies;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@link PageResponse#items}: each element of a list page with the exact text it was parsed from. */
class PageItemsTest {

    private static final ObjectMapper MAPPER = JsonBodies.standardMapper();

    private static PageResponse page(String body) throws Exception {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return new PageResponse(HttpResult.of(200, Map.of(), bytes), MAPPER.readTree(bytes), Optional.empty());
    }

    @Test
    void eachElementKeepsItsOwnTextWhateverTheSpacingEscapesAndCharacters() throws Exception {
        String first = "{\"id\": 1, \"name\": \"Zoë \\\"Z\\\" Ōkafor 🙂\", \"note\": \"braces } ] { [ inside\",\n"
                + "    \"tags\": [[1, 2], {\"a\": null}], \"amount\": 1.50e2, \"ok\": true}";
        String second = "{\"id\":\"x-2\",\"escaped\":\"\\u00e9\\n\\\\\",\"nested\":{\"deep\":{\"deeper\":[{}]}}}";
        String third = "[\"an\", \"array\"]";
        String body = "{\n  \"meta\": {\"paging\": {\"next\": \"https://example.test/?a=[1]\"}, \"data\": 3},\n  \"data\": [\n    "
                + first + " ,\n\t" + second + ",\r\n" + third + "\n  ],\n  \"after\": [ {\"id\": 9} ]\n}";

        List<PageItem> items = page(body).items("data").orElseThrow();

        assertThat(items).extracting(PageItem::json).containsExactly(first, second, third);
        for (PageItem item : items) {
            assertThat(MAPPER.readTree(item.json())).isEqualTo(item.node());
        }
    }

    @Test
    void anEmptyArrayHasNoItemsAndAMissingOneIsEmpty() throws Exception {
        assertThat(page("{\"data\": [], \"meta\": {}}").items("data")).hasValue(List.of());
        assertThat(page("{\"meta\": {}}").items("data")).isEmpty();
        assertThat(page("{\"data\": {\"id\": 1}}").items("data")).isEmpty();
    }

    @Test
    void whenTheTextCannotBeCutOutTheNodesStillComeWithoutIt() throws Exception {
        // Scalars among the elements: their exact text is not worth the risk; every element falls back.
        List<PageItem> mixed = page("{\"data\": [{\"id\": 1}, 7, \"x\"]}").items("data").orElseThrow();
        assertThat(mixed).extracting(PageItem::json).containsOnlyNulls();
        assertThat(mixed).extracting(item -> item.node().toString()).containsExactly("{\"id\":1}", "7", "\"x\"");

        // The field twice: the parsed tree keeps the last one, so texts from the first would be wrong.
        List<PageItem> twice = page("{\"data\": [{\"id\": 1}], \"data\": [{\"id\": 2}]}").items("data").orElseThrow();
        assertThat(twice).extracting(item -> item.node().path("id").asInt()).containsExactly(2);
        assertThat(twice).extracting(PageItem::json).containsOnlyNulls();
    }

    @Test
    void parsingAPageInOnePassGivesTheSameTreeAsParsingItWholeAndTheTextsOfItsArrays() throws Exception {
        String[] bodies = {
            "{\"data\": [{\"id\": 1, \"a\": [1, {\"b\": null}]}, {\"id\": \"2\"}], \"meta\": {\"paging\": {}}, \"count\": 2}",
            "{\"meta\": null, \"data\": [], \"flag\": true, \"n\": 1.5e3, \"s\": \"x\"}",
            "{\"data\": [{\"id\": 1}], \"data\": [{\"id\": 2}, {\"id\": 3}]}",
            "{\"data\": [{\"id\": 1}], \"data\": \"replaced\"}",
            "{\"data\": [null, {\"id\": 1}, 7], \"other\": [[1], [2]]}",
            "  {\"data\" : [ {\"id\":1} ,{\"id\" : 2}\n] }  ",
            "{}"};
        for (String text : bodies) {
            HttpResult result = HttpResult.of(200, Map.of(), text.getBytes(StandardCharsets.UTF_8));
            JsonBodies.ParsedPage parsed = JsonBodies.parsePage(MAPPER, result, "GET /x", dev.junction.core.error.ErrorContext.provider("p"));

            assertThat(parsed.body()).as(text).isEqualTo(JsonBodies.parse(MAPPER, result, "GET /x", dev.junction.core.error.ErrorContext.provider("p")));
            parsed.elementTexts().forEach((field, texts) -> {
                assertThat(texts).hasSize(parsed.body().get(field).size());
                for (int i = 0; i < texts.size(); i++) {
                    try {
                        assertThat(MAPPER.readTree(texts.get(i))).isEqualTo(parsed.body().get(field).get(i));
                    } catch (java.io.IOException e) {
                        throw new AssertionError(e);
                    }
                }
            });
        }
        HttpResult duplicate = HttpResult.of(200, Map.of(), bodies[2].getBytes(StandardCharsets.UTF_8));
        assertThat(JsonBodies.parsePage(MAPPER, duplicate, "GET /x", dev.junction.core.error.ErrorContext.provider("p")).elementTexts())
                .containsEntry("data", List.of("{\"id\": 2}", "{\"id\": 3}"));
        HttpResult replaced = HttpResult.of(200, Map.of(), bodies[3].getBytes(StandardCharsets.UTF_8));
        assertThat(JsonBodies.parsePage(MAPPER, replaced, "GET /x", dev.junction.core.error.ErrorContext.provider("p")).elementTexts())
                .doesNotContainKey("data");
        HttpResult mixed = HttpResult.of(200, Map.of(), bodies[4].getBytes(StandardCharsets.UTF_8));
        assertThat(JsonBodies.parsePage(MAPPER, mixed, "GET /x", dev.junction.core.error.ErrorContext.provider("p")).elementTexts())
                .doesNotContainKey("data").containsEntry("other", List.of("[1]", "[2]"));
    }

    @Test
    void aBrokenPageIsAnUnexpectedPayloadThatDoesNotQuoteTheBody() {
        for (String text : new String[] {"{\"data\": [{\"id\": 1}", "{\"data\": [{\"id\": 1}]} trailing", "{\"data\": [{\"secret\": tru}]}"}) {
            HttpResult result = HttpResult.of(200, Map.of(), text.getBytes(StandardCharsets.UTF_8));
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> JsonBodies.parsePage(MAPPER, result, "GET /x",
                            dev.junction.core.error.ErrorContext.provider("p")))
                    .isInstanceOf(dev.junction.core.error.JunctionException.class)
                    .satisfies(e -> assertThat(((dev.junction.core.error.JunctionException) e).kind())
                            .isEqualTo(dev.junction.core.error.ErrorKind.UNEXPECTED_PAYLOAD))
                    .hasMessageNotContaining("secret").hasMessageNotContaining("trailing");
        }
    }

    @Test
    void aBodyWithAByteOrderMarkFallsBack() throws Exception {
        byte[] json = "{\"data\": [{\"id\": 1}]}".getBytes(StandardCharsets.UTF_8);
        byte[] bom = new byte[json.length + 3];
        bom[0] = (byte) 0xef;
        bom[1] = (byte) 0xbb;
        bom[2] = (byte) 0xbf;
        System.arraycopy(json, 0, bom, 3, json.length);
        JsonNode tree = MAPPER.readTree(json);

        assertThat(JsonBodies.arrayElementTexts(bom, "data", 1)).isNull();
        assertThat(JsonBodies.arrayElementTexts(json, "data", 1)).containsExactly("{\"id\": 1}");
        assertThat(new PageResponse(HttpResult.of(200, Map.of(), bom), tree, Optional.empty()).items("data").orElseThrow())
                .extracting(PageItem::json).containsOnlyNulls();
    }
}
