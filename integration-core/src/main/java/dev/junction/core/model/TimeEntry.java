package dev.junction.core.model;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Objects;

/**
 * Time worked, as billed: a Clio time entry.
 *
 * @param durationSeconds the time worked, in seconds
 * @param rate price per hour
 * @param total amount billed for the entry
 */
public record TimeEntry(String externalId, LocalDate date, long durationSeconds, BigDecimal rate, BigDecimal total,
        String note, Boolean billed, String engagementId, String userId, Instant updatedAt) implements UnifiedRecord {

    public TimeEntry {
        Objects.requireNonNull(externalId, "externalId");
    }

    @Override
    public UnifiedType type() {
        return UnifiedType.TIME_ENTRY;
    }

    @Override
    public String label() {
        return note;
    }
}
