/**
 * The Cliniko provider: {@link dev.junction.provider.cliniko.ClinikoProvider} (listed by ServiceLoader), its
 * transformer, actions and the {@link dev.junction.provider.cliniko.ClinikoActivePatients} view. Public API:
 * the provider's ids and setting names, {@code ClinikoActions} names, {@code ClinikoActivePatients}; the rest may
 * change.
 */
package dev.junction.provider.cliniko;
