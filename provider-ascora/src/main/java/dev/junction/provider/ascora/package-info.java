/**
 * The Ascora provider: {@link dev.junction.provider.ascora.AscoraProvider} (listed by ServiceLoader), its
 * transformer, webhook handler, actions and two-way push. Public API: the provider's id, setting names and action
 * names; the rest may change.
 */
package dev.junction.provider.ascora;
