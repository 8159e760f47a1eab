package dev.junction.core;

import dev.junction.core.error.JunctionException;
import java.util.List;

/**
 * Which sync to run.
 *
 * @param mode full or incremental
 * @param entities entity names to sync, empty for all of the provider's entities (always run in dependency order)
 */
public record SyncRequest(SyncMode mode, List<String> entities) {

    public SyncRequest {
        JunctionException.requireArgument(mode, "mode");
        entities = entities == null ? List.of() : List.copyOf(entities);
    }

    public static SyncRequest full() {
        return new SyncRequest(SyncMode.FULL, List.of());
    }

    public static SyncRequest incremental() {
        return new SyncRequest(SyncMode.INCREMENTAL, List.of());
    }

    public SyncRequest only(String... names) {
        return new SyncRequest(mode, List.of(names));
    }
}
