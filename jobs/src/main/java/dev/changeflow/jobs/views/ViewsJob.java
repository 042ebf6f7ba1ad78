package dev.changeflow.jobs.views;

import dev.changeflow.cdc.config.NameLists;
import dev.changeflow.jobs.JobOptions;
import dev.changeflow.jobs.sinks.KafkaSinks;
import dev.changeflow.jobs.sinks.RedisViewSink;
import dev.changeflow.jobs.sources.KafkaChange;
import dev.changeflow.jobs.sources.KafkaSources;
import dev.changeflow.schemas.DeadLetter;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.types.Either;

/**
 * The views job: keeps a Redis materialized view of CDC topics (e.g. customers and products), one
 * hash per row keyed by primary key, for lookups and enrichment. Writes are idempotent and ordered:
 * a change is applied only if its source position is not older than the view's (see {@link
 * RedisViewSink}), deletes remove the row, and every changed key can be published on a channel for
 * cache invalidation. Records that cannot become view writes go to a dead-letter topic.
 *
 * <p>Order per row holds because a row's changes are in one Kafka partition (keyed by primary key),
 * each partition is read by one source subtask, and the steps after it are chained (no shuffle).
 */
public final class ViewsJob {

    public static final String SOURCE_UID = "change-topics-source";
    public static final String UPDATES_UID = "to-view-updates";
    public static final String SINK_UID = "redis-view-sink";
    public static final String DEAD_LETTER_SINK_UID = "views-dead-letter-sink";

    private final Source<Either<DeadLetter, KafkaChange>, ?, ?> source;
    private final Sink<ViewUpdate> views;
    private final Sink<DeadLetter> deadLetters;
    private final String keyPrefix;

    public ViewsJob(
            Source<Either<DeadLetter, KafkaChange>, ?, ?> source,
            Sink<ViewUpdate> views,
            Sink<DeadLetter> deadLetters,
            String keyPrefix) {
        this.source = source;
        this.views = views;
        this.deadLetters = deadLetters;
        this.keyPrefix = keyPrefix;
    }

    /** Adds the pipeline to {@code env}. */
    public void build(StreamExecutionEnvironment env) {
        SingleOutputStreamOperator<ViewUpdate> updates =
                env.fromSource(source, WatermarkStrategy.noWatermarks(), "Change topics")
                        .uid(SOURCE_UID)
                        .name("Change topics")
                        .process(new ToViewUpdates(keyPrefix))
                        .uid(UPDATES_UID)
                        .name("To view updates");
        updates.sinkTo(views).uid(SINK_UID).name("Redis views");
        updates.getSideOutput(ToViewUpdates.DEAD_LETTERS)
                .sinkTo(deadLetters)
                .uid(DEAD_LETTER_SINK_UID)
                .name("Kafka dead-letter topic");
    }

    /** {@code flink run}'s entry point; options are {@link ViewsOptions} and Flink keys. */
    public static void main(String[] args) throws Exception {
        JobOptions.run(args, ViewsJob::prepare);
    }

    private static java.util.List<String> topics(Configuration options) {
        JobOptions.required(options, ViewsOptions.TOPICS);
        return NameLists.get(options, ViewsOptions.TOPICS);
    }

    /**
     * Configures {@code env} with the Flink keys among {@code options} and adds the pipeline.
     *
     * @return the job's name
     */
    public static String prepare(Configuration options, StreamExecutionEnvironment env) {
        String bootstrap = JobOptions.required(options, ViewsOptions.KAFKA_BOOTSTRAP_SERVERS);
        String groupId = options.get(ViewsOptions.GROUP_ID);
        JobOptions.configure(options, env);
        new ViewsJob(
                        KafkaSources.changes(bootstrap, topics(options), groupId, "views"),
                        new RedisViewSink(
                                JobOptions.required(options, ViewsOptions.REDIS_URI),
                                options.get(ViewsOptions.DELETE_MARKER_TTL),
                                options.get(ViewsOptions.INVALIDATION_CHANNEL)),
                        KafkaSinks.deadLetters(
                                bootstrap,
                                options.get(ViewsOptions.DEAD_LETTER_TOPIC),
                                DeliveryGuarantee.EXACTLY_ONCE,
                                "changeflow-views-" + groupId + "-dead-letters"),
                        options.get(ViewsOptions.KEY_PREFIX))
                .build(env);
        return "changeflow-views " + groupId;
    }
}
