package dev.junction.provider.chatwoot;

import dev.junction.core.spi.EntityType;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

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

    static Optional<ChatwootEntity> byPath(String path) {
        return Arrays.stream(values()).filter(entity -> entity.path.equals(path)).findFirst();
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
