package dev.junction.examples.manychat;

import dev.junction.core.spi.EntityType;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** The page-level lists ManyChat's API offers, with their endpoint, where the array is, and the id field. */
public enum ManyChatEntity {
    TAGS("tags", "/fb/page/getTags", "/data", "id", true),
    CUSTOM_FIELDS("custom_fields", "/fb/page/getCustomFields", "/data", "id", true),
    BOT_FIELDS("bot_fields", "/fb/page/getBotFields", "/data", "id", true),
    FLOWS("flows", "/fb/page/getFlows", "/data/flows", "ns", false),
    GROWTH_TOOLS("growth_tools", "/fb/page/getGrowthTools", "/data", "id", true);

    private final String entityName;
    private final String path;
    private final String arrayPointer;
    private final String idField;
    private final boolean numericId;
    private final EntityType type;

    ManyChatEntity(String entityName, String path, String arrayPointer, String idField, boolean numericId) {
        this.entityName = entityName;
        this.path = path;
        this.arrayPointer = arrayPointer;
        this.idField = idField;
        this.numericId = numericId;
        this.type = EntityType.of(entityName);
    }

    public String entityName() {
        return entityName;
    }

    /** The list endpoint, such as {@code /fb/page/getTags}. */
    public String path() {
        return path;
    }

    /** JSON pointer of the array in the response ({@code /data}, or {@code /data/flows}). */
    public String arrayPointer() {
        return arrayPointer;
    }

    /** {@code id}, or {@code ns} (a flow's namespace) for flows. */
    public String idField() {
        return idField;
    }

    /** Whether ids are integers (ordered numerically) rather than strings. */
    public boolean numericId() {
        return numericId;
    }

    public EntityType type() {
        return type;
    }

    public static List<EntityType> types() {
        return Arrays.stream(values()).map(ManyChatEntity::type).toList();
    }

    public static Optional<ManyChatEntity> byName(String name) {
        return Arrays.stream(values()).filter(entity -> entity.entityName.equals(name)).findFirst();
    }
}
