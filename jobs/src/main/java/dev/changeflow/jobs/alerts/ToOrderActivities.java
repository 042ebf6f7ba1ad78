package dev.changeflow.jobs.alerts;

import dev.changeflow.jobs.analytics.OrderEvent;
import dev.changeflow.jobs.analytics.ToOrderEvents;
import dev.changeflow.jobs.sources.KafkaChange;
import dev.changeflow.schemas.ChangeEvent;
import dev.changeflow.schemas.DeadLetter;
import dev.changeflow.schemas.Op;

import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.types.Either;
import org.apache.flink.util.Collector;

/**
 * Order changes as append events for the patterns: an insert or snapshot read is an order {@link
 * OrderActivity.Kind#PLACED placed} (at its {@code created_at}), an update that changes {@code
 * status} is a {@link OrderActivity.Kind#STATUS status change} (at its commit time); other updates
 * and deletes say nothing the patterns look at. A change without the fields the patterns need goes
 * to the dead letters with the reason.
 */
public final class ToOrderActivities
        extends ProcessFunction<Either<DeadLetter, KafkaChange>, OrderActivity> {

    private static final long serialVersionUID = 1L;

    @Override
    public void processElement(
            Either<DeadLetter, KafkaChange> value, Context ctx, Collector<OrderActivity> out) {
        if (value.isLeft()) {
            ctx.output(AlertsJob.DEAD_LETTERS, value.left());
            return;
        }
        ChangeEvent event = value.right().event();
        try {
            if (event.op() == Op.CREATE || event.op() == Op.READ) {
                out.collect(activity(ToOrderEvents.toEvent(event, event.after(), 1), null));
            } else if (event.op() == Op.UPDATE) {
                OrderEvent before = ToOrderEvents.toEvent(event, event.before(), -1);
                OrderEvent after = ToOrderEvents.toEvent(event, event.after(), 1);
                if (!before.status().equals(after.status())) {
                    out.collect(activity(after, event.source().tsMs()));
                }
            }
        } catch (IllegalArgumentException e) {
            ctx.output(
                    AlertsJob.DEAD_LETTERS, DeadLetter.ofChange(e.getMessage(), "alerts", event));
        }
    }

    /**
     * The event time of an order change, as its activity carries it: an order placed at its {@code
     * created_at}, a status change at its commit time; {@code fallback} for a change that is no
     * activity or cannot be read (it goes to the dead letters).
     */
    static long eventTimeMs(ChangeEvent event, long fallback) {
        try {
            if (event.op() == Op.CREATE || event.op() == Op.READ) {
                return ToOrderEvents.timestamp(event.after(), "created_at");
            }
            return event.source().tsMs();
        } catch (RuntimeException e) {
            return fallback;
        }
    }

    private static OrderActivity activity(OrderEvent order, Long statusTime) {
        return new OrderActivity(
                order.customerId(),
                order.orderId(),
                order.amountCents(),
                order.status(),
                statusTime == null ? OrderActivity.Kind.PLACED : OrderActivity.Kind.STATUS,
                statusTime == null ? order.eventTimeMs() : statusTime,
                order.position());
    }
}
