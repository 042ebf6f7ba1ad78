package dev.changeflow.cdc.query.enumerator;

import dev.changeflow.cdc.query.split.TableSplit;
import dev.changeflow.cdc.query.split.TableSplitSerializer;

import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Writes the enumerator's {@link QueryEnumeratorState}: version 2 = the pending splits and the
 * known tables; version 1 (the pending splits only) is still read.
 */
public final class QueryEnumeratorStateSerializer
        implements SimpleVersionedSerializer<QueryEnumeratorState> {

    public static final QueryEnumeratorStateSerializer INSTANCE =
            new QueryEnumeratorStateSerializer();

    private static final int VERSION = 2;

    @Override
    public int getVersion() {
        return VERSION;
    }

    @Override
    public byte[] serialize(QueryEnumeratorState state) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        out.writeInt(state.pending().size());
        for (TableSplit split : state.pending()) {
            TableSplitSerializer.write(split, out);
        }
        Set<String> tables = state.tables() == null ? Set.of() : state.tables();
        out.writeInt(tables.size());
        for (String table : tables) {
            out.writeUTF(table);
        }
        return out.getCopyOfBuffer();
    }

    @Override
    public QueryEnumeratorState deserialize(int version, byte[] serialized) throws IOException {
        if (version != 1 && version != VERSION) {
            throw new IOException("unknown query enumerator state version " + version);
        }
        DataInputDeserializer in = new DataInputDeserializer(serialized);
        int size = in.readInt();
        List<TableSplit> splits = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            splits.add(TableSplitSerializer.read(in));
        }
        if (version == 1) {
            return new QueryEnumeratorState(splits, null);
        }
        int count = in.readInt();
        Set<String> tables = new LinkedHashSet<>();
        for (int i = 0; i < count; i++) {
            tables.add(in.readUTF());
        }
        return new QueryEnumeratorState(splits, tables);
    }
}
