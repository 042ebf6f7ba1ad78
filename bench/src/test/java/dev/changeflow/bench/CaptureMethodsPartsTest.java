package dev.changeflow.bench;

import org.apache.flink.connector.base.DeliveryGuarantee;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/** The capture methods benchmark's parts that need no server. */
class CaptureMethodsPartsTest {

    @Test
    void parsesLsnsAsPostgresPrintsThem() {
        assertThat(SourceLoad.parseLsn("0/0")).isZero();
        assertThat(SourceLoad.parseLsn("0/16B3748")).isEqualTo(0x16B3748L);
        assertThat(SourceLoad.parseLsn("16/B374D848")).isEqualTo((0x16L << 32) + 0xB374D848L);
        assertThatThrownBy(() -> SourceLoad.parseLsn("16B374D848"))
                .hasMessageContaining("not an LSN");
    }

    @Test
    void windowsSubtractCountersAndCompareByRateAndPerChange() {
        SourceLoad.Snapshot a =
                new SourceLoad.Snapshot(
                        0,
                        100,
                        1,
                        1000,
                        500,
                        10,
                        20,
                        0,
                        1L << 32,
                        2_000_000_000L,
                        Map.of(
                                "public.t",
                                100L,
                                "changeflow.audit",
                                0L,
                                "pg_catalog.pg_class",
                                5L));
        SourceLoad.Snapshot b =
                new SourceLoad.Snapshot(
                        10_000_000_000L,
                        1100,
                        1,
                        21_000,
                        2500,
                        1010,
                        420,
                        300,
                        (1L << 32) + 4_000_000,
                        7_000_000_000L,
                        Map.of(
                                "public.t",
                                1100L,
                                "changeflow.audit",
                                20_000L,
                                "pg_catalog.pg_class",
                                5L,
                                "public.new",
                                50L));
        SourceLoad.Window w = SourceLoad.Window.between(a, b, 10_000);

        assertThat(w.seconds()).isEqualTo(10.0);
        assertThat(w.transactions()).isEqualTo(1000);
        assertThat(w.rowsRead()).isEqualTo(22_000);
        assertThat(w.rowsWritten()).isEqualTo(1700);
        assertThat(w.walBytes()).isEqualTo(4_000_000);
        assertThat(w.transactionsPerSecond()).isEqualTo(100.0);
        assertThat(w.walBytesPerChange()).isEqualTo(400.0);
        assertThat(w.serverCpuMsPerThousand()).isEqualTo(500.0);
        // most read first; unchanged relations left out
        assertThat(w.mostRead())
                .containsExactly(
                        new SourceLoad.RelationReads("changeflow.audit", 2000.0),
                        new SourceLoad.RelationReads("public.t", 100.0),
                        new SourceLoad.RelationReads("public.new", 5.0));

        // the workload alone over a slightly shorter window: rates and per-change figures compare
        SourceLoad.Window alone =
                new SourceLoad.Window(
                        5.0, 5000, 400, 5000, 5000, 1_500_000, 1_000_000_000L, List.of());
        SourceLoad.Extra extra = w.over(alone);
        assertThat(extra.transactionsPerSecond()).isEqualTo(20.0);
        assertThat(extra.rowsReadPerSecond()).isEqualTo(1200.0);
        assertThat(extra.rowsWrittenPerChange()).isCloseTo(-0.83, within(1e-9));
        assertThat(extra.walBytesPerChange()).isEqualTo(100.0);
        assertThat(extra.serverCpuMsPerThousand()).isEqualTo(300.0);

        // no CPU figure on either side: not measured rather than a wrong number
        SourceLoad.Snapshot noCpu =
                new SourceLoad.Snapshot(
                        10_000_000_000L, 1100, 1, 21_000, 2500, 1010, 420, 300, 0, -1, Map.of());
        assertThat(SourceLoad.Window.between(a, noCpu, 10).serverCpuMsPerThousand()).isNaN();
    }

    @Test
    void readsProcStatEvenWithParenthesesInTheCommandName() {
        String line =
                "4242 (postgres: a (b) c) S 4100 4100 4100 0 -1 4194560 500 0 0 0 1234 567 89 10 20"
                        + " 0 1 0 123456 200000000 3000 18446744073709551615 0 0 0 0 0 0 0 4096"
                        + " 16390 0 0 0 17 1 0 0 0 0 0";
        SourceLoad.ProcStat stat = SourceLoad.ProcStat.parse(line);
        assertThat(stat).isEqualTo(new SourceLoad.ProcStat(4100, 1234, 567, 89, 10));
    }

    @Test
    void arrivalsKeepTheFirstAndCountDuplicatesAndIgnoreOtherSeqs() throws Exception {
        SeqArrivals arrivals = new SeqArrivals(100, 10);
        arrivals.record(100, 5);
        arrivals.record(100, 9);
        arrivals.record(-1, 7); // a probe
        arrivals.record(110, 7); // beyond the range
        arrivals.record(102, 8);

        assertThat(arrivals.arrival(100)).isEqualTo(5);
        assertThat(arrivals.duplicates()).isEqualTo(1);
        assertThat(arrivals.records()).isEqualTo(3);
        assertThat(arrivals.missing(SeqArrivals.range(100, 102))).isEqualTo(1);
        assertThat(arrivals.awaitAll(new long[] {100, 102}, Duration.ZERO)).isEqualTo(8);
        assertThat(arrivals.awaitAll(SeqArrivals.range(100, 102), Duration.ZERO)).isEqualTo(-1);
    }

    @Test
    void latencySplitsMissingChangesIntoLostAndSuperseded() {
        Workload.CommitTimes commits = new Workload.CommitTimes(10);
        commits.start(1);
        SeqArrivals arrivals = new SeqArrivals(1, 10);
        for (long seq = 1; seq <= 4; seq++) {
            commits.committed(seq, seq * 1_000_000_000L);
        }
        arrivals.record(1, 1_010_000_000L); // 10 ms
        arrivals.record(2, 2_030_000_000L); // 30 ms
        // 3 was replaced by a later change of its row (the table no longer holds it); 4 is still
        // in the table and never arrived
        long[] current = {1, 2, 4};

        SeqArrivals.Latency query = SeqArrivals.latency(1, 4, commits, arrivals, current, true);
        assertThat(query.samples()).isEqualTo(2);
        assertThat(query.superseded()).isEqualTo(1);
        assertThat(query.lost()).isEqualTo(1);
        assertThat(query.p50Ms()).isEqualTo(10.0);
        assertThat(query.maxMs()).isEqualTo(30.0);

        // a log or trigger capture must deliver every change: both count as lost
        SeqArrivals.Latency log = SeqArrivals.latency(1, 4, commits, arrivals, current, false);
        assertThat(log.lost()).isEqualTo(2);
        assertThat(log.superseded()).isZero();
    }

    @Test
    void optionsDefaultToAllMethodsLogFirstAndSplitJobOptionsByMethod() {
        CaptureBenchOptions defaults = CaptureBenchOptions.parse(new String[0]);
        assertThat(defaults.methods()).containsExactly("log", "trigger", "query");
        assertThat(defaults.guarantee()).isEqualTo(DeliveryGuarantee.AT_LEAST_ONCE);
        assertThat(defaults.changes()).isEqualTo(100_000);

        CaptureBenchOptions o =
                CaptureBenchOptions.parse(
                        new String[] {
                            "--quick",
                            "--methods",
                            "query,log",
                            "--job.debezium.poll.interval.ms",
                            "20",
                            "--job-trigger.trigger.poll.interval",
                            "50ms",
                            "--guarantee",
                            "exactly-once"
                        });
        assertThat(o.methods()).isEqualTo(List.of("log", "query"));
        assertThat(o.changes()).isEqualTo(5000);
        assertThat(o.duration()).isEqualTo(Duration.ofSeconds(5));
        assertThat(o.guarantee()).isEqualTo(DeliveryGuarantee.EXACTLY_ONCE);
        assertThat(o.jobExtra()).containsEntry("debezium.poll.interval.ms", "20");
        assertThat(o.methodExtra().get("trigger")).containsEntry("trigger.poll.interval", "50ms");
        assertThat(o.methodExtra().get("query")).isEmpty();

        assertThatThrownBy(() -> CaptureBenchOptions.parse(new String[] {"--methods", "cdc"}))
                .hasMessageContaining("unknown method 'cdc'");
        assertThatThrownBy(() -> CaptureBenchOptions.parse(new String[] {"--rat", "5"}))
                .hasMessageContaining("unknown option(s) [rat]");
    }
}
