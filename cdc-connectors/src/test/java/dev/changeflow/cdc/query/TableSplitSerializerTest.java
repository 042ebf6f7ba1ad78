package dev.changeflow.cdc.query;

import dev.changeflow.cdc.query.enumerator.QueryEnumerator;
import dev.changeflow.cdc.query.enumerator.QueryEnumeratorState;
import dev.changeflow.cdc.query.enumerator.QueryEnumeratorStateSerializer;
import dev.changeflow.cdc.query.split.TableSplit;
import dev.changeflow.cdc.query.split.TableSplitSerializer;
import dev.changeflow.schemas.Positions;

import org.apache.flink.core.memory.DataOutputSerializer;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class TableSplitSerializerTest {

    @Test
    void splitsSurviveARoundTripInEveryPhase() throws Exception {
        List<TableSplit> splits =
                List.of(
                        TableSplit.start("public.orders"),
                        new TableSplit(
                                "public.orders",
                                TableSplit.Phase.SNAPSHOT,
                                Arrays.asList("42", null, "x"),
                                "2024-01-02 03:04:05.123456+00",
                                -1,
                                null,
                                Set.of()),
                        new TableSplit(
                                "shop.items",
                                TableSplit.Phase.STREAM,
                                null,
                                null,
                                1001,
                                Positions.ofSequence(1001),
                                Set.of("{\"id\":1}", "{\"id\":\"Grüße\"}", "x".repeat(70_000))));
        for (TableSplit split : splits) {
            byte[] bytes = TableSplitSerializer.INSTANCE.serialize(split);
            TableSplit back =
                    TableSplitSerializer.INSTANCE.deserialize(
                            TableSplitSerializer.INSTANCE.getVersion(), bytes);
            assertThat(back).isEqualTo(split);
            assertThat(back.splitId()).isEqualTo(split.table());
        }
        QueryEnumeratorStateSerializer states = QueryEnumeratorStateSerializer.INSTANCE;
        QueryEnumeratorState state =
                new QueryEnumeratorState(splits, Set.of("shop.orders", "shop.items"));
        assertThat(states.deserialize(states.getVersion(), states.serialize(state)))
                .isEqualTo(state);
        // version 1 held the pending splits only: no table list, so no table counts as new
        DataOutputSerializer v1 = new DataOutputSerializer(64);
        v1.writeInt(splits.size());
        for (TableSplit split : splits) {
            TableSplitSerializer.write(split, v1);
        }
        assertThat(states.deserialize(1, v1.getCopyOfBuffer()))
                .isEqualTo(new QueryEnumeratorState(splits, null));
    }

    @Test
    void aRestoredEnumeratorStartsOnlyTheTablesItDidNotKnow() {
        QueryEnumeratorState checkpoint =
                new QueryEnumeratorState(List.of(), Set.of("shop.orders", "shop.items"));
        QueryEnumeratorState restored =
                QueryEnumerator.restore(
                                null, checkpoint, List.of("shop.orders", "shop.items", "shop.new"))
                        .snapshotState(1);
        assertThat(restored.pending()).containsExactly(TableSplit.start("shop.new"));
        assertThat(restored.tables())
                .containsExactlyInAnyOrder("shop.orders", "shop.items", "shop.new");

        QueryEnumeratorState fromV1 =
                QueryEnumerator.restore(
                                null,
                                new QueryEnumeratorState(List.of(), null),
                                List.of("shop.orders", "shop.new"))
                        .snapshotState(1);
        assertThat(fromV1.pending()).isEmpty();
        assertThat(fromV1.tables()).containsExactly("shop.orders", "shop.new");
    }

    @Test
    void positionsOfBothModesSortInChangeOrder() {
        Instant t = Instant.parse("2024-01-02T03:04:05.123456Z");
        assertThat(Positions.ofTimestamp(t, 9))
                .isEqualTo("2024-01-02T03:04:05.123456000/0000000000000000009")
                .isLessThan(Positions.ofTimestamp(t, 10))
                .isLessThan(Positions.ofTimestamp(t.plusNanos(1000), 0));
        assertThat(Positions.ofSequence(9)).isLessThan(Positions.ofSequence(10));
    }
}
