package dev.junction.core;

import dev.junction.core.error.JunctionException;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a caller gives to create a connection. Settings are split by the provider's declaration: those marked
 * secret are encrypted at rest and never returned.
 *
 * <pre>{@code
 * hub.createConnection(NewConnection.of("tenant-1", "clio").withSetting("region", "eu"));
 * }</pre>
 */
public record NewConnection(String tenantId, String providerId, String displayName, Map<String, String> settings) {

    public NewConnection {
        JunctionException.requireArgument(tenantId, "tenantId");
        JunctionException.requireArgument(providerId, "providerId");
        if (tenantId.length() > 128) {
            throw JunctionException.invalidInput("tenantId must be at most 128 characters");
        }
        settings = settings == null ? Map.of() : Map.copyOf(settings);
    }

    public static NewConnection of(String tenantId, String providerId) {
        return new NewConnection(tenantId, providerId, null, Map.of());
    }

    public NewConnection withDisplayName(String name) {
        return new NewConnection(tenantId, providerId, name, settings);
    }

    public NewConnection withSetting(String name, String value) {
        JunctionException.requireArgument(name, "setting name");
        JunctionException.requireArgument(value, "value of setting '" + name + "'");
        Map<String, String> copy = new TreeMap<>(settings);
        copy.put(name, value);
        return new NewConnection(tenantId, providerId, displayName, copy);
    }

    @Override
    public String toString() {
        return "NewConnection[tenant=" + tenantId + ", provider=" + providerId + ", settings=" + new TreeMap<>(settings).keySet() + "]";
    }
}
