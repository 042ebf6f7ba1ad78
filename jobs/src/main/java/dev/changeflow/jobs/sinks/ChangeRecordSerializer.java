package dev.changeflow.jobs.sinks;

import dev.changeflow.schemas.ChangeEvent;
import dev.changeflow.schemas.ChangeEventJson;
import dev.changeflow.schemas.PrimaryKeyResolver;

import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;

import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Writes a change to its table's topic ({@link ChangeTopics}), keyed by the primary key columns as
 * JSON so that Kafka keeps every key's changes in one partition, in order, and compaction keeps the
 * last change per row. The value is the envelope of {@link ChangeEventJson}.
 */
public final class ChangeEventRecordSerializer
        implements KafkaRecordSerializationSchema<ChangeEvent> {

    private static final long serialVersionUID = 1L;

    private final String topicPrefix;
    private final PrimaryKeyResolver primaryKeys;

    public ChangeEventRecordSerializer(String topicPrefix, PrimaryKeyResolver primaryKeys) {
        this.topicPrefix = topicPrefix;
        this.primaryKeys = primaryKeys;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(
            ChangeEvent event, KafkaSinkContext context, Long timestamp) {
        byte[] key =
                ChangeEventJson.keyToBytes(
                        event.key(primaryKeys.primaryKeyColumns(event.source())));
        return new ProducerRecord<>(
                ChangeTopics.topic(topicPrefix, event.source()),
                null,
                event.source().tsMs(),
                key,
                ChangeEventJson.toBytes(event));
    }
}
