package dev.junction.core.model;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Objects;

/** A bill sent to a client: a Clio bill, a Stripe or Cliniko invoice. */
public record Invoice(String externalId, String number, String status, LocalDate issuedOn, LocalDate dueOn,
        BigDecimal total, BigDecimal balance, String currency, String contactId, String engagementId,
        Instant updatedAt) implements UnifiedRecord {

    public Invoice {
        Objects.requireNonNull(externalId, "externalId");
    }

    @Override
    public UnifiedType type() {
        return UnifiedType.INVOICE;
    }

    @Override
    public String label() {
        return number;
    }
}
