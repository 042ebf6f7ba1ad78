package dev.changeflow.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** What a benchmark run measured, and the targets it is held to. */
final class Results {

    static final double EOS_THROUGHPUT_TARGET = 20_000;
    static final double EOS_RATIO_TARGET = 0.5;
    static final double ALO_P99_TARGET_MS = 500;
    static final long HEAP_TARGET_BYTES = 1L << 30;

    /**
     * A sustained-throughput run: N changes committed while the job was stopped, then the job
     * restored and timed until the last change was committed in Kafka; pg_recvlogical read the same
     * WAL range from its own slot.
     *
     * @param ingestPerSecond changes / (last change committed in Kafka - first change written to
     *     Kafka)
     * @param ingestWithStartupPerSecond changes / (last change committed - restore asked for)
     * @param startupMs from asking for the restore to the first change written to Kafka
     * @param recordsSeen records in the topic after the run (read_committed), should equal changes
     * @param ingestPerCpuSecond changes / CPU time of the job's JVM (all threads) while catching up
     * @param peerPerSecond pg_recvlogical's changes / its run time (process start to exit), the
     *     best of {@code peerRunsPerSecond} (one run per slot, all slots at the same position)
     * @param peerChanges changes (I/U/D) pg_recvlogical received
     */
    record Throughput(
            String guarantee,
            long changes,
            long transactions,
            double writerPerSecond,
            double ingestPerSecond,
            double ingestWithStartupPerSecond,
            long startupMs,
            long recordsSeen,
            double ingestPerCpuSecond,
            double peerPerSecond,
            List<Double> peerRunsPerSecond,
            long peerChanges,
            long peerBytes,
            double ratio,
            HeapMonitor.Snapshot heap) {}

    /**
     * A latency run at a fixed rate: commit (as the writer saw it return) to arrival at a Kafka
     * consumer, after the warm-up; {@code fromDebezium*}: the part from the moment the job's
     * Debezium reader emitted the change (the envelope's {@code ts_ms}) to the arrival.
     */
    record Latency(
            String guarantee,
            double targetPerSecond,
            double achievedPerSecond,
            long samples,
            long missing,
            double p50Ms,
            double p90Ms,
            double p99Ms,
            double maxMs,
            double fromDebeziumP50Ms,
            double fromDebeziumP99Ms,
            long checkpointIntervalMs,
            HeapMonitor.Snapshot heap) {}

    /** A target and how the run did against it. */
    record Check(String target, String measured, boolean pass, String margin) {}

    /** Percentiles of latencies in nanoseconds (nearest rank), in milliseconds. */
    static double[] percentilesMs(long[] nanos, int n, double... percentiles) {
        long[] sorted = Arrays.copyOf(nanos, n);
        Arrays.sort(sorted);
        double[] out = new double[percentiles.length];
        for (int i = 0; i < percentiles.length; i++) {
            if (n == 0) {
                out[i] = Double.NaN;
                continue;
            }
            int rank = (int) Math.ceil(percentiles[i] / 100.0 * n);
            out[i] = sorted[Math.min(n, Math.max(1, rank)) - 1] / 1e6;
        }
        return out;
    }

    static List<Check> checks(List<Throughput> throughput, List<Latency> latency, long peakHeap) {
        List<Check> checks = new ArrayList<>();
        for (Throughput t : throughput) {
            if (t.guarantee().equals("exactly-once")) {
                checks.add(
                        atLeast(
                                "exactly-once sustained >= 20,000 changes/s",
                                t.ingestPerSecond(),
                                EOS_THROUGHPUT_TARGET,
                                "%,.0f changes/s"));
                checks.add(
                        atLeast(
                                "exactly-once >= 0.5x pg_recvlogical",
                                t.ratio(),
                                EOS_RATIO_TARGET,
                                "%.2fx"));
            }
        }
        for (Latency l : latency) {
            if (l.guarantee().equals("at-least-once")) {
                boolean pass = l.p99Ms() < ALO_P99_TARGET_MS;
                checks.add(
                        new Check(
                                "at-least-once p99 < 500 ms at 5,000 changes/s",
                                String.format(Locale.ROOT, "%.0f ms", l.p99Ms()),
                                pass,
                                margin(
                                        ALO_P99_TARGET_MS - l.p99Ms(),
                                        ALO_P99_TARGET_MS,
                                        "%.0f ms")));
            }
        }
        if (peakHeap > 0) {
            checks.add(
                    new Check(
                            "TaskManager heap <= 1 GiB",
                            mib(peakHeap),
                            peakHeap <= HEAP_TARGET_BYTES,
                            margin(
                                    (HEAP_TARGET_BYTES - peakHeap) / 1048576.0,
                                    HEAP_TARGET_BYTES / 1048576.0,
                                    "%.0f MiB")));
        }
        return checks;
    }

    private static Check atLeast(String target, double value, double goal, String format) {
        return new Check(
                target,
                String.format(Locale.ROOT, format, value),
                value >= goal,
                margin(value - goal, goal, format));
    }

    /**
     * {@code diff}: how far the measure is on the good side of {@code target} (negative: missed).
     */
    private static String margin(double diff, double target, String format) {
        double pct = target == 0 ? 0 : 100.0 * diff / Math.abs(target);
        return (diff >= 0 ? "by " : "missed by ")
                + String.format(Locale.ROOT, format, Math.abs(diff))
                + String.format(Locale.ROOT, " (%+.0f%%)", pct);
    }

    static String mib(long bytes) {
        return String.format(Locale.ROOT, "%,d MiB", bytes / 1048576);
    }

    /** The report's rows: metric, at-least-once, exactly-once. */
    static List<String[]> rows(List<Throughput> throughput, List<Latency> latency) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"metric", "exactly-once", "at-least-once"});
        Map<String, Throughput> tp = new java.util.HashMap<>();
        throughput.forEach(t -> tp.put(t.guarantee(), t));
        Map<String, Latency> lat = new java.util.HashMap<>();
        latency.forEach(l -> lat.put(l.guarantee(), l));
        if (!throughput.isEmpty()) {
            rows.add(
                    row(
                            "changes per run (txns)",
                            tp,
                            t ->
                                    String.format(
                                            Locale.ROOT,
                                            "%,d (%,d)",
                                            t.changes(),
                                            t.transactions())));
            rows.add(row("writers, changes/s (job stopped)", tp, t -> rate(t.writerPerSecond())));
            rows.add(row("ingest sustained, changes/s", tp, t -> rate(t.ingestPerSecond())));
            rows.add(
                    row(
                            "ingest counting the restore, changes/s",
                            tp,
                            t ->
                                    rate(t.ingestWithStartupPerSecond())
                                            + " (restore "
                                            + t.startupMs()
                                            + " ms)"));
            rows.add(
                    row(
                            "ingest changes per CPU-second of the job's JVM",
                            tp,
                            t -> rate(t.ingestPerCpuSecond())));
            rows.add(
                    row(
                            "records in Kafka (read_committed)",
                            tp,
                            t -> String.format(Locale.ROOT, "%,d", t.recordsSeen())));
            rows.add(
                    row(
                            "pg_recvlogical (pgoutput), changes/s, best run",
                            tp,
                            t ->
                                    rate(t.peerPerSecond())
                                            + String.format(
                                                    Locale.ROOT,
                                                    " (%,d changes; runs %s)",
                                                    t.peerChanges(),
                                                    String.join(
                                                            " / ",
                                                            t.peerRunsPerSecond().stream()
                                                                    .map(Results::rate)
                                                                    .toList()))));
            rows.add(
                    row(
                            "ingest / pg_recvlogical",
                            tp,
                            t -> String.format(Locale.ROOT, "%.2fx", t.ratio())));
            rows.add(row("job JVM heap peak used / live after GC", tp, t -> heap(t.heap())));
        }
        if (!latency.isEmpty()) {
            rows.add(
                    latRow(
                            "latency run: target / achieved changes/s",
                            lat,
                            l ->
                                    String.format(
                                            Locale.ROOT,
                                            "%,.0f / %,.0f",
                                            l.targetPerSecond(),
                                            l.achievedPerSecond())));
            rows.add(
                    latRow(
                            "commit -> Kafka p50 / p90 ms",
                            lat,
                            l -> String.format(Locale.ROOT, "%.1f / %.1f", l.p50Ms(), l.p90Ms())));
            rows.add(
                    latRow(
                            "commit -> Kafka p99 / max ms",
                            lat,
                            l -> String.format(Locale.ROOT, "%.1f / %.1f", l.p99Ms(), l.maxMs())));
            rows.add(
                    latRow(
                            "of which Debezium reader -> Kafka p50 / p99 ms",
                            lat,
                            l ->
                                    String.format(
                                            Locale.ROOT,
                                            "%.0f / %.0f",
                                            l.fromDebeziumP50Ms(),
                                            l.fromDebeziumP99Ms())));
            rows.add(
                    latRow(
                            "latency samples (missing)",
                            lat,
                            l -> String.format(Locale.ROOT, "%,d (%d)", l.samples(), l.missing())));
            rows.add(
                    latRow(
                            "job JVM heap peak used / live after GC (latency)",
                            lat,
                            l -> heap(l.heap())));
        }
        return rows;
    }

    private static String heap(HeapMonitor.Snapshot h) {
        if (h == null) {
            return "-";
        }
        return String.format(
                Locale.ROOT,
                "%d / %d MiB (GC %d ms)",
                h.peakUsed() / 1048576,
                h.peakLiveAfterGc() / 1048576,
                h.gcTimeMs());
    }

    private static String rate(double perSecond) {
        return String.format(Locale.ROOT, "%,.0f", perSecond);
    }

    private static String[] row(
            String metric,
            Map<String, Throughput> tp,
            java.util.function.Function<Throughput, String> f) {
        return new String[] {
            metric,
            tp.containsKey("exactly-once") ? f.apply(tp.get("exactly-once")) : "-",
            tp.containsKey("at-least-once") ? f.apply(tp.get("at-least-once")) : "-"
        };
    }

    private static String[] latRow(
            String metric,
            Map<String, Latency> lat,
            java.util.function.Function<Latency, String> f) {
        return new String[] {
            metric,
            lat.containsKey("exactly-once") ? f.apply(lat.get("exactly-once")) : "-",
            lat.containsKey("at-least-once") ? f.apply(lat.get("at-least-once")) : "-"
        };
    }

    /** A plain-text table with aligned columns. */
    static String text(List<String[]> rows) {
        int[] widths = new int[rows.get(0).length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (int r = 0; r < rows.size(); r++) {
            String[] row = rows.get(r);
            for (int i = 0; i < row.length; i++) {
                out.append(i == 0 ? "" : "  ");
                out.append(String.format("%-" + widths[i] + "s", row[i]));
            }
            out.append('\n');
            if (r == 0) {
                for (int i = 0; i < widths.length; i++) {
                    out.append(i == 0 ? "" : "  ").append("-".repeat(widths[i]));
                }
                out.append('\n');
            }
        }
        return out.toString();
    }

    /** A markdown table. */
    static String markdown(List<String[]> rows) {
        StringBuilder out = new StringBuilder();
        for (int r = 0; r < rows.size(); r++) {
            out.append("| ").append(String.join(" | ", rows.get(r))).append(" |\n");
            if (r == 0) {
                out.append("|").append(" --- |".repeat(rows.get(0).length)).append('\n');
            }
        }
        return out.toString();
    }

    static List<String[]> checkRows(List<Check> checks) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"target", "measured", "result"});
        for (Check c : checks) {
            rows.add(
                    new String[] {
                        c.target(), c.measured(), (c.pass() ? "PASS " : "MISS ") + c.margin()
                    });
        }
        return rows;
    }

    private Results() {}
}
