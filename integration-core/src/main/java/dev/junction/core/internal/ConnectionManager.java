package dev.junction.core.internal;

import dev.junction.core.Connection;
import dev.junction.core.ConnectionStatus;
import dev.junction.core.NewConnection;
import dev.junction.core.crypto.SecretCipher;
import dev.junction.core.error.ErrorContext;
import dev.junction.core.error.ErrorKind;
import dev.junction.core.error.JunctionException;
import dev.junction.core.internal.store.ConnectionRepository;
import dev.junction.core.internal.store.ConnectionRow;
import dev.junction.core.spi.AuthMethod;
import dev.junction.core.spi.Credentials;
import dev.junction.core.spi.Provider;
import dev.junction.core.spi.Setting;
import dev.junction.core.spi.Settings;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Creates, reads and deletes connections, keeping secret settings and credentials encrypted. Every ciphertext is
 * bound to its tenant and connection through the AEAD's associated data.
 */
public final class ConnectionManager {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final ConnectionRepository repository;
    private final ProviderRegistry providers;
    private final SecretCipher cipher;
    private final Clock clock;

    public ConnectionManager(ConnectionRepository repository, ProviderRegistry providers, SecretCipher cipher, Clock clock) {
        this.repository = repository;
        this.providers = providers;
        this.cipher = cipher;
        this.clock = clock;
    }

    public Connection create(NewConnection request) {
        JunctionException.requireArgument(request, "connection");
        Provider provider = providers.require(request.providerId());
        Map<String, Setting> declared = provider.settings().stream()
                .filter(setting -> setting.scope() == Setting.Scope.CONNECTION)
                .collect(Collectors.toMap(Setting::name, setting -> setting));
        for (String name : request.settings().keySet()) {
            if (!declared.containsKey(name)) {
                throw invalid(provider, "unknown setting '" + name + "'; " + provider.id() + " accepts " + new TreeMap<>(declared).keySet());
            }
        }
        for (Setting setting : declared.values()) {
            String value = request.settings().get(setting.name());
            if (setting.required() && (value == null || value.isBlank())) {
                throw invalid(provider, "setting '" + setting.name() + "' is required (" + setting.description() + ")");
            }
        }
        provider.validateConnectionSettings(Settings.of(request.settings()));

        Map<String, String> plain = new TreeMap<>();
        Map<String, String> secret = new TreeMap<>();
        request.settings().forEach((name, value) -> (declared.get(name).secret() ? secret : plain).put(name, value));

        String id = UUID.randomUUID().toString();
        Instant now = clock.instant();
        ConnectionStatus status = provider.authMethod() instanceof AuthMethod.OAuth2 ? ConnectionStatus.PENDING_AUTH : ConnectionStatus.ACTIVE;
        String encryptedSecrets = secret.isEmpty() ? null : cipher.encrypt(Json.write(secret), aad(request.tenantId(), id, "settings"));
        ConnectionRow row = new ConnectionRow(id, request.tenantId(), provider.id(), request.displayName(), status.name(),
                Json.write(plain), encryptedSecrets, null, null, newToken(), null, now, now);
        repository.insert(row);
        return toConnection(row);
    }

    public Connection get(String tenantId, String connectionId) {
        return toConnection(row(tenantId, connectionId));
    }

    public ConnectionRow row(String tenantId, String connectionId) {
        JunctionException.requireArgument(tenantId, "tenantId");
        JunctionException.requireArgument(connectionId, "connectionId");
        return repository.find(tenantId, connectionId).orElseThrow(() -> new JunctionException(ErrorKind.NOT_FOUND,
                "connection '" + connectionId + "' not found for tenant '" + tenantId + "'",
                ErrorContext.EMPTY.withConnection(connectionId)));
    }

    /** Marks a connection whose credentials the provider rejects (even fresh ones) as needing re-authorisation. */
    public void markNeedsReauth(String tenantId, String connectionId, String reason) {
        repository.updateStatus(tenantId, connectionId, dev.junction.core.ConnectionStatus.NEEDS_REAUTH.name(), reason, clock.instant());
    }

    public java.util.Optional<ConnectionRow> find(String tenantId, String connectionId) {
        return repository.find(tenantId, connectionId);
    }

    public List<Connection> list(String tenantId) {
        JunctionException.requireArgument(tenantId, "tenantId");
        return repository.list(tenantId).stream().map(ConnectionManager::toConnection).toList();
    }

    public boolean delete(String tenantId, String connectionId) {
        JunctionException.requireArgument(tenantId, "tenantId");
        JunctionException.requireArgument(connectionId, "connectionId");
        return repository.delete(tenantId, connectionId);
    }

    /** All settings of a connection, secrets decrypted. */
    public Settings settings(ConnectionRow row) {
        Map<String, String> all = new TreeMap<>(Json.readStringMap(row.settingsJson()));
        if (row.encryptedSecretSettings() != null) {
            all.putAll(Json.readStringMap(cipher.decrypt(row.encryptedSecretSettings(), aad(row.tenantId(), row.id(), "settings"))));
        }
        return Settings.of(all);
    }

    public Credentials credentials(ConnectionRow row) {
        if (row.encryptedCredentials() == null) {
            return new Credentials.None();
        }
        StoredTokens tokens = Json.read(cipher.decrypt(row.encryptedCredentials(), aad(row.tenantId(), row.id(), "credentials")),
                StoredTokens.class);
        return new Credentials.OAuthTokens(tokens.accessToken(), tokens.refreshToken(), tokens.expiresAt(), tokens.scope());
    }

    public String encryptCredentials(String tenantId, String connectionId, Credentials.OAuthTokens tokens) {
        StoredTokens stored = new StoredTokens(tokens.accessToken(), tokens.refreshToken(), tokens.expiresAt(), tokens.scope());
        return cipher.encrypt(Json.write(stored), aad(tenantId, connectionId, "credentials"));
    }

    public SecretCipher cipher() {
        return cipher;
    }

    /** Associated data binding a ciphertext to one tenant, connection and purpose. */
    public static String aad(String tenantId, String connectionId, String purpose) {
        return tenantId + "/" + connectionId + "/" + purpose;
    }

    /** The JSON shape of stored tokens (inside the ciphertext only). */
    record StoredTokens(String accessToken, String refreshToken, Instant expiresAt, String scope) {
        @Override
        public String toString() {
            return "StoredTokens[***]";
        }
    }

    public static Connection toConnection(ConnectionRow row) {
        return new Connection(row.id(), row.tenantId(), row.providerId(), row.displayName(),
                ConnectionStatus.valueOf(row.status()), Json.readStringMap(row.settingsJson()), row.webhookToken(),
                row.lastError(), row.createdAt(), row.updatedAt());
    }

    static String newToken() {
        byte[] bytes = new byte[24];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static JunctionException invalid(Provider provider, String message) {
        return new JunctionException(ErrorKind.INVALID_INPUT, message, ErrorContext.provider(provider.id()));
    }

    static Set<String> secretNames(Provider provider) {
        return provider.settings().stream().filter(Setting::secret).map(Setting::name).collect(Collectors.toSet());
    }
}
