package dev.junction.provider.clio.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.junction.sandbox.RecordContext;
import dev.junction.sandbox.SandboxJson;
import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The streaming paths of list pages write exactly what the tree-building paths they replaced did. */
class FieldSelectionWriteTest {

    private final ClioRecordGenerator generator = new ClioRecordGenerator(7, Map.of());

    @Test
    void writingASelectionGivesTheSameBytesAsSerialisingItsProjection() throws Exception {
        FieldSelection everything = FieldSelection.parse(dev.junction.provider.clio.ClioEntity.CONTACTS.fields(), ClioSchemas.CONTACT);
        FieldSelection some = FieldSelection.parse("id,etag,name,email_addresses{address},phone_numbers,custom_field_values{id,value}", ClioSchemas.CONTACT);
        for (long id = 1; id <= 50; id++) {
            ObjectNode body = contact(id);
            for (FieldSelection selection : new FieldSelection[] {everything, some, FieldSelection.defaults(ClioSchemas.CONTACT)}) {
                ByteArrayOutputStream streamed = new ByteArrayOutputStream();
                try (JsonGenerator json = SandboxJson.mapper().getFactory().createGenerator(streamed)) {
                    selection.write(json, body);
                }
                assertThat(streamed.toString()).isEqualTo(new String(SandboxJson.toBytes(selection.project(body))));
            }
        }
    }

    @Test
    void theEtagFollowsTheBodyWithoutItself() {
        for (long id = 1; id <= 20; id++) {
            ObjectNode body = contact(id);
            String etag = body.get("etag").asText();
            assertThat(etag).matches("\"[0-9a-f]{32}\"");
            assertThat(ClioRecordGenerator.etag(contact(id))).as("the same body, the same etag").isEqualTo(etag);

            ObjectNode otherEtag = body.deepCopy().put("etag", "\"something else\"");
            assertThat(ClioRecordGenerator.etag(otherEtag)).as("the etag field itself does not count").isEqualTo(etag);

            ObjectNode renamed = body.deepCopy().put("first_name", body.path("first_name").asText() + "x");
            assertThat(ClioRecordGenerator.etag(renamed)).isNotEqualTo(etag);
            ObjectNode nestedChange = body.deepCopy();
            ((ObjectNode) nestedChange.withArray("phone_numbers").get(0)).put("number", "+1 555 0100");
            assertThat(ClioRecordGenerator.etag(nestedChange)).isNotEqualTo(etag);
            ObjectNode numberChange = body.deepCopy().put("id", id + 1);
            assertThat(ClioRecordGenerator.etag(numberChange)).isNotEqualTo(etag);
            ObjectNode nulled = body.deepCopy().putNull("title");
            if (!body.path("title").isNull()) {
                assertThat(ClioRecordGenerator.etag(nulled)).isNotEqualTo(etag);
            }
        }
        assertThat(contact(1).get("etag")).isNotEqualTo(contact(2).get("etag"));
    }

    private ObjectNode contact(long id) {
        Instant created = Instant.parse("2024-01-01T00:00:00Z").plusSeconds(id * 3600);
        return generator.generate(ClioEntity.CONTACTS, new RecordContext(id, created, created.plusSeconds(60), new SplittableRandom(id)));
    }
}
