/**
 * The Stripe provider: {@link dev.junction.provider.stripe.StripeProvider} (listed for ServiceLoader), its connector,
 * transformer, webhook handler, endpoint registration and actions, and {@link dev.junction.provider.stripe.StripeBilling},
 * a billing-status view over the hub's stored Stripe data.
 *
 * <p>Stability: {@code StripeProvider}'s id and settings, {@code StripeEntity} names, the action names and inputs,
 * and {@code StripeBilling}'s records are public contract (stored data and callers depend on them). The other
 * public types ({@code StripeTransformer}, {@code StripeWebhookHandler}, {@code StripeSignature}) may change between
 * minor versions.
 */
package dev.junction.provider.stripe;
