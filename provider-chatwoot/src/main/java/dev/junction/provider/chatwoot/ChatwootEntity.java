package dev.junction.provider.chatwoot;

import dev.junction.core.spi.EntityType;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/** The Chatwoot entities Junction syncs, in dependency order. */
enum ChatwootEntity {
    INBOXES("inboxes", false),
    AGENTS("agents", false),
    CONTACTS("contacts", true),
    CONVERSATIONS("conversations", true),
    MESSAGES("messages", false);

    private final String path;
    private final boolean incremental;

    ChatwootEntity(String path, boolean incremental) {
        this.path = path;
        this.incremental = incremental;
    }

    String path() {
        return path;
    }

    /** Looked up for every record a transformer reads: a map, not a scan of {@code values()} through a stream. */
    private static final Map<String, ChatwootEntity> BY_PATH = Arrays.stream(values())
            .collect(Collectors.toMap(entity -> entity.path, entity -> entity, (first, later) -> first));

    static Optional<ChatwootEntity> byPath(String path) {
        return Optional.ofNullable(BY_PATH.get(path));
    }

    static List<EntityType> types() {
        return List.of(
                EntityType.of("inboxes").fullOnly(),
                EntityType.of("agents").fullOnly(),
                EntityType.of("contacts"),
                EntityType.of("conversations", "inboxes", "contacts"),
                EntityType.of("messages", "conversations").fullOnly());
    }

    boolean incremental() {
        return incremental;
    }
}
