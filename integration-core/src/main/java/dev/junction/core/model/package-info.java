/**
 * The unified model: provider-independent records applications query. Evolving: types gain fields in minor
 * releases.
 */
package dev.junction.core.model;
