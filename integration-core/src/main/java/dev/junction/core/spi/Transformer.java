package dev.junction.core.spi;

import dev.junction.core.model.UnifiedRecord;
import java.util.Optional;

/**
 * Turns a provider record into Junction's unified model. Pure: no I/O, no clock, no state, so it is tested with
 * the provider's published example payloads alone. Called by the sync engine and the webhook processor, from
 * several threads at once: implementations must be thread-safe (stateless is simplest).
 *
 * <p>Example:
 * <pre>{@code
 * Optional<UnifiedRecord> contact = transformer.transform(RemoteRecord.of("contacts", "17", null, json));
 * }</pre>
 */
@FunctionalInterface
public interface Transformer {

    /**
     * The unified record for {@code record}, or empty for entities that are kept raw only.
     *
     * @throws dev.junction.core.error.JunctionException of kind {@code UNEXPECTED_PAYLOAD} when the payload's
     *     shape is wrong (a mistyped or unparseable field). The engine then dead-letters the record and keeps
     *     syncing the rest of the page.
     */
    Optional<UnifiedRecord> transform(RemoteRecord record);
}
