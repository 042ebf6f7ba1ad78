package dev.changeflow.jobs.sinks;

import dev.changeflow.schemas.DeadLetter;
import dev.changeflow.schemas.DeadLetterJson;

import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;

import org.apache.kafka.clients.producer.ProducerRecord;

import java.nio.charset.StandardCharsets;

/**
 * Writes dead letters to one topic as {@link DeadLetterJson}, keyed by their origin (the table or
 * topic they came from), so the letters of one origin stay in order. Like every record Changeflow
 * writes, a letter carries the time it is written as its Kafka timestamp ({@link
 * KafkaRecordTimestamps}); the time of the failed change is in the letter.
 */
public final class DeadLetterRecordSerializer
        implements KafkaRecordSerializationSchema<DeadLetter> {

    private static final long serialVersionUID = 1L;

    private final String topic;

    public DeadLetterRecordSerializer(String topic) {
        this.topic = topic;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(
            DeadLetter letter, KafkaSinkContext context, Long timestamp) {
        return new ProducerRecord<>(
                topic,
                null,
                KafkaRecordTimestamps.WRITE_TIME,
                letter.origin().getBytes(StandardCharsets.UTF_8),
                DeadLetterJson.toBytes(letter));
    }
}
