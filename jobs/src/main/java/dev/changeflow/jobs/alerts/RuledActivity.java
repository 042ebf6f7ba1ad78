package dev.changeflow.jobs.alerts;

/**
 * An order activity with one rule that applies to it, in the version valid at the activity's event
 * time: the patterns run once per customer and rule.
 */
public record RuledActivity(OrderActivity activity, FraudRule rule) {

    /** The key the patterns run under: one customer, one rule. */
    public String key() {
        return activity.customerId() + ":" + rule.ruleId();
    }
}
