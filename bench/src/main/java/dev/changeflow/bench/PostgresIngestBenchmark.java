package dev.changeflow.bench;

import dev.changeflow.jobs.sinks.ChangeTopics;
import dev.changeflow.localstack.LocalStack;
import dev.changeflow.localstack.Service;
import dev.changeflow.localstack.server.KafkaServer;
import dev.changeflow.localstack.server.PostgresServer;

import org.apache.flink.connector.base.DeliveryGuarantee;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * PostgreSQL -> Kafka through the ingest job, against {@code pg_recvlogical} on the same WAL, on a
 * local stack (PostgreSQL 15, Kafka) and a local MiniCluster in a JVM of its own. See {@code
 * bench/README.md} for what is measured and how; {@code --help} for the options.
 */
public final class PostgresIngestBenchmark {

    private static final ObjectMapper JSON =
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final String RECV_PUBLICATION = "bench_recv_pub";

    /** pg_recvlogical runs per throughput run, each on its own slot; the best one counts. */
    private static final int PEER_RUNS = 2;

    private final BenchOptions options;
    private final Path work;
    private PostgresServer pg;
    private KafkaServer kafka;
    private Workload workload;
    private PgRecvLogical recv;

    private PostgresIngestBenchmark(BenchOptions options) {
        this.options = options;
        this.work = options.workDir().toAbsolutePath();
    }

    public static void main(String[] args) throws Exception {
        BenchOptions options;
        try {
            options = BenchOptions.parse(args);
        } catch (BenchOptions.HelpRequested help) {
            System.out.println(help.getMessage());
            return;
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        new PostgresIngestBenchmark(options).run();
        System.exit(0);
    }

    private void run() throws Exception {
        Instant started = Instant.now();
        String load = BenchSupport.loadAverage();
        BenchSupport.cleanWorkDir(work);
        if (options.throughput()) {
            recv = PgRecvLogical.locate(options.pgRecvLogical());
        }
        BenchSupport.say("work dir %s (server logs and the job's log are there)", work);
        List<Results.Throughput> throughput = new ArrayList<>();
        List<Results.Latency> latency = new ArrayList<>();
        String pgVersion;
        try (LocalStack stack =
                LocalStack.builder()
                        .baseDir(work.resolve("stack"))
                        .services(Service.POSTGRES, Service.KAFKA)
                        .build()) {
            stack.start();
            pg = stack.postgres();
            kafka = stack.kafka();
            pgVersion = BenchSupport.scalar(pg::connect, "SHOW server_version");
            BenchSupport.say(
                    "PostgreSQL %s at %s:%d, Kafka at %s",
                    pgVersion, pg.host(), pg.port(), kafka.bootstrapServers());
            workload = Workload.create(pg::connect, options.preload());
            for (DeliveryGuarantee g : options.guarantees()) {
                if (options.throughput()) {
                    throughput.add(throughput(g));
                }
            }
            for (DeliveryGuarantee g : options.guarantees()) {
                if (options.latency()) {
                    latency.add(latency(g));
                }
            }
        }
        long peakHeap = 0;
        for (Results.Throughput t : throughput) {
            peakHeap = Math.max(peakHeap, t.heap().peakUsed());
        }
        for (Results.Latency l : latency) {
            peakHeap = Math.max(peakHeap, l.heap().peakUsed());
        }
        report(started, load, pgVersion, throughput, latency, peakHeap);
    }

    // ---------------------------------------------------------------- sustained throughput

    private Results.Throughput throughput(DeliveryGuarantee guarantee) throws Exception {
        String tag = tag(guarantee) + "_tp";
        String slot = "bench_" + tag;
        List<String> recvSlots = new ArrayList<>();
        for (int i = 1; i <= PEER_RUNS; i++) {
            recvSlots.add("bench_recv_" + tag + "_" + i);
        }
        String topic = topic(tag);
        BenchSupport.say(
                "[%s] sustained throughput: start the job (startup mode latest)", name(guarantee));
        try (JobProcess job =
                JobProcess.start(
                        jobOptions(guarantee, slot, tag),
                        options.jobHeap(),
                        options.jobJvmOptions(),
                        work,
                        "job-" + tag)) {
            // 1. the job streams from the current WAL position; warm it up like a TaskManager
            //    that has been running for a while (JIT-compiled code)
            workload.awaitStreaming(kafka.bootstrapServers(), topic, Duration.ofSeconds(3));
            if (options.warmupChanges() > 0) {
                try (TopicWatcher warm =
                        new TopicWatcher(kafka.bootstrapServers(), topic, "read_committed", null)) {
                    Workload.Run w =
                            workload.burst(
                                    options.warmupChanges(),
                                    options.writers(),
                                    options.txnSize(),
                                    options.updateRatio());
                    long t0 = System.nanoTime();
                    if (warm.awaitCount(w.changes(), Duration.ofMinutes(10)) < 0) {
                        throw new IllegalStateException("warm-up changes did not arrive");
                    }
                    BenchSupport.say(
                            "[%s] warm-up: %,d changes streamed (drained %,d ms after the writers)",
                            name(guarantee), w.changes(), (System.nanoTime() - t0) / 1_000_000);
                }
            }

            // 2. the peer's slots start here too; then the job stops with a savepoint
            createRecvSlots(recvSlots);
            String savepoint = job.stopWithSavepoint(work.resolve("savepoints"));
            BenchSupport.say("[%s] job stopped with savepoint %s", name(guarantee), savepoint);

            // 3. N changes committed while the job is down: the WAL both consumers will read
            Workload.Run run =
                    workload.burst(
                            options.changes(),
                            options.writers(),
                            options.txnSize(),
                            options.updateRatio());
            String endLsn = BenchSupport.scalar(pg::connect, "SELECT pg_current_wal_lsn()::text");
            BenchSupport.say(
                    "[%s] wrote %,d changes in %,d transactions with %d writers: %,.0f changes/s;"
                            + " WAL end %s",
                    name(guarantee),
                    run.changes(),
                    run.transactions(),
                    options.writers(),
                    run.changesPerSecond(),
                    endLsn);

            // 4. the job resumes from the savepoint (same JVM) and catches up
            long firstNanos;
            long lastNanos;
            long startNanos;
            long seen;
            long cpuNanos;
            try (TopicWatcher written =
                            new TopicWatcher(
                                    kafka.bootstrapServers(), topic, "read_uncommitted", null);
                    TopicWatcher committed =
                            new TopicWatcher(
                                    kafka.bootstrapServers(), topic, "read_committed", null)) {
                if (options.profile()) {
                    job.startRecording();
                }
                startNanos = System.nanoTime();
                job.restore(savepoint);
                Duration timeout = Duration.ofSeconds(120 + run.changes() / 1000);
                long deadline = System.nanoTime() + timeout.toNanos();
                while (written.firstNanos() == 0 && System.nanoTime() < deadline) {
                    Thread.sleep(1);
                }
                long cpuAtFirst = job.cpuNanos();
                lastNanos = committed.awaitCount(run.changes(), timeout);
                cpuNanos = job.cpuNanos() - cpuAtFirst;
                if (options.profile()) {
                    Path recording = work.resolve("catch-up-" + tag + ".jfr");
                    job.stopRecording(recording);
                    BenchSupport.say(
                            "[%s] flight recording of the catch-up: %s",
                            name(guarantee), recording);
                }
                if (lastNanos < 0) {
                    throw new IllegalStateException(
                            "the job committed "
                                    + committed.count()
                                    + " of "
                                    + run.changes()
                                    + " changes in "
                                    + timeout
                                    + "; see "
                                    + work);
                }
                firstNanos = written.firstNanos();
                Thread.sleep(1000); // anything more would be a duplicate
                seen = committed.count();
            }
            job.cancel();
            double ingest = run.changes() * 1e9 / (lastNanos - firstNanos);
            double withStart = run.changes() * 1e9 / (lastNanos - startNanos);
            long startMs = (firstNanos - startNanos) / 1_000_000;
            double perCpuSecond = run.changes() * 1e9 / cpuNanos;
            BenchSupport.say(
                    "[%s] ingest: %,.0f changes/s (%,.0f counting the restore's %,d ms), %,d"
                            + " records; the job's JVM used %,d ms CPU: %,.0f changes per"
                            + " CPU-second",
                    name(guarantee),
                    ingest,
                    withStart,
                    startMs,
                    seen,
                    cpuNanos / 1_000_000,
                    perCpuSecond);

            // 5. the peer on the same WAL, alone on the machine like the job was; one run per
            //    slot, the best counts (a ceiling, and the runs are short enough for a burst of
            //    other load on the machine to halve one)
            PgRecvLogical.Result peer = null;
            List<Double> peerRuns = new ArrayList<>();
            for (String recvSlot : recvSlots) {
                PgRecvLogical.Result r =
                        recv.readUpTo(
                                pg.host(),
                                pg.port(),
                                pg.user(),
                                pg.password(),
                                pg.database(),
                                recvSlot,
                                RECV_PUBLICATION,
                                endLsn,
                                work.resolve("pg_recvlogical-" + recvSlot + ".pgoutput"),
                                Duration.ofMinutes(10));
                BenchSupport.say(
                        "[%s] pg_recvlogical (slot %s): %,d changes (%,d B) in %,d ms: %,.0f"
                                + " changes/s",
                        name(guarantee),
                        recvSlot,
                        r.counts().changes(),
                        r.bytes(),
                        r.elapsedNanos() / 1_000_000,
                        r.changesPerSecond());
                if (r.counts().changes() != run.changes()) {
                    BenchSupport.say(
                            "[%s] WARNING: pg_recvlogical saw %,d changes, the writers made %,d",
                            name(guarantee), r.counts().changes(), run.changes());
                }
                peerRuns.add(r.changesPerSecond());
                if (peer == null || r.changesPerSecond() > peer.changesPerSecond()) {
                    peer = r;
                }
            }
            HeapMonitor.Snapshot heap = job.exit();
            BenchSupport.dropSlot(pg::connect, slot);
            for (String recvSlot : recvSlots) {
                BenchSupport.dropSlot(pg::connect, recvSlot);
            }
            return new Results.Throughput(
                    name(guarantee),
                    run.changes(),
                    run.transactions(),
                    run.changesPerSecond(),
                    ingest,
                    withStart,
                    startMs,
                    seen,
                    perCpuSecond,
                    peer.changesPerSecond(),
                    peerRuns,
                    peer.counts().changes(),
                    peer.bytes(),
                    ingest / peer.changesPerSecond(),
                    heap);
        }
    }

    // ---------------------------------------------------------------- latency at a fixed rate

    private Results.Latency latency(DeliveryGuarantee guarantee) throws Exception {
        String tag = tag(guarantee) + "_lat";
        String slot = "bench_" + tag;
        String topic = topic(tag);
        BenchSupport.say(
                "[%s] latency at %,.0f changes/s for %s after a %s warm-up (checkpoint interval"
                        + " %d ms)",
                name(guarantee),
                options.rate(),
                options.duration(),
                options.warmup(),
                options.checkpointInterval().toMillis());
        long warmupNanos = options.warmup().toNanos();
        long durationNanos = options.duration().toNanos();
        int capacity = (int) (options.rate() * (warmupNanos + durationNanos) / 1e9) + 10_000;
        Workload.CommitTimes commits = new Workload.CommitTimes(capacity);
        long[] arrivals = new long[capacity];
        // where the latency goes: Debezium's envelope ts_ms (when the job's Debezium reader
        // emitted the change) minus the wall-clock time of the arrival
        long[] afterDebeziumMs = new long[capacity];
        Workload.Run run;
        HeapMonitor.Snapshot heap;
        long arrived;
        try (JobProcess job =
                JobProcess.start(
                        jobOptions(guarantee, slot, tag),
                        options.jobHeap(),
                        options.jobJvmOptions(),
                        work,
                        "job-" + tag)) {
            workload.awaitStreaming(kafka.bootstrapServers(), topic, Duration.ofSeconds(3));
            long firstSeq = workload.nextSeq();
            commits.start(firstSeq);
            TopicWatcher.Handler handler =
                    (record, at) -> {
                        long[] seqAndTs = seqAndTsMs(record.value());
                        long seq = seqAndTs[0];
                        int i = (int) (seq - firstSeq);
                        if (seq > 0 && i >= 0 && i < arrivals.length && arrivals[i] == 0) {
                            arrivals[i] = at;
                            long wallAt =
                                    System.currentTimeMillis()
                                            - (System.nanoTime() - at) / 1_000_000;
                            afterDebeziumMs[i] = wallAt - seqAndTs[1];
                        }
                    };
            try (TopicWatcher watcher =
                    new TopicWatcher(kafka.bootstrapServers(), topic, "read_committed", handler)) {
                // warm-up at the same rate, then let the job drain what it could not keep up with
                Workload.Run warm =
                        workload.paced(
                                options.rate(),
                                warmupNanos,
                                options.writers(),
                                options.txnSize(),
                                options.updateRatio(),
                                commits);
                long t0 = System.nanoTime();
                if (watcher.awaitCount(warm.changes(), Duration.ofMinutes(5)) < 0) {
                    throw new IllegalStateException("warm-up changes did not arrive");
                }
                BenchSupport.say(
                        "[%s] warm-up: %,d changes at %,.0f/s, drained %,d ms after the writers",
                        name(guarantee),
                        warm.changes(),
                        warm.changesPerSecond(),
                        (System.nanoTime() - t0) / 1_000_000);
                run =
                        workload.paced(
                                options.rate(),
                                durationNanos,
                                options.writers(),
                                options.txnSize(),
                                options.updateRatio(),
                                commits);
                watcher.awaitCount(warm.changes() + run.changes(), Duration.ofSeconds(120));
                arrived = watcher.count() - warm.changes();
            }
            job.cancel();
            heap = job.exit();
        }
        long t0 = Long.MAX_VALUE;
        long[] latencies = new long[(int) run.changes()];
        long[] afterDebezium = new long[(int) run.changes()];
        int n = 0;
        long missing = 0;
        for (long seq = run.firstSeq(); seq <= run.lastSeq(); seq++) {
            long c = commits.of(seq);
            if (c == 0) {
                continue;
            }
            t0 = Math.min(t0, c);
            long a = arrivals[(int) (seq - commits.firstSeq())];
            if (a == 0) {
                missing++;
            } else if (n < latencies.length) {
                afterDebezium[n] =
                        Math.max(0, afterDebeziumMs[(int) (seq - commits.firstSeq())]) * 1_000_000;
                latencies[n++] = Math.max(0, a - c);
            }
        }
        writeTimeline(work.resolve("latency-" + tag + ".csv"), run, commits, arrivals, t0);
        double[] p = Results.percentilesMs(latencies, n, 50, 90, 99, 100);
        double[] pAfter = Results.percentilesMs(afterDebezium, n, 50, 99);
        BenchSupport.say(
                "[%s] of which from the job's Debezium reader on (its queue, conversion, Kafka):"
                        + " p50 %.0f ms, p99 %.0f ms",
                name(guarantee), pAfter[0], pAfter[1]);
        BenchSupport.say(
                "[%s] %,d changes at %,.0f/s, %,d arrived: p50 %.1f ms, p90 %.1f ms, p99 %.1f ms,"
                        + " max %.1f ms (%,d samples, %d missing)",
                name(guarantee),
                run.changes(),
                run.changesPerSecond(),
                arrived,
                p[0],
                p[1],
                p[2],
                p[3],
                n,
                missing);
        BenchSupport.dropSlot(pg::connect, slot);
        return new Results.Latency(
                name(guarantee),
                options.rate(),
                run.changesPerSecond(),
                n,
                missing,
                p[0],
                p[1],
                p[2],
                p[3],
                pAfter[0],
                pAfter[1],
                options.checkpointInterval().toMillis(),
                heap);
    }

    /** Per second of the run: changes committed, changes arrived, and their median latency. */
    private static void writeTimeline(
            Path file, Workload.Run run, Workload.CommitTimes commits, long[] arrivals, long t0)
            throws IOException {
        int seconds = (int) ((run.elapsedNanos() / 1_000_000_000L) + 120);
        long[] committed = new long[seconds];
        long[] arrived = new long[seconds];
        List<List<Long>> latency = new ArrayList<>();
        for (int i = 0; i < seconds; i++) {
            latency.add(new ArrayList<>());
        }
        for (long seq = run.firstSeq(); seq <= run.lastSeq(); seq++) {
            long c = commits.of(seq);
            int i = (int) (seq - commits.firstSeq());
            if (c == 0) {
                continue;
            }
            int cs = (int) Math.min(seconds - 1, Math.max(0, (c - t0) / 1_000_000_000L));
            committed[cs]++;
            if (arrivals[i] != 0) {
                int as =
                        (int)
                                Math.min(
                                        seconds - 1,
                                        Math.max(0, (arrivals[i] - t0) / 1_000_000_000L));
                arrived[as]++;
                latency.get(cs).add((arrivals[i] - c) / 1_000_000);
            }
        }
        StringBuilder csv = new StringBuilder("second,committed,arrived,p50_ms_of_committed\n");
        for (int i = 0; i < seconds; i++) {
            if (committed[i] == 0 && arrived[i] == 0) {
                continue;
            }
            List<Long> l = latency.get(i);
            l.sort(null);
            csv.append(i)
                    .append(',')
                    .append(committed[i])
                    .append(',')
                    .append(arrived[i])
                    .append(',')
                    .append(l.isEmpty() ? "" : l.get(l.size() / 2))
                    .append('\n');
        }
        Files.writeString(file, csv);
    }

    /** The {@code after.seq} and the envelope's {@code ts_ms} of a change record, -1 if none. */
    private static long[] seqAndTsMs(byte[] value) {
        if (value == null) {
            return new long[] {-1, -1};
        }
        try {
            JsonNode event = JSON.readTree(value);
            return new long[] {
                event.path("after").path("seq").asLong(-1), event.path("ts_ms").asLong(-1)
            };
        } catch (IOException e) {
            return new long[] {-1, -1};
        }
    }

    // ---------------------------------------------------------------- helpers

    private Map<String, String> jobOptions(DeliveryGuarantee guarantee, String slot, String tag) {
        Map<String, String> o = new LinkedHashMap<>();
        o.put("source", "postgres");
        o.put("hostname", pg.host());
        o.put("port", Integer.toString(pg.port()));
        o.put("database-name", pg.database());
        o.put("username", pg.user());
        if (!pg.password().isEmpty()) {
            o.put("password", pg.password());
        }
        o.put("table-list", Workload.QUALIFIED);
        o.put("slot.name", slot);
        o.put("scan.startup.mode", "latest");
        o.put("kafka.bootstrap-servers", kafka.bootstrapServers());
        o.put("topic.prefix", prefix(tag));
        o.put("topic.partitions", Integer.toString(options.partitions()));
        o.put(
                "sink.delivery-guarantee",
                guarantee == DeliveryGuarantee.EXACTLY_ONCE ? "exactly-once" : "at-least-once");
        o.put("execution.checkpointing.interval", options.checkpointInterval().toMillis() + " ms");
        o.put(
                "execution.checkpointing.dir",
                work.resolve("checkpoints").resolve(tag).toUri().toString());
        o.put("parallelism.default", Integer.toString(options.parallelism()));
        o.put("restart-strategy.type", "none");
        o.putAll(options.jobExtra());
        return o;
    }

    private static String prefix(String tag) {
        return "bench-" + tag.replace('_', '-');
    }

    private String topic(String tag) {
        return ChangeTopics.topic(prefix(tag), pg.database(), Workload.SCHEMA, Workload.TABLE);
    }

    private void createRecvSlots(List<String> slots) throws SQLException {
        try (Connection c = pg.connect();
                Statement s = c.createStatement()) {
            s.execute("DROP PUBLICATION IF EXISTS " + RECV_PUBLICATION);
            s.execute(
                    "CREATE PUBLICATION " + RECV_PUBLICATION + " FOR TABLE " + Workload.QUALIFIED);
            for (String slot : slots) {
                s.execute("SELECT pg_create_logical_replication_slot('" + slot + "', 'pgoutput')");
            }
        }
    }

    private static String tag(DeliveryGuarantee g) {
        return g == DeliveryGuarantee.EXACTLY_ONCE ? "eos" : "alo";
    }

    private static String name(DeliveryGuarantee g) {
        return g == DeliveryGuarantee.EXACTLY_ONCE ? "exactly-once" : "at-least-once";
    }

    // ---------------------------------------------------------------- report

    private void report(
            Instant started,
            String loadAtStart,
            String pgVersion,
            List<Results.Throughput> throughput,
            List<Results.Latency> latency,
            long peakHeap)
            throws Exception {
        List<String[]> rows = Results.rows(throughput, latency);
        List<Results.Check> checks = Results.checks(throughput, latency, peakHeap);
        List<String[]> checkRows = Results.checkRows(checks);
        Map<String, Object> context = new LinkedHashMap<>();
        context.put("started", started.toString());
        context.put("cores", Runtime.getRuntime().availableProcessors());
        context.put("loadAverageAtStart", loadAtStart);
        context.put("loadAverageAtEnd", BenchSupport.loadAverage());
        context.put(
                "java",
                System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        context.put("postgres", pgVersion);
        context.put(
                "pgRecvLogical", recv == null ? null : recv.binary() + " (" + recv.version() + ")");
        context.put(
                "decodingPlugin", "pgoutput (proto_version 1) for both the job and pg_recvlogical");
        Map<String, Object> opts = new LinkedHashMap<>();
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
        opts.put("jobHeap", options.jobHeap());
        opts.put("partitions", options.partitions());
        opts.put("parallelism", options.parallelism());
        opts.put("jobOptions", options.jobExtra());
        context.put("options", opts);

        String header =
                String.format(
                        Locale.ROOT,
                        "PostgreSQL -> Kafka ingest benchmark, %s, %d cores, load %s at start; checkpoint"
                                + " interval %d ms; %,d changes per throughput run after %,d to warm"
                                + " up (%d writers, %d changes/txn, %.0f%% updates); latency at"
                                + " %,.0f changes/s for %d s after %d s of warm-up",
                        started.toString().substring(0, 19) + "Z",
                        Runtime.getRuntime().availableProcessors(),
                        loadAtStart,
                        options.checkpointInterval().toMillis(),
                        options.changes(),
                        options.warmupChanges(),
                        options.writers(),
                        options.txnSize(),
                        options.updateRatio() * 100,
                        options.rate(),
                        options.duration().toSeconds(),
                        options.warmup().toSeconds());
        System.out.println();
        System.out.println(header);
        System.out.println();
        System.out.print(Results.text(rows));
        System.out.println();
        System.out.print(Results.text(checkRows));
        System.out.println();

        Path dir = options.resultsDir();
        Files.createDirectories(dir);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("context", context);
        json.put("throughput", throughput);
        json.put("latency", latency);
        json.put("peakTaskManagerHeapBytes", peakHeap);
        json.put("checks", checks);
        Files.writeString(
                dir.resolve("postgres-ingest.json"), JSON.writeValueAsString(json) + "\n");
        String md =
                "# PostgreSQL -> Kafka ingest benchmark\n\n"
                        + header
                        + ".\n\n"
                        + Results.markdown(rows)
                        + "\n"
                        + Results.markdown(checkRows)
                        + "\nJava: "
                        + context.get("java")
                        + "; PostgreSQL "
                        + pgVersion
                        + "; pg_recvlogical: "
                        + context.get("pgRecvLogical")
                        + "; load average at end "
                        + context.get("loadAverageAtEnd")
                        + ".\n";
        Files.writeString(dir.resolve("postgres-ingest.md"), md);
        BenchSupport.say(
                "results written to %s", dir.toAbsolutePath().resolve("postgres-ingest.{json,md}"));
    }
}
