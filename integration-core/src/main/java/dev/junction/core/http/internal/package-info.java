/**
 * The implementation of {@link dev.junction.core.http}: rate limiter, call executor, error mapping, redaction,
 * Feign wiring and pagination strategies.
 *
 * <p>Internal: not API, may change without notice. Providers use {@link dev.junction.core.http} instead.
 */
package dev.junction.core.http.internal;
