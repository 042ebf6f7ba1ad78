package dev.changeflow.cli.verify;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Iterator;
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

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<StoredRow> ROW = new TypeReference<>() {};
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

    /** Writes (or overwrites) the row under {@code key}. */
    void put(byte[] key, StoredRow row) {
        try {
            batch.put(key, JSON.writeValueAsBytes(row));
            if (++size % BATCH == 0) {
                flush();
            }
        } catch (IOException | RocksDBException e) {
            throw new IllegalStateException("cannot write the verification store", e);
        }
    }

    /** The row under {@code key}, or null. */
    StoredRow get(byte[] key) {
        flush();
        try {
            byte[] bytes = db.get(key);
            return bytes == null ? null : JSON.readValue(bytes, ROW);
        } catch (IOException | RocksDBException e) {
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
                    StoredRow row;
                    try {
                        row = JSON.readValue(it.value(), ROW);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
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
