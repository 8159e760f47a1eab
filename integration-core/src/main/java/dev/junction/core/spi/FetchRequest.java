package dev.junction.core.spi;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What the sync engine asks a {@link Connector} for: one page of one entity.
 *
 * <p>For a full pass {@link #since()} is empty. For an incremental pass it is the inclusive lower bound
 * (the previous run's upper bound minus a lookback), and {@link #until()} is the upper bound fixed when the run
 * started; a connector may return records updated after {@code until} (the engine handles them), but must not
 * skip records updated at exactly {@code since}.
 *
 * @param entity the entity to fetch
 * @param cursor empty for the first page; otherwise a value the connector returned in {@link Page#nextCursor()}
 * @param since inclusive lower bound on the remote update time, for incremental passes
 * @param until the run's upper bound (the engine's clock when the run started)
 * @param pageSize the page size the engine prefers; a connector may clamp it to the provider's maximum
 */
public record FetchRequest(EntityType entity, Optional<String> cursor, Optional<Instant> since, Instant until, int pageSize) {

    public FetchRequest {
        Objects.requireNonNull(entity, "entity");
        Objects.requireNonNull(cursor, "cursor");
        Objects.requireNonNull(since, "since");
        Objects.requireNonNull(until, "until");
        if (pageSize < 1) {
            throw new IllegalArgumentException("pageSize must be positive");
        }
    }

    public boolean incremental() {
        return since.isPresent();
    }

    public FetchRequest withCursor(String next) {
        return new FetchRequest(entity, Optional.of(next), since, until, pageSize);
    }
}
