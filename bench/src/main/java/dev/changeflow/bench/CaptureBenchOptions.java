package dev.changeflow.bench;

import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.util.TimeUtils;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The options of {@link CaptureMethodsBenchmark}, {@code --key value}; see {@link #HELP}. */
record CaptureBenchOptions(
        List<String> methods,
        long changes,
        long warmupChanges,
        int writers,
        int txnSize,
        double updateRatio,
        int preload,
        double rate,
        Duration duration,
        Duration warmup,
        Duration checkpointInterval,
        DeliveryGuarantee guarantee,
        boolean baseline,
        String jobHeap,
        int partitions,
        Path resultsDir,
        Path workDir,
        Map<String, String> jobExtra,
        Map<String, Map<String, String>> methodExtra) {

    static final List<String> METHODS = List.of("log", "trigger", "query");

    static final String HELP =
            String.join(
                    "\n",
                    "Capture methods benchmark (log, trigger, query on PostgreSQL), options (--key value):",
                    "  --methods LIST             log,trigger,query (log first: the others' ratios are to it)",
                    "  --changes N                committed while the job is stopped, then caught up (100000)",
                    "  --warmup-changes N         streamed before that, to warm the job's JVM (20000)",
                    "  --writers N                concurrent writer connections (4)",
                    "  --txn-size N               changes per transaction (5)",
                    "  --update-ratio R           share of updates among the changes, rest inserts (0.4)",
                    "  --preload N                rows in the table before the runs, hit by updates (10000)",
                    "  --rate N                   changes/s of the fixed-rate (latency and load) runs (2000)",
                    "  --duration D               length of each measured fixed-rate run (30s)",
                    "  --warmup D                 the same rate before it, not measured, then drained (10s)",
                    "  --checkpoint-interval D    of the ingest job (500ms)",
                    "  --guarantee G              at-least-once (default) or exactly-once",
                    "  --baseline BOOL            measure the workload alone, no capture (true)",
                    "  --job-heap SIZE            -Xmx of the job's JVM (2g)",
                    "  --partitions N             partitions of the change topic (3)",
                    "  --results-dir DIR          where the JSON and markdown results go (bench/results)",
                    "  --work-dir DIR             servers' data, logs, savepoints (bench/target/capture-run)",
                    "  --job.KEY VALUE            pass --KEY VALUE to every method's ingest job",
                    "  --job-log.KEY VALUE        ... to one method's job only, e.g.",
                    "  --job-trigger.KEY VALUE        --job-trigger.trigger.poll.interval 50ms",
                    "  --job-query.KEY VALUE          --job-query.query.poll.interval 100ms",
                    "  --quick                    a smoke run: 5000 changes, 5 s fixed-rate runs at 500/s");

    static CaptureBenchOptions parse(String[] args) {
        BenchArgs a =
                BenchArgs.parse(
                        args,
                        Map.of(
                                "--quick",
                                Map.of(
                                        "changes", "5000",
                                        "warmup-changes", "2000",
                                        "rate", "500",
                                        "duration", "5s",
                                        "warmup", "3s")),
                        HelpRequested::new);
        Map<String, String> jobExtra = a.withPrefix("job.");
        Map<String, Map<String, String>> methodExtra = new LinkedHashMap<>();
        for (String method : METHODS) {
            methodExtra.put(method, a.withPrefix("job-" + method + "."));
        }
        List<String> methods = new ArrayList<>();
        for (String m : (a.get("methods", String.join(",", METHODS))).split(",")) {
            String method = m.trim().toLowerCase(Locale.ROOT);
            if (method.isEmpty()) {
                continue;
            }
            if (!METHODS.contains(method)) {
                throw new IllegalArgumentException(
                        "unknown method '" + m + "' in --methods; use " + METHODS);
            }
            if (!methods.contains(method)) {
                methods.add(method);
            }
        }
        methods.sort((x, y) -> METHODS.indexOf(x) - METHODS.indexOf(y));
        if (methods.isEmpty()) {
            throw new IllegalArgumentException("--methods names no method; use " + METHODS);
        }
        String guarantee = a.get("guarantee", "at-least-once");
        CaptureBenchOptions options =
                new CaptureBenchOptions(
                        methods,
                        Long.parseLong(a.get("changes", "100000")),
                        Long.parseLong(a.get("warmup-changes", "20000")),
                        Integer.parseInt(a.get("writers", "4")),
                        Integer.parseInt(a.get("txn-size", "5")),
                        Double.parseDouble(a.get("update-ratio", "0.4")),
                        Integer.parseInt(a.get("preload", "10000")),
                        Double.parseDouble(a.get("rate", "2000")),
                        TimeUtils.parseDuration(a.get("duration", "30s")),
                        TimeUtils.parseDuration(a.get("warmup", "10s")),
                        TimeUtils.parseDuration(a.get("checkpoint-interval", "500ms")),
                        DeliveryGuarantee.valueOf(
                                guarantee.replace('-', '_').toUpperCase(Locale.ROOT)),
                        Boolean.parseBoolean(a.get("baseline", "true")),
                        a.get("job-heap", "2g"),
                        Integer.parseInt(a.get("partitions", "3")),
                        Path.of(a.get("results-dir", "bench/results")),
                        Path.of(a.get("work-dir", "bench/target/capture-run")),
                        jobExtra,
                        methodExtra);
        a.rejectUnknown(HELP);
        if (options.txnSize < 1 || options.writers < 1 || options.changes < options.txnSize) {
            throw new IllegalArgumentException(
                    "--changes, --writers and --txn-size must be positive");
        }
        if (options.guarantee == DeliveryGuarantee.NONE) {
            throw new IllegalArgumentException("--guarantee: at-least-once or exactly-once");
        }
        return options;
    }

    /** {@code --help} was given. */
    static final class HelpRequested extends RuntimeException {
        HelpRequested() {
            super(HELP);
        }
    }
}
