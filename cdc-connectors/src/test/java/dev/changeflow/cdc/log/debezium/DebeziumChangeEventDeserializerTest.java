package dev.changeflow.cdc.log.debezium;

import dev.changeflow.cdc.log.mysql.MySqlPositions;
import dev.changeflow.cdc.log.postgres.PostgresPositions;
import dev.changeflow.schemas.ChangeEvent;
import dev.changeflow.schemas.Op;

import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiFunction;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The same row as Debezium's PostgreSQL and MySQL connectors deliver it (the MySQL one after
 * Changeflow's {@code MySqlColumnConverter}) becomes the same change-event row; only the {@code
 * source} block differs (no schema and no txId for MariaDB/MySQL, binlog positions).
 */
class DebeziumChangeEventDeserializerTest {

    private static final Schema ROW =
            SchemaBuilder.struct()
                    .optional()
                    .field("id", Schema.INT32_SCHEMA)
                    .field("c_numeric", Decimal.builder(3).optional().build())
                    .field("c_bool", Schema.OPTIONAL_BOOLEAN_SCHEMA)
                    .field("c_real", Schema.OPTIONAL_FLOAT32_SCHEMA)
                    .field("c_ts", logical("io.debezium.time.MicroTimestamp", Schema.Type.INT64))
                    .field("c_tstz", logical("io.debezium.time.ZonedTimestamp", Schema.Type.STRING))
                    .field("c_date", logical("io.debezium.time.Date", Schema.Type.INT32))
                    .field("c_time", logical("io.debezium.time.MicroTime", Schema.Type.INT64))
                    .field("c_bytes", Schema.OPTIONAL_BYTES_SCHEMA)
                    .field("c_null", Schema.OPTIONAL_STRING_SCHEMA)
                    .build();

    /** PostgreSQL's json arrives as io.debezium.data.Json, MariaDB's JSON (a LONGTEXT) as text. */
    private static final Schema PG_ROW = withJson("io.debezium.data.Json");

    private static final Schema MARIADB_ROW = withJson(null);

    private static final Schema PG_SOURCE =
            SchemaBuilder.struct()
                    .field("connector", Schema.STRING_SCHEMA)
                    .field("db", Schema.STRING_SCHEMA)
                    .field("ts_ms", Schema.INT64_SCHEMA)
                    .field("schema", Schema.STRING_SCHEMA)
                    .field("table", Schema.STRING_SCHEMA)
                    .field("txId", Schema.OPTIONAL_INT64_SCHEMA)
                    .field("lsn", Schema.OPTIONAL_INT64_SCHEMA)
                    .build();

    private static final Schema MYSQL_SOURCE =
            SchemaBuilder.struct()
                    .field("connector", Schema.STRING_SCHEMA)
                    .field("db", Schema.STRING_SCHEMA)
                    .field("ts_ms", Schema.INT64_SCHEMA)
                    .field("table", Schema.OPTIONAL_STRING_SCHEMA)
                    .field("server_id", Schema.INT64_SCHEMA)
                    .field("gtid", Schema.OPTIONAL_STRING_SCHEMA)
                    .field("file", Schema.STRING_SCHEMA)
                    .field("pos", Schema.INT64_SCHEMA)
                    .field("row", Schema.INT32_SCHEMA)
                    .build();

    @Test
    void equivalentPostgresAndMariaDbRowsGiveIdenticalEnvelopeRows() {
        ChangeEvent pg =
                new DebeziumChangeEventDeserializer(new PostgresPositions())
                        .toChangeEvent(
                                record(
                                        PG_ROW,
                                        PG_SOURCE,
                                        (s, src) ->
                                                src.put("connector", "postgresql")
                                                        .put("schema", "public")
                                                        .put("txId", 777L)
                                                        .put("lsn", 0x16B3748L)));
        ChangeEvent maria =
                new DebeziumChangeEventDeserializer(new MySqlPositions())
                        .toChangeEvent(
                                record(
                                        MARIADB_ROW,
                                        MYSQL_SOURCE,
                                        (s, src) ->
                                                src.put("connector", "mysql")
                                                        .put("server_id", 1L)
                                                        .put("file", "mysql-bin.000003")
                                                        .put("pos", 154L)
                                                        .put("row", 1)));

        assertThat(maria.after()).isEqualTo(pg.after());
        assertThat(maria.before()).isEqualTo(pg.before());
        assertThat(maria.op()).isEqualTo(pg.op()).isEqualTo(Op.UPDATE);
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("id", 1L);
        expected.put("c_numeric", new BigDecimal("-12345.678"));
        expected.put("c_bool", true);
        expected.put("c_real", new BigDecimal("36.6"));
        expected.put("c_ts", "2024-01-02 03:04:05.123456");
        expected.put("c_tstz", "2024-01-02 01:04:05.123456Z");
        expected.put("c_date", "2024-02-29");
        expected.put("c_time", "13:14:15.123456");
        expected.put("c_bytes", "AAH/fw==");
        expected.put("c_null", null);
        expected.put("c_json", "{\"a\": [1, 2]}");
        assertThat(pg.after()).containsExactlyEntriesOf(expected);

        assertThat(pg.source().schema()).isEqualTo("public");
        assertThat(pg.source().txId()).isEqualTo(777L);
        assertThat(pg.source().position()).isEqualTo("00000000/016B3748");
        assertThat(maria.source().schema()).isNull();
        assertThat(maria.source().txId()).isNull();
        assertThat(maria.source().db()).isEqualTo("shop");
        assertThat(maria.source().table()).isEqualTo("products");
        assertThat(maria.source().tsMs()).isEqualTo(pg.source().tsMs());
        assertThat(maria.source().position())
                .isEqualTo("mysql-bin.0000000003:0000000000000000154:0000000001");
    }

    private static SourceRecord record(
            Schema rowSchema, Schema sourceSchema, BiFunction<Schema, Struct, Struct> source) {
        Schema envelope =
                SchemaBuilder.struct()
                        .field("before", rowSchema)
                        .field("after", rowSchema)
                        .field("source", sourceSchema)
                        .field("op", Schema.STRING_SCHEMA)
                        .field("ts_ms", Schema.OPTIONAL_INT64_SCHEMA)
                        .build();
        Struct src =
                source.apply(
                        sourceSchema,
                        new Struct(sourceSchema)
                                .put("db", "shop")
                                .put("table", "products")
                                .put("ts_ms", 1_704_164_645_000L));
        Struct value =
                new Struct(envelope)
                        .put("before", row(rowSchema, false))
                        .put("after", row(rowSchema, true))
                        .put("source", src)
                        .put("op", "u")
                        .put("ts_ms", 1_704_164_646_000L);
        return new SourceRecord(Map.of(), Map.of(), "topic", null, null, envelope, value);
    }

    private static Struct row(Schema schema, boolean after) {
        return new Struct(schema)
                .put("id", 1)
                .put("c_numeric", new BigDecimal("-12345.678"))
                .put("c_bool", after)
                .put("c_real", 36.6f)
                .put("c_ts", 1_704_164_645_123_456L) // 2024-01-02 03:04:05.123456 as if UTC
                .put("c_tstz", "2024-01-02T01:04:05.123456Z")
                .put("c_date", (int) LocalDate.of(2024, 2, 29).toEpochDay())
                .put("c_time", LocalTime.of(13, 14, 15, 123_456_000).toNanoOfDay() / 1000)
                .put("c_bytes", ByteBuffer.wrap(new byte[] {0, 1, -1, 127}))
                .put("c_json", "{\"a\": [1, 2]}");
    }

    private static Schema logical(String name, Schema.Type type) {
        return new SchemaBuilder(type).name(name).optional().build();
    }

    private static Schema withJson(String jsonName) {
        SchemaBuilder builder = SchemaBuilder.struct().optional();
        ROW.fields().forEach(f -> builder.field(f.name(), f.schema()));
        SchemaBuilder json = SchemaBuilder.string().optional();
        if (jsonName != null) {
            json.name(jsonName);
        }
        return builder.field("c_json", json.build()).build();
    }
}
