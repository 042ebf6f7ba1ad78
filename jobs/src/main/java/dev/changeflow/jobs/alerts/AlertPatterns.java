package dev.changeflow.jobs.alerts;

import dev.changeflow.schemas.Positions;

import org.apache.flink.cep.CEP;
import org.apache.flink.cep.EventComparator;
import org.apache.flink.cep.functions.PatternProcessFunction;
import org.apache.flink.cep.nfa.aftermatch.AfterMatchSkipStrategy;
import org.apache.flink.cep.pattern.Pattern;
import org.apache.flink.cep.pattern.conditions.IterativeCondition;
import org.apache.flink.cep.pattern.conditions.SimpleCondition;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
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

    /**
     * Every pattern's alerts of {@code activities}: each pattern sees only the activities paired
     * with a rule of its kind, under the key customer:rule.
     */
    public static DataStream<Alert> alerts(
            DataStream<RuledActivity> activities, Duration maxWindow) {
        DataStream<Alert> cardTesting =
                match(
                                activities,
                                FraudRule.Kind.CARD_TESTING,
                                cardTesting(maxWindow),
                                "small",
                                "large")
                        .uid("card-testing-pattern")
                        .name("Card testing (CEP)");
        DataStream<Alert> velocity =
                match(activities, FraudRule.Kind.VELOCITY, velocity(maxWindow), "earlier", "last")
                        .uid("velocity-pattern")
                        .name("Velocity (CEP)");
        DataStream<Alert> cancelAfterPay =
                match(
                                activities,
                                FraudRule.Kind.CANCEL_AFTER_PAY,
                                cancelAfterPay(maxWindow),
                                "paid",
                                "cancelled")
                        .uid("cancel-after-pay-pattern")
                        .name("Cancel after pay (CEP)");
        return cardTesting.union(velocity, cancelAfterPay);
    }

    private static SingleOutputStreamOperator<Alert> match(
            DataStream<RuledActivity> activities,
            FraudRule.Kind kind,
            Pattern<RuledActivity, ?> pattern,
            String... steps) {
        String name = kind.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        KeyedStream<RuledActivity, String> ofKind =
                activities
                        .filter(r -> r.rule().kind() == kind)
                        .uid(name + "-activities")
                        .name("Activities under " + name + " rules")
                        .keyBy(RuledActivity::key);
        return CEP.pattern(ofKind, pattern, new InCommitOrder()).process(new ToAlert(steps));
    }

    /**
     * Events of one millisecond in the order the database made them (their source positions):
     * orders placed in a burst share a {@code created_at}, and a status changed twice in a
     * millisecond shares a commit time, while their arrival order depends on the partitions.
     */
    static final class InCommitOrder implements EventComparator<RuledActivity> {
        private static final long serialVersionUID = 1L;

        @Override
        public int compare(RuledActivity a, RuledActivity b) {
            return Positions.compare(a.activity().position(), b.activity().position());
        }
    }

    static Pattern<RuledActivity, ?> cardTesting(Duration maxWindow) {
        return Pattern.<RuledActivity>begin("small", AfterMatchSkipStrategy.skipPastLastEvent())
                .where(SimpleCondition.of(r -> r.activity().amountCents() <= r.rule().smallCents()))
                .oneOrMore()
                .consecutive()
                .next("large")
                .where(
                        new IterativeCondition<>() {
                            @Override
                            public boolean filter(RuledActivity r, Context<RuledActivity> ctx)
                                    throws Exception {
                                return r.activity().amountCents() >= r.rule().largeCents()
                                        && enoughWithinWindow(
                                                ctx.getEventsForPattern("small"), 0, r);
                            }
                        })
                .within(maxWindow);
    }

    static Pattern<RuledActivity, ?> velocity(Duration maxWindow) {
        return Pattern.<RuledActivity>begin("earlier", AfterMatchSkipStrategy.skipPastLastEvent())
                .where(SimpleCondition.of(r -> true))
                .oneOrMore()
                .consecutive()
                .next("last")
                .where(
                        new IterativeCondition<>() {
                            @Override
                            public boolean filter(RuledActivity r, Context<RuledActivity> ctx)
                                    throws Exception {
                                return enoughWithinWindow(ctx.getEventsForPattern("earlier"), 1, r);
                            }
                        })
                .within(maxWindow);
    }

    static Pattern<RuledActivity, ?> cancelAfterPay(Duration maxWindow) {
        return Pattern.<RuledActivity>begin("paid")
                .where(SimpleCondition.of(r -> "paid".equals(r.activity().status())))
                .followedBy("cancelled")
                .where(
                        new IterativeCondition<>() {
                            @Override
                            public boolean filter(RuledActivity r, Context<RuledActivity> ctx)
                                    throws Exception {
                                if (!"cancelled".equals(r.activity().status())) {
                                    return false;
                                }
                                RuledActivity paid =
                                        ctx.getEventsForPattern("paid").iterator().next();
                                return paid.activity().orderId() == r.activity().orderId()
                                        && r.activity().eventTimeMs()
                                                        - paid.activity().eventTimeMs()
                                                <= r.rule().windowMs();
                            }
                        })
                .within(maxWindow);
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
