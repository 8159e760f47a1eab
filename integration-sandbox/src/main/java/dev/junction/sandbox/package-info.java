/**
 * Shared machinery for provider API simulators ("sandboxes").
 *
 * <p>A provider module builds a simulator of its provider's HTTP API from these parts: a loopback
 * {@link dev.junction.sandbox.SandboxServer} with routing, filters, a {@link
 * dev.junction.sandbox.RequestLog} and {@link dev.junction.sandbox.FaultInjector fault injection};
 * seeded {@link dev.junction.sandbox.Dataset datasets} that generate records on demand; a {@link
 * dev.junction.sandbox.FixedWindowRateLimiter}; an {@link
 * dev.junction.sandbox.OAuthAuthorizationServer}; a {@link dev.junction.sandbox.WebhookDispatcher}
 * for signed webhook deliveries; and a {@link dev.junction.sandbox.MutableClock} so tests control
 * time. Simulators are published through the {@link dev.junction.sandbox.SandboxFactory} service
 * provider interface.
 *
 * <p>Stability: this package is used by provider modules and tests inside Junction. It may change
 * between minor versions; third-party providers may use it, but should expect small changes.
 *
 * <p>The package depends only on the JDK, Jackson and SLF4J, so a simulator never depends on the
 * code it is used to test.
 */
package dev.junction.sandbox;
