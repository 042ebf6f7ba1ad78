package dev.changeflow.jobs.alerts;

/**
 * A match of a fraud rule.
 *
 * @param alertId deterministic: the rule, the customer and the matched orders' positions' span, so
 *     a replay after a failure produces the same id (Elasticsearch overwrites, consumers dedupe)
 * @param eventTimeMs the event time of the match's last event
 * @param orderIds the matched orders, in event-time order
 * @param events the matched activities
 *     <p>Arrays, not lists: Flink serializes them with its own serializers (a list would go to
 *     Kryo, which cannot build records).
 */
public record Alert(
        String alertId,
        String ruleId,
        String kind,
        long customerId,
        long eventTimeMs,
        long[] orderIds,
        long amountCents,
        String message,
        OrderActivity[] events) {}
