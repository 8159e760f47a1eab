package dev.junction.provider.clio.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.junction.sandbox.Dataset;
import dev.junction.sandbox.DatasetChange;
import dev.junction.sandbox.DatasetRecord;
import dev.junction.sandbox.RecordUpdater;
import dev.junction.sandbox.SandboxJson;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sandbox's data: one {@link Dataset} per {@link ClioEntity}, and the writes that keep Clio's
 * record shape (timestamps, etag, nested lists) and tell listeners (webhooks) what changed.
 *
 * <p>Two kinds of writes: API writes follow Clio's rules (a new record starts blank, nested lists
 * take {@code id}/{@code _destroy} instructions, a contact's name and primary email are derived);
 * control writes, used by tests, set top-level fields as given. Thread-safe.
 */
final class ClioRecordStore {

    private static final Logger LOG = LoggerFactory.getLogger(ClioRecordStore.class);
    private static final Duration HISTORY = Duration.ofDays(3 * 365);
    /** Nested records created through the API get ids far above the generated ones. */
    private static final long FIRST_NESTED_ID = 1_000_000_000_000L;

    private final ClioRecordGenerator generator;
    private final Map<ClioEntity, Dataset> datasets = new EnumMap<>(ClioEntity.class);
    private final List<Consumer<RecordChange>> listeners = new CopyOnWriteArrayList<>();
    private final AtomicLong nestedIds = new AtomicLong(FIRST_NESTED_ID);

    /** Creates the datasets; base records are created and updated during the three years before {@code timelineEnd}. */
    ClioRecordStore(long seed, Clock clock, Map<ClioEntity, Long> counts, Instant timelineEnd) {
        this.generator = new ClioRecordGenerator(seed, counts);
        for (ClioEntity entity : ClioEntity.values()) {
            datasets.put(entity, Dataset.builder(entity.path())
                    .withSeed(seed)
                    .withSize(counts.getOrDefault(entity, 0L))
                    .withClock(clock)
                    .withTimeline(timelineEnd.minus(HISTORY), timelineEnd)
                    .withGenerator(generator.generatorFor(entity))
                    .build());
        }
    }

    ClioRecordGenerator generator() {
        return generator;
    }

    Dataset dataset(ClioEntity entity) {
        return datasets.get(entity);
    }

    Optional<DatasetRecord> find(ClioEntity entity, long id) {
        return datasets.get(entity).find(id);
    }

    /** Registers a listener, called after each change on the writing thread. */
    void onChange(Consumer<RecordChange> listener) {
        listeners.add(listener);
    }

    /**
     * Creates a record from an API request's {@code data}.
     *
     * @param check validates the merged record; it may throw to refuse the write
     */
    DatasetRecord createFromApi(ClioEntity entity, ObjectNode data, Consumer<ObjectNode> check) {
        DatasetRecord created = datasets.get(entity).insert(context -> {
            ObjectNode body = generator.blank(entity, context);
            mergeFromApi(entity, body, data);
            check.accept(body);
            generator.finish(body, context);
            return body;
        });
        publish(new RecordChange(entity, RecordChange.CREATED, null, created));
        return created;
    }

    /** Applies an API request's {@code data} to a record; empty when the record does not exist. */
    Optional<DatasetChange> updateFromApi(ClioEntity entity, long id, ObjectNode data, Consumer<ObjectNode> check) {
        return update(entity, id, (body, context) -> {
            mergeFromApi(entity, body, data);
            check.accept(body);
            generator.finish(body, context);
            return body;
        });
    }

    /** Creates a generated record, with {@code overrides} replacing top-level fields as given. */
    DatasetRecord create(ClioEntity entity, ObjectNode overrides) {
        DatasetRecord created = datasets.get(entity).insert(context -> {
            ObjectNode body = generator.generate(entity, context);
            body.setAll(overrides.deepCopy());
            generator.finish(body, context);
            return body;
        });
        publish(new RecordChange(entity, RecordChange.CREATED, null, created));
        return created;
    }

    /** Replaces top-level fields of a record as given; empty when the record does not exist. */
    Optional<DatasetChange> update(ClioEntity entity, long id, ObjectNode overrides) {
        return update(entity, id, (body, context) -> {
            body.setAll(overrides.deepCopy());
            generator.finish(body, context);
            return body;
        });
    }

    /** Changes a record with {@code updater}, which must write the timestamps and etag itself. */
    Optional<DatasetChange> update(ClioEntity entity, long id, RecordUpdater updater) {
        Optional<DatasetChange> change = datasets.get(entity).update(id, updater);
        change.ifPresent(done -> publish(new RecordChange(entity, RecordChange.UPDATED, done.before(), done.after())));
        return change;
    }

    /** Deletes a record; empty when it did not exist. */
    Optional<DatasetRecord> delete(ClioEntity entity, long id) {
        Optional<DatasetRecord> deleted = datasets.get(entity).delete(id);
        deleted.ifPresent(record -> publish(new RecordChange(entity, RecordChange.DELETED, record, null)));
        return deleted;
    }

    private void publish(RecordChange change) {
        for (Consumer<RecordChange> listener : listeners) {
            try {
                listener.accept(change);
            } catch (RuntimeException failure) {
                LOG.warn("A change listener failed for {} {}", change.entity(), change.event(), failure);
            }
        }
    }

    /**
     * Merges {@code data} into {@code body} the way Clio's API does: top-level fields are replaced;
     * elements of nested lists ({@code email_addresses}, {@code custom_field_values}...) are updated
     * when they carry an {@code id}, removed when they also carry {@code _destroy: true}, and created
     * when they carry no {@code id}.
     */
    private void mergeFromApi(ClioEntity entity, ObjectNode body, ObjectNode data) {
        Iterator<Map.Entry<String, JsonNode>> fields = data.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            String name = field.getKey();
            JsonNode value = field.getValue();
            if (entity.schema().isNested(name) && value.isArray() && body.path(name).isArray()) {
                mergeList(entity, name, (ArrayNode) body.get(name), (ArrayNode) value);
            } else {
                body.set(name, value.deepCopy());
            }
        }
        if (entity == ClioEntity.CONTACTS) {
            ClioRecordGenerator.deriveContactFields(body);
        }
    }

    private void mergeList(ClioEntity entity, String name, ArrayNode current, ArrayNode changes) {
        for (JsonNode change : changes) {
            if (!change.isObject()) {
                throw ClioErrors.invalidRecord(name + " must be a list of objects");
            }
            ObjectNode instruction = ((ObjectNode) change).deepCopy();
            boolean destroy = instruction.path("_destroy").asBoolean(false);
            instruction.remove("_destroy");
            JsonNode id = instruction.get("id");
            if (id == null || id.isNull()) {
                if (!destroy) {
                    current.add(newNestedElement(entity, name, instruction));
                }
                continue;
            }
            int index = indexOf(current, id.asText());
            if (index < 0) {
                throw ClioErrors.invalidRecord("No " + name + " element with id " + id.asText());
            }
            if (destroy) {
                current.remove(index);
            } else {
                ObjectNode element = (ObjectNode) current.get(index);
                element.setAll(instruction);
                refreshEtag(element);
            }
        }
    }

    private ObjectNode newNestedElement(ClioEntity entity, String name, ObjectNode instruction) {
        FieldSchema schema = entity.schema().field(name).orElseThrow();
        ObjectNode element = SandboxJson.object();
        schema.names().forEach(element::putNull);
        if (schema.field("primary").isPresent()) {
            element.put("primary", false);
        }
        if (name.equals("custom_field_values")) {
            fillCustomFieldValue(entity, element, instruction);
        } else {
            element.setAll(instruction);
            element.put("id", nestedIds.incrementAndGet());
        }
        refreshEtag(element);
        return element;
    }

    private void fillCustomFieldValue(ClioEntity entity, ObjectNode element, ObjectNode instruction) {
        long customFieldId = instruction.path("custom_field").path("id").asLong(0);
        String parentType = entity == ClioEntity.CONTACTS ? "Contact" : "Matter";
        ObjectNode definition = find(ClioEntity.CUSTOM_FIELDS, customFieldId)
                .map(DatasetRecord::body)
                .filter(field -> field.path("parent_type").asText().equals(parentType))
                .orElseThrow(() -> ClioErrors.invalidRecord(
                        "custom_field " + customFieldId + " is not a " + parentType + " custom field"));
        String fieldType = definition.path("field_type").asText();
        element.put("id", fieldType + "-" + nestedIds.incrementAndGet());
        element.put("field_name", definition.path("name").asText());
        element.put("field_type", fieldType);
        element.put("value", instruction.path("value").asText(null));
        element.put("soft_deleted", false);
        element.set("custom_field", SandboxJson.object().put("id", customFieldId));
    }

    private static void refreshEtag(ObjectNode element) {
        if (element.has("etag")) {
            element.put("etag", ClioRecordGenerator.etag(element));
        }
    }

    private static int indexOf(ArrayNode elements, String id) {
        for (int index = 0; index < elements.size(); index++) {
            if (elements.get(index).path("id").asText().equals(id)) {
                return index;
            }
        }
        return -1;
    }
}
