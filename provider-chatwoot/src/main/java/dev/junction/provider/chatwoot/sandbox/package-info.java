/**
 * A loopback simulator of Chatwoot's Application API for tests and demos, built from Chatwoot's public API docs and
 * source (see {@code shared/providers.md}, section 3), not from Junction's client. Experimental.
 */
package dev.junction.provider.chatwoot.sandbox;
