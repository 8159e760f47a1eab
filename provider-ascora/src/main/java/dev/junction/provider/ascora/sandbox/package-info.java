/**
 * {@link dev.junction.provider.ascora.sandbox.AscoraSandbox}, a loopback Ascora built from Ascora's public API
 * descriptions ([ASC-MC], [ASC-PD]), for tests and demos. Unstable: shapes change with what we learn.
 */
package dev.junction.provider.ascora.sandbox;
