package dev.junction.provider.cliniko;

import dev.junction.core.spi.EntityType;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The Cliniko entities Junction syncs, in dependency order, with the listings each one is read from
 * ([CLINIKO-SEC]). A record's state decides its listing: archived patients are only in {@code /patients/archived},
 * cancelled appointments only in {@code /individual_appointments/cancelled}, inactive practitioners only in
 * {@code /practitioners/inactive}, archived appointment types only in {@code /appointment_types/archived}. So a pass
 * reads the main listing and then the state listings, and the record keeps its state ({@code archived_at},
 * {@code cancelled_at}, {@code active}); it is not a deletion. Deleted records are only in the {@code /deleted} listing, which incremental passes read last and
 * turn into tombstones.
 */
public enum ClinikoEntity {
    BUSINESSES("businesses", List.of(), false),
    PRACTITIONERS("practitioners", List.of(Listing.INACTIVE), false),
    APPOINTMENT_TYPES("appointment_types", List.of(Listing.ARCHIVED), false),
    PATIENTS("patients", List.of(Listing.ARCHIVED), true),
    INDIVIDUAL_APPOINTMENTS("individual_appointments", List.of(Listing.CANCELLED), true,
            "businesses", "practitioners", "appointment_types", "patients"),
    INVOICES("invoices", List.of(), true, "businesses", "practitioners", "patients");

    /** One listing of an entity; its suffix follows the entity's path. */
    public enum Listing {
        MAIN(""), ARCHIVED("/archived"), CANCELLED("/cancelled"), INACTIVE("/inactive"), DELETED("/deleted");

        private final String suffix;

        Listing(String suffix) {
            this.suffix = suffix;
        }

        public String suffix() {
            return suffix;
        }
    }

    private final String path;
    private final List<Listing> stateListings;
    private final boolean hasDeletedListing;
    private final EntityType type;

    ClinikoEntity(String path, List<Listing> stateListings, boolean hasDeletedListing, String... dependsOn) {
        this.path = path;
        this.stateListings = stateListings;
        this.hasDeletedListing = hasDeletedListing;
        this.type = EntityType.of(path, dependsOn);
    }

    /** The path under {@code /v1} and the key of the records array in list responses. */
    public String path() {
        return path;
    }

    public EntityType type() {
        return type;
    }

    /** Whether Cliniko lists this entity's deleted records ({@code /patients/deleted}). */
    public boolean hasDeletedListing() {
        return hasDeletedListing;
    }

    /** The listings a pass reads, in order: main, state listings, and for incremental passes the deleted one. */
    public List<Listing> listings(boolean incremental) {
        List<Listing> listings = new java.util.ArrayList<>();
        listings.add(Listing.MAIN);
        listings.addAll(stateListings);
        if (incremental && hasDeletedListing) {
            listings.add(Listing.DELETED);
        }
        return List.copyOf(listings);
    }

    public static List<EntityType> types() {
        return Arrays.stream(values()).map(ClinikoEntity::type).toList();
    }

    /** Looked up for every record a transformer reads: a map, not a scan of {@code values()} through a stream. */
    private static final Map<String, ClinikoEntity> BY_PATH = Arrays.stream(values())
            .collect(Collectors.toMap(entity -> entity.path, entity -> entity, (first, later) -> first));

    public static Optional<ClinikoEntity> byPath(String path) {
        return Optional.ofNullable(BY_PATH.get(path));
    }
}
