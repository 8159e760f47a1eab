/**
 * {@link dev.junction.provider.stripe.sandbox.StripeSandbox}, an offline simulator of Stripe's API for tests and demos,
 * started directly or through {@link dev.junction.provider.stripe.sandbox.StripeSandboxFactory}. Test tooling: its
 * control methods may change between minor versions.
 */
package dev.junction.provider.stripe.sandbox;
