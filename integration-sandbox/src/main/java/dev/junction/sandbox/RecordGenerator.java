package dev.junction.sandbox;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Builds the JSON body of one record of a {@link Dataset} from its context.
 *
 * <p>Called on demand, possibly from several threads at once and many times for the same id, so it
 * must be a pure function of its context: use only {@link RecordContext#random()} for randomness.
 */
@FunctionalInterface
public interface RecordGenerator {

    /** Returns a new body for the record described by {@code context}. */
    ObjectNode generate(RecordContext context);
}
