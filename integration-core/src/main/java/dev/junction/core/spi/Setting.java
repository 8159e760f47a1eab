package dev.junction.core.spi;

import java.util.Objects;

/**
 * A setting a provider reads, declared so that core can validate input, encrypt secrets at rest and redact
 * them from logs and API output.
 *
 * @param name the key ({@code client_secret}, {@code region})
 * @param scope whether it is set once per provider (the app's OAuth client) or per connection
 * @param secret whether the value is a secret: encrypted at rest, never logged, never returned
 * @param required whether a value must be present
 * @param description one line for documentation and error messages
 */
public record Setting(String name, Scope scope, boolean secret, boolean required, String description) {

    public enum Scope { PROVIDER, CONNECTION }

    public Setting {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(scope, "scope");
        description = description == null ? "" : description;
    }

    public static Setting providerSecret(String name, String description) {
        return new Setting(name, Scope.PROVIDER, true, true, description);
    }

    public static Setting provider(String name, boolean required, String description) {
        return new Setting(name, Scope.PROVIDER, false, required, description);
    }

    public static Setting connection(String name, boolean required, String description) {
        return new Setting(name, Scope.CONNECTION, false, required, description);
    }

    public static Setting connectionSecret(String name, String description) {
        return new Setting(name, Scope.CONNECTION, true, true, description);
    }
}
