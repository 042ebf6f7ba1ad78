package dev.changeflow.schemas;

import org.apache.kafka.common.serialization.Serializer;

/**
 * Kafka {@link Serializer} writing a {@link ChangeEvent} as its JSON ({@link
 * ChangeEventJson#toBytes}); {@code null} (a tombstone) stays {@code null}.
 */
public class ChangeEventKafkaSerializer implements Serializer<ChangeEvent> {

    @Override
    public byte[] serialize(String topic, ChangeEvent event) {
        return event == null ? null : ChangeEventJson.toBytes(event);
    }
}
