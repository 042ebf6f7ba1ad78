package dev.changeflow.jobs.alerts;

import org.apache.flink.cep.CEP;
import org.apache.flink.cep.functions.PatternProcessFunction;
import org.apache.flink.cep.nfa.aftermatch.AfterMatchSkipStrategy;
import org.apache.flink.cep.pattern.Pattern;
import org.apache.flink.cep.pattern.conditions.IterativeCondition;
import org.apache.flink.cep.pattern.conditions.SimpleCondition;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.util.Collector;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The fraud patterns, in Flink CEP, over one customer's activities under one rule ({@link
 * RuledActivity#key()}). The patterns' shapes are fixed; their thresholds are the rule's, carried
 * on every event in the version valid at its event time, so a changed rule row changes them without
 * a restart. CEP keeps partial matches for at most {@code window.max} (the patterns' {@code
 * within}); a rule's own window is checked on the match's events.
 *
 * <ul>
 *   <li>card testing: {@code min_count} or more orders of at most {@code small_amount} in a row,
 *       then one of at least {@code large_amount}, all within the window;
 *   <li>velocity: {@code min_count} orders within the window (counting starts afresh after an
 *       alert);
 *   <li>cancel after pay: an order paid, then the same order cancelled within the window.
 * </ul>
 */
public final class AlertPatterns {

    private AlertPatterns() {}

    /** Every pattern's alerts of {@code activities}. */
    public static DataStream<Alert> alerts(
            KeyedStream<RuledActivity, String> activities, Duration maxWindow) {
        DataStream<Alert> cardTesting =
                CEP.pattern(activities, cardTesting(maxWindow))
                        .process(new ToAlert("small", "large"))
                        .uid("card-testing-pattern")
                        .name("Card testing (CEP)");
        DataStream<Alert> velocity =
                CEP.pattern(activities, velocity(maxWindow))
                        .process(new ToAlert("earlier", "last"))
                        .uid("velocity-pattern")
                        .name("Velocity (CEP)");
        DataStream<Alert> cancelAfterPay =
                CEP.pattern(activities, cancelAfterPay(maxWindow))
                        .process(new ToAlert("paid", "cancelled"))
                        .uid("cancel-after-pay-pattern")
                        .name("Cancel after pay (CEP)");
        return cardTesting.union(velocity, cancelAfterPay);
    }

    static Pattern<RuledActivity, ?> cardTesting(Duration maxWindow) {
        return Pattern.<RuledActivity>begin("small", AfterMatchSkipStrategy.skipPastLastEvent())
                .where(
                        SimpleCondition.of(
                                r ->
                                        is(r, FraudRule.Kind.CARD_TESTING)
                                                && r.activity().amountCents()
                                                        <= r.rule().smallCents()))
                .oneOrMore()
                .consecutive()
                .next("large")
                .where(
                        new IterativeCondition<>() {
                            @Override
                            public boolean filter(RuledActivity r, Context<RuledActivity> ctx)
                                    throws Exception {
                                return is(r, FraudRule.Kind.CARD_TESTING)
                                        && r.activity().amountCents() >= r.rule().largeCents()
                                        && enoughWithinWindow(
                                                ctx.getEventsForPattern("small"), 0, r);
                            }
                        })
                .within(maxWindow);
    }

    static Pattern<RuledActivity, ?> velocity(Duration maxWindow) {
        return Pattern.<RuledActivity>begin("earlier", AfterMatchSkipStrategy.skipPastLastEvent())
                .where(SimpleCondition.of(r -> is(r, FraudRule.Kind.VELOCITY)))
                .oneOrMore()
                .consecutive()
                .next("last")
                .where(
                        new IterativeCondition<>() {
                            @Override
                            public boolean filter(RuledActivity r, Context<RuledActivity> ctx)
                                    throws Exception {
                                return is(r, FraudRule.Kind.VELOCITY)
                                        && enoughWithinWindow(
                                                ctx.getEventsForPattern("earlier"), 1, r);
                            }
                        })
                .within(maxWindow);
    }

    static Pattern<RuledActivity, ?> cancelAfterPay(Duration maxWindow) {
        return Pattern.<RuledActivity>begin("paid")
                .where(
                        SimpleCondition.of(
                                r ->
                                        is(r, FraudRule.Kind.CANCEL_AFTER_PAY)
                                                && "paid".equals(r.activity().status())))
                .followedBy("cancelled")
                .where(
                        new IterativeCondition<>() {
                            @Override
                            public boolean filter(RuledActivity r, Context<RuledActivity> ctx)
                                    throws Exception {
                                if (!is(r, FraudRule.Kind.CANCEL_AFTER_PAY)
                                        || !"cancelled".equals(r.activity().status())) {
                                    return false;
                                }
                                for (RuledActivity paid : ctx.getEventsForPattern("paid")) {
                                    return paid.activity().orderId() == r.activity().orderId()
                                            && r.activity().eventTimeMs()
                                                            - paid.activity().eventTimeMs()
                                                    <= r.rule().windowMs();
                                }
                                return false;
                            }
                        })
                .within(maxWindow);
    }

    private static boolean is(RuledActivity r, FraudRule.Kind kind) {
        return r.rule().kind() == kind;
    }

    /**
     * Whether {@code earlier} plus {@code extra} events reach the rule's {@code min_count} and the
     * first of them is within the rule's window of {@code last}.
     */
    private static boolean enoughWithinWindow(
            Iterable<RuledActivity> earlier, int extra, RuledActivity last) {
        Iterator<RuledActivity> events = earlier.iterator();
        if (!events.hasNext()) {
            return false;
        }
        long first = events.next().activity().eventTimeMs();
        int count = 1;
        while (events.hasNext()) {
            events.next();
            count++;
        }
        return count + extra >= last.rule().minCount()
                && last.activity().eventTimeMs() - first <= last.rule().windowMs();
    }

    /** A match as an {@link Alert}. */
    static final class ToAlert extends PatternProcessFunction<RuledActivity, Alert> {

        private static final long serialVersionUID = 1L;

        private final String[] steps;

        ToAlert(String... steps) {
            this.steps = steps;
        }

        @Override
        public void processMatch(
                Map<String, List<RuledActivity>> match, Context ctx, Collector<Alert> out) {
            List<OrderActivity> events = new ArrayList<>();
            for (String step : steps) {
                for (RuledActivity r : match.getOrDefault(step, List.of())) {
                    events.add(r.activity());
                }
            }
            RuledActivity last = match.get(steps[steps.length - 1]).get(0);
            out.collect(alert(last.rule(), events));
        }
    }

    /**
     * {@code rule:customer:firstOrder-lastOrder:hash}, the hash (CRC-32) of the first and last
     * events' source positions: the same match always gets the same id, two matches never one.
     */
    static String alertId(FraudRule rule, OrderActivity first, OrderActivity last) {
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(
                (first.position() + "|" + last.position())
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return String.format(
                "%s:%d:%d-%d:%08x",
                rule.ruleId(), first.customerId(), first.orderId(), last.orderId(), crc.getValue());
    }

    /** The alert of {@code rule} matched by {@code events} (event-time order). */
    static Alert alert(FraudRule rule, List<OrderActivity> events) {
        OrderActivity first = events.get(0);
        OrderActivity last = events.get(events.size() - 1);
        List<Long> orders = new ArrayList<>();
        long amount = 0;
        for (OrderActivity event : events) {
            if (!orders.contains(event.orderId())) {
                orders.add(event.orderId());
                amount += event.amountCents();
            }
        }
        String message =
                switch (rule.kind()) {
                    case CARD_TESTING ->
                            String.format(
                                    "%d small orders (at most %d cents) then one of %d cents within %d s",
                                    events.size() - 1,
                                    rule.smallCents(),
                                    last.amountCents(),
                                    (last.eventTimeMs() - first.eventTimeMs()) / 1000);
                    case VELOCITY ->
                            String.format(
                                    "%d orders within %d s (rule: %d within %d s)",
                                    events.size(),
                                    (last.eventTimeMs() - first.eventTimeMs()) / 1000,
                                    rule.minCount(),
                                    rule.windowMs() / 1000);
                    case CANCEL_AFTER_PAY ->
                            String.format(
                                    "order %d cancelled %d s after it was paid",
                                    last.orderId(),
                                    (last.eventTimeMs() - first.eventTimeMs()) / 1000);
                };
        return new Alert(
                alertId(rule, first, last),
                rule.ruleId(),
                rule.kind().name().toLowerCase(java.util.Locale.ROOT),
                first.customerId(),
                last.eventTimeMs(),
                orders.stream().mapToLong(Long::longValue).toArray(),
                amount,
                message,
                events.toArray(new OrderActivity[0]));
    }
}
