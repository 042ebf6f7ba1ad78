package dev.changeflow.jobs.analytics;

/**
 * Orders and revenue of one window for one key of one dimension, e.g. category {@code books} in the
 * minute starting at 12:00. A window may be emitted again, with new totals, when late orders or
 * retractions arrive within the allowed lateness: sinks upsert by {@link #id()}.
 *
 * @param dimension what is grouped by and how it is windowed, e.g. {@code category-1m}
 * @param key the group, e.g. the category's name
 * @param windowStart window start, epoch milliseconds (inclusive)
 * @param windowEnd window end, epoch milliseconds (exclusive)
 * @param orders orders counted (additions minus retractions)
 * @param revenueCents revenue in hundredths
 * @param revision 1 for the window's first emission, then one more for each re-emission: a consumer
 *     sees every revision of a window once and in order (exactly-once sinks), and can tell a newer
 *     result from an older one
 */
public record WindowResult(
        String dimension,
        String key,
        long windowStart,
        long windowEnd,
        long orders,
        long revenueCents,
        long revision) {

    /** The deterministic id of this window: a replay or a late update overwrites it. */
    public String id() {
        return dimension + ":" + key + ":" + windowStart;
    }
}
