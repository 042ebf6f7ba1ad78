package dev.changeflow.cdc.log.mysql;

import dev.changeflow.schemas.Positions;

import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.SchemaBuilder;
import org.apache.kafka.connect.data.Struct;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MySqlPositionsTest {

    /** The fields of Debezium 1.9's MySQL source block that the encoder reads. */
    private static final Schema SOURCE =
            SchemaBuilder.struct()
                    .field("db", Schema.STRING_SCHEMA)
                    .field("table", Schema.OPTIONAL_STRING_SCHEMA)
                    .field("file", Schema.STRING_SCHEMA)
                    .field("pos", Schema.INT64_SCHEMA)
                    .field("row", Schema.INT32_SCHEMA)
                    .build();

    private final MySqlPositions positions = new MySqlPositions();

    @Test
    void binlogEventsAreFileOffsetAndRow() {
        assertThat(positions.position(source("mysql-bin.000003", 154, 2)))
                .isEqualTo("mysql-bin.0000000003:0000000000000000154:0000000002");
    }

    @Test
    void positionsSortAcrossFilesAndRowsAfterSnapshotReads() {
        String snapshot = positions.position(source("", 0, 0));
        String a = positions.position(source("mysql-bin.000009", 99_999, 0));
        String b = positions.position(source("mysql-bin.000009", 99_999, 1));
        String c = positions.position(source("mysql-bin.000010", 4, 0));
        assertThat(snapshot).isEqualTo(Positions.BINLOG_SNAPSHOT);
        assertThat(java.util.List.of(snapshot, a, b, c)).isSorted().doesNotHaveDuplicates();
    }

    @Test
    void negativeOffsetsAreRejectedRatherThanMisordered() {
        // MariaDB 11.4 was seen to report negative event positions (VERSIONS.md)
        assertThatThrownBy(() -> positions.position(source("mysql-bin.000001", -100, 0)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("binlog offset must be >= 0");
    }

    private static Struct source(String file, long pos, int row) {
        return new Struct(SOURCE)
                .put("db", "shop")
                .put("table", "orders")
                .put("file", file)
                .put("pos", pos)
                .put("row", row);
    }
}
