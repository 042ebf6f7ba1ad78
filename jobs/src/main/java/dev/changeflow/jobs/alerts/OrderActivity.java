package dev.changeflow.jobs.alerts;

/**
 * What the alerts job sees of an order change, as an append event: an order placed ({@code c} or a
 * snapshot read), or its status changed ({@code u} with a new {@code status}).
 *
 * @param eventTimeMs placed: the row's own {@code created_at}; a status change: when the database
 *     committed it (the change's {@code ts_ms}), as the row has no time column of its own for it
 * @param position the change's source position, unique per order change
 */
public record OrderActivity(
        long customerId,
        long orderId,
        long amountCents,
        String status,
        Kind kind,
        long eventTimeMs,
        String position) {

    /** What happened to the order. */
    public enum Kind {
        PLACED,
        STATUS
    }
}
