package dev.junction.core;

/** How much to fetch. */
public enum SyncMode {
    /** Every record; after a complete pass, records the provider no longer lists are marked deleted. */
    FULL,
    /** Records changed since the last completed pass (falls back to full for an entity never synced). */
    INCREMENTAL
}
