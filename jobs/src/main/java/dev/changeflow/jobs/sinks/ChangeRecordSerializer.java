package dev.changeflow.jobs.sinks;

import dev.changeflow.schemas.ChangeEvent;
import dev.changeflow.schemas.ChangeEventJson;
import dev.changeflow.schemas.PrimaryKeyResolver;

import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;

import org.apache.kafka.clients.producer.ProducerRecord;

import java.util.List;

/**
 * Writes a change to its table's topic ({@link ChangeTopics}), keyed by the primary key columns as
 * JSON so that Kafka keeps every key's changes in one partition, in order, and compaction keeps the
 * last change per row. The value is the envelope of {@link ChangeEventJson}; a tombstone has the
 * deleted row's key and a null value. A table without a primary key gets null keys (as in
 * Debezium): its changes spread over partitions and have no order per row.
 *
 * <p>The record's Kafka timestamp is left to the producer, i.e. the time the record is written, as
 * Kafka Connect does for Debezium: the broker deletes by record timestamp, so stamping a record
 * with its source time (0 for a snapshot read, a row's old last-modified time, hours ago for a
 * catch-up) would let retention delete it at the next pass. The source time is {@code source.ts_ms}
 * in the envelope ({@link KafkaRecordTimestamps}).
 */
public final class ChangeRecordSerializer implements KafkaRecordSerializationSchema<ChangeRecord> {

    private static final long serialVersionUID = 1L;

    private final String topicPrefix;
    private final PrimaryKeyResolver primaryKeys;

    public ChangeRecordSerializer(String topicPrefix, PrimaryKeyResolver primaryKeys) {
        this.topicPrefix = topicPrefix;
        this.primaryKeys = primaryKeys;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(
            ChangeRecord record, KafkaSinkContext context, Long timestamp) {
        ChangeEvent event = record.event();
        List<String> keyColumns = primaryKeys.primaryKeyColumns(event.source());
        byte[] key =
                keyColumns.isEmpty() ? null : ChangeEventJson.keyToBytes(event.key(keyColumns));
        return new ProducerRecord<>(
                ChangeTopics.topic(topicPrefix, event.source()),
                null,
                KafkaRecordTimestamps.WRITE_TIME,
                key,
                record.tombstone() ? null : ChangeEventJson.toBytes(event));
    }
}
