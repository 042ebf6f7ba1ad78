package dev.changeflow.cdc.trigger;

import org.apache.flink.core.io.SimpleVersionedSerializer;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Serializes {@link AuditSplit}s (reader state) and the enumerator's unassigned splits, version 1:
 * a presence flag and the position as modified UTF-8 ({@code writeUTF} limits it to 64 KB; a {@code
 * pg_snapshot} lists in-progress transactions, far below that), then the snapshot flag.
 */
public final class AuditSplitSerializer implements SimpleVersionedSerializer<AuditSplit> {

    public static final AuditSplitSerializer INSTANCE = new AuditSplitSerializer();

    @Override
    public int getVersion() {
        return 1;
    }

    @Override
    public byte[] serialize(AuditSplit split) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            write(split, out);
        }
        return bytes.toByteArray();
    }

    @Override
    public AuditSplit deserialize(int version, byte[] serialized) throws IOException {
        checkVersion(version);
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(serialized))) {
            return read(in);
        }
    }

    static void write(AuditSplit split, DataOutputStream out) throws IOException {
        out.writeBoolean(split.position() != null);
        if (split.position() != null) {
            out.writeUTF(split.position());
        }
        out.writeBoolean(split.snapshotPending());
    }

    static AuditSplit read(DataInputStream in) throws IOException {
        String position = in.readBoolean() ? in.readUTF() : null;
        return new AuditSplit(position, in.readBoolean());
    }

    static void checkVersion(int version) throws IOException {
        if (version != 1) {
            throw new IOException("unknown audit split serializer version " + version);
        }
    }

    /** The enumerator's state: the splits not assigned to a reader (the one split, or none). */
    public static final class EnumeratorState
            implements SimpleVersionedSerializer<List<AuditSplit>> {

        public static final EnumeratorState INSTANCE = new EnumeratorState();

        @Override
        public int getVersion() {
            return 1;
        }

        @Override
        public byte[] serialize(List<AuditSplit> splits) throws IOException {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (DataOutputStream out = new DataOutputStream(bytes)) {
                out.writeInt(splits.size());
                for (AuditSplit split : splits) {
                    write(split, out);
                }
            }
            return bytes.toByteArray();
        }

        @Override
        public List<AuditSplit> deserialize(int version, byte[] serialized) throws IOException {
            checkVersion(version);
            try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(serialized))) {
                int n = in.readInt();
                List<AuditSplit> splits = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    splits.add(read(in));
                }
                return splits;
            }
        }
    }
}
