package dev.changeflow.schemas;

import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;

import javax.annotation.Nullable;

/**
 * Reads a {@link ChangeEvent} from its JSON ({@link ChangeEventJson#fromBytes}).
 *
 * <p>A {@code null} message (a Kafka tombstone) yields {@code null}, which Flink's sources skip.
 * Malformed input throws {@link ChangeEventFormatException}, whose message says what is wrong;
 * callers that route bad records to a dead-letter topic catch it.
 */
public class ChangeEventDeserializationSchema implements DeserializationSchema<ChangeEvent> {

    private static final long serialVersionUID = 1L;

    @Override
    @Nullable
    public ChangeEvent deserialize(@Nullable byte[] message) {
        return message == null ? null : ChangeEventJson.fromBytes(message);
    }

    @Override
    public boolean isEndOfStream(ChangeEvent nextElement) {
        return false;
    }

    @Override
    public TypeInformation<ChangeEvent> getProducedType() {
        return ChangeEventTypeInfo.INSTANCE;
    }
}
