package dev.changeflow.jobs.sinks;

import dev.changeflow.schemas.DeadLetter;
import dev.changeflow.schemas.DeadLetterJson;

import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;

import org.apache.kafka.clients.producer.ProducerRecord;

import java.nio.charset.StandardCharsets;

/**
 * Writes dead letters to one topic as {@link DeadLetterJson}, keyed by their origin (the table or
 * topic they came from), so the letters of one origin stay in order.
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
                letter.tsMs(),
                letter.origin().getBytes(StandardCharsets.UTF_8),
                DeadLetterJson.toBytes(letter));
    }
}
