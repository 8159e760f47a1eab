package dev.junction.examples.manychat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.junction.core.error.ErrorKind;
import dev.junction.core.error.JunctionException;
import dev.junction.core.model.CustomField;
import dev.junction.core.spi.RemoteRecord;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The transformer and the connector's envelope and id reading against ManyChat's published shapes (fixtures' SOURCES.md). */
class ManyChatTransformerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final ManyChatTransformer transformer = new ManyChatTransformer();

    @Test
    void customFieldsBecomeUnifiedCustomFieldsOfSubscribers() throws IOException {
        List<RemoteRecord> records = records(ManyChatEntity.CUSTOM_FIELDS, "getCustomFields.json");
        assertThat(records).extracting(RemoteRecord::externalId).containsExactly("8801", "8802", "8803");
        CustomField field = (CustomField) transformer.transform(records.get(0)).orElseThrow();
        assertThat(field.externalId()).isEqualTo("8801");
        assertThat(field.name()).isEqualTo("My custom field name");
        assertThat(field.parentType()).isEqualTo("subscriber");
        assertThat(field.fieldType()).isEqualTo("text");
        assertThat(((CustomField) transformer.transform(records.get(2)).orElseThrow()).fieldType()).isEqualTo("date");
    }

    @Test
    void tagsBotFieldsFlowsAndGrowthToolsAreKeptRawAfterTheirChecks() throws IOException {
        for (RemoteRecord record : records(ManyChatEntity.TAGS, "getTags.json")) {
            assertThat(transformer.transform(record)).isEmpty();
        }
        assertThat(records(ManyChatEntity.TAGS, "getTags.json")).extracting(RemoteRecord::externalId).containsExactly("123", "124", "125");
        assertThat(transformer.transform(records(ManyChatEntity.BOT_FIELDS, "getBotFields.json").get(0))).isEmpty();
        List<RemoteRecord> flows = records(ManyChatEntity.FLOWS, "getFlows.json");
        assertThat(flows).extracting(RemoteRecord::externalId)
                .containsExactly("content20180221085508_278589", "content20190315101010_123456");
        assertThat(transformer.transform(flows.get(1))).isEmpty();
        assertThat(records(ManyChatEntity.GROWTH_TOOLS, "getGrowthTools.json")).hasSize(2)
                .allSatisfy(record -> assertThat(transformer.transform(record)).isEmpty());
    }

    @Test
    void aRequiredFieldOfTheWrongTypeIsAnUnexpectedPayload() throws IOException {
        RemoteRecord tag = records(ManyChatEntity.TAGS, "getTags.json").get(0);
        ObjectNode broken = ((ObjectNode) tag.payload().deepCopy()).set("name", JSON.createObjectNode().put("unexpected", true));
        assertThatThrownBy(() -> transformer.transform(RemoteRecord.of("tags", "123", null, broken)))
                .isInstanceOf(JunctionException.class).extracting("kind").isEqualTo(ErrorKind.UNEXPECTED_PAYLOAD);
        RemoteRecord field = records(ManyChatEntity.CUSTOM_FIELDS, "getCustomFields.json").get(1);
        ObjectNode otherType = ((ObjectNode) field.payload().deepCopy()).put("type", "json");
        assertThatThrownBy(() -> transformer.transform(RemoteRecord.of("custom_fields", "8802", null, otherType)))
                .isInstanceOf(JunctionException.class).hasMessageContaining("field type 'json'");
    }

    @Test
    void theErrorEnvelopeAndAMissingArrayAreUnexpectedPayloads() throws IOException {
        assertThatThrownBy(() -> ManyChatConnector.items(ManyChatEntity.TAGS, fixture("error.json")))
                .isInstanceOf(JunctionException.class).hasMessageContaining("status 'success'");
        assertThatThrownBy(() -> ManyChatConnector.items(ManyChatEntity.FLOWS, fixture("getTags.json")))
                .isInstanceOf(JunctionException.class).hasMessageContaining("/data/flows");
        assertThat(ManyChatConnector.id(ManyChatEntity.TAGS, JSON.createObjectNode().put("id", "x1"))).isEmpty();
        assertThat(ManyChatConnector.id(ManyChatEntity.FLOWS, JSON.createObjectNode().put("ns", 12))).isEmpty();
    }

    private static List<RemoteRecord> records(ManyChatEntity entity, String file) throws IOException {
        List<RemoteRecord> records = new ArrayList<>();
        for (JsonNode item : ManyChatConnector.items(entity, fixture(file))) {
            records.add(RemoteRecord.of(entity.entityName(), ManyChatConnector.id(entity, item).orElseThrow(), null, item));
        }
        return records;
    }

    private static JsonNode fixture(String file) throws IOException {
        try (InputStream in = ManyChatTransformerTest.class.getResourceAsStream("/manychat/" + file)) {
            return JSON.readTree(in);
        }
    }
}
