package dev.changeflow.jobs.ingest;

import dev.changeflow.cdc.config.DatabasePasswords;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;

import java.util.List;

/**
 * The ingest job's own options, given as {@code --key value} arguments to {@code flink run} or
 * {@code changeflow ingest}. The source's options ({@code hostname}, {@code table-list}, ...) are
 * those of the chosen source's builder; Flink's own keys ({@code execution.checkpointing.interval},
 * {@code restart-strategy.type}, ...) are passed to the job's environment.
 */
public final class IngestOptions {

    /** The databases the log-based ingest job reads. */
    public enum SourceKind {
        /** PostgreSQL through {@code pgoutput}. */
        POSTGRES,
        /** MariaDB or MySQL through the binlog. */
        MYSQL
    }

    public static final ConfigOption<SourceKind> SOURCE =
            ConfigOptions.key("source")
                    .enumType(SourceKind.class)
                    .defaultValue(SourceKind.POSTGRES)
                    .withDescription(
                            "The database to capture: postgres (pgoutput) or mysql (MariaDB and"
                                    + " MySQL, binlog).");

    /** How changes are captured. */
    public enum CaptureMethod {
        /** The database's log: PostgreSQL {@code pgoutput}, MariaDB/MySQL binlog (Flink CDC). */
        LOG,
        /** Row triggers writing an audit table (installed by {@code changeflow triggers}). */
        TRIGGER,
        /** Polling the tables by an incrementing and/or last-modified column. */
        QUERY
    }

    public static final ConfigOption<CaptureMethod> METHOD =
            ConfigOptions.key("method")
                    .enumType(CaptureMethod.class)
                    .defaultValue(CaptureMethod.LOG)
                    .withDescription(
                            "How changes are captured: log (replication log, the default), trigger"
                                    + " (audit table written by triggers) or query (polling by"
                                    + " incrementing/timestamp columns). Downstream, the topics and"
                                    + " envelopes are the same.");

    public static final ConfigOption<String> KAFKA_BOOTSTRAP_SERVERS =
            ConfigOptions.key("kafka.bootstrap-servers")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Kafka bootstrap servers, host:port[,host:port...]. Required.");

    public static final ConfigOption<String> TOPIC_PREFIX =
            ConfigOptions.key("topic.prefix")
                    .stringType()
                    .defaultValue("cdc")
                    .withDescription(
                            "Change topics are named <prefix>.<db>.<schema>.<table> (PostgreSQL)"
                                    + " or <prefix>.<db>.<table> (MariaDB/MySQL).");

    public static final ConfigOption<Boolean> TOPIC_AUTO_CREATE =
            ConfigOptions.key("topic.auto-create")
                    .booleanType()
                    .defaultValue(true)
                    .withDescription(
                            "Create missing change topics (and the dead-letter topic) before the"
                                    + " job starts, with the settings below. Tables matched by a"
                                    + " pattern that appear later fall back to the broker's"
                                    + " auto-creation.");

    public static final ConfigOption<Integer> TOPIC_PARTITIONS =
            ConfigOptions.key("topic.partitions")
                    .intType()
                    .defaultValue(3)
                    .withDescription(
                            "Partitions of created topics. Records are keyed by primary key, so"
                                    + " each row's changes stay in order in one partition.");

    public static final ConfigOption<Integer> TOPIC_REPLICATION_FACTOR =
            ConfigOptions.key("topic.replication-factor")
                    .intType()
                    .defaultValue(-1)
                    .withDescription(
                            "Replication factor of created topics; -1 uses the broker's"
                                    + " default.replication.factor.");

    public static final ConfigOption<String> TOPIC_CLEANUP_POLICY =
            ConfigOptions.key("topic.cleanup-policy")
                    .stringType()
                    .defaultValue("delete")
                    .withDescription(
                            "cleanup.policy of created change topics: delete (keep by time) or"
                                    + " compact (keep the last change per row).");

    public static final ConfigOption<Boolean> TOMBSTONES =
            ConfigOptions.key("sink.tombstones")
                    .booleanType()
                    .noDefaultValue()
                    .withDescription(
                            "Write a tombstone (the row's key, null value) after every delete so"
                                    + " compaction removes the row. Default: true when"
                                    + " topic.cleanup-policy is compact, else false.");

    public static final ConfigOption<DeliveryGuarantee> DELIVERY_GUARANTEE =
            ConfigOptions.key("sink.delivery-guarantee")
                    .enumType(DeliveryGuarantee.class)
                    .defaultValue(DeliveryGuarantee.EXACTLY_ONCE)
                    .withDescription(
                            "exactly-once (Kafka transactions committed on checkpoint; readers"
                                    + " use isolation.level=read_committed), at-least-once or"
                                    + " none.");

    public static final ConfigOption<String> TRANSACTIONAL_ID_PREFIX =
            ConfigOptions.key("sink.transactional-id-prefix")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Prefix of the Kafka transactional ids; must be unique per job on the"
                                    + " cluster. Default: changeflow-ingest-<database>-<slot or"
                                    + " server id>.");

    public static final ConfigOption<String> DEAD_LETTER_TOPIC =
            ConfigOptions.key("dead-letter.topic")
                    .stringType()
                    .noDefaultValue()
                    .withDescription(
                            "Where rows that cannot be converted go, with the reason, origin,"
                                    + " position and raw record. Default: <topic.prefix>.dead-letters.");

    private IngestOptions() {}

    /** Every option, in the order {@code --help} lists them. */
    public static List<ConfigOption<?>> all() {
        return List.of(
                SOURCE,
                METHOD,
                KAFKA_BOOTSTRAP_SERVERS,
                TOPIC_PREFIX,
                TOPIC_AUTO_CREATE,
                TOPIC_PARTITIONS,
                TOPIC_REPLICATION_FACTOR,
                TOPIC_CLEANUP_POLICY,
                TOMBSTONES,
                DELIVERY_GUARANTEE,
                TRANSACTIONAL_ID_PREFIX,
                DEAD_LETTER_TOPIC,
                DatabasePasswords.PASSWORD_FILE);
    }
}
