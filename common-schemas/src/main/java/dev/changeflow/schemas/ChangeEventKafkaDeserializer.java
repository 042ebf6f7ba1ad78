package dev.changeflow.schemas;

import org.apache.kafka.common.serialization.Deserializer;

/**
 * Kafka {@link Deserializer} reading a {@link ChangeEvent} from its JSON ({@link
 * ChangeEventJson#fromBytes}); a tombstone ({@code null}) reads as {@code null}, malformed input
 * throws {@link ChangeEventFormatException}.
 */
public class ChangeEventKafkaDeserializer implements Deserializer<ChangeEvent> {

    @Override
    public ChangeEvent deserialize(String topic, byte[] data) {
        return data == null ? null : ChangeEventJson.fromBytes(data);
    }
}
