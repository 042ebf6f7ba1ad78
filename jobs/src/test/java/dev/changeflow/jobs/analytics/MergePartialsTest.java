package dev.changeflow.jobs.analytics;

import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class MergePartialsTest {

    private static final long END = 60_000;
    private static final long LATENESS = 30_000;

    private static Partial partial(int salt, long orders, long cents) {
        return new Partial("category-1m", "books", salt, 0, END, orders, cents);
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, Partial, WindowResult> harness()
            throws Exception {
        return new KeyedOneInputStreamOperatorTestHarness<>(
                new KeyedProcessOperator<>(new MergePartials(LATENESS)),
                Partial::windowKey,
                Types.STRING);
    }

    @Test
    void sumsTheLatestPartialOfEverySaltOnceTheWindowEndsThenEveryLateChangeAsTheNextRevision()
            throws Exception {
        try (var h = harness()) {
            h.open();
            h.processElement(partial(0, 2, 500), 1_000);
            h.processElement(partial(1, 1, 250), 2_000);
            h.processElement(partial(0, 3, 700), 3_000); // salt 0 again: replaces its partial
            assertThat(h.extractOutputValues()).isEmpty();

            h.processWatermark(END);
            assertThat(h.extractOutputValues())
                    .containsExactly(new WindowResult("category-1m", "books", 0, END, 4, 950, 1));

            h.processElement(partial(1, 0, 0), END + 5_000); // a late retraction
            h.processElement(partial(2, 1, 100), END + 6_000);
            assertThat(h.extractOutputValues())
                    .containsExactly(
                            new WindowResult("category-1m", "books", 0, END, 4, 950, 1),
                            new WindowResult("category-1m", "books", 0, END, 3, 700, 2),
                            new WindowResult("category-1m", "books", 0, END, 4, 800, 3));

            h.processWatermark(END + LATENESS + 1);
            assertThat(h.numKeyedStateEntries()).as("state dropped after the lateness").isZero();
        }
    }

    @Test
    void aRestoredOperatorContinuesTheRevisionsItCheckpointed() throws Exception {
        OperatorSubtaskState snapshot;
        try (var h = harness()) {
            h.open();
            h.processElement(partial(0, 1, 100), 1_000);
            h.processWatermark(END);
            snapshot = h.snapshot(1, 1);
        }
        try (var h = harness()) {
            h.initializeState(snapshot);
            h.open();
            h.processElement(partial(0, 2, 300), END + 1_000);
            assertThat(h.extractOutputValues())
                    .isEqualTo(
                            List.of(new WindowResult("category-1m", "books", 0, END, 2, 300, 2)));
        }
    }
}
