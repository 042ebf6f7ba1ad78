package dev.changeflow.jobs.alerts;

import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Pairs every order activity with each rule that applies to it, in the rule's version valid at the
 * activity's event time, the way an event-time temporal join does: activities wait (keyed state,
 * one event-time timer per timestamp) until the watermark passes them, so a rule version that
 * arrives before then applies from exactly its {@code valid_from}, whatever the order in which the
 * two topics are read. The watermark is the lower of the orders' and the rules' (the rules' stream
 * goes idle when the table does not change, and then only the orders' counts).
 *
 * <p>The rules are broadcast state: the last {@value #VERSIONS_KEPT} versions of each rule, kept by
 * every subtask alike (no pruning by watermark, which differs between subtasks).
 */
public final class AttachRules
        extends KeyedBroadcastProcessFunction<Long, OrderActivity, RuleChange, RuledActivity> {

    private static final long serialVersionUID = 1L;

    /** Versions kept per rule: activities older than the oldest get the oldest. */
    static final int VERSIONS_KEPT = 16;

    /** Rule id to its versions, oldest first. */
    public static final MapStateDescriptor<String, List<RuleChange>> RULES =
            new MapStateDescriptor<>(
                    "fraud-rules", Types.STRING, Types.LIST(TypeInformation.of(RuleChange.class)));

    private transient MapState<Long, List<OrderActivity>> waiting;
    private transient Counter late;

    @Override
    public void open(Configuration parameters) {
        waiting =
                getRuntimeContext()
                        .getMapState(
                                new MapStateDescriptor<>(
                                        "waiting-activities",
                                        Types.LONG,
                                        Types.LIST(TypeInformation.of(OrderActivity.class))));
        late = getRuntimeContext().getMetricGroup().counter("lateActivities");
    }

    @Override
    public void processElement(
            OrderActivity activity, ReadOnlyContext ctx, Collector<RuledActivity> out)
            throws Exception {
        long time = activity.eventTimeMs();
        if (time <= ctx.timerService().currentWatermark()) {
            // behind the watermark: the patterns would drop it as late anyway
            late.inc();
            return;
        }
        List<OrderActivity> at = waiting.get(time);
        if (at == null) {
            at = new ArrayList<>();
            ctx.timerService().registerEventTimeTimer(time);
        }
        at.add(activity);
        waiting.put(time, at);
    }

    @Override
    public void onTimer(long time, OnTimerContext ctx, Collector<RuledActivity> out)
            throws Exception {
        List<OrderActivity> due = waiting.get(time);
        if (due == null) {
            return;
        }
        waiting.remove(time);
        ReadOnlyBroadcastState<String, List<RuleChange>> rules = ctx.getBroadcastState(RULES);
        for (Map.Entry<String, List<RuleChange>> rule : rules.immutableEntries()) {
            FraudRule version = validAt(rule.getValue(), time);
            if (version == null) {
                continue;
            }
            for (OrderActivity activity : due) {
                if (version.appliesTo(activity)) {
                    out.collect(new RuledActivity(activity, version));
                }
            }
        }
    }

    @Override
    public void processBroadcastElement(
            RuleChange change, Context ctx, Collector<RuledActivity> out) throws Exception {
        BroadcastState<String, List<RuleChange>> rules = ctx.getBroadcastState(RULES);
        List<RuleChange> versions = rules.get(change.ruleId());
        List<RuleChange> updated = versions == null ? new ArrayList<>() : new ArrayList<>(versions);
        updated.removeIf(v -> v.validFromMs() == change.validFromMs());
        int at = 0;
        while (at < updated.size() && updated.get(at).validFromMs() < change.validFromMs()) {
            at++;
        }
        updated.add(at, change);
        while (updated.size() > VERSIONS_KEPT) {
            updated.remove(0);
        }
        rules.put(change.ruleId(), updated);
    }

    /** The version in force at {@code time}: the newest one from at or before it, or null. */
    static FraudRule validAt(List<RuleChange> versions, long time) {
        FraudRule valid = null;
        for (RuleChange version : versions) {
            if (version.validFromMs() > time) {
                break;
            }
            valid = version.rule();
        }
        return valid;
    }
}
