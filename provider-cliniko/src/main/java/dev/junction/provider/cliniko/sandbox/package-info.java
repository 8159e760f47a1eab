/**
 * A simulator of the Cliniko API v1 for tests, demos and offline development, built from Cliniko's public
 * documentation. Stable for tests in this repository; not a public API.
 */
package dev.junction.provider.cliniko.sandbox;
