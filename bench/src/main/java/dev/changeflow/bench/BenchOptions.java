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

/** The benchmark's options, {@code --key value}; see {@link #HELP}. */
record BenchOptions(
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
        List<DeliveryGuarantee> guarantees,
        boolean throughput,
        boolean latency,
        String jobHeap,
        List<String> jobJvmOptions,
        int partitions,
        int parallelism,
        Path resultsDir,
        Path workDir,
        String pgRecvLogical,
        boolean profile,
        Map<String, String> jobExtra) {

    static final String HELP =
            String.join(
                    "\n",
                    "PostgreSQL -> Kafka ingest benchmark, options (--key value):",
                    "  --changes N              changes per sustained-throughput run (200000)",
                    "  --warmup-changes N       streamed before the savepoint, to warm the job's JVM (50000)",
                    "  --writers N              concurrent writer connections (4)",
                    "  --txn-size N             changes per transaction (5)",
                    "  --update-ratio R         share of updates among the changes, rest inserts (0.4)",
                    "  --preload N              rows in the table before the runs, hit by updates (10000)",
                    "  --rate N                 changes/s of the latency runs (5000)",
                    "  --duration D             length of each measured latency run (30s)",
                    "  --warmup D               the same rate before it, not measured, then drained (15s)",
                    "  --checkpoint-interval D  of the ingest job in every run (500ms)",
                    "  --guarantees LIST        exactly-once,at-least-once",
                    "  --phases LIST            throughput,latency",
                    "  --job-heap SIZE          -Xmx of the job's JVM (the TaskManager) (2g)",
                    "  --job-jvm-options 'OPTS' more options of the job's JVM, e.g. a profiler's",
                    "  --partitions N           partitions of the change topic (3)",
                    "  --parallelism N          of the job (1; the PostgreSQL stream is one split)",
                    "  --results-dir DIR        where the JSON and markdown results go (bench/results)",
                    "  --work-dir DIR           servers' data, logs, savepoints (bench/target/bench-run)",
                    "  --pg-recvlogical PATH    the pg_recvlogical binary (found if not given)",
                    "  --profile                record each catch-up with Java Flight Recorder (work dir)",
                    "  --job.KEY VALUE          pass --KEY VALUE to the ingest job, e.g."
                            + " --job.debezium.poll.interval.ms 50",
                    "  --quick                  a smoke run: 20000 changes, 5 s latency runs after 5 s warm-ups");

    static BenchOptions parse(String[] args) {
        Map<String, String> given = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--help") || arg.equals("-h")) {
                throw new HelpRequested();
            }
            if (arg.equals("--profile")) {
                given.put("profile", "true");
                continue;
            }
            if (arg.equals("--quick")) {
                given.putIfAbsent("changes", "20000");
                given.putIfAbsent("warmup-changes", "10000");
                given.putIfAbsent("duration", "5s");
                given.putIfAbsent("warmup", "5s");
                continue;
            }
            if (!arg.startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --key value, got '" + arg + "'");
            }
            given.put(arg.substring(2), args[++i]);
        }
        Map<String, String> left = new LinkedHashMap<>(given);
        Map<String, String> jobExtra = new LinkedHashMap<>();
        for (String key : given.keySet()) {
            if (key.startsWith("job.")) {
                jobExtra.put(key.substring(4), left.remove(key));
            }
        }
        List<DeliveryGuarantee> guarantees = new ArrayList<>();
        for (String g : list(left.remove("guarantees"), "exactly-once,at-least-once")) {
            guarantees.add(DeliveryGuarantee.valueOf(g.replace('-', '_').toUpperCase(Locale.ROOT)));
        }
        List<String> phases = list(left.remove("phases"), "throughput,latency");
        for (String phase : phases) {
            if (!phase.equals("throughput") && !phase.equals("latency")) {
                throw new IllegalArgumentException("unknown phase '" + phase + "'");
            }
        }
        BenchOptions options =
                new BenchOptions(
                        Long.parseLong(left.getOrDefault("changes", "200000")),
                        Long.parseLong(left.getOrDefault("warmup-changes", "50000")),
                        Integer.parseInt(left.getOrDefault("writers", "4")),
                        Integer.parseInt(left.getOrDefault("txn-size", "5")),
                        Double.parseDouble(left.getOrDefault("update-ratio", "0.4")),
                        Integer.parseInt(left.getOrDefault("preload", "10000")),
                        Double.parseDouble(left.getOrDefault("rate", "5000")),
                        TimeUtils.parseDuration(left.getOrDefault("duration", "30s")),
                        TimeUtils.parseDuration(left.getOrDefault("warmup", "15s")),
                        TimeUtils.parseDuration(left.getOrDefault("checkpoint-interval", "500ms")),
                        guarantees,
                        phases.contains("throughput"),
                        phases.contains("latency"),
                        left.getOrDefault("job-heap", "2g"),
                        left.containsKey("job-jvm-options")
                                ? List.of(left.get("job-jvm-options").trim().split("\\s+"))
                                : List.of(),
                        Integer.parseInt(left.getOrDefault("partitions", "3")),
                        Integer.parseInt(left.getOrDefault("parallelism", "1")),
                        Path.of(left.getOrDefault("results-dir", "bench/results")),
                        Path.of(left.getOrDefault("work-dir", "bench/target/bench-run")),
                        left.get("pg-recvlogical"),
                        Boolean.parseBoolean(left.getOrDefault("profile", "false")),
                        jobExtra);
        for (String key :
                List.of(
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
                        "job-heap",
                        "job-jvm-options",
                        "partitions",
                        "parallelism",
                        "results-dir",
                        "work-dir",
                        "pg-recvlogical",
                        "profile")) {
            left.remove(key);
        }
        if (!left.isEmpty()) {
            throw new IllegalArgumentException("unknown option(s) " + left.keySet() + "\n" + HELP);
        }
        if (options.txnSize < 1 || options.writers < 1 || options.changes < options.txnSize) {
            throw new IllegalArgumentException(
                    "--changes, --writers and --txn-size must be positive");
        }
        return options;
    }

    private static List<String> list(String value, String fallback) {
        List<String> out = new ArrayList<>();
        for (String part : (value == null ? fallback : value).split(",")) {
            if (!part.isBlank()) {
                out.add(part.trim().toLowerCase(Locale.ROOT));
            }
        }
        return out;
    }

    /** {@code --help} was given. */
    static final class HelpRequested extends RuntimeException {
        HelpRequested() {
            super(HELP);
        }
    }
}
