package dev.changeflow.jobs.ingest;

import dev.changeflow.cdc.config.DatabasePasswords;
import dev.changeflow.cdc.log.mysql.config.MySqlLogSourceOptions;
import dev.changeflow.cdc.log.mysql.config.ServerIdRange;
import dev.changeflow.jobs.JobOptions;
import dev.changeflow.jobs.sinks.ChangeRecord;
import dev.changeflow.jobs.sinks.KafkaSinks;
import dev.changeflow.jobs.sinks.KafkaTopics;
import dev.changeflow.schemas.ChangeEvent;
import dev.changeflow.schemas.DeadLetter;
import dev.changeflow.schemas.PrimaryKeyResolver;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.types.Either;

import java.time.Duration;
import java.util.List;

/**
 * The ingest job: change events from a CDC source (log, trigger or query based) into Kafka, one
 * topic per table, keyed by primary key, exactly once; rows the source cannot convert go to a
 * dead-letter topic and the job keeps running. The source and the sinks are given, so that {@link
 * #main} wires the real connectors and tests wire their own.
 *
 * <p>Order per key holds end to end: the source emits a table's changes in commit order, the
 * routing step and the sinks are chained to it (no shuffle), and the record key puts every change
 * of a row in one partition.
 *
 * <p>Run it with {@code flink run changeflow-ingest.jar --source postgres --hostname ...} (the
 * jar's main class), or locally with {@code changeflow ingest ...}; the options are {@link
 * IngestOptions}, the source's options and Flink's own keys.
 */
public final class IngestJob {

    /** Stable operator ids: a job upgraded across a savepoint finds its state by them. */
    public static final String SOURCE_UID = "cdc-source";

    public static final String ROUTE_UID = "route-changes";
    public static final String SINK_UID = "kafka-sink";
    public static final String DEAD_LETTER_SINK_UID = "dead-letter-sink";
    public static final String COMPLETE_IMAGES_UID = "complete-images";

    private final Source<Either<DeadLetter, ChangeEvent>, ?, ?> source;
    private final Sink<ChangeRecord> changes;
    private final Sink<DeadLetter> deadLetters;
    private final boolean tombstones;
    private PrimaryKeyResolver imageKeys;

    /**
     * @param source change events (right) and rows it could not convert (left)
     * @param changes where changes and tombstones go
     * @param deadLetters where rows that could not be converted go
     * @param tombstones whether a tombstone follows every delete
     */
    public IngestJob(
            Source<Either<DeadLetter, ChangeEvent>, ?, ?> source,
            Sink<ChangeRecord> changes,
            Sink<DeadLetter> deadLetters,
            boolean tombstones) {
        this.source = source;
        this.changes = changes;
        this.deadLetters = deadLetters;
        this.tombstones = tombstones;
    }

    /**
     * For sources that read row states rather than changes (query-based): completes them into
     * envelopes with {@link CompleteImages}, keyed by table and primary key.
     */
    public IngestJob completingImages(PrimaryKeyResolver primaryKeys) {
        this.imageKeys = primaryKeys;
        return this;
    }

    /** Adds the pipeline to {@code env}. */
    public void build(StreamExecutionEnvironment env) {
        DataStream<Either<DeadLetter, ChangeEvent>> captured =
                env.fromSource(source, WatermarkStrategy.noWatermarks(), "CDC source")
                        .uid(SOURCE_UID)
                        .name("CDC source");
        if (imageKeys != null) {
            captured =
                    captured.keyBy(CompleteImages.keys(imageKeys))
                            .process(new CompleteImages(), captured.getType())
                            .uid(COMPLETE_IMAGES_UID)
                            .name("Complete row images");
        }
        SingleOutputStreamOperator<ChangeRecord> routed =
                captured.process(new RouteChanges(tombstones))
                        .uid(ROUTE_UID)
                        .name("Route changes and dead letters");
        routed.sinkTo(changes).uid(SINK_UID).name("Kafka change topics");
        routed.getSideOutput(RouteChanges.DEAD_LETTERS)
                .sinkTo(deadLetters)
                .uid(DEAD_LETTER_SINK_UID)
                .name("Kafka dead-letter topic");
    }

    /** {@code flink run}'s entry point: {@code --key value} arguments, see the class comment. */
    public static void main(String[] args) throws Exception {
        JobOptions.run(args, IngestJob::prepare);
    }

    /**
     * Configures {@code env} (Changeflow's defaults, then the Flink keys among {@code options}),
     * checks the database, creates the topics and adds the pipeline.
     *
     * @return the job's name
     * @throws IllegalArgumentException or {@link dev.changeflow.cdc.log.CdcSetupException} naming
     *     the option or the database problem
     */
    /**
     * Fails before the job starts when the binlog source's server-id range holds fewer ids than the
     * job's parallelism (each reader needs one); otherwise the source's enumerator would fail once
     * the job runs, and restart forever.
     */
    static void checkServerIds(Configuration options, int parallelism) {
        if (options.get(IngestOptions.SOURCE) == IngestOptions.SourceKind.MYSQL
                && options.get(IngestOptions.METHOD) == IngestOptions.CaptureMethod.LOG) {
            options.getOptional(MySqlLogSourceOptions.SERVER_ID)
                    .map(ServerIdRange::parse)
                    .ifPresent(ids -> ids.checkParallelism(parallelism));
        }
    }

    public static String prepare(Configuration options, StreamExecutionEnvironment env) {
        String bootstrap = JobOptions.required(options, IngestOptions.KAFKA_BOOTSTRAP_SERVERS);
        env.configure(flinkConfiguration(env.getConfiguration(), options));

        String prefix = options.get(IngestOptions.TOPIC_PREFIX);
        DatabasePasswords.resolve(options, System.getenv());
        checkServerIds(options, env.getParallelism());
        CaptureSources.Capture capture = CaptureSources.create(options, prefix);
        String deadLetterTopic =
                options.getOptional(IngestOptions.DEAD_LETTER_TOPIC)
                        .orElse(prefix.isEmpty() ? "dead-letters" : prefix + ".dead-letters");
        String cleanupPolicy = options.get(IngestOptions.TOPIC_CLEANUP_POLICY);
        boolean tombstones =
                options.getOptional(IngestOptions.TOMBSTONES)
                        .orElse("compact".equals(cleanupPolicy));
        if (options.get(IngestOptions.TOPIC_AUTO_CREATE)) {
            int partitions = options.get(IngestOptions.TOPIC_PARTITIONS);
            short replication = options.get(IngestOptions.TOPIC_REPLICATION_FACTOR).shortValue();
            KafkaTopics.ensure(
                    bootstrap,
                    capture.topics(),
                    new KafkaTopics.Settings(partitions, replication, cleanupPolicy));
            KafkaTopics.ensure(
                    bootstrap,
                    List.of(deadLetterTopic),
                    new KafkaTopics.Settings(1, replication, "delete"));
        }
        DeliveryGuarantee guarantee = options.get(IngestOptions.DELIVERY_GUARANTEE);
        String transactionalIdPrefix =
                options.getOptional(IngestOptions.TRANSACTIONAL_ID_PREFIX)
                        .orElse("changeflow-ingest-" + capture.identity());
        new IngestJob(
                        capture.source(),
                        KafkaSinks.changes(
                                bootstrap,
                                prefix,
                                capture.primaryKeys(),
                                guarantee,
                                transactionalIdPrefix + "-changes"),
                        KafkaSinks.deadLetters(
                                bootstrap,
                                deadLetterTopic,
                                guarantee,
                                transactionalIdPrefix + "-dead-letters"),
                        tombstones)
                .completingImages(capture.rowStates() ? capture.primaryKeys() : null)
                .build(env);
        return "changeflow-ingest " + capture.identity();
    }

    /**
     * Changeflow's defaults for an ingest job, for every key the environment (the cluster's or the
     * client's config) does not set: checkpoints every 10 s, exactly-once, RocksDB with incremental
     * checkpoints, checkpoints retained on cancellation (so a stopped job can resume from its last
     * one). The Flink keys among {@code options} win over both.
     */
    static Configuration flinkConfiguration(ReadableConfig environment, Configuration options) {
        Configuration conf = new Configuration();
        setDefault(
                conf,
                environment,
                CheckpointingOptions.CHECKPOINTING_INTERVAL,
                Duration.ofSeconds(10));
        setDefault(
                conf,
                environment,
                CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE,
                CheckpointingMode.EXACTLY_ONCE);
        setDefault(conf, environment, StateBackendOptions.STATE_BACKEND, "rocksdb");
        setDefault(conf, environment, CheckpointingOptions.INCREMENTAL_CHECKPOINTS, true);
        setDefault(
                conf,
                environment,
                CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
                ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        conf.addAll(options);
        return conf;
    }

    private static <T> void setDefault(
            Configuration conf, ReadableConfig environment, ConfigOption<T> option, T value) {
        if (environment.getOptional(option).isEmpty()) {
            conf.set(option, value);
        }
    }
}
