package dev.changeflow.cdc.query.split;

import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Writes the enumerator's state, the splits not assigned to a reader yet (version 1). */
public final class PendingSplitsSerializer implements SimpleVersionedSerializer<List<TableSplit>> {

    public static final PendingSplitsSerializer INSTANCE = new PendingSplitsSerializer();

    private static final int VERSION = 1;

    @Override
    public int getVersion() {
        return VERSION;
    }

    @Override
    public byte[] serialize(List<TableSplit> splits) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        out.writeInt(splits.size());
        for (TableSplit split : splits) {
            TableSplitSerializer.write(split, out);
        }
        return out.getCopyOfBuffer();
    }

    @Override
    public List<TableSplit> deserialize(int version, byte[] serialized) throws IOException {
        if (version != VERSION) {
            throw new IOException("unknown pending-splits serializer version " + version);
        }
        DataInputDeserializer in = new DataInputDeserializer(serialized);
        int size = in.readInt();
        List<TableSplit> splits = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            splits.add(TableSplitSerializer.read(in));
        }
        return splits;
    }
}
