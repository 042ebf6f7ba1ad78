package dev.changeflow.schemas;

import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/**
 * Flink type information for {@link ChangeEvent}; {@code TypeInformation.of(ChangeEvent.class)}
 * returns it. Its serializer is {@link ChangeEventTypeSerializer}, so change events never fall back
 * to Kryo (they work with {@code pipeline.generic-types: false}).
 */
public final class ChangeEventTypeInfo extends TypeInformation<ChangeEvent> {

    private static final long serialVersionUID = 1L;

    /** The one instance; the type has no parameters. */
    public static final ChangeEventTypeInfo INSTANCE = new ChangeEventTypeInfo();

    private ChangeEventTypeInfo() {}

    @Override
    public boolean isBasicType() {
        return false;
    }

    @Override
    public boolean isTupleType() {
        return false;
    }

    @Override
    public int getArity() {
        return 1;
    }

    @Override
    public int getTotalFields() {
        return 1;
    }

    @Override
    public Class<ChangeEvent> getTypeClass() {
        return ChangeEvent.class;
    }

    @Override
    public boolean isKeyType() {
        return false;
    }

    @Override
    public TypeSerializer<ChangeEvent> createSerializer(SerializerConfig config) {
        return ChangeEventTypeSerializer.INSTANCE;
    }

    /**
     * @deprecated Flink calls {@link #createSerializer(SerializerConfig)}; kept because the method
     *     is still abstract in Flink 1.20.
     */
    @Override
    @Deprecated
    public TypeSerializer<ChangeEvent> createSerializer(ExecutionConfig config) {
        return ChangeEventTypeSerializer.INSTANCE;
    }

    @Override
    public String toString() {
        return "ChangeEvent";
    }

    @Override
    public boolean equals(Object obj) {
        return obj instanceof ChangeEventTypeInfo;
    }

    @Override
    public int hashCode() {
        return ChangeEventTypeInfo.class.hashCode();
    }

    @Override
    public boolean canEqual(Object obj) {
        return obj instanceof ChangeEventTypeInfo;
    }

    private Object readResolve() {
        return INSTANCE;
    }
}
