package dev.changeflow.jobs.analytics;

/**
 * A group (category, region) plus a salt: the first phase of the two-phase aggregation keys by
 * both, so a hot group's orders spread over up to {@code salts} subtasks instead of one.
 *
 * @param group the group
 * @param salt {@code 0 .. salts-1}, from the order id
 */
public record SaltedKey(String group, int salt) {

    /** The salted key of an order in {@code group}: the same order always gets the same salt. */
    public static SaltedKey of(String group, long orderId, int salts) {
        return new SaltedKey(
                group, (int) Math.floorMod(orderId * 0x9E3779B97F4A7C15L >>> 33, (long) salts));
    }
}
