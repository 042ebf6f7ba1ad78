package dev.changeflow.jobs.analytics;

import org.apache.flink.api.common.functions.AggregateFunction;
import org.apache.flink.api.java.tuple.Tuple2;

/** Adds up signed orders and revenue: (orders, revenue in cents). */
public final class OrderTotals
        implements AggregateFunction<OrderEvent, Tuple2<Long, Long>, Tuple2<Long, Long>> {

    private static final long serialVersionUID = 1L;

    @Override
    public Tuple2<Long, Long> createAccumulator() {
        return Tuple2.of(0L, 0L);
    }

    @Override
    public Tuple2<Long, Long> add(OrderEvent order, Tuple2<Long, Long> totals) {
        return Tuple2.of(
                totals.f0 + order.sign(), totals.f1 + (long) order.sign() * order.amountCents());
    }

    @Override
    public Tuple2<Long, Long> getResult(Tuple2<Long, Long> totals) {
        return totals;
    }

    @Override
    public Tuple2<Long, Long> merge(Tuple2<Long, Long> a, Tuple2<Long, Long> b) {
        return Tuple2.of(a.f0 + b.f0, a.f1 + b.f1);
    }
}
