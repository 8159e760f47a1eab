/**
 * The Chatwoot provider: connector, transformer, webhook handler and registration, actions, and the reports computed
 * from synced data ({@link dev.junction.provider.chatwoot.ChatwootReports}). Only {@code ChatwootProvider},
 * {@code ChatwootActions} and {@code ChatwootReports} are public API; experimental while the provider is new.
 */
package dev.junction.provider.chatwoot;
