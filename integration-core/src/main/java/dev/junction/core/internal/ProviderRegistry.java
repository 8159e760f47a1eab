package dev.junction.core.internal;

import dev.junction.core.error.ErrorContext;
import dev.junction.core.error.ErrorKind;
import dev.junction.core.error.JunctionException;
import dev.junction.core.spi.EntityType;
import dev.junction.core.spi.Provider;
import dev.junction.core.spi.Settings;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/** The active providers of a hub, each checked once at registration, with their provider-wide settings. */
public final class ProviderRegistry {

    private final Map<String, Provider> providers = new LinkedHashMap<>();
    private final Map<String, Settings> settings = new LinkedHashMap<>();
    private final Map<String, java.util.Set<String>> entityNames = new LinkedHashMap<>();

    public void register(Provider provider, Settings providerSettings) {
        String id = provider.id();
        if (id == null || !id.matches("[a-z][a-z0-9_-]{0,63}")) {
            throw new IllegalStateException("provider " + provider.getClass().getName() + " has an invalid id '" + id + "'");
        }
        if (providers.containsKey(id)) {
            throw new IllegalStateException("provider '" + id + "' is registered twice (" + provider.getClass().getName()
                    + " and " + providers.get(id).getClass().getName() + ")");
        }
        EntityType.checkOrder(id, provider.entityTypes());
        Settings given = providerSettings == null ? Settings.EMPTY : providerSettings;
        checkProviderSettings(provider, given);
        providers.put(id, provider);
        settings.put(id, given);
        entityNames.put(id, provider.entityTypes().stream().map(EntityType::name).collect(java.util.stream.Collectors.toUnmodifiableSet()));
    }

    /** Required provider-wide settings must be present and no undeclared one may be given, before anything runs. */
    private static void checkProviderSettings(Provider provider, Settings given) {
        java.util.Set<String> declared = new java.util.HashSet<>();
        for (dev.junction.core.spi.Setting setting : provider.settings()) {
            if (setting.scope() != dev.junction.core.spi.Setting.Scope.PROVIDER) {
                continue;
            }
            declared.add(setting.name());
            if (setting.required() && given.get(setting.name()).filter(value -> !value.isBlank()).isEmpty()) {
                throw new JunctionException(ErrorKind.INVALID_INPUT, "provider setting '" + setting.name() + "' is required ("
                        + setting.description() + ")", ErrorContext.provider(provider.id()));
            }
        }
        for (String name : given.asMap().keySet()) {
            if (!declared.contains(name)) {
                throw new JunctionException(ErrorKind.INVALID_INPUT, "unknown provider setting '" + name + "'; provider '"
                        + provider.id() + "' reads " + declared, ErrorContext.provider(provider.id()));
            }
        }
    }

    public Provider require(String providerId) {
        JunctionException.requireArgument(providerId, "providerId");
        Provider provider = providers.get(providerId);
        if (provider == null) {
            throw new JunctionException(ErrorKind.INVALID_INPUT, "unknown provider '" + providerId + "'; active providers: "
                    + providers.keySet(), ErrorContext.provider(providerId));
        }
        return provider;
    }

    public Settings settings(String providerId) {
        return settings.getOrDefault(providerId, Settings.EMPTY);
    }

    public Collection<Provider> all() {
        return providers.values();
    }

    /** Whether the registered provider declares an entity of this name (without building its entity list per call). */
    public boolean hasEntity(Provider provider, String name) {
        java.util.Set<String> names = entityNames.get(provider.id());
        return names != null ? names.contains(name) : provider.entityTypes().stream().anyMatch(type -> type.name().equals(name));
    }

    public EntityType entity(Provider provider, String name) {
        return provider.entityTypes().stream().filter(type -> type.name().equals(name)).findFirst()
                .orElseThrow(() -> new JunctionException(ErrorKind.INVALID_INPUT, "provider '" + provider.id()
                        + "' has no entity '" + name + "'", ErrorContext.provider(provider.id())));
    }
}
