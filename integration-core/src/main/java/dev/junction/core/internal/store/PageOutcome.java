package dev.junction.core.internal.store;

/** What writing one page did. */
public record PageOutcome(int added, int updated, int unchanged, int deleted) {
    public static final PageOutcome NONE = new PageOutcome(0, 0, 0, 0);

    public PageOutcome plus(PageOutcome other) {
        return new PageOutcome(added + other.added, updated + other.updated, unchanged + other.unchanged,
                deleted + other.deleted);
    }
}
