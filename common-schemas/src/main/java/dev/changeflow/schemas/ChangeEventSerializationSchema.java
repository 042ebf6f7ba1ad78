package dev.changeflow.schemas;

import org.apache.flink.api.common.serialization.SerializationSchema;

/**
 * Writes a {@link ChangeEvent} as its Debezium-shaped JSON ({@link ChangeEventJson#toBytes}), for a
 * Kafka record value or any byte sink.
 */
public class ChangeEventSerializationSchema implements SerializationSchema<ChangeEvent> {

    private static final long serialVersionUID = 1L;

    @Override
    public byte[] serialize(ChangeEvent event) {
        return ChangeEventJson.toBytes(event);
    }
}
