package dev.junction.core.model;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Objects;

/** A cost incurred for an engagement: a Clio expense entry. */
public record Expense(String externalId, LocalDate date, BigDecimal quantity, BigDecimal price, BigDecimal total,
        String note, Boolean billed, String engagementId, String userId, Instant updatedAt) implements UnifiedRecord {

    public Expense {
        Objects.requireNonNull(externalId, "externalId");
    }

    @Override
    public UnifiedType type() {
        return UnifiedType.EXPENSE;
    }

    @Override
    public String label() {
        return note;
    }
}
