package dev.changeflow.jobs.alerts;

import dev.changeflow.jobs.sources.KafkaChange;
import dev.changeflow.schemas.ChangeEvent;
import dev.changeflow.schemas.DeadLetter;

import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.types.Either;
import org.apache.flink.util.Collector;

import java.time.Duration;

/**
 * Changes of the {@code fraud_rules} table as rule versions: an insert or update is the row's rule
 * from its {@code valid_from} on (a disabled row: no rule from then), a delete ends the rule at the
 * delete's commit time. A row that is not a valid rule goes to the dead letters with the reason;
 * the rule's previous version stays in force.
 */
public final class ToRuleChanges
        extends ProcessFunction<Either<DeadLetter, KafkaChange>, RuleChange> {

    private static final long serialVersionUID = 1L;

    private final Duration maxWindow;

    public ToRuleChanges(Duration maxWindow) {
        this.maxWindow = maxWindow;
    }

    @Override
    public void processElement(
            Either<DeadLetter, KafkaChange> value, Context ctx, Collector<RuleChange> out) {
        if (value.isLeft()) {
            ctx.output(AlertsJob.DEAD_LETTERS, value.left());
            return;
        }
        ChangeEvent event = value.right().event();
        try {
            if (event.after() == null) {
                Object id = event.before() == null ? null : event.before().get("rule_id");
                if (id == null) {
                    throw new IllegalArgumentException("a fraud rule delete without its rule_id");
                }
                out.collect(new RuleChange(id.toString(), null, event.source().tsMs()));
                return;
            }
            FraudRule rule = FraudRule.fromRow(event.after(), maxWindow);
            String id = event.after().get("rule_id").toString();
            long validFrom =
                    rule != null
                            ? rule.validFromMs()
                            : dev.changeflow.jobs.analytics.ToOrderEvents.timestamp(
                                    event.after(), "valid_from");
            out.collect(new RuleChange(id, rule, validFrom));
        } catch (IllegalArgumentException e) {
            ctx.output(
                    AlertsJob.DEAD_LETTERS, DeadLetter.ofChange(e.getMessage(), "alerts", event));
        }
    }
}
