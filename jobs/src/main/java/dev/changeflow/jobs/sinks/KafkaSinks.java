package dev.changeflow.jobs.sinks;

import dev.changeflow.schemas.DeadLetter;
import dev.changeflow.schemas.PrimaryKeyResolver;

import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;

import org.apache.kafka.clients.producer.ProducerConfig;

import java.time.Duration;

/** The Kafka sinks of Changeflow's jobs, built one way. */
public final class KafkaSinks {

    /**
     * Transactions must outlive a checkpoint interval plus a restart, and stay below the broker's
     * {@code transaction.max.timeout.ms} (15 min by default).
     */
    public static final Duration TRANSACTION_TIMEOUT = Duration.ofMinutes(15);

    private KafkaSinks() {}

    /** Changes (and tombstones) into their table topics, keyed by primary key. */
    public static KafkaSink<ChangeRecord> changes(
            String bootstrapServers,
            String topicPrefix,
            PrimaryKeyResolver primaryKeys,
            DeliveryGuarantee guarantee,
            String transactionalIdPrefix) {
        return of(
                bootstrapServers,
                new ChangeRecordSerializer(topicPrefix, primaryKeys),
                guarantee,
                transactionalIdPrefix);
    }

    /**
     * Dead letters into one topic. With exactly-once, its transactions commit with the same
     * checkpoints as the job's other sinks, so a replay writes no letter twice.
     */
    public static KafkaSink<DeadLetter> deadLetters(
            String bootstrapServers,
            String topic,
            DeliveryGuarantee guarantee,
            String transactionalIdPrefix) {
        return of(
                bootstrapServers,
                new DeadLetterRecordSerializer(topic),
                guarantee,
                transactionalIdPrefix);
    }

    /**
     * A sink with Changeflow's settings: exactly-once through Kafka transactions (a unique {@code
     * transactionalIdPrefix} per job), idempotent producers, and a transaction timeout the broker
     * accepts.
     */
    public static <T> KafkaSink<T> of(
            String bootstrapServers,
            KafkaRecordSerializationSchema<T> serializer,
            DeliveryGuarantee guarantee,
            String transactionalIdPrefix) {
        var builder =
                KafkaSink.<T>builder()
                        .setBootstrapServers(bootstrapServers)
                        .setRecordSerializer(serializer)
                        .setDeliveryGuarantee(guarantee)
                        .setProperty(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true")
                        .setProperty(ProducerConfig.ACKS_CONFIG, "all")
                        .setProperty(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4")
                        .setProperty(ProducerConfig.LINGER_MS_CONFIG, "5")
                        .setProperty(
                                ProducerConfig.TRANSACTION_TIMEOUT_CONFIG,
                                Long.toString(TRANSACTION_TIMEOUT.toMillis()));
        if (guarantee == DeliveryGuarantee.EXACTLY_ONCE) {
            if (transactionalIdPrefix == null || transactionalIdPrefix.isBlank()) {
                throw new IllegalArgumentException(
                        "an exactly-once Kafka sink needs a transactional id prefix unique to the"
                                + " job");
            }
            builder.setTransactionalIdPrefix(transactionalIdPrefix);
        }
        return builder.build();
    }
}
