package dev.changeflow.cli.verify;

import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.stream.Stream;

/**
 * What a sink holds for one table, folded per key and sorted by {@link SortKeys}: an embedded
 * RocksDB in a temporary directory, so a table larger than the heap verifies in bounded memory.
 * Each entry is a {@link StoredRow}; deleted rows stay as markers with their position, so an older
 * event read later cannot bring a row back.
 */
final class SortedStore implements AutoCloseable {

    private static final int BATCH = 1000;

    static {
        RocksDB.loadLibrary();
    }

    private final Path dir;
    private final Options options;
    private final RocksDB db;
    private final WriteOptions writes = new WriteOptions().setDisableWAL(true);
    private WriteBatch batch = new WriteBatch();
    private long size;

    SortedStore(Path parent) throws IOException {
        Files.createDirectories(parent);
        this.dir = Files.createTempDirectory(parent, "verify-");
        this.options = new Options().setCreateIfMissing(true);
        try {
            this.db = RocksDB.open(options, dir.toString());
        } catch (RocksDBException e) {
            throw new IOException("cannot open the verification store in " + dir, e);
        }
    }

    /**
     * A row as a sink holds it.
     *
     * @param position the source position that wrote it, or null where the sink keeps none
     * @param deleted whether the row is deleted (then {@code columns} is empty)
     * @param columns the compared columns' text forms ({@link Canonical})
     */
    record StoredRow(String position, boolean deleted, Map<String, String> columns) {}

    /** The number of live rows in a key range and the sum of their digests. */
    record Checksum(long count, long sum) {}

    /** Writes (or overwrites) the row under {@code key}. */
    void put(byte[] key, StoredRow row) {
        try {
            batch.put(key, encode(row));
            if (++size % BATCH == 0) {
                flush();
            }
        } catch (RocksDBException e) {
            throw new IllegalStateException("cannot write the verification store", e);
        }
    }

    /** The row under {@code key}, or null. */
    StoredRow get(byte[] key) {
        flush();
        try {
            byte[] bytes = db.get(key);
            return bytes == null ? null : decode(bytes);
        } catch (RocksDBException e) {
            throw new IllegalStateException("cannot read the verification store", e);
        }
    }

    /**
     * The live (not deleted) rows with {@code lower < key <= upper}, in key order; a null bound is
     * open.
     */
    Iterator<Map.Entry<byte[], StoredRow>> range(byte[] lower, byte[] upper) {
        flush();
        RocksIterator it = db.newIterator();
        if (lower == null) {
            it.seekToFirst();
        } else {
            it.seek(lower);
            if (it.isValid() && SortKeys.compare(it.key(), lower) == 0) {
                it.next();
            }
        }
        return new Iterator<>() {
            private Map.Entry<byte[], StoredRow> next = advance();

            private Map.Entry<byte[], StoredRow> advance() {
                while (it.isValid()) {
                    byte[] key = it.key();
                    if (upper != null && SortKeys.compare(key, upper) > 0) {
                        break;
                    }
                    StoredRow row = decode(it.value());
                    it.next();
                    if (!row.deleted()) {
                        return Map.entry(key, row);
                    }
                }
                it.close();
                return null;
            }

            @Override
            public boolean hasNext() {
                return next != null;
            }

            @Override
            public Map.Entry<byte[], StoredRow> next() {
                if (next == null) {
                    throw new NoSuchElementException();
                }
                Map.Entry<byte[], StoredRow> current = next;
                next = advance();
                return current;
            }
        };
    }

    /**
     * The count and checksum of the live rows with {@code lower < key <= upper} (null bounds are
     * open), from the digests stored with the rows.
     */
    Checksum checksum(byte[] lower, byte[] upper) {
        flush();
        long count = 0;
        long sum = 0;
        try (RocksIterator it = db.newIterator()) {
            if (lower == null) {
                it.seekToFirst();
            } else {
                it.seek(lower);
                if (it.isValid() && SortKeys.compare(it.key(), lower) == 0) {
                    it.next();
                }
            }
            for (; it.isValid(); it.next()) {
                if (upper != null && SortKeys.compare(it.key(), upper) > 0) {
                    break;
                }
                ByteBuffer value = ByteBuffer.wrap(it.value());
                if (value.get() == 0) {
                    count++;
                    sum += value.getLong();
                }
            }
        }
        return new Checksum(count, sum);
    }

    /** [deleted][digest][position][n][column, text]...: lengths as ints, text as UTF-8. */
    private static byte[] encode(StoredRow row) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        DataOutputStream out = new DataOutputStream(bytes);
        try {
            out.writeByte(row.deleted() ? 1 : 0);
            out.writeLong(row.deleted() ? 0 : Canonical.digest(row.columns()));
            writeText(out, row.position());
            out.writeInt(row.columns().size());
            for (Map.Entry<String, String> column : row.columns().entrySet()) {
                writeText(out, column.getKey());
                writeText(out, column.getValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static StoredRow decode(byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        boolean deleted = in.get() == 1;
        in.getLong();
        String position = readText(in);
        int n = in.getInt();
        Map<String, String> columns = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            columns.put(readText(in), readText(in));
        }
        return new StoredRow(position, deleted, columns);
    }

    private static void writeText(DataOutputStream out, String text) throws IOException {
        if (text == null) {
            out.writeInt(-1);
            return;
        }
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        out.writeInt(utf8.length);
        out.write(utf8);
    }

    private static String readText(ByteBuffer in) {
        int length = in.getInt();
        if (length < 0) {
            return null;
        }
        String text = new String(in.array(), in.position(), length, StandardCharsets.UTF_8);
        in.position(in.position() + length);
        return text;
    }

    private void flush() {
        if (batch.count() == 0) {
            return;
        }
        try {
            db.write(writes, batch);
        } catch (RocksDBException e) {
            throw new IllegalStateException("cannot write the verification store", e);
        }
        batch.close();
        batch = new WriteBatch();
    }

    @Override
    public void close() throws IOException {
        batch.close();
        writes.close();
        db.close();
        options.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
