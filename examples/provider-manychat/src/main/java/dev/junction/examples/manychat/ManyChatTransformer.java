package dev.junction.examples.manychat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.junction.core.error.ErrorContext;
import dev.junction.core.error.ErrorKind;
import dev.junction.core.error.JunctionException;
import dev.junction.core.model.CustomField;
import dev.junction.core.model.UnifiedRecord;
import dev.junction.core.spi.RemoteRecord;
import dev.junction.core.spi.Transformer;
import java.util.Optional;
import java.util.Set;

/**
 * ManyChat items to the unified model. {@code custom_fields} (subscriber fields) become {@link CustomField}s of
 * parent type {@code subscriber}; tags, bot fields, flows and growth tools have no unified type and are kept raw,
 * after the same checks (a required field of the wrong type is an unexpected payload, so the item is dead-lettered
 * rather than stored half-read). Pure and thread-safe.
 */
public final class ManyChatTransformer implements Transformer {

    /** Field types ManyChat documents for custom and bot fields. */
    static final Set<String> FIELD_TYPES = Set.of("text", "number", "date", "datetime", "boolean");

    @Override
    public Optional<UnifiedRecord> transform(RemoteRecord record) {
        ManyChatEntity entity = ManyChatEntity.byName(record.entity())
                .orElseThrow(() -> bad(record, "unknown entity"));
        JsonNode item = record.payload();
        if (item == null || !item.isObject()) {
            throw bad(record, "not a JSON object");
        }
        String name = text(record, item, "name");
        return switch (entity) {
            case CUSTOM_FIELDS, BOT_FIELDS -> {
                String type = text(record, item, "type");
                if (!FIELD_TYPES.contains(type)) {
                    throw bad(record, "field type '" + type + "' is not one of " + FIELD_TYPES);
                }
                yield entity == ManyChatEntity.CUSTOM_FIELDS
                        ? Optional.of(new CustomField(record.externalId(), name, "subscriber", type, false, null))
                        : Optional.empty();
            }
            case GROWTH_TOOLS -> {
                text(record, item, "type");
                yield Optional.empty();
            }
            case TAGS, FLOWS -> Optional.empty();
        };
    }

    private static String text(RemoteRecord record, JsonNode item, String field) {
        JsonNode value = item.get(field);
        if (value == null || !value.isTextual()) {
            throw bad(record, "'" + field + "' is missing or not a string");
        }
        return value.asText();
    }

    private static JunctionException bad(RemoteRecord record, String why) {
        return new JunctionException(ErrorKind.UNEXPECTED_PAYLOAD, "ManyChat " + record.entity() + " " + record.externalId() + ": " + why,
                ErrorContext.provider(ManyChatProvider.ID).withEntity(record.entity()));
    }
}
