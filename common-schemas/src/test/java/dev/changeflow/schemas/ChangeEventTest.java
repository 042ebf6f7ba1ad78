package dev.changeflow.schemas;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ChangeEventTest {

    private static final SourceInfo SOURCE =
            SourceInfo.builder(Connector.LOG, "shop", "public", "orders")
                    .tsMs(10)
                    .position(Positions.ofSequence(3))
                    .build();

    @Test
    void factoriesSetOpAndRows() {
        Map<String, Object> row = row(1, "a");

        assertThat(ChangeEvent.read(SOURCE, 1, row).op()).isEqualTo(Op.READ);
        assertThat(ChangeEvent.create(SOURCE, 1, row).op()).isEqualTo(Op.CREATE);
        ChangeEvent update = ChangeEvent.update(SOURCE, 1, row, row(1, "b"));
        assertThat(update.op()).isEqualTo(Op.UPDATE);
        assertThat(update.before()).isEqualTo(Map.of("id", 1L, "name", "a"));
        assertThat(update.after()).isEqualTo(Map.of("id", 1L, "name", "b"));
        ChangeEvent delete = ChangeEvent.delete(SOURCE, 1, row);
        assertThat(delete.op()).isEqualTo(Op.DELETE);
        assertThat(delete.after()).isNull();
        assertThat(delete.row()).isEqualTo(Map.of("id", 1L, "name", "a"));
    }

    @Test
    void keepsColumnOrderAndConvertsValues() {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("z", 1);
        row.put("a", LocalDate.of(2024, 2, 29));
        row.put("m", new BigDecimal("-0.50"));

        ChangeEvent event = ChangeEvent.create(SOURCE, 1, row);

        assertThat(event.after().keySet()).containsExactly("z", "a", "m");
        assertThat(event.after().values())
                .containsExactly(1L, "2024-02-29", new BigDecimal("-0.50"));
    }

    @Test
    void isImmutable() {
        Map<String, Object> row = row(1, "a");
        ChangeEvent event = ChangeEvent.create(SOURCE, 1, row);
        row.put("name", "changed");

        assertThat(event.after()).containsEntry("name", "a");
        assertThatThrownBy(() -> event.after().put("x", 1))
                .isInstanceOf(UnsupportedOperationException.class);
        Map<String, Object> withList = new LinkedHashMap<>();
        withList.put("tags", List.of("a"));
        assertThatThrownBy(
                        () -> {
                            @SuppressWarnings("unchecked")
                            List<Object> tags =
                                    (List<Object>)
                                            ChangeEvent.create(SOURCE, 1, withList)
                                                    .after()
                                                    .get("tags");
                            tags.add("b");
                        })
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void equalsComparesJsonValues() {
        Map<String, Object> ints = new LinkedHashMap<>();
        ints.put("id", 7);
        Map<String, Object> longs = new LinkedHashMap<>();
        longs.put("id", 7L);

        assertThat(ChangeEvent.create(SOURCE, 1, ints))
                .isEqualTo(ChangeEvent.create(SOURCE, 1, longs));
        assertThat(ChangeEvent.create(SOURCE, 1, ints))
                .isNotEqualTo(ChangeEvent.create(SOURCE, 2, longs));
    }

    @Test
    void rejectsNullOp() {
        assertThatThrownBy(() -> new ChangeEvent(null, row(1, "a"), SOURCE, null, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("op must not be null, expected one of r, c, u, d");
    }

    @Test
    void requiresAfterForReadCreateAndUpdate() {
        assertThatThrownBy(() -> new ChangeEvent(null, null, SOURCE, Op.READ, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("after must not be null for op 'r' (snapshot read)");
        assertThatThrownBy(() -> ChangeEvent.create(SOURCE, 1, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("after must not be null for op 'c' (create)");
        assertThatThrownBy(() -> ChangeEvent.update(SOURCE, 1, row(1, "a"), null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("after must not be null for op 'u' (update)");
    }

    @Test
    void onlyQuerySourcedUpdatesMayAwaitTheirBeforeImage() {
        SourceInfo query =
                SourceInfo.builder(Connector.QUERY, "shop", "public", "orders")
                        .tsMs(1)
                        .position(Positions.ofSequence(1))
                        .build();
        ChangeEvent update = ChangeEvent.updateWithoutBefore(query, 1, row(1, "a"));
        assertThat(update.before()).isNull();
        assertThat(update.awaitsBeforeImage()).isTrue();
        assertThat(update.key(List.of("id"))).containsEntry("id", 1L);
        assertThat(ChangeEvent.update(query, 1, row(1, "z"), row(1, "a")).awaitsBeforeImage())
                .isFalse();
        assertThatThrownBy(() -> ChangeEvent.updateWithoutBefore(SOURCE, 1, row(1, "a")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("before must not be null for op 'u' (update)");
        assertThatThrownBy(() -> ChangeEventJson.fromJson(ChangeEventJson.toJson(update)))
                .isInstanceOf(ChangeEventFormatException.class)
                .hasMessageContaining("field 'before' is null");
    }

    @Test
    void requiresBeforeForUpdateAndDelete() {
        assertThatThrownBy(() -> ChangeEvent.update(SOURCE, 1, null, row(1, "a")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("before must not be null for op 'u' (update)")
                .hasMessageContaining("REPLICA IDENTITY FULL");
        assertThatThrownBy(() -> ChangeEvent.delete(SOURCE, 1, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("before must not be null for op 'd' (delete)");
    }

    @Test
    void rejectsRowsThatDoNotBelongToTheOp() {
        assertThatThrownBy(() -> new ChangeEvent(row(1, "a"), row(1, "a"), SOURCE, Op.CREATE, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("before must be null for op 'c' (create)");
        assertThatThrownBy(() -> new ChangeEvent(row(1, "a"), row(1, "a"), SOURCE, Op.READ, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("before must be null for op 'r' (snapshot read)");
        assertThatThrownBy(() -> new ChangeEvent(row(1, "a"), row(1, "a"), SOURCE, Op.DELETE, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "after must be null for op 'd' (delete), the deleted row goes in before");
    }

    @Test
    void rejectsMissingSourceNegativeTimestampAndBadValues() {
        assertThatThrownBy(() -> ChangeEvent.create(null, 1, row(1, "a")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("source must not be null");
        assertThatThrownBy(() -> ChangeEvent.create(SOURCE, -5, row(1, "a")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("ts_ms must be epoch milliseconds >= 0, got -5");
        Map<String, Object> bad = new LinkedHashMap<>();
        bad.put("id", 1);
        bad.put("blob", new Object());
        assertThatThrownBy(() -> ChangeEvent.create(SOURCE, 1, bad))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(
                        "after: column 'blob': unsupported column value type java.lang.Object");
    }

    @Test
    void keyTakesPrimaryKeyColumnsInKeyOrder() {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("a", 1);
        row.put("b", "x");
        row.put("c", true);
        ChangeEvent event = ChangeEvent.create(SOURCE, 1, row);

        assertThat(event.key(List.of("c", "a")).keySet()).containsExactly("c", "a");
        assertThat(event.key(List.of("c", "a"))).isEqualTo(Map.of("c", true, "a", 1L));
    }

    @Test
    void keyOfDeleteComesFromBefore() {
        assertThat(ChangeEvent.delete(SOURCE, 1, row(9, "a")).key(List.of("id")))
                .isEqualTo(Map.of("id", 9L));
    }

    @Test
    void keyRejectsMissingColumnsAndKeyChanges() {
        ChangeEvent event = ChangeEvent.create(SOURCE, 1, row(1, "a"));
        assertThatThrownBy(() -> event.key(List.of("nope")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "primary key column 'nope' is missing from the after row of table orders;"
                                + " columns are [id, name]");
        assertThatThrownBy(() -> event.key(List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("primary key columns must be given for table orders");
        ChangeEvent keyChange = ChangeEvent.update(SOURCE, 1, row(1, "a"), row(2, "a"));
        assertThatThrownBy(() -> keyChange.key(List.of("id")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "primary key column 'id' changed in an update of table orders; emit a"
                                + " delete of the old key and a create of the new one");
        assertThat(keyChange.key(List.of("name"))).isEqualTo(Map.of("name", "a"));
    }

    private static Map<String, Object> row(int id, String name) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("id", id);
        row.put("name", name);
        return row;
    }
}
