package dev.changeflow.jobs.alerts;

import dev.changeflow.jobs.JobOptions;
import dev.changeflow.jobs.analytics.AnalyticsJob;
import dev.changeflow.jobs.analytics.AnalyticsOptions;
import dev.changeflow.jobs.sinks.ElasticsearchConnection;
import dev.changeflow.jobs.sinks.ElasticsearchSinks;
import dev.changeflow.jobs.sinks.ElasticsearchTemplates;
import dev.changeflow.jobs.sinks.KafkaSinks;
import dev.changeflow.jobs.sinks.RedisPublishSink;
import dev.changeflow.jobs.sources.KafkaChange;
import dev.changeflow.jobs.sources.KafkaSources;
import dev.changeflow.schemas.DeadLetter;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.types.Either;
import org.apache.flink.util.OutputTag;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The alerts job: fraud patterns (Flink CEP, {@link AlertPatterns}) over the orders change topic,
 * with thresholds from a {@code fraud_rules} table that Changeflow captures too and the job
 * broadcasts ({@link AttachRules}): a changed row changes the rules while the job runs.
 *
 * <pre>
 *   orders topic (event time: created_at / commit time; watermarks per partition)
 *     -> ToOrderActivities                \
 *                                          AttachRules (keyed by customer, rules broadcast,
 *                                          /  released at the watermark: the version valid then)
 *   fraud_rules topic -> ToRuleChanges -> event time (valid_from), idle when the table is
 *   -> keyed by customer and rule -> card testing | velocity | cancel after pay (CEP)
 *   -> alerts: Kafka (exactly once), Elasticsearch (id = alert id), Redis pub/sub
 * </pre>
 *
 * Unusable order changes and rule rows go to the dead-letter topic; the job runs on.
 */
public final class AlertsJob {

    public static final String ORDERS_SOURCE_UID = "alerts-orders-source";
    public static final String RULES_SOURCE_UID = "fraud-rules-source";
    public static final String DEAD_LETTER_SINK_UID = "alerts-dead-letter-sink";

    /** Order changes and rule rows the job cannot use. */
    public static final OutputTag<DeadLetter> DEAD_LETTERS =
            new OutputTag<>("alerts-dead-letters", TypeInformation.of(DeadLetter.class));

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * @param outOfOrderness how far the orders' event times may run out of order
     * @param idleness after how long without records an input stops holding the watermark back
     * @param maxWindow the longest window of any rule
     * @param ordersParallelism of the orders source and its parsing, at most the orders topic's
     *     partition count (0: the job's parallelism): its watermarks are generated per partition,
     *     and a reader without a partition would hold them back for good
     * @param rulesStartupHold how long a rules reader that has read no rule holds the watermark
     *     back ({@link RuleWatermarks})
     * @param rulesParallelism of the rules source, at most the rules topic's partition count (0:
     *     the job's): a reader without a partition would hold the watermark back for the whole
     *     {@code rulesStartupHold}
     */
    public record Settings(
            Duration outOfOrderness,
            Duration idleness,
            Duration maxWindow,
            int ordersParallelism,
            Duration rulesStartupHold,
            int rulesParallelism) {}

    private final Source<Either<DeadLetter, KafkaChange>, ?, ?> orders;
    private final Source<Either<DeadLetter, KafkaChange>, ?, ?> rules;
    private final List<AnalyticsJob.Output<Alert>> alertSinks;
    private final Sink<DeadLetter> deadLetters;
    private final Settings settings;

    public AlertsJob(
            Source<Either<DeadLetter, KafkaChange>, ?, ?> orders,
            Source<Either<DeadLetter, KafkaChange>, ?, ?> rules,
            List<AnalyticsJob.Output<Alert>> alertSinks,
            Sink<DeadLetter> deadLetters,
            Settings settings) {
        this.orders = orders;
        this.rules = rules;
        this.alertSinks = alertSinks;
        this.deadLetters = deadLetters;
        this.settings = settings;
    }

    /** Adds the pipeline to {@code env}. */
    public void build(StreamExecutionEnvironment env) {
        SingleOutputStreamOperator<Either<DeadLetter, KafkaChange>> orderChanges =
                env.fromSource(orders, orderTime(settings), "Orders topic")
                        .uid(ORDERS_SOURCE_UID)
                        .name("Orders topic");
        SingleOutputStreamOperator<OrderActivity> activities =
                orderChanges
                        .process(new ToOrderActivities())
                        .uid("to-order-activities")
                        .name("To order activities");
        if (settings.ordersParallelism() > 0) {
            orderChanges.setParallelism(settings.ordersParallelism());
            activities.setParallelism(settings.ordersParallelism());
        }
        SingleOutputStreamOperator<Either<DeadLetter, KafkaChange>> ruleRows =
                env.fromSource(rules, WatermarkStrategy.noWatermarks(), "Fraud rules topic")
                        .uid(RULES_SOURCE_UID)
                        .name("Fraud rules topic");
        SingleOutputStreamOperator<RuleChange> ruleChanges =
                ruleRows.process(new ToRuleChanges(settings.maxWindow()))
                        .uid("to-rule-changes")
                        .name("To rule changes");
        if (settings.rulesParallelism() > 0) {
            ruleRows.setParallelism(settings.rulesParallelism());
            ruleChanges.setParallelism(settings.rulesParallelism());
        }
        Duration hold = settings.rulesStartupHold();
        DataStream<RuledActivity> ruled =
                activities
                        .keyBy(OrderActivity::customerId)
                        .connect(
                                ruleChanges
                                        .assignTimestampsAndWatermarks(
                                                WatermarkStrategy.<RuleChange>forGenerator(
                                                                context -> new RuleWatermarks(hold))
                                                        .withTimestampAssigner(
                                                                (r, t) -> r.validFromMs()))
                                        .uid("rule-time")
                                        .name("Rule event time")
                                        .broadcast(AttachRules.RULES))
                        .process(new AttachRules())
                        .uid("attach-rules")
                        .name("Attach rules (broadcast)");
        DataStream<Alert> alerts = AlertPatterns.alerts(ruled, settings.maxWindow());
        for (AnalyticsJob.Output<Alert> sink : alertSinks) {
            sink.attach(alerts);
        }
        activities
                .getSideOutput(DEAD_LETTERS)
                .union(ruleChanges.getSideOutput(DEAD_LETTERS))
                .sinkTo(deadLetters)
                .uid(DEAD_LETTER_SINK_UID)
                .name("Kafka dead-letter topic");
    }

    /**
     * Event time and watermarks in the orders source, per Kafka partition: the watermark is the
     * lowest of the partitions', so a partition read ahead of the others (a large committed
     * transaction fetched at once, a reader catching up) does not make the others' orders late.
     */
    static WatermarkStrategy<Either<DeadLetter, KafkaChange>> orderTime(Settings settings) {
        return WatermarkStrategy.<Either<DeadLetter, KafkaChange>>forBoundedOutOfOrderness(
                        settings.outOfOrderness())
                .withTimestampAssigner(
                        (change, recordTime) ->
                                change.isLeft()
                                        ? recordTime
                                        : ToOrderActivities.eventTimeMs(
                                                change.right().event(), recordTime))
                .withIdleness(settings.idleness());
    }

    /** {@code flink run -c dev.changeflow.jobs.alerts.AlertsJob}'s entry point. */
    public static void main(String[] args) throws Exception {
        JobOptions.run(args, AlertsJob::prepare);
    }

    /**
     * Configures {@code env} with the Flink keys among {@code options} (checkpoints every 10 s
     * unless set) and adds the pipeline with its sinks: Kafka always, Elasticsearch with {@code
     * elasticsearch.hosts}, Redis pub/sub with {@code redis.uri}.
     *
     * @return the job's name
     */
    public static String prepare(Configuration options, StreamExecutionEnvironment env) {
        String bootstrap = JobOptions.required(options, AnalyticsOptions.KAFKA_BOOTSTRAP_SERVERS);
        String groupId = options.get(AlertsOptions.GROUP_ID);
        JobOptions.configure(options, env);
        String transactions = "changeflow-alerts-" + groupId;
        String ordersTopic = options.get(AnalyticsOptions.ORDERS_TOPIC);
        String rulesTopic = options.get(AlertsOptions.RULES_TOPIC);
        List<AnalyticsJob.Output<Alert>> sinks = new ArrayList<>();
        sinks.add(
                AnalyticsJob.Output.of(
                        "alerts-kafka-sink",
                        KafkaSinks.json(
                                bootstrap,
                                options.get(AlertsOptions.ALERTS_TOPIC),
                                Alert::alertId,
                                DeliveryGuarantee.EXACTLY_ONCE,
                                transactions)));
        options.getOptional(AnalyticsOptions.ELASTICSEARCH_HOSTS)
                .ifPresent(
                        hosts ->
                                sinks.add(
                                        elasticsearch(
                                                hosts,
                                                options.get(
                                                        AlertsOptions
                                                                .ELASTICSEARCH_ALERTS_INDEX))));
        options.getOptional(AlertsOptions.REDIS_URI)
                .ifPresent(
                        uri ->
                                sinks.add(
                                        AnalyticsJob.Output.of(
                                                "alerts-redis-sink",
                                                new RedisPublishSink<>(
                                                        uri,
                                                        options.get(AlertsOptions.REDIS_CHANNEL),
                                                        AlertsJob::json))));
        new AlertsJob(
                        KafkaSources.changes(bootstrap, List.of(ordersTopic), groupId, "alerts"),
                        KafkaSources.changes(
                                bootstrap, List.of(rulesTopic), groupId + "-rules", "alerts"),
                        sinks,
                        KafkaSinks.deadLetters(
                                bootstrap,
                                options.get(AlertsOptions.DEAD_LETTER_TOPIC),
                                DeliveryGuarantee.EXACTLY_ONCE,
                                transactions + "-dead-letters"),
                        new Settings(
                                options.get(AnalyticsOptions.OUT_OF_ORDERNESS),
                                options.get(AnalyticsOptions.IDLENESS),
                                options.get(AlertsOptions.MAX_WINDOW),
                                readers(bootstrap, ordersTopic, env),
                                options.get(AlertsOptions.RULES_STARTUP_HOLD),
                                readers(bootstrap, rulesTopic, env)))
                .build(env);
        return "changeflow-alerts " + groupId;
    }

    /**
     * Readers for a topic: one per partition at most, since a reader without a partition holds the
     * watermark back; one for all when the topic is not there yet.
     */
    private static int readers(String bootstrap, String topic, StreamExecutionEnvironment env) {
        int partitions = KafkaSources.partitions(bootstrap, topic);
        if (partitions == 0) {
            return 1;
        }
        return env.getParallelism() > 0 ? Math.min(partitions, env.getParallelism()) : partitions;
    }

    /**
     * The alerts' Elasticsearch output: index {@code index} (its template put now), document id =
     * alert id, so a replay overwrites.
     */
    public static AnalyticsJob.Output<Alert> elasticsearch(String hosts, String index) {
        ElasticsearchConnection es = ElasticsearchConnection.of(hosts);
        ElasticsearchTemplates.put(
                es,
                ElasticsearchTemplates.IndexTemplate.of(index, List.of(index), ALERT_MAPPINGS)
                        .withSettings(ElasticsearchTemplates.SINGLE_NODE_SETTINGS));
        var sink =
                ElasticsearchSinks.<Alert>documents()
                        .connection(es)
                        .index(index)
                        .id(Alert::alertId)
                        .document(AlertsJob::document);
        return stream -> sink.addTo(stream, "alerts-es-sink");
    }

    static Map<String, Object> document(Alert alert) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("alert_id", alert.alertId());
        doc.put("rule_id", alert.ruleId());
        doc.put("kind", alert.kind());
        doc.put("customer_id", alert.customerId());
        doc.put("event_time", alert.eventTimeMs());
        doc.put("order_ids", java.util.Arrays.stream(alert.orderIds()).boxed().toList());
        doc.put("amount", alert.amountCents() / 100.0);
        doc.put("message", alert.message());
        return doc;
    }

    private static final String ALERT_MAPPINGS =
            "{\"dynamic\":\"strict\",\"properties\":{"
                    + "\"alert_id\":{\"type\":\"keyword\"},"
                    + "\"rule_id\":{\"type\":\"keyword\"},"
                    + "\"kind\":{\"type\":\"keyword\"},"
                    + "\"customer_id\":{\"type\":\"long\"},"
                    + "\"event_time\":{\"type\":\"date\",\"format\":\"epoch_millis\"},"
                    + "\"order_ids\":{\"type\":\"long\"},"
                    + "\"amount\":{\"type\":\"scaled_float\",\"scaling_factor\":100},"
                    + "\"message\":{\"type\":\"text\"}}}";

    static String json(Alert alert) {
        try {
            return JSON.writeValueAsString(alert);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an alert is always JSON", e);
        }
    }
}
