package dev.changeflow.jobs.analytics;

import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;

/** Labels a salted window's totals with its dimension, group, salt and window. */
final class ToPartial
        extends ProcessWindowFunction<Tuple2<Long, Long>, Partial, SaltedKey, TimeWindow> {

    private static final long serialVersionUID = 1L;

    private final String dimension;

    ToPartial(String dimension) {
        this.dimension = dimension;
    }

    @Override
    public void process(
            SaltedKey key,
            Context context,
            Iterable<Tuple2<Long, Long>> totals,
            Collector<Partial> out) {
        Tuple2<Long, Long> total = totals.iterator().next();
        TimeWindow window = context.window();
        out.collect(
                new Partial(
                        dimension,
                        key.group(),
                        key.salt(),
                        window.getStart(),
                        window.getEnd(),
                        total.f0,
                        total.f1));
    }
}
