package dev.changeflow.jobs.analytics;

import javax.annotation.Nullable;

/**
 * One signed contribution of an order to the analytics: a new or changed order adds itself ({@code
 * sign = +1}), and an update or delete first retracts what the old row contributed ({@code sign =
 * -1}), so a cancelled order does not stay counted. A retraction carries the old row's values and
 * event time, so it lands in the same windows as the contribution it takes back.
 *
 * @param orderId the order's primary key
 * @param customerId the ordering customer
 * @param productId the ordered product
 * @param amountCents the order's amount in hundredths (exact)
 * @param status the order's status
 * @param eventTimeMs when the order was placed (its {@code created_at}), epoch milliseconds
 * @param sign +1 to add, -1 to retract
 * @param op the change's operation ({@code r}, {@code c}, {@code u}, {@code d})
 * @param position the change's source position
 * @param category the product's category, from the Redis view (null before enrichment)
 * @param region the customer's region, from the Redis view (null before enrichment)
 * @param enrichment {@code ok}, {@code missing} (no such row in a view) or {@code unavailable}
 *     (Redis did not answer in time after retries); null before enrichment
 */
public record OrderEvent(
        long orderId,
        long customerId,
        long productId,
        long amountCents,
        String status,
        long eventTimeMs,
        int sign,
        String op,
        String position,
        @Nullable String category,
        @Nullable String region,
        @Nullable String enrichment) {

    /** The category or region used when a view has no answer. */
    public static final String UNKNOWN = "unknown";

    public static final String ENRICHED = "ok";
    public static final String MISSING = "missing";
    public static final String UNAVAILABLE = "unavailable";

    /** This event with the views' answers. */
    public OrderEvent enriched(String category, String region, String enrichment) {
        return new OrderEvent(
                orderId,
                customerId,
                productId,
                amountCents,
                status,
                eventTimeMs,
                sign,
                op,
                position,
                category,
                region,
                enrichment);
    }
}
