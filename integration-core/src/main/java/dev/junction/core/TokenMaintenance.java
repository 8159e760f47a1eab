package dev.junction.core;

/**
 * What one round of {@link Hub#refreshExpiringTokens(java.time.Duration)} did.
 *
 * @param refreshed connections whose tokens were refreshed at the provider by this call
 * @param failed connections whose refresh failed (a refused grant also marks the connection as needing re-auth)
 */
public record TokenMaintenance(int refreshed, int failed) {}
