package dev.changeflow.jobs.analytics;

/**
 * An order that arrived after its windows of {@code dimension} had closed (later than the allowed
 * lateness): not counted there, but kept on the late topic.
 */
public record LateOrder(String dimension, OrderEvent order) {}
