package dev.changeflow.cdc.sql;

import dev.changeflow.schemas.ChangeEvent;
import dev.changeflow.schemas.Connector;
import dev.changeflow.schemas.Positions;
import dev.changeflow.schemas.SourceInfo;

import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.logical.RowType;
import org.apache.flink.types.RowKind;
import org.apache.flink.util.Collector;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ChangeEventRowsTest {

    private static final RowType TYPE =
            (RowType)
                    DataTypes.ROW(
                                    DataTypes.FIELD("id", DataTypes.BIGINT()),
                                    DataTypes.FIELD("price", DataTypes.DECIMAL(12, 2)),
                                    DataTypes.FIELD("ratio", DataTypes.DOUBLE()),
                                    DataTypes.FIELD("born", DataTypes.DATE()),
                                    DataTypes.FIELD("seen", DataTypes.TIMESTAMP(6)),
                                    DataTypes.FIELD("at", DataTypes.TIMESTAMP_LTZ(6)),
                                    DataTypes.FIELD("data", DataTypes.BYTES()),
                                    DataTypes.FIELD("name", DataTypes.STRING()),
                                    DataTypes.FIELD("missing", DataTypes.INT()))
                            .getLogicalType();

    private static final SourceInfo SOURCE =
            SourceInfo.builder(Connector.TRIGGER, "shop", "public", "items")
                    .tsMs(1L)
                    .position(Positions.ofSequence(7))
                    .build();

    @Test
    void anUpdateIsARetractionOfTheOldRowAndTheNewRow() {
        List<RowData> rows =
                rows(ChangeEvent.update(SOURCE, 1L, row("old", null), row("new", 0.25)));

        assertThat(rows)
                .extracting(RowData::getRowKind)
                .containsExactly(RowKind.UPDATE_BEFORE, RowKind.UPDATE_AFTER);
        RowData after = rows.get(1);
        assertThat(after.getLong(0)).isEqualTo(42L);
        assertThat(after.getDecimal(1, 12, 2).toBigDecimal()).isEqualByComparingTo("1234.50");
        assertThat(after.getDouble(2)).isEqualTo(0.25);
        assertThat(LocalDate.ofEpochDay(after.getInt(3))).isEqualTo(LocalDate.of(2024, 2, 29));
        assertThat(after.getTimestamp(4, 6).toLocalDateTime())
                .isEqualTo(LocalDateTime.of(2024, 2, 29, 23, 59, 59, 123_456_000));
        assertThat(after.getTimestamp(5, 6).toInstant())
                .isEqualTo(
                        OffsetDateTime.of(2024, 1, 2, 3, 4, 5, 500_000_000, ZoneOffset.UTC)
                                .toInstant());
        assertThat(after.getBinary(6)).containsExactly(0, 1, -1);
        assertThat(after.getString(7).toString()).isEqualTo("new");
        assertThat(after.isNullAt(8)).as("a declared column the row lacks").isTrue();
        assertThat(rows.get(0).isNullAt(2)).isTrue();
    }

    @Test
    void readsAndCreatesInsertAndDeletesRetractTheOldRow() {
        assertThat(rows(ChangeEvent.read(SOURCE, 1L, row("a", 1.0))))
                .extracting(RowData::getRowKind)
                .containsExactly(RowKind.INSERT);
        assertThat(rows(ChangeEvent.create(SOURCE, 1L, row("a", 1.0))))
                .extracting(RowData::getRowKind)
                .containsExactly(RowKind.INSERT);
        List<RowData> deleted = rows(ChangeEvent.delete(SOURCE, 1L, row("gone", 1.0)));
        assertThat(deleted).extracting(RowData::getRowKind).containsExactly(RowKind.DELETE);
        assertThat(deleted.get(0).getString(7).toString()).isEqualTo("gone");
    }

    @Test
    void aValueTheDeclaredTypeCannotHoldNamesTheColumn() {
        Map<String, Object> row = row("a", 1.0);
        row.put("price", new BigDecimal("123456789012.5"));
        assertThatThrownBy(() -> rows(ChangeEvent.create(SOURCE, 1L, row)))
                .hasMessageContaining("column 'price' of items")
                .hasMessageContaining("DECIMAL(12, 2)");
    }

    private static Map<String, Object> row(String name, Double ratio) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", 42L);
        row.put("price", new BigDecimal("1234.50"));
        row.put("ratio", ratio);
        row.put("born", "2024-02-29");
        row.put("seen", "2024-02-29 23:59:59.123456");
        row.put("at", "2024-01-02 03:04:05.5Z");
        row.put("data", "AAH/");
        row.put("name", name);
        return row;
    }

    private static List<RowData> rows(ChangeEvent event) {
        List<RowData> rows = new ArrayList<>();
        new ChangeEventRows(TYPE)
                .flatMap(
                        event,
                        new Collector<>() {
                            @Override
                            public void collect(RowData record) {
                                rows.add(record);
                            }

                            @Override
                            public void close() {}
                        });
        return rows;
    }
}
