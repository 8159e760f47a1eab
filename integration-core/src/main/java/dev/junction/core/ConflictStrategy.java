package dev.junction.core;

/**
 * How two-way sync resolves a conflict: a record changed locally (the change being pushed) and at the provider since
 * Junction last synced it.
 */
public enum ConflictStrategy {
    /** The provider's version stays; the local change is not pushed (the caller sees it was rejected). */
    REMOTE_WINS,
    /** The local change is pushed over the provider's version. */
    LOCAL_WINS,
    /**
     * The newer side wins: the local change's {@link PushChange#changedAt()} against the provider's
     * {@code updated_at}; a provider record without a timestamp counts as newer (the safe side).
     */
    NEWEST_WINS
}
