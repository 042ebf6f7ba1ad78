package dev.changeflow.schemas;

import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

import javax.annotation.Nullable;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Flink's binary serializer for {@link ChangeEvent}, used for network shuffles and state.
 *
 * <p>Events are immutable, so copies are the same instance. Rows are written as tagged JSON model
 * values (see {@link ColumnValues}) and read back into ordered maps, so column order, decimal scale
 * and every value survive exactly. The format is version 1 of {@link
 * ChangeEventTypeSerializerSnapshot}; a change to it must bump that version.
 */
public final class ChangeEventTypeSerializer extends TypeSerializerSingleton<ChangeEvent> {

    private static final long serialVersionUID = 1L;

    /** The one instance; the serializer is stateless. */
    public static final ChangeEventTypeSerializer INSTANCE = new ChangeEventTypeSerializer();

    private static final byte NULL = 0;
    private static final byte FALSE = 1;
    private static final byte TRUE = 2;
    private static final byte LONG = 3;
    private static final byte BIG_INTEGER = 4;
    private static final byte BIG_DECIMAL = 5;
    private static final byte STRING = 6;
    private static final byte LIST = 7;
    private static final byte MAP = 8;

    private ChangeEventTypeSerializer() {}

    @Override
    public boolean isImmutableType() {
        return true;
    }

    /** Returns {@code null}: an event cannot be empty, and events are never reused. */
    @Override
    public ChangeEvent createInstance() {
        return null;
    }

    @Override
    public ChangeEvent copy(ChangeEvent from) {
        return from;
    }

    @Override
    public ChangeEvent copy(ChangeEvent from, ChangeEvent reuse) {
        return from;
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(ChangeEvent event, DataOutputView out) throws IOException {
        out.writeByte(event.op().code().charAt(0));
        out.writeLong(event.tsMs());
        SourceInfo source = event.source();
        StringValue.writeString(source.connector().jsonName(), out);
        StringValue.writeString(source.db(), out);
        StringValue.writeString(source.schema(), out);
        StringValue.writeString(source.table(), out);
        out.writeLong(source.tsMs());
        out.writeBoolean(source.snapshot());
        StringValue.writeString(source.position(), out);
        out.writeBoolean(source.txId() != null);
        if (source.txId() != null) {
            out.writeLong(source.txId());
        }
        writeValue(event.before(), out);
        writeValue(event.after(), out);
    }

    @Override
    @SuppressWarnings("unchecked")
    public ChangeEvent deserialize(DataInputView in) throws IOException {
        Op op = Op.fromCode(String.valueOf((char) in.readByte()));
        long tsMs = in.readLong();
        SourceInfo source =
                new SourceInfo(
                        Connector.fromJsonName(StringValue.readString(in)),
                        StringValue.readString(in),
                        StringValue.readString(in),
                        StringValue.readString(in),
                        in.readLong(),
                        in.readBoolean(),
                        StringValue.readString(in),
                        in.readBoolean() ? in.readLong() : null);
        Map<String, Object> before = (Map<String, Object>) readValue(in);
        Map<String, Object> after = (Map<String, Object>) readValue(in);
        return new ChangeEvent(before, after, source, op, tsMs);
    }

    @Override
    public ChangeEvent deserialize(ChangeEvent reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView in, DataOutputView out) throws IOException {
        serialize(deserialize(in), out);
    }

    @Override
    public TypeSerializerSnapshot<ChangeEvent> snapshotConfiguration() {
        return new ChangeEventTypeSerializerSnapshot();
    }

    private static void writeValue(@Nullable Object value, DataOutputView out) throws IOException {
        if (value == null) {
            out.writeByte(NULL);
        } else if (value instanceof String) {
            out.writeByte(STRING);
            StringValue.writeString((String) value, out);
        } else if (value instanceof Long) {
            out.writeByte(LONG);
            out.writeLong((Long) value);
        } else if (value instanceof BigDecimal) {
            BigDecimal decimal = (BigDecimal) value;
            out.writeByte(BIG_DECIMAL);
            out.writeInt(decimal.scale());
            writeBytes(decimal.unscaledValue().toByteArray(), out);
        } else if (value instanceof Boolean) {
            out.writeByte((Boolean) value ? TRUE : FALSE);
        } else if (value instanceof BigInteger) {
            out.writeByte(BIG_INTEGER);
            writeBytes(((BigInteger) value).toByteArray(), out);
        } else if (value instanceof Map) {
            Map<?, ?> map = (Map<?, ?>) value;
            out.writeByte(MAP);
            out.writeInt(map.size());
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                StringValue.writeString((String) entry.getKey(), out);
                writeValue(entry.getValue(), out);
            }
        } else if (value instanceof List) {
            List<?> list = (List<?>) value;
            out.writeByte(LIST);
            out.writeInt(list.size());
            for (Object element : list) {
                writeValue(element, out);
            }
        } else {
            throw new IllegalStateException(
                    "not a JSON model value: " + value.getClass().getName());
        }
    }

    @Nullable
    private static Object readValue(DataInputView in) throws IOException {
        byte tag = in.readByte();
        switch (tag) {
            case NULL:
                return null;
            case FALSE:
                return Boolean.FALSE;
            case TRUE:
                return Boolean.TRUE;
            case LONG:
                return in.readLong();
            case BIG_INTEGER:
                return new BigInteger(readBytes(in));
            case BIG_DECIMAL:
                int scale = in.readInt();
                return new BigDecimal(new BigInteger(readBytes(in)), scale);
            case STRING:
                return StringValue.readString(in);
            case LIST:
                int size = in.readInt();
                List<Object> list = new ArrayList<>(size);
                for (int i = 0; i < size; i++) {
                    list.add(readValue(in));
                }
                return list;
            case MAP:
                int entries = in.readInt();
                Map<String, Object> map = new LinkedHashMap<>(Math.max(4, entries * 4 / 3 + 1));
                for (int i = 0; i < entries; i++) {
                    String key = StringValue.readString(in);
                    map.put(key, readValue(in));
                }
                return map;
            default:
                throw new IOException("corrupt ChangeEvent data: unknown value tag " + tag);
        }
    }

    private static void writeBytes(byte[] bytes, DataOutputView out) throws IOException {
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    private static byte[] readBytes(DataInputView in) throws IOException {
        byte[] bytes = new byte[in.readInt()];
        in.readFully(bytes);
        return bytes;
    }

    /** Snapshot of the (parameterless) serializer, for checkpoints and savepoints. */
    public static final class ChangeEventTypeSerializerSnapshot
            extends SimpleTypeSerializerSnapshot<ChangeEvent> {

        /** Used by Flink when restoring; creates a snapshot of the current format. */
        public ChangeEventTypeSerializerSnapshot() {
            super(() -> INSTANCE);
        }
    }

    private Object readResolve() {
        return INSTANCE;
    }
}
