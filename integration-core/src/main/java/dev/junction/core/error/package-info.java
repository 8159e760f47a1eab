/**
 * Junction's error taxonomy: one unchecked root, {@link dev.junction.core.error.JunctionException}, with an
 * {@link dev.junction.core.error.ErrorKind} and an {@link dev.junction.core.error.ErrorContext}.
 *
 * <p>Stable: part of the public API.
 */
package dev.junction.core.error;
