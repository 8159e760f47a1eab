package dev.junction.core.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.junction.core.ActionResult;
import dev.junction.core.error.ErrorContext;
import dev.junction.core.error.ErrorKind;
import dev.junction.core.error.JunctionException;
import dev.junction.core.error.UnsupportedCapabilityException;
import dev.junction.core.internal.store.ActionRepository;
import dev.junction.core.internal.store.ConnectionRow;
import dev.junction.core.internal.sync.OpenedConnector;
import dev.junction.core.spi.Action;
import dev.junction.core.spi.Capability;
import dev.junction.core.spi.ConnectorContext;
import dev.junction.core.spi.Provider;
import java.time.Clock;

/**
 * Runs provider actions under an idempotency key. The key is claimed in the database before the provider is called,
 * so two concurrent calls with one key never both write; a finished call's result is stored and returned to any
 * repeat with the same input, and the same key with other input is a {@code CONFLICT}. A failed call frees its key
 * (the provider's own idempotency key, which actions pass on, covers a write that succeeded before the failure).
 * Thread-safe.
 */
public final class ActionService {

    private static final int MAX_KEY_LENGTH = 255;

    private final ActionRepository repository;
    private final ConnectionManager connections;
    private final ProviderRegistry providers;
    private final OpenedConnector.Opener opener;
    private final Clock clock;

    public ActionService(ActionRepository repository, ConnectionManager connections, ProviderRegistry providers,
            OpenedConnector.Opener opener, Clock clock) {
        this.repository = repository;
        this.connections = connections;
        this.providers = providers;
        this.opener = opener;
        this.clock = clock;
    }

    public ActionResult run(String tenantId, String connectionId, String actionName, JsonNode input, String idempotencyKey) {
        JunctionException.requireArgument(actionName, "action");
        JunctionException.requireArgument(input, "input");
        JunctionException.requireArgument(idempotencyKey, "idempotencyKey");
        if (idempotencyKey.length() > MAX_KEY_LENGTH) {
            throw JunctionException.invalidInput("idempotencyKey must be at most " + MAX_KEY_LENGTH + " characters");
        }
        ConnectionRow row = connections.row(tenantId, connectionId);
        Provider provider = providers.require(row.providerId());
        ErrorContext context = ErrorContext.provider(provider.id()).withConnection(connectionId);
        if (!provider.capabilities().contains(Capability.ACTIONS)) {
            throw new UnsupportedCapabilityException(provider.id(), Capability.ACTIONS.name());
        }
        Action action = provider.actions().stream().filter(candidate -> candidate.name().equals(actionName)).findFirst()
                .orElseThrow(() -> new JunctionException(ErrorKind.INVALID_INPUT, "provider '" + provider.id() + "' has no action '"
                        + actionName + "'; it has " + provider.actions().stream().map(Action::name).toList(), context));
        String hash = Json.sha256(actionName + "\n" + Json.write(Json.canonical(input)));

        if (!repository.start(tenantId, connectionId, actionName, idempotencyKey, hash, clock.instant())) {
            ActionRepository.ExecutionRow existing = repository.find(tenantId, connectionId, actionName, idempotencyKey)
                    .orElseThrow(() -> new JunctionException(ErrorKind.CONFLICT, "idempotency key is in use; try again", context));
            if (!existing.requestHash().equals(hash)) {
                throw new JunctionException(ErrorKind.CONFLICT,
                        "idempotency key '" + idempotencyKey + "' was already used with a different input", context);
            }
            if (!"succeeded".equals(existing.status())) {
                throw new JunctionException(ErrorKind.CONFLICT, "an action with idempotency key '" + idempotencyKey
                        + "' is still running", context);
            }
            return new ActionResult(actionName, Json.read(existing.result()), true);
        }
        JsonNode result;
        try {
            OpenedConnector opened = opener.open(tenantId, connectionId);
            result = action.execute(new Action.ActionContext() {
                @Override
                public ConnectorContext connection() {
                    return opened.context();
                }

                @Override
                public JsonNode input() {
                    return input.deepCopy();
                }

                @Override
                public String idempotencyKey() {
                    return idempotencyKey;
                }
            });
        } catch (JunctionException e) {
            repository.release(tenantId, connectionId, actionName, idempotencyKey);
            throw e.withContext(context);
        } catch (RuntimeException e) {
            repository.release(tenantId, connectionId, actionName, idempotencyKey);
            throw e;
        }
        String stored = Json.write(result == null ? Json.MAPPER.nullNode() : result);
        repository.succeed(tenantId, connectionId, actionName, idempotencyKey, stored);
        // Read back, so the first answer and every replay are the same JSON.
        return new ActionResult(actionName, Json.read(stored), false);
    }
}
