package dev.changeflow.jobs.sinks;

import org.apache.flink.api.common.functions.Function;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.nio.charset.StandardCharsets;

/**
 * Writes records (Java records, POJOs) to one topic as JSON with Jackson, keyed by a function of
 * the element (e.g. a window's id), so that a compacted topic keeps the latest value per key. The
 * Kafka timestamp is the time of writing, never the element's event time ({@link
 * KafkaRecordTimestamps}): a window of last year, or a late order, must not be deleted by
 * retention.
 */
public final class JsonRecordSerializer<T> implements KafkaRecordSerializationSchema<T> {

    private static final long serialVersionUID = 1L;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The record key of an element. */
    @FunctionalInterface
    public interface KeyFunction<T> extends Function {
        String key(T element);
    }

    private final String topic;
    private final KeyFunction<T> key;

    public JsonRecordSerializer(String topic, KeyFunction<T> key) {
        this.topic = topic;
        this.key = key;
    }

    @Override
    public ProducerRecord<byte[], byte[]> serialize(
            T element, KafkaSinkContext context, Long timestamp) {
        try {
            return new ProducerRecord<>(
                    topic,
                    null,
                    KafkaRecordTimestamps.WRITE_TIME,
                    key.key(element).getBytes(StandardCharsets.UTF_8),
                    JSON.writeValueAsBytes(element));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write " + element + " as JSON", e);
        }
    }
}
