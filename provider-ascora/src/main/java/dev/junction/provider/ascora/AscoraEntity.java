package dev.junction.provider.ascora;

import dev.junction.core.spi.EntityType;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The Ascora entities Junction syncs, in dependency order ([ASC-MC] endpoint list). Ascora has no
 * {@code updated_since} filter (the jobs date range filters on creation), so every pass reads each list whole
 * (unchanged records are skipped by hash). An incremental pass is such a read without the deletion sweep; a full
 * pass also sweeps, and that is how deletions (which Ascora never announces) reach Junction. The provider does not
 * claim {@code INCREMENTAL_SYNC}, because its incremental passes are not cheaper reads. Invoices and payments come from the accounting queues
 * ({@code GetInvoicesToSend} / {@code GetPaymentsToSend}), which hand out each item until it is marked as sent:
 * they are never swept (see {@link AscoraProvider#listsEveryRecord}).
 */
public enum AscoraEntity {
    CUSTOMERS("customers", "/Customers/Customers", "/Customers/Customer/", "customerId", false),
    CONTACTS("contacts", "/Customers/Contacts", null, "contactId", false, "customers"),
    JOBS("jobs", "/Jobs/Jobs", "/Jobs/Job/", "jobNumber", false, "customers"),
    QUOTES("quotes", "/Quotes/Quotes", "/Quotes/Quote/", "quoteNumber", false, "customers"),
    INVOICES("invoices", "/Accounting/GetInvoicesToSend", null, "invoiceId", true, "customers", "jobs"),
    PAYMENTS("payments", "/Accounting/GetPaymentsToSend", null, "paymentId", true, "invoices");

    private final String name;
    private final String listPath;
    private final String onePath;
    private final String idField;
    private final boolean queue;
    private final EntityType type;

    AscoraEntity(String name, String listPath, String onePath, String idField, boolean queue, String... dependsOn) {
        this.name = name;
        this.listPath = listPath;
        this.onePath = onePath;
        this.idField = idField;
        this.queue = queue;
        this.type = EntityType.of(name, dependsOn);
    }

    public String entityName() {
        return name;
    }

    /** The listing (paged with {@code Page}/{@code PageSize}) or, for queues, the queue to read. */
    public String listPath() {
        return listPath;
    }

    /** The single-record path prefix ({@code /Customers/Customer/}), empty when Ascora has none. */
    public Optional<String> onePath() {
        return Optional.ofNullable(onePath);
    }

    /**
     * The field holding the external id. Jobs and quotes are keyed by their number ({@code J4}), because Ascora's
     * single-record endpoints take the number ({@code GET /Jobs/Job/{jobNumber}}), and a webhook refetch must work
     * from the key alone.
     */
    public String idField() {
        return idField;
    }

    /** Whether this is an accounting queue (acknowledged with {@code MarkInvoicesAsSent}/{@code MarkPaymentsAsSent}). */
    public boolean queue() {
        return queue;
    }

    public EntityType type() {
        return type;
    }

    public static List<EntityType> types() {
        return Arrays.stream(values()).map(AscoraEntity::type).toList();
    }

    /** Looked up for every record a transformer reads: a map, not a scan of {@code values()} through a stream. */
    private static final Map<String, AscoraEntity> BY_NAME = Arrays.stream(values())
            .collect(Collectors.toMap(entity -> entity.name, entity -> entity, (first, later) -> first));

    public static Optional<AscoraEntity> byName(String name) {
        return Optional.ofNullable(BY_NAME.get(name));
    }
}
