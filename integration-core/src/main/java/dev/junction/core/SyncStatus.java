package dev.junction.core;

/** The state of a sync run or of one entity in it. */
public enum SyncStatus {
    PENDING, RUNNING, SUCCEEDED,
    /** Some entities succeeded and some failed. */
    PARTIAL,
    FAILED, CANCELLED,
    /** Another run holds the entity's lease; nothing was done for it. */
    SKIPPED
}
