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
        Map<String, String> given = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--help") || arg.equals("-h")) {
                throw new HelpRequested();
            }
            if (arg.equals("--quick")) {
                given.putIfAbsent("changes", "5000");
                given.putIfAbsent("warmup-changes", "2000");
                given.putIfAbsent("rate", "500");
                given.putIfAbsent("duration", "5s");
                given.putIfAbsent("warmup", "3s");
                continue;
            }
            if (!arg.startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --key value, got '" + arg + "'");
            }
            given.put(arg.substring(2), args[++i]);
        }
        Map<String, String> left = new LinkedHashMap<>(given);
        Map<String, String> jobExtra = new LinkedHashMap<>();
        Map<String, Map<String, String>> methodExtra = new LinkedHashMap<>();
        for (String method : METHODS) {
            methodExtra.put(method, new LinkedHashMap<>());
        }
        for (String key : given.keySet()) {
            if (key.startsWith("job.")) {
                jobExtra.put(key.substring(4), left.remove(key));
            }
            for (String method : METHODS) {
                String prefix = "job-" + method + ".";
                if (key.startsWith(prefix)) {
                    methodExtra.get(method).put(key.substring(prefix.length()), left.remove(key));
                }
            }
        }
        List<String> methods = new ArrayList<>();
        for (String m : (left.getOrDefault("methods", String.join(",", METHODS))).split(",")) {
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
        methods.sort((a, b) -> METHODS.indexOf(a) - METHODS.indexOf(b));
        if (methods.isEmpty()) {
            throw new IllegalArgumentException("--methods names no method; use " + METHODS);
        }
        String guarantee = left.getOrDefault("guarantee", "at-least-once");
        CaptureBenchOptions options =
                new CaptureBenchOptions(
                        methods,
                        Long.parseLong(left.getOrDefault("changes", "100000")),
                        Long.parseLong(left.getOrDefault("warmup-changes", "20000")),
                        Integer.parseInt(left.getOrDefault("writers", "4")),
                        Integer.parseInt(left.getOrDefault("txn-size", "5")),
                        Double.parseDouble(left.getOrDefault("update-ratio", "0.4")),
                        Integer.parseInt(left.getOrDefault("preload", "10000")),
                        Double.parseDouble(left.getOrDefault("rate", "2000")),
                        TimeUtils.parseDuration(left.getOrDefault("duration", "30s")),
                        TimeUtils.parseDuration(left.getOrDefault("warmup", "10s")),
                        TimeUtils.parseDuration(left.getOrDefault("checkpoint-interval", "500ms")),
                        DeliveryGuarantee.valueOf(
                                guarantee.replace('-', '_').toUpperCase(Locale.ROOT)),
                        Boolean.parseBoolean(left.getOrDefault("baseline", "true")),
                        left.getOrDefault("job-heap", "2g"),
                        Integer.parseInt(left.getOrDefault("partitions", "3")),
                        Path.of(left.getOrDefault("results-dir", "bench/results")),
                        Path.of(left.getOrDefault("work-dir", "bench/target/capture-run")),
                        jobExtra,
                        methodExtra);
        for (String key :
                List.of(
                        "methods",
                        "changes",
                        "warmup-changes",
                        "writers",
                        "txn-size",
                        "update-ratio",
                        "preload",
                        "rate",
                        "duration",
                        "warmup",
                        "checkpoint-interval",
                        "guarantee",
                        "baseline",
                        "job-heap",
                        "partitions",
                        "results-dir",
                        "work-dir")) {
            left.remove(key);
        }
        if (!left.isEmpty()) {
            throw new IllegalArgumentException("unknown option(s) " + left.keySet() + "\n" + HELP);
        }
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
