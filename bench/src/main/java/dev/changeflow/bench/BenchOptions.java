package dev.changeflow.bench;

import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.util.TimeUtils;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
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
        BenchArgs a =
                BenchArgs.parse(
                        args,
                        Map.of(
                                "--profile",
                                Map.of("profile", "true"),
                                "--quick",
                                Map.of(
                                        "changes", "20000",
                                        "warmup-changes", "10000",
                                        "duration", "5s",
                                        "warmup", "5s")),
                        HelpRequested::new);
        Map<String, String> jobExtra = a.withPrefix("job.");
        List<DeliveryGuarantee> guarantees = new ArrayList<>();
        for (String g : list(a.get("guarantees"), "exactly-once,at-least-once")) {
            guarantees.add(DeliveryGuarantee.valueOf(g.replace('-', '_').toUpperCase(Locale.ROOT)));
        }
        List<String> phases = list(a.get("phases"), "throughput,latency");
        for (String phase : phases) {
            if (!phase.equals("throughput") && !phase.equals("latency")) {
                throw new IllegalArgumentException("unknown phase '" + phase + "'");
            }
        }
        BenchOptions options =
                new BenchOptions(
                        Long.parseLong(a.get("changes", "200000")),
                        Long.parseLong(a.get("warmup-changes", "50000")),
                        Integer.parseInt(a.get("writers", "4")),
                        Integer.parseInt(a.get("txn-size", "5")),
                        Double.parseDouble(a.get("update-ratio", "0.4")),
                        Integer.parseInt(a.get("preload", "10000")),
                        Double.parseDouble(a.get("rate", "5000")),
                        TimeUtils.parseDuration(a.get("duration", "30s")),
                        TimeUtils.parseDuration(a.get("warmup", "15s")),
                        TimeUtils.parseDuration(a.get("checkpoint-interval", "500ms")),
                        guarantees,
                        phases.contains("throughput"),
                        phases.contains("latency"),
                        a.get("job-heap", "2g"),
                        a.get("job-jvm-options") != null
                                ? List.of(a.get("job-jvm-options").trim().split("\\s+"))
                                : List.of(),
                        Integer.parseInt(a.get("partitions", "3")),
                        Integer.parseInt(a.get("parallelism", "1")),
                        Path.of(a.get("results-dir", "bench/results")),
                        Path.of(a.get("work-dir", "bench/target/bench-run")),
                        a.get("pg-recvlogical"),
                        Boolean.parseBoolean(a.get("profile", "false")),
                        jobExtra);
        a.rejectUnknown(HELP);
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
