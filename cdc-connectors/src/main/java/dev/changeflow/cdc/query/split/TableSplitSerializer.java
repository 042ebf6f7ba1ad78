package dev.changeflow.cdc.query.split;

import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.DataOutputView;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Writes {@link TableSplit}s into checkpoints (version 1). */
public final class TableSplitSerializer implements SimpleVersionedSerializer<TableSplit> {

    public static final TableSplitSerializer INSTANCE = new TableSplitSerializer();

    private static final int VERSION = 1;

    @Override
    public int getVersion() {
        return VERSION;
    }

    @Override
    public byte[] serialize(TableSplit split) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        write(split, out);
        return out.getCopyOfBuffer();
    }

    @Override
    public TableSplit deserialize(int version, byte[] serialized) throws IOException {
        if (version != VERSION) {
            throw new IOException("unknown TableSplit serializer version " + version);
        }
        return read(new DataInputDeserializer(serialized));
    }

    /** Writes one split to {@code out} (also used by the enumerator's state). */
    public static void write(TableSplit split, DataOutputView out) throws IOException {
        out.writeUTF(split.table());
        out.writeByte(split.phase().ordinal());
        List<String> key = split.snapshotKey();
        out.writeBoolean(key != null);
        if (key != null) {
            out.writeInt(key.size());
            for (String value : key) {
                writeNullable(value, out);
            }
        }
        writeNullable(split.streamTimestamp(), out);
        out.writeLong(split.streamId());
        writeNullable(split.lastPosition(), out);
        Set<String> known = split.knownKeys();
        out.writeInt(known.size());
        for (String knownKey : known) {
            // not writeUTF: its 64 KiB limit
            byte[] bytes = knownKey.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            out.writeInt(bytes.length);
            out.write(bytes);
        }
    }

    public static TableSplit read(DataInputView in) throws IOException {
        String table = in.readUTF();
        TableSplit.Phase phase = TableSplit.Phase.values()[in.readByte()];
        List<String> key = null;
        if (in.readBoolean()) {
            int size = in.readInt();
            key = new ArrayList<>(size);
            for (int i = 0; i < size; i++) {
                key.add(readNullable(in));
            }
        }
        String timestamp = readNullable(in);
        long id = in.readLong();
        String lastPosition = readNullable(in);
        int knownSize = in.readInt();
        Set<String> known = new LinkedHashSet<>();
        for (int i = 0; i < knownSize; i++) {
            byte[] bytes = new byte[in.readInt()];
            in.readFully(bytes);
            known.add(new String(bytes, java.nio.charset.StandardCharsets.UTF_8));
        }
        return new TableSplit(table, phase, key, timestamp, id, lastPosition, known);
    }

    private static void writeNullable(String value, DataOutputView out) throws IOException {
        out.writeBoolean(value != null);
        if (value != null) {
            out.writeUTF(value);
        }
    }

    private static String readNullable(DataInputView in) throws IOException {
        return in.readBoolean() ? in.readUTF() : null;
    }
}
