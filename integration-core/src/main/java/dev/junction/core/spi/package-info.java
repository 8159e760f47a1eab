/**
 * The provider SPI: what a plug-in implements ({@link dev.junction.core.spi.Provider},
 * {@link dev.junction.core.spi.Connector}, {@link dev.junction.core.spi.Transformer},
 * {@link dev.junction.core.spi.WebhookHandler}, {@link dev.junction.core.spi.Action}) and the values core
 * exchanges with it.
 *
 * <p>Evolving: types may gain default methods in minor releases; nothing is removed without a deprecation.
 */
package dev.junction.core.spi;
