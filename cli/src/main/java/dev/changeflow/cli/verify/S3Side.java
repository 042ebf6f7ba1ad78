package dev.changeflow.cli.verify;

import dev.changeflow.jobs.sinks.ParquetFiles;

import org.apache.flink.core.fs.Path;

import org.apache.avro.Schema;
import org.apache.avro.generic.GenericRecord;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parquet events under a path (the analytics job's order events, or any records that carry the
 * change's {@code op} and {@code position}), folded per key: the event with the highest position
 * wins, at equal positions an addition ({@code sign} +1) over its retraction, an {@code op} of
 * {@code d} deletes the row. Only committed part files are read (Flink's in-progress files start
 * with a dot).
 */
final class S3Side implements SinkSide {

    static final String POSITION = "position";
    static final String OP = "op";
    static final String SIGN = "sign";

    private final Map<String, String> pathByTable;
    private final Map<String, Map<String, String>> renamed;
    private final Map<String, Set<String>> readFiles = new HashMap<>();

    S3Side(Map<String, String> pathByTable, Map<String, Map<String, String>> renamed) {
        this.pathByTable = pathByTable;
        this.renamed = renamed;
    }

    @Override
    public String name() {
        return "s3";
    }

    @Override
    public boolean covers(TableShape table) {
        return table.in(pathByTable) != null;
    }

    @Override
    public String target(TableShape table) {
        String path = table.in(pathByTable);
        if (path == null) {
            throw new IllegalArgumentException(
                    "no S3 path for "
                            + table.qualified()
                            + ": give --s3.path "
                            + table.name()
                            + "=s3://BUCKET/PATH");
        }
        return path;
    }

    @Override
    public Projection projection(TableShape table) throws IOException {
        Schema schema = null;
        for (Path file : files(table)) {
            List<GenericRecord> records = ParquetFiles.read(ParquetFiles.bytes(file));
            if (!records.isEmpty()) {
                schema = records.get(0).getSchema();
                break;
            }
        }
        if (schema == null) {
            throw new IllegalArgumentException(
                    "no committed Parquet file under " + target(table) + " holds a record");
        }
        for (String required : List.of(POSITION, OP)) {
            if (schema.getField(required) == null) {
                throw new IllegalArgumentException(
                        "the records under "
                                + target(table)
                                + " have no '"
                                + required
                                + "' field: verify folds events per key by position");
            }
        }
        List<String> fields = new ArrayList<>();
        schema.getFields().forEach(f -> fields.add(f.name()));
        Projection projection = Projection.fields(table, fields, renamed);
        for (String key : table.key()) {
            if (projection.field(key) == null) {
                throw new IllegalArgumentException(
                        "the records under "
                                + target(table)
                                + " have no field for key column "
                                + key
                                + "; name it with --field "
                                + table.name()
                                + "."
                                + key
                                + "=FIELD");
            }
        }
        return projection;
    }

    @Override
    public void load(TableShape table, Projection projection, SortedStore store)
            throws IOException {
        readFiles.put(table.qualified(), new HashSet<>());
        refresh(table, projection, store, List.of());
    }

    @Override
    public void refresh(
            TableShape table, Projection projection, SortedStore store, List<List<Object>> keys)
            throws IOException {
        Set<String> seen = readFiles.get(table.qualified());
        for (Path file : files(table)) {
            if (seen.add(file.toString())) {
                for (GenericRecord record : ParquetFiles.read(ParquetFiles.bytes(file))) {
                    fold(table, projection, store, record);
                }
            }
        }
    }

    private void fold(
            TableShape table, Projection projection, SortedStore store, GenericRecord record) {
        Map<String, Object> fields = new LinkedHashMap<>();
        for (Schema.Field field : record.getSchema().getFields()) {
            Object value = record.get(field.name());
            fields.put(field.name(), value instanceof CharSequence ? value.toString() : value);
        }
        List<Object> key = new ArrayList<>();
        for (String column : table.key()) {
            key.add(projection.keyPart(column, fields.get(projection.field(column))));
        }
        byte[] sortKey = SortKeys.of(key);
        String position = String.valueOf(fields.get(POSITION));
        boolean retraction =
                fields.get(SIGN) instanceof Number && ((Number) fields.get(SIGN)).intValue() < 0;
        SortedStore.StoredRow current = store.get(sortKey);
        if (current != null) {
            int order = current.position().compareTo(position);
            if (order > 0 || (order == 0 && retraction)) {
                return; // an older event, or the retraction of the row its addition wrote
            }
        }
        boolean deleted = "d".equals(fields.get(OP));
        store.put(
                sortKey,
                new SortedStore.StoredRow(
                        position, deleted, deleted ? Map.of() : projection.ofSink(fields)));
    }

    private List<Path> files(TableShape table) throws IOException {
        return ParquetFiles.committedFiles(new Path(target(table)));
    }
}
