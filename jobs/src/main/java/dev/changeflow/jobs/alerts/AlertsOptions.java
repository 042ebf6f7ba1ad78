package dev.changeflow.jobs.alerts;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

import java.time.Duration;

/**
 * The alerts job's options, given as {@code --key value} arguments; {@code
 * kafka.bootstrap-servers}, {@code orders.topic}, {@code elasticsearch.hosts} and the {@code
 * watermark.*} keys are the analytics job's ({@link
 * dev.changeflow.jobs.analytics.AnalyticsOptions}).
 */
public final class AlertsOptions {

    public static final ConfigOption<String> RULES_TOPIC =
            ConfigOptions.key("rules.topic")
                    .stringType()
                    .defaultValue("cdc.changeflow.public.fraud_rules")
                    .withDescription(
                            "The fraud_rules change topic (the table captured by the ingest job).");

    public static final ConfigOption<String> GROUP_ID =
            ConfigOptions.key("group.id")
                    .stringType()
                    .defaultValue("changeflow-alerts")
                    .withDescription("Kafka consumer group (offsets committed on checkpoint).");

    public static final ConfigOption<String> ALERTS_TOPIC =
            ConfigOptions.key("alerts.topic")
                    .stringType()
                    .defaultValue("alerts")
                    .withDescription("Alerts, JSON keyed by alert id, exactly once.");

    public static final ConfigOption<String> DEAD_LETTER_TOPIC =
            ConfigOptions.key("dead-letter.topic")
                    .stringType()
                    .defaultValue("alerts.dead-letters")
                    .withDescription(
                            "Order changes and rule rows that could not be used, with why.");

    public static final ConfigOption<String> ELASTICSEARCH_ALERTS_INDEX =
            ConfigOptions.key("elasticsearch.alerts-index")
                    .stringType()
                    .defaultValue("alerts")
                    .withDescription("Index of the alerts (document id = alert id).");

    public static final ConfigOption<String> REDIS_URI =
            ConfigOptions.key("redis.uri")
                    .stringType()
                    .noDefaultValue()
                    .withDescription("Redis to publish each alert on (optional).");

    public static final ConfigOption<String> REDIS_CHANNEL =
            ConfigOptions.key("redis.channel")
                    .stringType()
                    .defaultValue("alerts")
                    .withDescription("The Redis pub/sub channel of the alerts.");

    public static final ConfigOption<Duration> MAX_WINDOW =
            ConfigOptions.key("window.max")
                    .durationType()
                    .defaultValue(Duration.ofHours(1))
                    .withDescription(
                            "The longest window a rule may have: how long the patterns keep a"
                                    + " partial match.");

    public static final ConfigOption<Duration> RULES_STARTUP_HOLD =
            ConfigOptions.key("rules.startup-hold")
                    .durationType()
                    .defaultValue(Duration.ofSeconds(10))
                    .withDescription(
                            "How long after start the orders hold their watermark back, so"
                                    + " that the rules topic is read before the first orders"
                                    + " meet the rules.");

    private AlertsOptions() {}
}
