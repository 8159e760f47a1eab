package dev.junction.core.internal.auth;

import dev.junction.core.ConnectionStatus;
import dev.junction.core.HubObserver;
import dev.junction.core.error.ErrorContext;
import dev.junction.core.error.NeedsReauthException;
import dev.junction.core.internal.ConnectionManager;
import dev.junction.core.internal.ProviderRegistry;
import dev.junction.core.internal.store.ConnectionRepository;
import dev.junction.core.internal.store.ConnectionRow;
import dev.junction.core.spi.AuthMethod;
import dev.junction.core.spi.Credentials;
import dev.junction.core.spi.Provider;
import dev.junction.core.spi.Settings;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands out a connection's current access token, refreshing it ahead of expiry. Exactly one refresh runs at a
 * time per connection, across threads and processes: the refresh happens inside a transaction holding the
 * connection row's lock ({@code SELECT ... FOR UPDATE}), and after acquiring the lock the stored token is read
 * again, so a caller that waited finds the token another caller just refreshed and does not refresh twice. The new
 * tokens (including a rotated refresh token) are committed before the new access token is returned for use.
 * Thread-safe.
 */
public final class TokenManager {

    private static final Logger LOG = LoggerFactory.getLogger(TokenManager.class);

    private final Jdbi jdbi;
    private final ConnectionRepository connections;
    private final ConnectionManager manager;
    private final ProviderRegistry providers;
    private final TokenEndpoint endpoint;
    private final Clock clock;
    private final Duration refreshAhead;
    private final AtomicLong refreshes = new AtomicLong();
    private final HubObserver observer;

    public TokenManager(Jdbi jdbi, ConnectionRepository connections, ConnectionManager manager, ProviderRegistry providers,
            TokenEndpoint endpoint, Clock clock, Duration refreshAhead, HubObserver observer) {
        this.observer = observer;
        this.jdbi = jdbi;
        this.connections = connections;
        this.manager = manager;
        this.providers = providers;
        this.endpoint = endpoint;
        this.clock = clock;
        this.refreshAhead = refreshAhead;
    }

    /** The tokens to use now (read from the store), refreshed first when they expire within the refresh-ahead window. */
    public Credentials.OAuthTokens currentTokens(String tenantId, String connectionId) {
        ConnectionRow row = manager.row(tenantId, connectionId);
        Credentials.OAuthTokens tokens = tokensOf(row);
        if (!expiresSoon(tokens)) {
            return tokens;
        }
        return refresh(tenantId, connectionId, tokens.accessToken());
    }

    /** Whether tokens read earlier may still be used now: they do not expire within the refresh-ahead window. */
    public boolean stillFresh(Credentials.OAuthTokens tokens) {
        return !expiresSoon(tokens);
    }

    /**
     * Refreshes after the provider rejected {@code rejectedAccessToken}. If another thread or process already
     * replaced that token, the newer one is returned without a refresh.
     */
    public Credentials.OAuthTokens refresh(String tenantId, String connectionId, String rejectedAccessToken) {
        Object[] refused = new Object[2]; // provider id and outcome of a failed call to the token endpoint
        try {
            return refreshLocked(tenantId, connectionId, rejectedAccessToken, refused);
        } catch (RuntimeException e) {
            if (refused[0] != null) {
                // after the transaction: a write inside it would roll back with it
                recordFailure(tenantId, connectionId, (String) refused[0], (HubObserver.TokenRefreshOutcome) refused[1], e);
            }
            throw e;
        }
    }

    private Credentials.OAuthTokens refreshLocked(String tenantId, String connectionId, String rejectedAccessToken, Object[] refused) {
        try {
            return jdbi.inTransaction(handle -> {
                ConnectionRow locked = connections.find(handle, tenantId, connectionId, true)
                        .orElseThrow(() -> new NeedsReauthException("connection no longer exists", ErrorContext.EMPTY.withConnection(connectionId)));
                Credentials.OAuthTokens current = tokensOf(locked);
                // Re-check after the wait: someone else may have refreshed while we queued for the lock.
                if (!current.accessToken().equals(rejectedAccessToken) && !expiresSoon(current)) {
                    return current;
                }
                Provider provider = providers.require(locked.providerId());
                ErrorContext context = ErrorContext.provider(provider.id()).withConnection(connectionId);
                if (current.refreshToken() == null) {
                    throw new NeedsReauthException("access token expired and there is no refresh token", context);
                }
                Settings providerSettings = providers.settings(provider.id());
                AuthMethod.OAuthEndpoints endpoints = provider.oauthEndpoints(manager.settings(locked), providerSettings);
                Map<String, String> form = new LinkedHashMap<>();
                form.put("grant_type", "refresh_token");
                form.put("refresh_token", current.refreshToken());
                form.put("client_id", providerSettings.require("client_id"));
                form.put("client_secret", providerSettings.get("client_secret").orElse(null));
                Credentials.OAuthTokens fresh;
                try {
                    fresh = endpoint.refresh(endpoints.tokenUrl(), form, current.refreshToken(), context);
                } catch (RuntimeException e) {
                    HubObserver.TokenRefreshOutcome outcome = e instanceof NeedsReauthException
                            ? HubObserver.TokenRefreshOutcome.NEEDS_REAUTH : HubObserver.TokenRefreshOutcome.FAILED;
                    observer.tokenRefreshed(provider.id(), outcome);
                    refused[0] = provider.id();
                    refused[1] = outcome;
                    throw e;
                }
                connections.updateCredentials(handle, tenantId, connectionId,
                        manager.encryptCredentials(tenantId, connectionId, fresh), fresh.expiresAt(),
                        ConnectionStatus.ACTIVE.name(), clock.instant());
                refreshes.incrementAndGet();
                observer.tokenRefreshed(provider.id(), HubObserver.TokenRefreshOutcome.REFRESHED);
                LOG.info("refreshed access token for connection {} (provider {})", connectionId, provider.id());
                return fresh;
            });
        } catch (NeedsReauthException e) {
            connections.updateStatus(tenantId, connectionId, ConnectionStatus.NEEDS_REAUTH.name(), e.reason(), clock.instant());
            throw e;
        }
    }

    /**
     * Keeps a failed refresh in {@code junction_token_refresh_error}, after the refresh's transaction rolled back, for
     * the errors view; the sync run that needed the token is taken from the log context. Never throws.
     */
    private void recordFailure(String tenantId, String connectionId, String providerId, HubObserver.TokenRefreshOutcome outcome,
            RuntimeException failure) {
        String message = failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage();
        try {
            jdbi.useHandle(handle -> handle.createUpdate("INSERT INTO junction_token_refresh_error (tenant_id, connection_id, "
                            + "provider_id, run_id, outcome, error, created_at) VALUES (:tenant, :connection, :provider, :run, "
                            + ":outcome, :error, :at)")
                    .bind("tenant", tenantId).bind("connection", connectionId).bind("provider", providerId)
                    .bind("run", org.slf4j.MDC.get(dev.junction.core.internal.LogContext.RUN_ID))
                    .bind("outcome", outcome.name()).bind("error", message.length() > 2000 ? message.substring(0, 2000) : message)
                    .bind("at", java.time.OffsetDateTime.ofInstant(clock.instant(), java.time.ZoneOffset.UTC)).execute());
        } catch (RuntimeException e) {
            LOG.warn("could not record the failed token refresh of connection {}: {}", connectionId, e.getMessage());
        }
    }

    /**
     * Refreshes every active connection's token that expires within {@code ahead} (a maintenance round, so a token is
     * fresh before a sync or webhook needs it). Each refresh is the same locked refresh as {@link #refresh}: a token
     * another process just replaced is left alone. A refresh the provider refuses marks that connection as needing
     * re-authorisation and is counted as failed; the others go on.
     */
    public dev.junction.core.TokenMaintenance refreshExpiring(Duration ahead) {
        int refreshed = 0;
        int failed = 0;
        Instant before = clock.instant().plus(ahead);
        for (ConnectionRow row : connections.expiringBefore(before)) {
            try {
                Credentials credentials = manager.credentials(row);
                if (!(credentials instanceof Credentials.OAuthTokens tokens)) {
                    continue;
                }
                Credentials.OAuthTokens fresh = refreshIfStill(row.tenantId(), row.id(), tokens.accessToken(), before);
                if (!fresh.accessToken().equals(tokens.accessToken())) {
                    refreshed++;
                }
            } catch (RuntimeException e) {
                failed++;
                LOG.warn("token refresh ahead of expiry failed for connection {}: {}", row.id(), e.getMessage());
            }
        }
        return new dev.junction.core.TokenMaintenance(refreshed, failed);
    }

    /** Refreshes unless, under the row lock, the stored token is another one that does not expire before {@code before}. */
    private Credentials.OAuthTokens refreshIfStill(String tenantId, String connectionId, String seenAccessToken, Instant before) {
        Credentials.OAuthTokens current = tokensOf(manager.row(tenantId, connectionId));
        if (!current.accessToken().equals(seenAccessToken) && current.expiresAt() != null && !current.expiresAt().isBefore(before)) {
            return current;
        }
        return refresh(tenantId, connectionId, current.accessToken());
    }

    /** How many refreshes this process performed. */
    public long refreshCount() {
        return refreshes.get();
    }

    private Credentials.OAuthTokens tokensOf(ConnectionRow row) {
        if (ConnectionStatus.valueOf(row.status()) == ConnectionStatus.NEEDS_REAUTH) {
            throw new NeedsReauthException("connection needs re-authorisation", ErrorContext.provider(row.providerId()).withConnection(row.id()));
        }
        if (!(manager.credentials(row) instanceof Credentials.OAuthTokens tokens)) {
            throw new NeedsReauthException("connection has not completed OAuth", ErrorContext.provider(row.providerId()).withConnection(row.id()));
        }
        return tokens;
    }

    private boolean expiresSoon(Credentials.OAuthTokens tokens) {
        Instant expiresAt = tokens.expiresAt();
        return expiresAt != null && !clock.instant().plus(refreshAhead).isBefore(expiresAt);
    }
}
