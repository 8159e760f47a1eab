package dev.junction.testkit;

import dev.junction.core.Connection;
import dev.junction.core.Hub;
import dev.junction.core.spi.Provider;
import dev.junction.core.spi.Settings;
import dev.junction.sandbox.ControllableSandbox;
import dev.junction.sandbox.FaultInjector;
import java.util.Set;

/**
 * What a provider's conformance test hands the kit: its provider and a running sandbox of it, driven through
 * operations every provider can offer. Implemented once per provider (in its test sources) over its sandbox;
 * started by {@link ProviderConformanceTest#startSandbox} for each test and closed after it.
 */
public interface ConformanceSandbox extends AutoCloseable {

    /** How the kit wants a sandbox: this many records of the primary entity, optionally rate limited. */
    record Spec(int primaryRecords, int rateLimit, java.time.Duration rateWindow) {
        public static Spec records(int count) {
            return new Spec(count, 0, java.time.Duration.ZERO);
        }

        public Spec withRateLimit(int limit, java.time.Duration window) {
            return new Spec(primaryRecords, limit, window);
        }

        public boolean rateLimited() {
            return rateLimit > 0;
        }
    }

    /** A new instance of the provider under test. */
    Provider provider();

    /** The provider-wide settings to register it with (an OAuth client of the sandbox, for example). */
    Settings providerSettings();

    /**
     * Creates a connection for {@code tenantId} and makes it ACTIVE the way a user would: the OAuth
     * authorization-code flow against the sandbox, or API-key / basic credentials.
     */
    Connection connect(Hub hub, String tenantId);

    /** The entity the kit mutates and counts: a large, incremental one (contacts, patients, customers). */
    String primaryEntity();

    /** The ids the provider holds now, for any entity of {@link Provider#entityTypes()}. */
    Set<String> liveIds(String entity);

    /** Creates a record at the provider; returns its id. */
    String create(String entity);

    /** Changes a record at the provider (a field its transformer reads, so the stored payload changes). */
    void update(String entity, String id);

    /** Deletes a record at the provider. */
    void delete(String entity, String id);

    /** Makes a record unreadable for the transformer (a wrong type in a required field) while keeping its id. */
    void corrupt(String entity, String id);

    /** The running simulator this driver steers; the kit reads its faults, request log and rate-limit counts. */
    ControllableSandbox sandbox();

    /** The sandbox's fault injector, for 5xx, timeouts and malformed responses. */
    default FaultInjector faults() {
        return sandbox().faults();
    }

    /** The path pattern of the provider's data API, such as {@code /api/v4/**} (not the OAuth endpoints). */
    String apiPathPattern();

    /** Requests the sandbox answered with 429 so far. */
    default long rateLimitedResponses() {
        return sandbox().rateLimitStatistics().rejected();
    }

    /** Requests the sandbox received so far. */
    default long requestCount() {
        return sandbox().requestLog().totalCount();
    }

    /**
     * Makes the provider reject this connection's credentials from now on, as when a user revokes the app's access
     * (refreshing does not help).
     */
    void revokeAccess();

    /**
     * For providers with webhooks but without registration through the API: configure the sandbox to deliver the
     * connection's webhooks to {@code callbackUrl}. Providers with registration never get this call.
     */
    default void deliverWebhooksTo(Hub hub, Connection connection, String callbackUrl) {
        throw new UnsupportedOperationException("this sandbox cannot be told where to deliver webhooks");
    }

    /**
     * Whether the provider signs its webhooks. When it does not (Ascora), the kit checks instead that a tampered or
     * unsigned delivery cannot put its content into the store: such providers must confirm every event by refetching.
     */
    default boolean signsWebhooks() {
        return true;
    }

    /** Whether the provider sends a webhook when a record is deleted (Ascora documents no delete event). */
    default boolean sendsDeleteWebhooks() {
        return true;
    }

    /** Stops the sandbox. */
    @Override
    default void close() {
        sandbox().close();
    }
}
