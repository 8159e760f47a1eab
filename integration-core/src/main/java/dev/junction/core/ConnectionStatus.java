package dev.junction.core;

/** Where a connection stands. */
public enum ConnectionStatus {
    /** Created, waiting for the OAuth flow to complete. */
    PENDING_AUTH,
    /** Credentials work; syncs run. */
    ACTIVE,
    /** The provider rejected the credentials and refresh failed: send the user through OAuth again. */
    NEEDS_REAUTH,
    /** Switched off by an operator. */
    DISABLED
}
