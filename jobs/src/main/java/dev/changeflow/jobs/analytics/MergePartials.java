package dev.changeflow.jobs.analytics;

import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The second phase of the two-phase aggregation, keyed by one window of one group: keeps the latest
 * partial of each salt and emits their sum once the watermark passes the window's end (when every
 * salt's first firing has arrived), then again whenever a late firing changes a partial, each
 * emission with the window's next {@link WindowResult#revision()}. State is dropped when the window
 * can no longer change (end + allowed lateness).
 */
final class MergePartials extends KeyedProcessFunction<String, Partial, WindowResult> {

    private static final long serialVersionUID = 1L;

    private final long allowedLatenessMs;

    private transient MapState<Integer, long[]> partials;
    private transient ValueState<Boolean> fired;
    private transient ValueState<Long> revision;

    MergePartials(long allowedLatenessMs) {
        this.allowedLatenessMs = allowedLatenessMs;
    }

    @Override
    public void open(Configuration parameters) {
        partials =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "partials",
                                        Types.INT,
                                        PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO));
        fired = getRuntimeContext().getState(new ValueStateDescriptor<>("fired", Types.BOOLEAN));
        revision = getRuntimeContext().getState(new ValueStateDescriptor<>("revision", Types.LONG));
    }

    @Override
    public void processElement(Partial partial, Context ctx, Collector<WindowResult> out)
            throws Exception {
        partials.put(partial.salt(), new long[] {partial.orders(), partial.revenueCents()});
        if (Boolean.TRUE.equals(fired.value())) {
            out.collect(sum(partial));
        } else {
            ctx.timerService().registerEventTimeTimer(partial.windowEnd() - 1);
            ctx.timerService()
                    .registerEventTimeTimer(partial.windowEnd() - 1 + allowedLatenessMs + 1);
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<WindowResult> out)
            throws Exception {
        if (!Boolean.TRUE.equals(fired.value())) {
            fired.update(true);
            out.collect(sum(fromKey(ctx.getCurrentKey())));
        } else {
            partials.clear();
            fired.clear();
            revision.clear();
        }
    }

    private WindowResult sum(Partial window) throws Exception {
        long next = revision.value() == null ? 1 : revision.value() + 1;
        revision.update(next);
        long orders = 0;
        long revenue = 0;
        for (long[] totals : partials.values()) {
            orders += totals[0];
            revenue += totals[1];
        }
        return new WindowResult(
                window.dimension(),
                window.key(),
                window.windowStart(),
                window.windowEnd(),
                orders,
                revenue,
                next);
    }

    /** The window of a {@link Partial#windowKey()}; the group may itself contain '|'. */
    static Partial fromKey(String windowKey) {
        int first = windowKey.indexOf('|');
        int last = windowKey.lastIndexOf('|');
        int secondLast = windowKey.lastIndexOf('|', last - 1);
        return new Partial(
                windowKey.substring(0, first),
                windowKey.substring(first + 1, secondLast),
                0,
                Long.parseLong(windowKey.substring(secondLast + 1, last)),
                Long.parseLong(windowKey.substring(last + 1)),
                0,
                0);
    }
}
