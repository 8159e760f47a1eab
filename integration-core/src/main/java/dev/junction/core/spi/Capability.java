package dev.junction.core.spi;

/**
 * Optional things a provider can do. A provider declares what it supports in {@link Provider#capabilities()};
 * core refuses undeclared operations with {@link dev.junction.core.error.UnsupportedCapabilityException}
 * before calling the provider, and the conformance kit checks that.
 */
public enum Capability {
    /** {@link Connector#fetch} honours {@link FetchRequest#since()} for entities marked incremental. */
    INCREMENTAL_SYNC,
    /** Incoming webhooks can be verified and parsed ({@link Provider#webhookHandler()}). */
    WEBHOOKS,
    /** Webhooks can be registered, renewed and removed through the provider's API ({@link Connector#webhooks()}). */
    WEBHOOK_REGISTRATION,
    /** Single records can be fetched by id ({@link Connector#fetchOne}). */
    FETCH_ONE,
    /** The provider reports deletions itself (deleted listings or delete events), besides mark-and-sweep. */
    DELETION_SIGNALS,
    /** The provider offers typed writes ({@link Provider#actions()}). */
    ACTIONS,
    /**
     * Local changes can be pushed to the provider ({@link Connector#push}), with conflict detection by core. Needs
     * {@link #FETCH_ONE} too, to see whether the record changed remotely since the last sync.
     */
    PUSH
}
