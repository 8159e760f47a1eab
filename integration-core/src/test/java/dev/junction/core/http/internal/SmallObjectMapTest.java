package dev.junction.core.http.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.junction.core.internal.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.ConcurrentModificationException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The standard mappers' object maps behave as Jackson's own {@code LinkedHashMap}s do. */
class SmallObjectMapTest {

    /** Random puts, removes, iterator removals and clears, below and across the linear limit, against LinkedHashMap. */
    @Test
    void behavesAsALinkedHashMapUnderRandomOperations() {
        SplittableRandom random = new SplittableRandom(11);
        for (int round = 0; round < 300; round++) {
            SmallObjectMap small = new SmallObjectMap();
            Map<String, JsonNode> expected = new LinkedHashMap<>();
            int keySpace = round % 3 == 0 ? 80 : 20;
            for (int step = 0; step < 200; step++) {
                // Keys built at run time, so lookups by an equal but not identical string are exercised too.
                String key = random.nextInt(50) == 0 ? null : new String("field-" + random.nextInt(keySpace));
                int operation = random.nextInt(100);
                if (operation < 60) {
                    JsonNode value = random.nextInt(20) == 0 ? null : IntNode.valueOf(random.nextInt(1000));
                    assertThat(small.put(key, value)).isEqualTo(expected.put(key, value));
                } else if (operation < 85) {
                    assertThat(small.remove(key)).isEqualTo(expected.remove(key));
                } else if (operation < 97) {
                    Iterator<Map.Entry<String, JsonNode>> a = small.entrySet().iterator();
                    Iterator<Map.Entry<String, JsonNode>> b = expected.entrySet().iterator();
                    while (a.hasNext()) {
                        assertThat(a.next()).isEqualTo(b.next());
                        if (random.nextInt(4) == 0) {
                            a.remove();
                            b.remove();
                        }
                    }
                    assertThat(b.hasNext()).isFalse();
                } else if (operation < 98) {
                    small.clear();
                    expected.clear();
                }
                assertThat(small.get(key)).isEqualTo(expected.get(key));
                assertThat(small.containsKey(key)).isEqualTo(expected.containsKey(key));
                assertThat(small.size()).isEqualTo(expected.size());
            }
            assertThat(new ArrayList<>(small.entrySet())).isEqualTo(new ArrayList<>(expected.entrySet()));
            assertThat(small).isEqualTo(expected);
            assertThat(expected).isEqualTo(small);
            assertThat(small.hashCode()).isEqualTo(expected.hashCode());
            assertThat(small.toString()).isEqualTo(expected.toString());
        }
    }

    @Test
    void entriesWriteThroughAndIteratorsNoticeOtherChanges() {
        SmallObjectMap map = new SmallObjectMap();
        map.put("a", IntNode.valueOf(1));
        map.put("b", IntNode.valueOf(2));
        map.entrySet().iterator().next().setValue(TextNode.valueOf("one"));
        assertThat(map.get("a")).isEqualTo(TextNode.valueOf("one"));

        Iterator<Map.Entry<String, JsonNode>> entries = map.entrySet().iterator();
        entries.next();
        map.put("c", IntNode.valueOf(3));
        assertThatThrownBy(entries::next).isInstanceOf(ConcurrentModificationException.class);
        assertThatThrownBy(() -> map.entrySet().iterator().remove()).isInstanceOf(IllegalStateException.class);
    }

    /** Every provider fixture in the repository parses to the same tree, text and order as with Jackson's defaults. */
    @Test
    void providerPayloadsParseToTheSameTrees() throws IOException {
        ObjectMapper standard = JsonBodies.standardMapper();
        ObjectMapper plain = JsonMapper.builder().build();
        List<Path> fixtures;
        try (Stream<Path> files = Files.walk(Path.of("..").toAbsolutePath().normalize(), 6)) {
            fixtures = files.filter(file -> file.toString().contains("src/test/resources/fixtures") && file.toString().endsWith(".json"))
                    .toList();
        }
        assertThat(fixtures).hasSizeGreaterThan(30);
        for (Path fixture : fixtures) {
            byte[] json = Files.readAllBytes(fixture);
            JsonNode small = standard.readTree(json);
            JsonNode linked = plain.readTree(json);
            assertThat(small).as(fixture.toString()).isEqualTo(linked);
            assertThat(linked).as(fixture.toString()).isEqualTo(small);
            assertThat(small.hashCode()).isEqualTo(linked.hashCode());
            assertThat(standard.writeValueAsString(small)).isEqualTo(plain.writeValueAsString(linked));
            assertThat(small.toPrettyString()).isEqualTo(linked.toPrettyString());
        }
    }

    @Test
    void largeObjectsRepeatedFieldsAndEditsBehaveAsBefore() throws IOException {
        ObjectMapper standard = JsonBodies.standardMapper();
        ObjectMapper plain = JsonMapper.builder().build();
        StringBuilder wide = new StringBuilder("{");
        for (int i = 0; i < 100; i++) {
            wide.append(i == 0 ? "" : ",").append("\"f").append(99 - i).append("\":{\"n\":").append(i).append('}');
        }
        String[] documents = {wide.append('}').toString(), "{\"a\":1,\"b\":2,\"a\":3}", "{}", "{\"x\":{\"y\":{\"z\":[{\"k\":null}]}}}",
                "{\"é\":\"ü\",\"\":\"empty name\"}"};
        for (String document : documents) {
            ObjectNode small = (ObjectNode) standard.readTree(document);
            ObjectNode linked = (ObjectNode) plain.readTree(document);
            assertThat(small).isEqualTo(linked);
            assertThat(small.toString()).isEqualTo(linked.toString());
            small.put("added", true).remove("a");
            linked.put("added", true).remove("a");
            small.retain("added", "f3", "x", "b");
            linked.retain("added", "f3", "x", "b");
            assertThat(small.toString()).isEqualTo(linked.toString());
            assertThat(small.deepCopy()).isEqualTo(linked);
        }
        assertThat(standard.readTree("{\"a\":1,\"a\":3}").get("a").intValue()).isEqualTo(3);
    }

    /** The standard mappers really build their objects on this map (parsed, nested and created ones alike). */
    @Test
    void theStandardMappersUseIt() throws Exception {
        java.lang.reflect.Field children = ObjectNode.class.getDeclaredField("_children");
        children.setAccessible(true);
        JsonNode parsed = JsonBodies.standardMapper().readTree("{\"a\":{\"b\":1}}");
        assertThat(children.get(parsed)).isInstanceOf(SmallObjectMap.class);
        assertThat(children.get(parsed.get("a"))).isInstanceOf(SmallObjectMap.class);
        assertThat(children.get(Json.MAPPER.readTree("{\"a\":1}"))).isInstanceOf(SmallObjectMap.class);
        assertThat(children.get(Json.MAPPER.createObjectNode())).isInstanceOf(SmallObjectMap.class);
    }
}
