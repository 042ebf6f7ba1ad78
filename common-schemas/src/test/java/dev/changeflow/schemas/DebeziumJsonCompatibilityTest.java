package dev.changeflow.schemas;

import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.formats.common.TimestampFormat;
import org.apache.flink.formats.json.debezium.DebeziumJsonDecodingFormat;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.data.conversion.DataStructureConverter;
import org.apache.flink.table.data.conversion.DataStructureConverters;
import org.apache.flink.table.runtime.connector.source.ScanRuntimeProviderContext;
import org.apache.flink.table.types.DataType;
import org.apache.flink.table.types.logical.utils.LogicalTypeParser;
import org.apache.flink.table.types.utils.TypeConversions;
import org.apache.flink.types.Row;
import org.apache.flink.types.RowKind;
import org.apache.flink.util.Collector;
import org.apache.flink.util.SimpleUserCodeClassLoader;
import org.apache.flink.util.UserCodeClassLoader;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Feeds what {@link ChangeEventJson} writes to Flink 1.20's own {@code debezium-json} decoder (the
 * one behind {@code 'format' = 'debezium-json'}, SQL timestamp standard, the default), declaring
 * the column types that {@code TYPES.md} prescribes, and checks every value and metadata column it
 * produces.
 */
class DebeziumJsonCompatibilityTest {

    /** The golden table as a Flink SQL user declares it, per TYPES.md. */
    private static final Map<String, String> COLUMNS = new LinkedHashMap<>();

    static {
        COLUMNS.put("id", "BIGINT");
        COLUMNS.put("qty", "INT");
        COLUMNS.put("active", "BOOLEAN");
        COLUMNS.put("price", "DECIMAL(12, 4)");
        COLUMNS.put("big_count", "DECIMAL(20, 0)");
        COLUMNS.put("ratio", "DOUBLE");
        COLUMNS.put("weight", "FLOAT");
        COLUMNS.put("name", "STRING");
        COLUMNS.put("created", "TIMESTAMP(6)");
        COLUMNS.put("updated", "TIMESTAMP(6)");
        COLUMNS.put("seen_at", "TIMESTAMP_LTZ(6)");
        COLUMNS.put("birthday", "DATE");
        COLUMNS.put("opens", "TIME");
        COLUMNS.put("photo", "BYTES");
        COLUMNS.put("attrs", "STRING");
        COLUMNS.put("uid", "STRING");
        COLUMNS.put("tags", "ARRAY<STRING>");
        COLUMNS.put("scores", "ARRAY<INT>");
        COLUMNS.put("labels", "MAP<STRING, STRING>");
        COLUMNS.put("note", "STRING");
        COLUMNS.put("score", "DOUBLE");
    }

    private static final List<String> METADATA =
            List.of(
                    "ingestion-timestamp",
                    "source.timestamp",
                    "source.database",
                    "source.schema",
                    "source.table",
                    "source.properties");

    @Test
    void typesDocDeclaresExactlyTheTypesThisTestReadsWith() throws IOException {
        String doc = Files.readString(Path.of("TYPES.md"));
        String ddl =
                doc.substring(
                        doc.indexOf("CREATE TABLE products (") + "CREATE TABLE products (".length(),
                        doc.indexOf("changed_at TIMESTAMP_LTZ(3)"));
        Map<String, String> declared = new LinkedHashMap<>();
        int depth = 0;
        StringBuilder column = new StringBuilder();
        for (char c : ddl.toCharArray()) {
            depth += (c == '(' || c == '<') ? 1 : (c == ')' || c == '>') ? -1 : 0;
            if (c == ',' && depth == 0) {
                String[] nameAndType = column.toString().trim().split("\\s+", 2);
                declared.put(nameAndType[0], nameAndType[1]);
                column.setLength(0);
            } else {
                column.append(c);
            }
        }

        assertThat(declared).containsExactlyEntriesOf(COLUMNS);
    }

    @Test
    void readsAnInsert() throws Exception {
        List<Row> rows = decode(Golden.read("insert.json"));

        assertThat(rows).hasSize(1);
        Row row = rows.get(0);
        assertThat(row.getKind()).isEqualTo(RowKind.INSERT);
        assertThat(field(row, "id")).isEqualTo(1001L);
        assertThat(field(row, "qty")).isEqualTo(-7);
        assertThat(field(row, "active")).isEqualTo(true);
        assertThat(field(row, "price")).isEqualTo(new BigDecimal("-1234.5600"));
        assertThat(field(row, "big_count")).isEqualTo(new BigDecimal("18446744073709551615"));
        assertThat(field(row, "ratio")).isEqualTo(0.1d);
        assertThat(field(row, "weight")).isEqualTo(36.6f);
        assertThat(field(row, "name")).isEqualTo("Grüße, \"Welt\"\n");
        assertThat(field(row, "created"))
                .isEqualTo(LocalDateTime.of(2024, 2, 29, 23, 59, 59, 123_456_000));
        assertThat(field(row, "updated")).isEqualTo(LocalDateTime.of(2024, 1, 2, 3, 4, 5));
        assertThat(field(row, "seen_at")).isEqualTo(Instant.parse("2024-01-02T03:04:05.5Z"));
        assertThat(field(row, "birthday")).isEqualTo(LocalDate.of(2024, 2, 29));
        // Flink 1.20's JSON reader parses the fraction of a TIME but keeps whole seconds only.
        assertThat(field(row, "opens")).isEqualTo(LocalTime.of(9, 30, 0));
        assertThat(field(row, "photo")).isEqualTo(new byte[] {0, 1, 2, (byte) 0xFF});
        assertThat(field(row, "attrs")).isEqualTo("{\"color\": \"red\", \"sizes\": [1, 2]}");
        assertThat(field(row, "uid")).isEqualTo("123e4567-e89b-12d3-a456-426614174000");
        assertThat((String[]) field(row, "tags")).containsExactly("a", null, "c");
        assertThat((Integer[]) field(row, "scores")).isEmpty();
        assertThat(field(row, "labels")).isEqualTo(Map.of("k", "v"));
        assertThat(field(row, "note")).isNull();
        assertThat((Double) field(row, "score")).isNaN();

        assertThat(field(row, "ingestion-timestamp"))
                .isEqualTo(Instant.ofEpochMilli(1704164645123L));
        assertThat(field(row, "source.timestamp")).isEqualTo(Instant.ofEpochMilli(1704164645000L));
        assertThat(field(row, "source.database")).isEqualTo("shop");
        assertThat(field(row, "source.schema")).isEqualTo("public");
        assertThat(field(row, "source.table")).isEqualTo("products");
        Map<String, String> properties = new HashMap<>();
        properties.put("connector", "log");
        properties.put("db", "shop");
        properties.put("schema", "public");
        properties.put("table", "products");
        properties.put("ts_ms", "1704164645000");
        properties.put("snapshot", "false");
        properties.put("position", "00000000/016B3748");
        properties.put("txId", "771");
        assertThat(field(row, "source.properties")).isEqualTo(properties);
    }

    @Test
    void readsAnUpdateAsBeforeAndAfterRows() throws Exception {
        List<Row> rows = decode(Golden.read("update.json"));

        assertThat(rows)
                .extracting(Row::getKind)
                .containsExactly(RowKind.UPDATE_BEFORE, RowKind.UPDATE_AFTER);
        assertThat(rows).extracting(r -> field(r, "qty")).containsExactly(-7, 5);
        assertThat(rows)
                .extracting(r -> field(r, "price"))
                .containsExactly(new BigDecimal("-1234.5600"), new BigDecimal("19.9900"));
        assertThat(rows)
                .extracting(r -> field(r, "updated"))
                .containsExactly(
                        LocalDateTime.of(2024, 1, 2, 3, 4, 5),
                        LocalDateTime.of(2024, 3, 1, 0, 0, 0, 1_000));
        assertThat(rows).extracting(r -> field(r, "note")).containsExactly(null, "restocked");
    }

    @Test
    void readsADelete() throws Exception {
        List<Row> rows = decode(Golden.read("delete.json"));

        assertThat(rows).hasSize(1);
        assertThat(rows.get(0).getKind()).isEqualTo(RowKind.DELETE);
        assertThat(field(rows.get(0), "id")).isEqualTo(1001L);
        assertThat(field(rows.get(0), "active")).isEqualTo(false);
    }

    @Test
    void readsASnapshotReadFromADatabaseWithoutSchemas() throws Exception {
        List<Row> rows = decode(Golden.read("snapshot-read.json"));

        assertThat(rows).hasSize(1);
        Row row = rows.get(0);
        assertThat(row.getKind()).isEqualTo(RowKind.INSERT);
        assertThat(field(row, "id")).isEqualTo(1L);
        assertThat(field(row, "price")).isEqualTo(new BigDecimal("100.0000"));
        assertThat(field(row, "big_count")).isEqualTo(new BigDecimal("0"));
        assertThat(field(row, "ratio")).isEqualTo(-2.5e-10);
        assertThat(field(row, "weight")).isEqualTo(1.0f);
        assertThat(field(row, "name")).isEqualTo("");
        assertThat(field(row, "created")).isEqualTo(LocalDateTime.of(1999, 12, 31, 23, 59, 59));
        assertThat(field(row, "updated"))
                .isEqualTo(LocalDateTime.of(2024, 6, 30, 12, 0, 0, 123_456_000));
        assertThat(field(row, "seen_at")).isEqualTo(Instant.EPOCH);
        assertThat(field(row, "birthday")).isEqualTo(LocalDate.of(2000, 2, 29));
        assertThat(field(row, "opens")).isEqualTo(LocalTime.MIDNIGHT);
        assertThat(field(row, "photo")).isEqualTo(new byte[0]);
        assertThat(field(row, "attrs")).isEqualTo("[]");
        assertThat((String[]) field(row, "tags")).isEmpty();
        assertThat((Integer[]) field(row, "scores")).containsExactly(1, -2, 3);
        assertThat(field(row, "labels")).isEqualTo(Map.of());
        assertThat(field(row, "score")).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(field(row, "source.schema")).isNull();
        @SuppressWarnings("unchecked")
        Map<String, String> properties = (Map<String, String>) field(row, "source.properties");
        assertThat(properties)
                .containsEntry("connector", "trigger")
                .containsEntry("snapshot", "true")
                .containsEntry("schema", null)
                .containsEntry("txId", null)
                .containsEntry("position", "0000000000000000000");
    }

    @Test
    void readsEveryRoundTrippedEventOfTheWriter() throws Exception {
        for (ChangeEvent event : Golden.events()) {
            List<Row> rows = decode(ChangeEventJson.toJson(event));
            assertThat(rows).isNotEmpty();
            assertThat(field(rows.get(rows.size() - 1), "id"))
                    .isEqualTo(((Number) event.row().get("id")).longValue());
        }
    }

    @Test
    void flinkRejectsWhatTheContractForbids() {
        String insert = Golden.compact("insert.json");

        // an update without the old row
        String update =
                Golden.compact("update.json")
                        .replaceFirst(
                                "\\{\"before\":\\{.*?\\},\"after\"", "{\"before\":null,\"after\"");
        assertThatThrownBy(() -> decode(update))
                .isInstanceOf(IOException.class)
                .hasStackTraceContaining("REPLICA IDENTITY");
        // epoch numbers for a timestamp
        assertThatThrownBy(() -> decode(insert.replace("\"2024-01-02 03:04:05\"", "1704164645000")))
                .isInstanceOf(IOException.class);
        // ISO-8601 'T' for a timestamp under the default SQL standard
        assertThatThrownBy(
                        () ->
                                decode(
                                        insert.replace(
                                                "\"2024-01-02 03:04:05\"",
                                                "\"2024-01-02T03:04:05\"")))
                .isInstanceOf(IOException.class);
        // a TIMESTAMP_LTZ without the trailing Z
        assertThatThrownBy(() -> decode(insert.replace("03:04:05.5Z", "03:04:05.5")))
                .isInstanceOf(IOException.class);
        // Debezium's base64 bytes for a decimal
        assertThatThrownBy(() -> decode(insert.replace("-1234.5600", "\"/zQX\"")))
                .isInstanceOf(IOException.class);
    }

    private static List<Row> decode(String json) throws Exception {
        DataType physical = physicalType();
        DebeziumJsonDecodingFormat format =
                new DebeziumJsonDecodingFormat(false, false, TimestampFormat.SQL);
        format.applyReadableMetadata(METADATA);
        int[][] projection = new int[COLUMNS.size()][];
        for (int i = 0; i < projection.length; i++) {
            projection[i] = new int[] {i};
        }
        DeserializationSchema<RowData> deserializer =
                format.createRuntimeDecoder(
                        ScanRuntimeProviderContext.INSTANCE, physical, projection);
        deserializer.open(new TestInitializationContext());

        List<DataTypes.Field> produced = new ArrayList<>();
        COLUMNS.forEach((name, type) -> produced.add(DataTypes.FIELD(name, sqlType(type))));
        Map<String, DataType> metadataTypes = format.listReadableMetadata();
        METADATA.forEach(key -> produced.add(DataTypes.FIELD(key, metadataTypes.get(key))));
        DataStructureConverter<Object, Object> converter =
                DataStructureConverters.getConverter(DataTypes.ROW(produced));
        converter.open(DebeziumJsonCompatibilityTest.class.getClassLoader());

        List<Row> rows = new ArrayList<>();
        deserializer.deserialize(
                json.getBytes(StandardCharsets.UTF_8),
                new Collector<>() {
                    @Override
                    public void collect(RowData record) {
                        rows.add((Row) converter.toExternal(record));
                    }

                    @Override
                    public void close() {}
                });
        return rows;
    }

    private static DataType physicalType() {
        List<DataTypes.Field> fields = new ArrayList<>();
        COLUMNS.forEach((name, type) -> fields.add(DataTypes.FIELD(name, sqlType(type))));
        return DataTypes.ROW(fields);
    }

    private static DataType sqlType(String type) {
        return TypeConversions.fromLogicalToDataType(
                LogicalTypeParser.parse(
                        type, DebeziumJsonCompatibilityTest.class.getClassLoader()));
    }

    private static Object field(Row row, String name) {
        int index = new ArrayList<>(COLUMNS.keySet()).indexOf(name);
        if (index < 0) {
            index = COLUMNS.size() + METADATA.indexOf(name);
        }
        return row.getField(index);
    }

    private static final class TestInitializationContext
            implements DeserializationSchema.InitializationContext {
        @Override
        public MetricGroup getMetricGroup() {
            return new UnregisteredMetricsGroup();
        }

        @Override
        public UserCodeClassLoader getUserCodeClassLoader() {
            return SimpleUserCodeClassLoader.create(getClass().getClassLoader());
        }
    }
}
