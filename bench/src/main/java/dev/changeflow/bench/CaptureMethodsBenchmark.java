package dev.changeflow.bench;

import dev.changeflow.cdc.trigger.TriggerInstaller;
import dev.changeflow.cdc.trigger.TriggerSourceConfig;
import dev.changeflow.jobs.sinks.ChangeTopics;
import dev.changeflow.localstack.LocalStack;
import dev.changeflow.localstack.Service;
import dev.changeflow.localstack.server.KafkaServer;
import dev.changeflow.localstack.server.PostgresServer;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.DeliveryGuarantee;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The three capture methods of the ingest job (log, trigger, query) on one PostgreSQL workload:
 * catch-up throughput from a savepoint, commit-to-Kafka latency at a fixed rate, and the extra load
 * each puts on the source database during that fixed-rate run, against the same workload with no
 * capture at all. See {@code bench/README.md}; {@code --help} for the options.
 */
public final class CaptureMethodsBenchmark {

    private static final ObjectMapper JSON =
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * Waited before each load window opens and after its writers finished: PostgreSQL backends
     * flush their statistics at most once a second (and when they exit), so that the window's
     * counters hold its writers' work and none of the connections that came before.
     */
    private static final Duration STATS_SETTLE = Duration.ofMillis(1500);

    private final CaptureBenchOptions options;
    private final Path work;
    private PostgresServer pg;
    private KafkaServer kafka;
    private Workload workload;
    private Connection stats;
    private SourceLoad.ServerCpu serverCpu;

    private CaptureMethodsBenchmark(CaptureBenchOptions options) {
        this.options = options;
        this.work = options.workDir().toAbsolutePath();
    }

    public static void main(String[] args) throws Exception {
        CaptureBenchOptions options;
        try {
            options = CaptureBenchOptions.parse(args);
        } catch (CaptureBenchOptions.HelpRequested help) {
            System.out.println(help.getMessage());
            return;
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        new CaptureMethodsBenchmark(options).run();
        System.exit(0);
    }

    // ---------------------------------------------------------------- results

    /**
     * N changes committed while the job was stopped (savepoint), then the job restored and timed
     * until the last of them was in Kafka.
     *
     * @param records changes the method delivers: all of them for log and trigger; for query the
     *     rows whose latest version is among them (it reads each row's current state once)
     * @param changesPerSecond changes / (last record in Kafka - first record in Kafka)
     * @param recordsPerSecond records / the same time
     * @param withRestorePerSecond changes / (last record in Kafka - restore asked for)
     * @param restoreMs from asking for the restore to the first record in Kafka
     * @param changesPerCpuSecond changes / CPU time of the job's JVM from the first to the last
     * @param duplicates records beyond the first of a change, one second after the last
     */
    record CatchUp(
            long changes,
            long transactions,
            double writerPerSecond,
            long records,
            double changesPerSecond,
            double recordsPerSecond,
            double withRestorePerSecond,
            long restoreMs,
            double changesPerCpuSecond,
            long duplicates) {}

    /**
     * The fixed-rate run: commit-to-Kafka latency and the source database's load.
     *
     * @param load {@code pg_stat_database} and WAL over the measured run
     * @param extra the load beyond the workload alone (null without a baseline)
     * @param jobCpuMsPerThousand CPU time of the job's JVM over the run per 1,000 changes
     */
    record FixedRate(
            double targetPerSecond,
            double achievedPerSecond,
            long changes,
            SeqArrivals.Latency latency,
            long duplicates,
            SourceLoad.Window load,
            SourceLoad.Extra extra,
            double jobCpuMsPerThousand) {}

    /** One method's run; {@code error} says why parts are missing. */
    record MethodResult(
            String method,
            Map<String, String> methodOptions,
            CatchUp catchUp,
            FixedRate fixedRate,
            HeapMonitor.Snapshot heap,
            String error) {}

    // ---------------------------------------------------------------- run

    private void run() throws Exception {
        Instant started = Instant.now();
        String load = BenchSupport.loadAverage();
        BenchSupport.cleanWorkDir(work);
        BenchSupport.say("work dir %s (server logs and the jobs' logs are there)", work);
        List<MethodResult> results = new ArrayList<>();
        SourceLoad.Window baseline = null;
        String pgVersion;
        try (LocalStack stack =
                LocalStack.builder()
                        .baseDir(work.resolve("stack"))
                        .services(Service.POSTGRES, Service.KAFKA)
                        .build()) {
            stack.start();
            pg = stack.postgres();
            kafka = stack.kafka();
            stats = pg.connect();
            serverCpu = SourceLoad.ServerCpu.of(stats);
            if (serverCpu == null) {
                BenchSupport.say(
                        "the PostgreSQL server's CPU time is not readable from /proc: not measured");
            }
            pgVersion = BenchSupport.scalar(pg::connect, "SHOW server_version");
            BenchSupport.say(
                    "PostgreSQL %s at %s:%d, Kafka at %s",
                    pgVersion, pg.host(), pg.port(), kafka.bootstrapServers());
            workload = Workload.create(pg::connect, options.preload());
            if (options.baseline()) {
                baseline = baseline();
            }
            for (String method : options.methods()) {
                try {
                    results.add(method(method, baseline));
                } catch (Exception e) {
                    BenchSupport.say("[%s] FAILED: %s (see %s)", method, e, work);
                    e.printStackTrace(System.out);
                    results.add(
                            new MethodResult(
                                    method, methodOptions(method), null, null, null, firstLine(e)));
                }
            }
            stats.close();
        }
        report(started, load, pgVersion, baseline, results);
    }

    /** The fixed-rate workload with no capture: what the other windows are compared to. */
    private SourceLoad.Window baseline() throws Exception {
        BenchSupport.say(
                "[workload alone] %,.0f changes/s for %s, no capture: the source's own load",
                options.rate(), options.duration());
        Thread.sleep(STATS_SETTLE.toMillis());
        SourceLoad.Snapshot before = SourceLoad.Snapshot.take(stats, serverCpu);
        Workload.Run run =
                workload.paced(
                        options.rate(),
                        options.duration().toNanos(),
                        options.writers(),
                        options.txnSize(),
                        options.updateRatio(),
                        null);
        Thread.sleep(STATS_SETTLE.toMillis());
        SourceLoad.Window window =
                SourceLoad.Window.between(
                        before, SourceLoad.Snapshot.take(stats, serverCpu), run.changes());
        BenchSupport.say("[workload alone] %s", describe(window));
        return window;
    }

    private MethodResult method(String method, SourceLoad.Window baseline) throws Exception {
        String topic = topic(method);
        Map<String, String> jobOptions = jobOptions(method);
        setUp(method, jobOptions);
        try {
            CatchUp catchUp;
            FixedRate fixedRate = null;
            String error = null;
            HeapMonitor.Snapshot heap;
            BenchSupport.say("[%s] start the job (%s)", method, methodOptions(method));
            try (JobProcess job =
                    JobProcess.start(
                            jobOptions, options.jobHeap(), List.of(), work, "job-" + method)) {
                workload.awaitStreaming(kafka.bootstrapServers(), topic, Duration.ofSeconds(5));
                warmUp(method, topic);
                catchUp = catchUp(method, topic, job);
                try {
                    fixedRate = fixedRate(method, topic, job, baseline);
                } catch (Exception e) {
                    // keep the catch-up's figures
                    BenchSupport.say("[%s] fixed-rate run FAILED: %s", method, e);
                    error = "fixed-rate run: " + firstLine(e);
                }
                job.cancel();
                heap = job.exit();
            }
            return new MethodResult(method, methodOptions(method), catchUp, fixedRate, heap, error);
        } finally {
            tearDown(method, jobOptions);
        }
    }

    /** Streams {@code --warmup-changes} through the running job (JIT warm-up, not measured). */
    private void warmUp(String method, String topic) throws Exception {
        if (options.warmupChanges() <= 0) {
            return;
        }
        long first = workload.nextSeq();
        SeqArrivals arrivals = new SeqArrivals(first, (int) options.warmupChanges() + 1024);
        try (TopicWatcher watcher = watcher(topic, "read_committed", arrivals)) {
            Workload.Run run =
                    workload.burst(
                            options.warmupChanges(),
                            options.writers(),
                            options.txnSize(),
                            options.updateRatio());
            long t0 = System.nanoTime();
            long[] targets = targets(method, run);
            if (arrivals.awaitAll(targets, Duration.ofMinutes(5)) < 0) {
                throw new IllegalStateException(
                        arrivals.missing(targets)
                                + " of the warm-up's "
                                + targets.length
                                + " changes did not arrive in 5 minutes");
            }
            BenchSupport.say(
                    "[%s] warm-up: %,d changes, %,d records, drained %,d ms after the writers",
                    method, run.changes(), targets.length, (System.nanoTime() - t0) / 1_000_000);
        }
    }

    private CatchUp catchUp(String method, String topic, JobProcess job) throws Exception {
        String savepoint = job.stopWithSavepoint(work.resolve("savepoints"));
        BenchSupport.say("[%s] job stopped with savepoint %s", method, savepoint);
        Workload.Run run =
                workload.burst(
                        options.changes(),
                        options.writers(),
                        options.txnSize(),
                        options.updateRatio());
        long[] targets = targets(method, run);
        BenchSupport.say(
                "[%s] wrote %,d changes in %,d transactions with %d writers (%,.0f changes/s);"
                        + " %,d records to deliver",
                method,
                run.changes(),
                run.transactions(),
                options.writers(),
                run.changesPerSecond(),
                targets.length);
        SeqArrivals arrivals = new SeqArrivals(run.firstSeq(), (int) run.changes());
        long startNanos;
        long firstNanos;
        long lastNanos;
        long cpuNanos;
        try (TopicWatcher written = watcher(topic, "read_uncommitted", null);
                TopicWatcher committed = watcher(topic, "read_committed", arrivals)) {
            startNanos = System.nanoTime();
            job.restore(savepoint);
            Duration timeout = Duration.ofSeconds(120 + run.changes() / 500);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (written.firstNanos() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            long cpuAtFirst = job.cpuNanos();
            lastNanos = arrivals.awaitAll(targets, timeout);
            cpuNanos = job.cpuNanos() - cpuAtFirst;
            if (lastNanos < 0) {
                throw new IllegalStateException(
                        "the job delivered "
                                + (targets.length - arrivals.missing(targets))
                                + " of "
                                + targets.length
                                + " records in "
                                + timeout
                                + "; see "
                                + work);
            }
            firstNanos = written.firstNanos();
            Thread.sleep(1000); // anything more would be a duplicate
        }
        double seconds = (lastNanos - firstNanos) / 1e9;
        CatchUp result =
                new CatchUp(
                        run.changes(),
                        run.transactions(),
                        run.changesPerSecond(),
                        targets.length,
                        run.changes() / seconds,
                        targets.length / seconds,
                        run.changes() * 1e9 / (lastNanos - startNanos),
                        (firstNanos - startNanos) / 1_000_000,
                        run.changes() * 1e9 / cpuNanos,
                        arrivals.duplicates());
        BenchSupport.say(
                "[%s] catch-up: %,.0f changes/s (%,.0f records/s; %,.0f counting the restore's %,d"
                        + " ms), %,.0f changes per CPU-second of the job's JVM, %,d duplicates",
                method,
                result.changesPerSecond(),
                result.recordsPerSecond(),
                result.withRestorePerSecond(),
                result.restoreMs(),
                result.changesPerCpuSecond(),
                result.duplicates());
        return result;
    }

    private FixedRate fixedRate(
            String method, String topic, JobProcess job, SourceLoad.Window baseline)
            throws Exception {
        BenchSupport.say(
                "[%s] fixed rate: %,.0f changes/s for %s after a %s warm-up",
                method, options.rate(), options.duration(), options.warmup());
        long warmupNanos = options.warmup().toNanos();
        long durationNanos = options.duration().toNanos();
        int capacity = (int) (options.rate() * (warmupNanos + durationNanos) / 1e9) + 10_000;
        Workload.CommitTimes commits = new Workload.CommitTimes(capacity);
        long firstSeq = workload.nextSeq();
        commits.start(firstSeq);
        SeqArrivals arrivals = new SeqArrivals(firstSeq, capacity);
        Workload.Run run;
        SourceLoad.Window load;
        double cpuMsPerThousand;
        long[] current;
        try (TopicWatcher watcher = watcher(topic, "read_committed", arrivals)) {
            Workload.Run warm =
                    workload.paced(
                            options.rate(),
                            warmupNanos,
                            options.writers(),
                            options.txnSize(),
                            options.updateRatio(),
                            commits);
            long t0 = System.nanoTime();
            if (arrivals.awaitAll(targets(method, warm), Duration.ofMinutes(5)) < 0) {
                throw new IllegalStateException("the fixed-rate warm-up did not arrive");
            }
            BenchSupport.say(
                    "[%s] warm-up: %,d changes at %,.0f/s, drained %,d ms after the writers",
                    method,
                    warm.changes(),
                    warm.changesPerSecond(),
                    (System.nanoTime() - t0) / 1_000_000);
            Thread.sleep(STATS_SETTLE.toMillis());
            long cpuBefore = job.cpuNanos();
            SourceLoad.Snapshot before = SourceLoad.Snapshot.take(stats, serverCpu);
            run =
                    workload.paced(
                            options.rate(),
                            durationNanos,
                            options.writers(),
                            options.txnSize(),
                            options.updateRatio(),
                            commits);
            Thread.sleep(STATS_SETTLE.toMillis());
            SourceLoad.Snapshot after = SourceLoad.Snapshot.take(stats, serverCpu);
            long cpuAfter = job.cpuNanos();
            load = SourceLoad.Window.between(before, after, run.changes());
            cpuMsPerThousand = (cpuAfter - cpuBefore) / 1e6 / (run.changes() / 1000.0);
            current = currentSeqs(run);
            long[] targets = method.equals("query") ? current : range(run);
            if (arrivals.awaitAll(targets, Duration.ofSeconds(120)) < 0) {
                BenchSupport.say(
                        "[%s] WARNING: %,d of %,d records missing 120 s after the run",
                        method, arrivals.missing(targets), targets.length);
            }
        }
        SeqArrivals.Latency latency =
                SeqArrivals.latency(
                        run.firstSeq(),
                        run.lastSeq(),
                        commits,
                        arrivals,
                        current,
                        method.equals("query"));
        SourceLoad.Extra extra = baseline == null ? null : load.over(baseline);
        BenchSupport.say(
                "[%s] %,d changes at %,.0f/s: p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, max %.1f ms"
                        + " (%,d samples, %,d lost, %,d superseded)",
                method,
                run.changes(),
                run.changesPerSecond(),
                latency.p50Ms(),
                latency.p95Ms(),
                latency.p99Ms(),
                latency.maxMs(),
                latency.samples(),
                latency.lost(),
                latency.superseded());
        BenchSupport.say("[%s] source load: %s", method, describe(load));
        return new FixedRate(
                options.rate(),
                run.changesPerSecond(),
                run.changes(),
                latency,
                arrivals.duplicates(),
                load,
                extra,
                cpuMsPerThousand);
    }

    // ---------------------------------------------------------------- methods

    /** The job's options for {@code method}, connection included. */
    private Map<String, String> jobOptions(String method) {
        Map<String, String> o = new LinkedHashMap<>();
        o.put("source", "postgres");
        o.put("method", method);
        o.put("hostname", pg.host());
        o.put("port", Integer.toString(pg.port()));
        o.put("database-name", pg.database());
        o.put("username", pg.user());
        if (!pg.password().isEmpty()) {
            o.put("password", pg.password());
        }
        o.put("table-list", Workload.QUALIFIED);
        o.put("scan.startup.mode", "latest");
        o.putAll(methodOptions(method));
        o.put("kafka.bootstrap-servers", kafka.bootstrapServers());
        o.put("topic.prefix", prefix(method));
        o.put("topic.partitions", Integer.toString(options.partitions()));
        o.put(
                "sink.delivery-guarantee",
                options.guarantee() == DeliveryGuarantee.EXACTLY_ONCE
                        ? "exactly-once"
                        : "at-least-once");
        o.put("sink.transactional-id-prefix", prefix(method));
        o.put("execution.checkpointing.interval", options.checkpointInterval().toMillis() + " ms");
        o.put(
                "execution.checkpointing.dir",
                work.resolve("checkpoints").resolve(method).toUri().toString());
        o.put("parallelism.default", "1");
        o.put("restart-strategy.type", "none");
        o.putAll(options.jobExtra());
        o.putAll(options.methodExtra().get(method));
        return o;
    }

    /** The options that make a job use {@code method} (besides the connection), as reported. */
    private Map<String, String> methodOptions(String method) {
        Map<String, String> o = new LinkedHashMap<>();
        switch (method) {
            case "log":
                o.put("slot.name", "bench_capture_log");
                break;
            case "trigger":
                break;
            case "query":
                o.put("query.tables", Workload.QUALIFIED + ":timestamp=updated_at,id");
                break;
            default:
                throw new IllegalArgumentException("unknown method " + method);
        }
        o.putAll(options.methodExtra().get(method));
        return o;
    }

    /** What a method needs in the database before its job starts. */
    private void setUp(String method, Map<String, String> jobOptions) {
        if (method.equals("trigger")) {
            // as `changeflow triggers install` does, before the job starts
            triggers(jobOptions).install();
            BenchSupport.say("[trigger] capture triggers and audit table installed");
        }
    }

    private static TriggerInstaller triggers(Map<String, String> jobOptions) {
        return new TriggerInstaller(TriggerSourceConfig.from(Configuration.fromMap(jobOptions)));
    }

    /** Leaves the database as the next method should find it: no slot, no triggers. */
    private void tearDown(String method, Map<String, String> jobOptions) throws Exception {
        if (method.equals("log")) {
            BenchSupport.dropSlot(pg::connect, jobOptions.get("slot.name"));
        } else if (method.equals("trigger")) {
            TriggerSourceConfig config =
                    TriggerSourceConfig.from(Configuration.fromMap(jobOptions));
            new TriggerInstaller(config).uninstall(config.tables(), true);
            BenchSupport.say("[trigger] capture triggers and audit table removed");
        }
    }

    /**
     * The changes of {@code run} that {@code method} delivers: every one for log and trigger; for
     * query, the rows' latest versions (the seqs the table still holds).
     */
    private long[] targets(String method, Workload.Run run) throws SQLException {
        return method.equals("query") ? currentSeqs(run) : range(run);
    }

    private static long[] range(Workload.Run run) {
        return SeqArrivals.range(run.firstSeq(), run.lastSeq());
    }

    /** The seqs of {@code run} the table still holds, sorted. */
    private long[] currentSeqs(Workload.Run run) throws SQLException {
        try (PreparedStatement s =
                stats.prepareStatement(
                        "SELECT seq FROM "
                                + Workload.QUALIFIED
                                + " WHERE seq BETWEEN ? AND ? ORDER BY seq")) {
            s.setLong(1, run.firstSeq());
            s.setLong(2, run.lastSeq());
            List<Long> seqs = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    seqs.add(rs.getLong(1));
                }
            }
            return seqs.stream().mapToLong(Long::longValue).toArray();
        }
    }

    // ---------------------------------------------------------------- helpers

    private TopicWatcher watcher(String topic, String isolation, SeqArrivals arrivals) {
        return new TopicWatcher(
                kafka.bootstrapServers(),
                topic,
                isolation,
                arrivals == null
                        ? null
                        : (record, at) -> arrivals.record(Workload.seqOf(record.value()), at));
    }

    private static String prefix(String method) {
        return "bench-capture-" + method;
    }

    private String topic(String method) {
        return ChangeTopics.topic(prefix(method), pg.database(), Workload.SCHEMA, Workload.TABLE);
    }

    private static String firstLine(Exception e) {
        return String.valueOf(e.getMessage()).lines().findFirst().orElse(e.toString());
    }

    private static String describe(SourceLoad.Window w) {
        StringBuilder reads = new StringBuilder();
        for (SourceLoad.RelationReads r : w.mostRead()) {
            reads.append(reads.length() == 0 ? "" : ", ")
                    .append(
                            String.format(
                                    Locale.ROOT, "%s %,.0f/s", r.relation(), r.rowsPerSecond()));
        }
        return String.format(
                Locale.ROOT,
                "%,d changes in %.1f s: %,.1f transactions/s, %,.0f rows read/s (%s), %.2f rows"
                        + " written per change, %,.0f WAL bytes per change, PostgreSQL CPU %,.0f ms"
                        + " per 1,000 changes",
                w.changes(),
                w.seconds(),
                w.transactionsPerSecond(),
                w.rowsReadPerSecond(),
                reads,
                w.rowsWrittenPerChange(),
                w.walBytesPerChange(),
                w.serverCpuMsPerThousand());
    }

    // ---------------------------------------------------------------- report

    private void report(
            Instant started,
            String loadAtStart,
            String pgVersion,
            SourceLoad.Window baseline,
            List<MethodResult> results)
            throws Exception {
        List<String[]> main = mainRows(results);
        List<String[]> load = loadRows(baseline, results);
        String header =
                String.format(
                        Locale.ROOT,
                        "Capture methods on PostgreSQL %s, %s, %d cores, load %s at start; %s,"
                                + " checkpoint interval %d ms; catch-up of %,d changes after %,d to"
                                + " warm up; fixed rate %,.0f changes/s for %d s after %d s of"
                                + " warm-up (%d writers, %d changes/txn, %.0f%% updates)",
                        pgVersion,
                        started.toString().substring(0, 19) + "Z",
                        Runtime.getRuntime().availableProcessors(),
                        loadAtStart,
                        options.guarantee() == DeliveryGuarantee.EXACTLY_ONCE
                                ? "exactly-once"
                                : "at-least-once",
                        options.checkpointInterval().toMillis(),
                        options.changes(),
                        options.warmupChanges(),
                        options.rate(),
                        options.duration().toSeconds(),
                        options.warmup().toSeconds(),
                        options.writers(),
                        options.txnSize(),
                        options.updateRatio() * 100);
        System.out.println();
        System.out.println(header);
        System.out.println();
        System.out.print(Results.text(main));
        System.out.println();
        System.out.print(Results.text(load));
        System.out.println();
        for (MethodResult r : results) {
            if (r.error() != null) {
                System.out.println(r.method() + " FAILED: " + r.error());
            }
        }

        Map<String, Object> context = new LinkedHashMap<>();
        context.put("started", started.toString());
        context.put("cores", Runtime.getRuntime().availableProcessors());
        context.put("loadAverageAtStart", loadAtStart);
        context.put("loadAverageAtEnd", BenchSupport.loadAverage());
        context.put(
                "java",
                System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        context.put("postgres", pgVersion);
        Map<String, Object> opts = new LinkedHashMap<>();
        opts.put("methods", options.methods());
        opts.put("changes", options.changes());
        opts.put("warmupChanges", options.warmupChanges());
        opts.put("writers", options.writers());
        opts.put("txnSize", options.txnSize());
        opts.put("updateRatio", options.updateRatio());
        opts.put("preload", options.preload());
        opts.put("rate", options.rate());
        opts.put("durationMs", options.duration().toMillis());
        opts.put("warmupMs", options.warmup().toMillis());
        opts.put("checkpointIntervalMs", options.checkpointInterval().toMillis());
        opts.put("guarantee", options.guarantee().toString());
        opts.put("jobHeap", options.jobHeap());
        opts.put("partitions", options.partitions());
        opts.put("jobOptions", options.jobExtra());
        context.put("options", opts);
        context.put("statsSettleMs", STATS_SETTLE.toMillis());
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("context", context);
        json.put("workloadAlone", baseline);
        json.put("methods", results);
        Path dir = options.resultsDir();
        Files.createDirectories(dir);
        Files.writeString(
                dir.resolve("capture-methods.json"), JSON.writeValueAsString(json) + "\n");
        StringBuilder md =
                new StringBuilder("# Capture methods benchmark (PostgreSQL)\n\n")
                        .append(header)
                        .append(".\n\n")
                        .append(Results.markdown(main))
                        .append('\n')
                        .append(Results.markdown(load));
        md.append('\n');
        for (MethodResult r : results) {
            md.append("- ").append(r.method()).append(" options: ").append(r.methodOptions());
            if (r.error() != null) {
                md.append("; FAILED: ").append(r.error());
            }
            md.append('\n');
        }
        md.append("\nJava: ")
                .append(context.get("java"))
                .append("; load average at end ")
                .append(context.get("loadAverageAtEnd"))
                .append(".\n");
        Files.writeString(dir.resolve("capture-methods.md"), md.toString());
        BenchSupport.say(
                "results written to %s", dir.toAbsolutePath().resolve("capture-methods.{json,md}"));
    }

    /** Throughput and latency: metric, then one column per method. */
    static List<String[]> mainRows(List<MethodResult> results) {
        MethodResult log =
                results.stream().filter(r -> r.method().equals("log")).findFirst().orElse(null);
        List<String[]> rows = new ArrayList<>();
        rows.add(header("metric", results));
        rows.add(
                row(
                        "catch-up: changes committed while stopped (txns)",
                        results,
                        r ->
                                r.catchUp() == null
                                        ? "-"
                                        : String.format(
                                                Locale.ROOT,
                                                "%,d (%,d)",
                                                r.catchUp().changes(),
                                                r.catchUp().transactions())));
        rows.add(
                catchUpRow(
                        "records to deliver (query: rows' latest versions)",
                        results,
                        c -> String.format(Locale.ROOT, "%,d", c.records())));
        rows.add(
                catchUpRow(
                        "catch-up, changes/s (first to last record)",
                        results,
                        c -> rate(c.changesPerSecond())));
        rows.add(catchUpRow("catch-up, records/s", results, c -> rate(c.recordsPerSecond())));
        rows.add(
                row(
                        "catch-up changes/s vs log",
                        results,
                        r ->
                                r.catchUp() == null || log == null || log.catchUp() == null
                                        ? "-"
                                        : ratio(
                                                r.catchUp().changesPerSecond(),
                                                log.catchUp().changesPerSecond())));
        rows.add(
                catchUpRow(
                        "counting the restore, changes/s (restore ms)",
                        results,
                        c -> rate(c.withRestorePerSecond()) + " (" + c.restoreMs() + " ms)"));
        rows.add(
                catchUpRow(
                        "changes per CPU-second of the job's JVM",
                        results,
                        c -> rate(c.changesPerCpuSecond())));
        rows.add(
                catchUpRow(
                        "duplicates",
                        results,
                        c -> String.format(Locale.ROOT, "%,d", c.duplicates())));
        rows.add(
                fixedRow(
                        "fixed rate: target / achieved changes/s",
                        results,
                        f ->
                                String.format(
                                        Locale.ROOT,
                                        "%,.0f / %,.0f",
                                        f.targetPerSecond(),
                                        f.achievedPerSecond())));
        rows.add(
                fixedRow(
                        "commit -> Kafka p50 / p95 ms",
                        results,
                        f ->
                                String.format(
                                        Locale.ROOT,
                                        "%.1f / %.1f",
                                        f.latency().p50Ms(),
                                        f.latency().p95Ms())));
        rows.add(
                fixedRow(
                        "commit -> Kafka p99 / max ms",
                        results,
                        f ->
                                String.format(
                                        Locale.ROOT,
                                        "%.1f / %.1f",
                                        f.latency().p99Ms(),
                                        f.latency().maxMs())));
        rows.add(
                row(
                        "p50 / p99 vs log",
                        results,
                        r ->
                                r.fixedRate() == null || log == null || log.fixedRate() == null
                                        ? "-"
                                        : ratio(
                                                        r.fixedRate().latency().p50Ms(),
                                                        log.fixedRate().latency().p50Ms())
                                                + " / "
                                                + ratio(
                                                        r.fixedRate().latency().p99Ms(),
                                                        log.fixedRate().latency().p99Ms())));
        rows.add(
                fixedRow(
                        "samples (lost, superseded)",
                        results,
                        f ->
                                String.format(
                                        Locale.ROOT,
                                        "%,d (%,d, %,d)",
                                        f.latency().samples(),
                                        f.latency().lost(),
                                        f.latency().superseded())));
        rows.add(
                fixedRow(
                        "duplicates",
                        results,
                        f -> String.format(Locale.ROOT, "%,d", f.duplicates())));
        rows.add(
                fixedRow(
                        "job JVM CPU ms per 1,000 changes",
                        results,
                        f -> String.format(Locale.ROOT, "%.0f", f.jobCpuMsPerThousand())));
        rows.add(
                row(
                        "job JVM heap peak used / live after GC",
                        results,
                        r ->
                                r.heap() == null
                                        ? "-"
                                        : String.format(
                                                Locale.ROOT,
                                                "%d / %d MiB",
                                                r.heap().peakUsed() / 1048576,
                                                r.heap().peakLiveAfterGc() / 1048576)));
        return rows;
    }

    /**
     * The source database's load during the fixed-rate run: the workload alone, then each method
     * (totals, and the extra beyond the workload alone).
     */
    static List<String[]> loadRows(SourceLoad.Window baseline, List<MethodResult> results) {
        MethodResult log =
                results.stream()
                        .filter(r -> r.method().equals("log") && r.fixedRate() != null)
                        .findFirst()
                        .orElse(null);
        List<String[]> rows = new ArrayList<>();
        String[] head = new String[results.size() + 2];
        head[0] = "source database, fixed-rate run";
        head[1] = "workload alone";
        for (int i = 0; i < results.size(); i++) {
            head[i + 2] = results.get(i).method();
        }
        rows.add(head);
        rows.add(
                loadRow(
                        "transactions/s (xact_commit)",
                        baseline,
                        results,
                        w -> String.format(Locale.ROOT, "%,.1f", w.transactionsPerSecond()),
                        e -> String.format(Locale.ROOT, "%+,.1f", e.transactionsPerSecond())));
        rows.add(
                loadRow(
                        "rows read/s (tup_returned + tup_fetched)",
                        baseline,
                        results,
                        w -> String.format(Locale.ROOT, "%,.0f", w.rowsReadPerSecond()),
                        e -> String.format(Locale.ROOT, "%+,.0f", e.rowsReadPerSecond())));
        rows.add(
                loadRow(
                        "rows written per change (ins + upd + del)",
                        baseline,
                        results,
                        w -> String.format(Locale.ROOT, "%.2f", w.rowsWrittenPerChange()),
                        e -> String.format(Locale.ROOT, "%+.2f", e.rowsWrittenPerChange())));
        rows.add(
                loadRow(
                        "WAL bytes per change",
                        baseline,
                        results,
                        w -> String.format(Locale.ROOT, "%,.0f", w.walBytesPerChange()),
                        e -> String.format(Locale.ROOT, "%+,.0f", e.walBytesPerChange())));
        rows.add(
                loadRow(
                        "PostgreSQL CPU ms per 1,000 changes (all its processes)",
                        baseline,
                        results,
                        w -> String.format(Locale.ROOT, "%,.0f", w.serverCpuMsPerThousand()),
                        e -> String.format(Locale.ROOT, "%+,.0f", e.serverCpuMsPerThousand())));
        String[] mostRead = new String[head.length];
        mostRead[0] = "most read table, rows/s";
        mostRead[1] = baseline == null ? "-" : mostRead(baseline);
        for (int i = 0; i < results.size(); i++) {
            FixedRate f = results.get(i).fixedRate();
            mostRead[i + 2] = f == null ? "-" : mostRead(f.load());
        }
        rows.add(mostRead);
        String[] walVsLog = new String[head.length];
        walVsLog[0] = "WAL bytes per change vs log";
        walVsLog[1] = "-";
        for (int i = 0; i < results.size(); i++) {
            FixedRate f = results.get(i).fixedRate();
            walVsLog[i + 2] =
                    f == null || log == null
                            ? "-"
                            : ratio(
                                    f.load().walBytesPerChange(),
                                    log.fixedRate().load().walBytesPerChange());
        }
        rows.add(walVsLog);
        return rows;
    }

    private static String mostRead(SourceLoad.Window w) {
        if (w.mostRead().isEmpty()) {
            return "-";
        }
        SourceLoad.RelationReads top = w.mostRead().get(0);
        return String.format(Locale.ROOT, "%s %,.0f", top.relation(), top.rowsPerSecond());
    }

    private static String[] loadRow(
            String metric,
            SourceLoad.Window baseline,
            List<MethodResult> results,
            Function<SourceLoad.Window, String> total,
            Function<SourceLoad.Extra, String> extra) {
        String[] row = new String[results.size() + 2];
        row[0] = metric + (baseline == null ? "" : " (extra)");
        row[1] = baseline == null ? "-" : total.apply(baseline);
        for (int i = 0; i < results.size(); i++) {
            FixedRate f = results.get(i).fixedRate();
            row[i + 2] =
                    f == null
                            ? "-"
                            : total.apply(f.load())
                                    + (f.extra() == null
                                            ? ""
                                            : " (" + extra.apply(f.extra()) + ")");
        }
        return row;
    }

    private static String[] header(String first, List<MethodResult> results) {
        String[] row = new String[results.size() + 1];
        row[0] = first;
        for (int i = 0; i < results.size(); i++) {
            row[i + 1] = results.get(i).method();
        }
        return row;
    }

    private static String[] row(
            String metric, List<MethodResult> results, Function<MethodResult, String> f) {
        String[] row = new String[results.size() + 1];
        row[0] = metric;
        for (int i = 0; i < results.size(); i++) {
            row[i + 1] = f.apply(results.get(i));
        }
        return row;
    }

    private static String[] catchUpRow(
            String metric, List<MethodResult> results, Function<CatchUp, String> f) {
        return row(metric, results, r -> r.catchUp() == null ? "-" : f.apply(r.catchUp()));
    }

    private static String[] fixedRow(
            String metric, List<MethodResult> results, Function<FixedRate, String> f) {
        return row(metric, results, r -> r.fixedRate() == null ? "-" : f.apply(r.fixedRate()));
    }

    private static String ratio(double value, double reference) {
        return reference == 0 || Double.isNaN(reference)
                ? "-"
                : String.format(Locale.ROOT, "%.2fx", value / reference);
    }

    private static String rate(double perSecond) {
        return String.format(Locale.ROOT, "%,.0f", perSecond);
    }
}
