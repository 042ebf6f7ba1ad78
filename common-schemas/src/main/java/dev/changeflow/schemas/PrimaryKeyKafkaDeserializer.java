package dev.changeflow.schemas;

import org.apache.kafka.common.serialization.Deserializer;

import java.util.Map;

/**
 * Kafka {@link Deserializer} for record keys written by {@link PrimaryKeyKafkaSerializer}: an
 * ordered, unmodifiable map of primary key column to JSON value.
 */
public class PrimaryKeyKafkaDeserializer implements Deserializer<Map<String, Object>> {

    @Override
    public Map<String, Object> deserialize(String topic, byte[] data) {
        return data == null ? null : ChangeEventJson.keyFromBytes(data);
    }
}
