package dev.junction.core.internal;

import dev.junction.core.HubObserver;
import dev.junction.core.SyncStatus;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls the application's {@link HubObserver} so that it can never break what it observes: whatever it throws is
 * caught; the first failure is logged at warn with its stack trace, later ones at debug. Thread-safe.
 */
public final class SafeObserver implements HubObserver {

    private static final Logger LOG = LoggerFactory.getLogger(SafeObserver.class);

    private final HubObserver delegate;
    private final AtomicBoolean failedBefore = new AtomicBoolean();

    private SafeObserver(HubObserver delegate) {
        this.delegate = delegate;
    }

    /** {@code observer} made safe; {@link HubObserver#NONE} and already safe observers are returned as they are. */
    public static HubObserver of(HubObserver observer) {
        Objects.requireNonNull(observer, "observer");
        return observer == HubObserver.NONE || observer instanceof SafeObserver ? observer : new SafeObserver(observer);
    }

    @Override
    public void syncFinished(String providerId, String entity, SyncStatus outcome, Duration duration) {
        try {
            delegate.syncFinished(providerId, entity, outcome, duration);
        } catch (RuntimeException | LinkageError e) {
            failed("syncFinished", e);
        }
    }

    @Override
    public void syncRunFinished(String providerId, SyncStatus outcome, Duration duration) {
        try {
            delegate.syncRunFinished(providerId, outcome, duration);
        } catch (RuntimeException | LinkageError e) {
            failed("syncRunFinished", e);
        }
    }

    @Override
    public void recordsWritten(String providerId, String entity, long created, long updated, long unchanged, long deleted,
            long failed) {
        try {
            delegate.recordsWritten(providerId, entity, created, updated, unchanged, deleted, failed);
        } catch (RuntimeException | LinkageError e) {
            failed("recordsWritten", e);
        }
    }

    @Override
    public void pageWritten(String providerId, String entity, Duration fetch, Duration prepare, Duration waited, Duration write) {
        try {
            delegate.pageWritten(providerId, entity, fetch, prepare, waited, write);
        } catch (RuntimeException | LinkageError e) {
            failed("pageWritten", e);
        }
    }

    @Override
    public void providerRequest(String providerId, String method, int status, String exception, Duration latency) {
        try {
            delegate.providerRequest(providerId, method, status, exception, latency);
        } catch (RuntimeException | LinkageError e) {
            failed("providerRequest", e);
        }
    }

    @Override
    public void rateLimitWaited(String providerId, Duration waited) {
        try {
            delegate.rateLimitWaited(providerId, waited);
        } catch (RuntimeException | LinkageError e) {
            failed("rateLimitWaited", e);
        }
    }

    @Override
    public void tokenRefreshed(String providerId, TokenRefreshOutcome outcome) {
        try {
            delegate.tokenRefreshed(providerId, outcome);
        } catch (RuntimeException | LinkageError e) {
            failed("tokenRefreshed", e);
        }
    }

    @Override
    public void webhookEvent(String providerId, WebhookEventOutcome outcome) {
        try {
            delegate.webhookEvent(providerId, outcome);
        } catch (RuntimeException | LinkageError e) {
            failed("webhookEvent", e);
        }
    }

    private void failed(String method, Throwable e) {
        if (failedBefore.compareAndSet(false, true)) {
            LOG.warn("the hub observer {} failed in {}; its failures are ignored (later ones are logged at debug)",
                    delegate.getClass().getName(), method, e);
        } else {
            LOG.debug("the hub observer failed again in {}: {}", method, e.toString());
        }
    }
}
