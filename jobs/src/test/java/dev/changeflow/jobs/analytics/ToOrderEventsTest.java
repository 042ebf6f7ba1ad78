package dev.changeflow.jobs.analytics;

import dev.changeflow.jobs.sources.KafkaChange;
import dev.changeflow.schemas.DeadLetter;

import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.apache.flink.types.Either;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static dev.changeflow.jobs.analytics.Orders.T0;
import static org.assertj.core.api.Assertions.assertThat;

class ToOrderEventsTest {

    private static List<OrderEvent> run(KafkaChange... changes) throws Exception {
        try (OneInputStreamOperatorTestHarness<Either<DeadLetter, KafkaChange>, OrderEvent>
                harness = ProcessFunctionTestHarnesses.forProcessFunction(new ToOrderEvents())) {
            for (KafkaChange change : changes) {
                harness.processElement(Either.Right(change), 0L);
            }
            return harness.extractOutputValues();
        }
    }

    @Test
    void aCancellationRetractsTheOrderFromItsOwnWindow() throws Exception {
        Map<String, Object> placed = Orders.row(1, 2, 3, "12.50", "new", T0 + 1_000);
        Map<String, Object> cancelled = Orders.row(1, 2, 3, "12.50", "cancelled", T0 + 1_000);

        List<OrderEvent> events =
                run(Orders.create(1, placed), Orders.update(2, placed, cancelled));

        assertThat(events).hasSize(2);
        assertThat(events.get(0).sign()).isEqualTo(1);
        assertThat(events.get(0).amountCents()).isEqualTo(1250);
        assertThat(events.get(1).sign()).isEqualTo(-1);
        assertThat(events.get(1).eventTimeMs()).isEqualTo(T0 + 1_000);
        assertThat(events.get(1).amountCents()).isEqualTo(1250);
    }

    @Test
    void aStatusChangeThatKeepsTheOrderCountedEmitsNothingButAnAmountChangeMoves()
            throws Exception {
        Map<String, Object> placed = Orders.row(1, 2, 3, "10.00", "new", T0);
        Map<String, Object> paid = Orders.row(1, 2, 3, "10.00", "paid", T0);
        Map<String, Object> corrected = Orders.row(1, 2, 3, "11.00", "paid", T0);

        List<OrderEvent> events =
                run(
                        Orders.create(1, placed),
                        Orders.update(2, placed, paid),
                        Orders.update(3, paid, corrected),
                        Orders.delete(4, corrected));

        assertThat(events)
                .extracting(e -> e.sign() * e.amountCents())
                .containsExactly(1000L, -1000L, 1100L, -1100L);
    }

    @Test
    void aRowWithoutAmountIsADeadLetterNamingTheField() throws Exception {
        Map<String, Object> broken = Orders.row(1, 2, 3, "1.00", "new", T0);
        broken.remove("amount");
        try (var harness = ProcessFunctionTestHarnesses.forProcessFunction(new ToOrderEvents())) {
            harness.processElement(Either.Right(Orders.create(1, broken)), 0L);

            assertThat(harness.extractOutputValues()).isEmpty();
            assertThat(harness.getSideOutput(ToOrderEvents.DEAD_LETTERS))
                    .singleElement()
                    .satisfies(
                            record -> assertThat(record.getValue().reason()).contains("'amount'"));
        }
    }
}
