package dev.changeflow.jobs.alerts;

import javax.annotation.Nullable;

/**
 * A new version of a fraud rule, broadcast to every subtask of {@link AttachRules}.
 *
 * @param rule the rule from {@code validFromMs} on, or null: no such rule from then (deleted or
 *     disabled)
 */
public record RuleChange(String ruleId, @Nullable FraudRule rule, long validFromMs) {}
