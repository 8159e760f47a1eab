package dev.junction.core.spi;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One kind of record a provider exposes ({@code contacts}, {@code matters}), with the entities it depends on.
 * A provider lists its entity types in dependency order: a full sync visits them in that order, so a matter's
 * client contact is stored before the matter.
 *
 * @param name the provider's name for the entity, unique within the provider; used in APIs, checkpoints and logs
 * @param dependsOn names of entities of the same provider that must sync first (may be empty)
 * @param incremental whether {@link Connector#fetch} honours {@link FetchRequest#since()} for this entity; when
 *     false every sync of the entity is a full pass
 */
public record EntityType(String name, List<String> dependsOn, boolean incremental) {

    public EntityType {
        Objects.requireNonNull(name, "name");
        if (!name.matches("[a-z][a-z0-9_]{0,63}")) {
            throw new IllegalArgumentException("entity name must be lower snake case, was '" + name + "'");
        }
        dependsOn = List.copyOf(dependsOn);
    }

    public static EntityType of(String name, String... dependsOn) {
        return new EntityType(name, List.of(dependsOn), true);
    }

    /** A copy that cannot be fetched incrementally. */
    public EntityType fullOnly() {
        return new EntityType(name, dependsOn, false);
    }

    /** Checks that every dependency is declared earlier in {@code ordered}; throws naming the provider otherwise. */
    public static void checkOrder(String providerId, List<EntityType> ordered) {
        Set<String> seen = new java.util.HashSet<>();
        for (EntityType type : ordered) {
            for (String dependency : type.dependsOn()) {
                if (!seen.contains(dependency)) {
                    throw new IllegalStateException("provider '" + providerId + "': entity '" + type.name()
                            + "' depends on '" + dependency + "', which is not declared before it");
                }
            }
            if (!seen.add(type.name())) {
                throw new IllegalStateException("provider '" + providerId + "': entity '" + type.name() + "' declared twice");
            }
        }
    }
}
