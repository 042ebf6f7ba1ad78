package dev.changeflow.schemas;

import org.apache.kafka.common.serialization.Serializer;

import java.util.List;
import java.util.Map;

/**
 * Kafka {@link Serializer} for record keys: a primary key as returned by {@link
 * ChangeEvent#key(List)}, written as JSON such as {@code {"id":42}}.
 */
public class PrimaryKeyKafkaSerializer implements Serializer<Map<String, Object>> {

    @Override
    public byte[] serialize(String topic, Map<String, Object> key) {
        return key == null ? null : ChangeEventJson.keyToBytes(key);
    }
}
