package dev.changeflow.jobs.analytics;

/**
 * The first phase of a two-phase window aggregation: the totals of one salt (a slice of a key's
 * orders) in one window. The second phase adds up the latest partial of every salt.
 */
public record Partial(
        String dimension,
        String key,
        int salt,
        long windowStart,
        long windowEnd,
        long orders,
        long revenueCents) {

    /** The key of the second phase: one window of one group. */
    public String windowKey() {
        return dimension + "|" + key + "|" + windowStart + "|" + windowEnd;
    }
}
