package dev.changeflow.cdc.query;

import dev.changeflow.cdc.query.split.PendingSplitsSerializer;
import dev.changeflow.cdc.query.split.TableSplit;
import dev.changeflow.cdc.query.split.TableSplitSerializer;
import dev.changeflow.schemas.Positions;

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
        byte[] pending = PendingSplitsSerializer.INSTANCE.serialize(splits);
        assertThat(PendingSplitsSerializer.INSTANCE.deserialize(1, pending)).isEqualTo(splits);
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
