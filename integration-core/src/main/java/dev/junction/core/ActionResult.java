package dev.junction.core;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The outcome of an action.
 *
 * @param replayed true when the idempotency key had already been used with the same input and the stored result
 *     was returned without calling the provider
 */
public record ActionResult(String action, JsonNode result, boolean replayed) {}
