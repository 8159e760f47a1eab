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
        providers.put(id, provider);
        settings.put(id, providerSettings == null ? Settings.EMPTY : providerSettings);
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

    public EntityType entity(Provider provider, String name) {
        return provider.entityTypes().stream().filter(type -> type.name().equals(name)).findFirst()
                .orElseThrow(() -> new JunctionException(ErrorKind.INVALID_INPUT, "provider '" + provider.id()
                        + "' has no entity '" + name + "'", ErrorContext.provider(provider.id())));
    }
}
