package dev.changeflow.bench;

import dev.changeflow.localstack.LocalStack;
import dev.changeflow.localstack.Service;
import dev.changeflow.schemas.ChangeEvent;
import dev.changeflow.schemas.ChangeEventJson;
import dev.changeflow.schemas.Connector;
import dev.changeflow.schemas.Positions;
import dev.changeflow.schemas.SourceInfo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Issue #16's benchmark: the alerts job (Flink CEP, rules broadcast from a fraud_rules topic) vs
 * {@code sql/alerts.sql} (the same three patterns in MATCH_RECOGNIZE), on the same pre-filled
 * orders change topic, each on a MiniCluster in a JVM of its own, same checkpoint interval, state
 * backend, parallelism, watermark delay (60 s) and sink (Kafka, exactly-once). Each JVM first
 * processes a warm-up topic, then the measured topic {@code --runs} times (a fresh consumer group
 * and output topic each time). A run is timed from the job reaching RUNNING to the arrival of the
 * marker alert ({@code read_uncommitted}): the marker customer's velocity pattern, 10 minutes of
 * event time after the data, can only fire once a last order 10 minutes later moved the watermark,
 * i.e. once every change before it went through the patterns. Every run must raise exactly the
 * planted alerts. See bench/README.md.
 */
public final class AlertsBenchmark {

    private static final long T0 = Instant.parse("2024-03-01T09:00:00Z").toEpochMilli();
    private static final DateTimeFormatter TIMESTAMP =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS").withZone(ZoneOffset.UTC);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String RULES_TOPIC = "bench.alerts.rules";

    /** One planted fraudster every this many order slots, the three kinds in turn. */
    private static final int FRAUD_EVERY = 100;

    /** Normal orders go round-robin over this many customers: none places 5 within a minute. */
    private static final int NORMAL_CUSTOMERS = 100_000;

    private static final String HELP =
            String.join(
                    "\n",
                    "Alerts benchmark, options (--key value):",
                    "  --orders N               order slots in the measured topic (300000; about"
                            + " 1.3 changes each)",
                    "  --warmup-orders N        in the warm-up topic each JVM reads first (50000)",
                    "  --runs N                 measured runs per engine (3)",
                    "  --engines LIST           datastream,sql",
                    "  --checkpoint-interval D  of both jobs (1s)",
                    "  --state-backend NAME     of both jobs: hashmap or rocksdb (hashmap)",
                    "  --job-heap SIZE          -Xmx of each job's JVM (2g)",
                    "  --orders-per-second N    event-time density (1000)",
                    "  --results-dir DIR        (bench/results)",
                    "  --work-dir DIR           (bench/target/alerts-run)",
                    "  --quick                  5000 orders, 5000 warm-up orders, 1 run");

    private final Map<String, String> options;
    private final int density;
    private final Path work;
    private String bootstrap;

    private AlertsBenchmark(Map<String, String> options) {
        this.options = options;
        this.density = Integer.parseInt(options.get("orders-per-second"));
        this.work = Path.of(options.get("work-dir")).toAbsolutePath();
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new LinkedHashMap<>();
        options.put("orders", "300000");
        options.put("warmup-orders", "50000");
        options.put("runs", "3");
        options.put("engines", "datastream,sql");
        options.put("checkpoint-interval", "1s");
        options.put("state-backend", "hashmap");
        options.put("job-heap", "2g");
        options.put("orders-per-second", "1000");
        options.put("results-dir", "bench/results");
        options.put("work-dir", "bench/target/alerts-run");
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--help") || args[i].equals("-h")) {
                System.out.println(HELP);
                return;
            }
            if (args[i].equals("--quick")) {
                options.put("orders", "5000");
                options.put("warmup-orders", "5000");
                options.put("runs", "1");
                continue;
            }
            String key = args[i].startsWith("--") ? args[i].substring(2) : null;
            if (key == null || !options.containsKey(key) || i + 1 >= args.length) {
                System.err.println("bad option '" + args[i] + "'\n" + HELP);
                System.exit(2);
            }
            options.put(key, args[++i]);
        }
        new AlertsBenchmark(options).run();
        System.exit(0);
    }

    /** A topic of changes and the alerts planted in it. */
    record Workload(String topic, long changes, Set<String> expected, String marker) {}

    /** One measured run of an engine. */
    record Run(double seconds, double perSecond, double perCpuSecond, int alerts, boolean exact) {}

    /** The runs of one engine. */
    record EngineRuns(String engine, List<Run> runs, HeapMonitor.Snapshot heap) {}

    private void run() throws Exception {
        BenchSupport.cleanWorkDir(work);
        String load = BenchSupport.loadAverage();
        BenchSupport.say("work dir %s; load average %s", work, load);
        List<EngineRuns> results = new ArrayList<>();
        Workload measured;
        try (LocalStack stack =
                LocalStack.builder()
                        .baseDir(work.resolve("stack"))
                        .services(Service.KAFKA)
                        .build()) {
            stack.start();
            bootstrap = stack.kafka().bootstrapServers();
            BenchSupport.say("Kafka at %s", bootstrap);
            fillRules();
            long t = System.nanoTime();
            Workload warmup = fill("bench.alerts.orders.warmup", warmupOrders(), 1_000_000_000L);
            measured = fill("bench.alerts.orders", Long.parseLong(options.get("orders")), 0);
            BenchSupport.say(
                    "topics filled: %,d + %,d changes, %,d + %,d planted alerts, in %.1f s",
                    warmup.changes(),
                    measured.changes(),
                    warmup.expected().size(),
                    measured.expected().size(),
                    (System.nanoTime() - t) / 1e9);
            for (String engine : options.get("engines").split(",")) {
                results.add(engine(engine.trim(), warmup, measured));
            }
        }
        report(results, measured, load);
    }

    private long warmupOrders() {
        return Long.parseLong(options.get("warmup-orders"));
    }

    // ---- data ----

    /** The script's thresholds as fraud_rules rows, for the job. */
    private void fillRules() throws Exception {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(RULES_TOPIC, 1, (short) 1))).all().get();
        }
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            rule(producer, "ct", "card_testing", 3, "5.00", "200.00");
            rule(producer, "vel", "velocity", 5, null, null);
            rule(producer, "cap", "cancel_after_pay", null, null, null);
        }
    }

    private void rule(
            KafkaProducer<byte[], byte[]> producer,
            String id,
            String kind,
            Integer minCount,
            String small,
            String large) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("rule_id", id);
        row.put("kind", kind);
        row.put("min_count", minCount);
        row.put("small_amount", small == null ? null : new BigDecimal(small));
        row.put("large_amount", large == null ? null : new BigDecimal(large));
        row.put("window_seconds", 60);
        row.put("enabled", true);
        row.put("valid_from", TIMESTAMP.format(Instant.ofEpochMilli(T0 - 86_400_000L)));
        SourceInfo source =
                SourceInfo.builder(Connector.LOG, "shop", "public", "fraud_rules")
                        .tsMs(T0 - 86_400_000L)
                        .position(Positions.ofSequence(1))
                        .build();
        producer.send(
                new ProducerRecord<>(
                        RULES_TOPIC,
                        ("{\"rule_id\":\"" + id + "\"}").getBytes(StandardCharsets.UTF_8),
                        ChangeEventJson.toBytes(ChangeEvent.create(source, 1L, row))));
    }

    /**
     * {@code n} order slots at {@code density} per second of event time: a normal order (customers
     * round-robin, 10.00 to 199.99; 3 in 10 paid half a second later), and every {@link
     * #FRAUD_EVERY}th slot a planted fraudster of its own: card testing (three orders of 1.00, then
     * one of 500.00, a second apart), velocity (five orders of 20.00, a second apart) or cancel
     * after pay (placed, paid 5 s later, cancelled 10 s after that). Then the marker (a velocity
     * pattern 10 minutes after the data) and one order 10 minutes after it, which moves the
     * watermark past the marker.
     */
    private Workload fill(String topic, long n, long idBase) throws Exception {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        }
        Random random = new Random(topic.hashCode());
        Set<String> expected = new java.util.HashSet<>();
        Writer w = new Writer(topic, idBase);
        long fraudster = 10_000_000L;
        String marker;
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            w.producer = producer;
            for (long i = 0; i < n; i++) {
                long t = T0 + i * 1000 / density;
                if (i % FRAUD_EVERY == 0) {
                    long c = ++fraudster;
                    switch ((int) (i / FRAUD_EVERY % 3)) {
                        case 0 -> {
                            long first = w.placed(c, "1.00", t);
                            w.placed(c, "1.00", t + 1000);
                            w.placed(c, "1.00", t + 2000);
                            long last = w.placed(c, "500.00", t + 3000);
                            expected.add("ct:" + c + ":" + first + "-" + last);
                        }
                        case 1 -> expected.add(w.velocity(c, t));
                        default -> {
                            long order = w.placed(c, "50.00", t);
                            w.status(order, c, "50.00", t, "placed", "paid", t + 5000);
                            w.status(order, c, "50.00", t, "paid", "cancelled", t + 15_000);
                            expected.add("cap:" + c + ":" + order + "-" + order);
                        }
                    }
                    continue;
                }
                long customer = 1 + i % NORMAL_CUSTOMERS;
                String amount =
                        BigDecimal.valueOf(1000 + random.nextInt(19_000))
                                .movePointLeft(2)
                                .toPlainString();
                long order = w.placed(customer, amount, t);
                if (random.nextInt(10) < 3) {
                    w.status(order, customer, amount, t, "placed", "paid", t + 500);
                }
            }
            long end = T0 + n * 1000 / density;
            marker = w.velocity(++fraudster, end + 600_000);
            expected.add(marker);
            w.placed(++fraudster, "20.00", end + 1_200_000);
            producer.flush();
        }
        return new Workload(topic, w.changes, Collections.unmodifiableSet(expected), marker);
    }

    /** Writes order changes as the ingest job does (envelope, key {@code {"id":..}}). */
    private static final class Writer {
        private final String topic;
        private long nextId;
        private long changes;
        private KafkaProducer<byte[], byte[]> producer;

        Writer(String topic, long idBase) {
            this.topic = topic;
            this.nextId = idBase;
        }

        /** Five orders of 20.00 a second apart; returns the velocity alert they raise. */
        String velocity(long customer, long t) {
            long first = placed(customer, "20.00", t);
            long last = first;
            for (int k = 1; k < 5; k++) {
                last = placed(customer, "20.00", t + k * 1000L);
            }
            return "vel:" + customer + ":" + first + "-" + last;
        }

        long placed(long customer, String amount, long created) {
            long id = ++nextId;
            send(
                    id,
                    ChangeEvent.create(
                            source(created), 1L, row(id, customer, amount, "placed", created)));
            return id;
        }

        void status(
                long id,
                long customer,
                String amount,
                long created,
                String from,
                String to,
                long at) {
            send(
                    id,
                    ChangeEvent.update(
                            source(at),
                            1L,
                            row(id, customer, amount, from, created),
                            row(id, customer, amount, to, created)));
        }

        private SourceInfo source(long tsMs) {
            return SourceInfo.builder(Connector.LOG, "shop", "public", "orders")
                    .tsMs(tsMs)
                    .position(Positions.ofSequence(changes + 1))
                    .build();
        }

        private static Map<String, Object> row(
                long id, long customer, String amount, String status, long created) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("id", id);
            row.put("customer_id", customer);
            row.put("product_id", 1L + id % 50);
            row.put("amount", new BigDecimal(amount));
            row.put("status", status);
            row.put("created_at", TIMESTAMP.format(Instant.ofEpochMilli(created)));
            return row;
        }

        private void send(long id, ChangeEvent event) {
            changes++;
            producer.send(
                    new ProducerRecord<>(
                            topic,
                            ("{\"id\":" + id + "}").getBytes(StandardCharsets.UTF_8),
                            ChangeEventJson.toBytes(event)));
        }
    }

    // ---- engines ----

    private EngineRuns engine(String engine, Workload warmup, Workload measured) throws Exception {
        Map<String, String> jobOptions = new LinkedHashMap<>();
        jobOptions.put("engine", engine);
        jobOptions.put("kafka.bootstrap-servers", bootstrap);
        jobOptions.put("rules.topic", RULES_TOPIC);
        jobOptions.put("parallelism.default", "1");
        jobOptions.put("execution.checkpointing.interval", options.get("checkpoint-interval"));
        jobOptions.put("state.backend.type", options.get("state-backend"));
        // checkpoints on disk: the JobManager's heap holds at most 5 MB of state
        jobOptions.put("state.checkpoints.dir", work.resolve("checkpoints").toUri().toString());
        // the script's watermark delay; the rules topic is idle after its three rows
        jobOptions.put("watermark.out-of-orderness", "60 s");
        jobOptions.put("watermark.idleness", "2 s");
        jobOptions.put("sql.script", Path.of("sql", "alerts.sql").toAbsolutePath().toString());
        Path dir = Files.createDirectories(work.resolve(engine));
        BenchSupport.say("[%s] starting the job's JVM", engine);
        try (JobProcess job =
                JobProcess.start(
                        AlertsJobRunner.class.getName(),
                        jobOptions,
                        options.get("job-heap"),
                        List.of(),
                        dir,
                        engine + "-job",
                        "READY")) {
            Run warm = measure(job, engine, warmup, "warmup");
            BenchSupport.say(
                    "[%s] warm-up: %,d changes in %.1f s (%,.0f/s), %d alerts",
                    engine, warmup.changes(), warm.seconds(), warm.perSecond(), warm.alerts());
            List<Run> runs = new ArrayList<>();
            int count = Integer.parseInt(options.get("runs"));
            for (int r = 1; r <= count; r++) {
                Run run = measure(job, engine, measured, "run" + r);
                BenchSupport.say(
                        "[%s] run %d: %,d changes in %.2f s: %,.0f changes/s, %,.0f per"
                                + " CPU-second; %d alerts%s",
                        engine,
                        r,
                        measured.changes(),
                        run.seconds(),
                        run.perSecond(),
                        run.perCpuSecond(),
                        run.alerts(),
                        run.exact() ? ", exactly the planted ones" : ", NOT the planted ones");
                runs.add(run);
            }
            return new EngineRuns(engine, runs, job.exit());
        }
    }

    private Run measure(JobProcess job, String engine, Workload w, String tag) throws Exception {
        String out = "bench.alerts.out." + engine + "." + tag;
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(out, 1, (short) 1))).all().get();
        }
        try (AlertWatcher watcher = new AlertWatcher(out, w.marker())) {
            long cpu0 = Long.parseLong(job.call("cpu", "CPU", Duration.ofSeconds(30)));
            job.call(
                    "start " + w.topic() + " bench-" + engine + "-" + tag + " " + out,
                    "RUNNING",
                    Duration.ofMinutes(3));
            long start = System.nanoTime();
            long done = watcher.awaitMarker(Duration.ofMinutes(15));
            long cpu1 = Long.parseLong(job.call("cpu", "CPU", Duration.ofSeconds(30)));
            Thread.sleep(2000); // alerts of the same watermark step that came after the marker
            job.call("cancel", "CANCELLED", Duration.ofMinutes(2));
            Set<String> seen = watcher.alerts();
            double seconds = (done - start) / 1e9;
            return new Run(
                    seconds,
                    w.changes() / seconds,
                    w.changes() / ((cpu1 - cpu0) / 1e9),
                    seen.size(),
                    seen.equals(w.expected()));
        }
    }

    /**
     * Reads an alerts topic ({@code read_uncommitted}, so the exactly-once commit does not delay
     * it): the alert ids (the job's without their position hash, as the script writes them), and
     * when the marker alert arrived.
     */
    private final class AlertWatcher implements AutoCloseable {
        private final AtomicBoolean stop = new AtomicBoolean();
        private final AtomicLong markerSeen = new AtomicLong();
        private final Set<String> alerts = ConcurrentHashMap.newKeySet();
        private final Thread thread;

        AlertWatcher(String topic, String marker) {
            KafkaConsumer<byte[], byte[]> consumer = consumer();
            TopicPartition tp = new TopicPartition(topic, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            consumer.position(tp);
            thread =
                    new Thread(
                            () -> {
                                try (consumer) {
                                    while (!stop.get()) {
                                        for (ConsumerRecord<byte[], byte[]> r :
                                                consumer.poll(Duration.ofMillis(20))) {
                                            String id = alertId(r.key());
                                            alerts.add(id);
                                            if (id.equals(marker)) {
                                                markerSeen.compareAndSet(0, System.nanoTime());
                                            }
                                        }
                                    }
                                }
                            },
                            "alert-watcher-" + topic);
            thread.setDaemon(true);
            thread.start();
        }

        long awaitMarker(Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (markerSeen.get() == 0) {
                if (System.nanoTime() > deadline || !thread.isAlive()) {
                    throw new IllegalStateException(
                            "no marker alert in " + timeout + " (see the job log)");
                }
                Thread.sleep(5);
            }
            return markerSeen.get();
        }

        Set<String> alerts() {
            return Set.copyOf(alerts);
        }

        @Override
        public void close() throws InterruptedException {
            stop.set(true);
            thread.join(5000);
        }
    }

    /** {@code rule:customer:first-last}: the key of an alert, without the job's position hash. */
    static String alertId(byte[] key) {
        String id = new String(key, StandardCharsets.UTF_8);
        if (id.startsWith("\"")) {
            id = id.substring(1, id.length() - 1);
        }
        return id.replaceAll("^([^:]+:[^:]+:[^:]+):[0-9a-f]{8}$", "$1");
    }

    // ---- report ----

    private void report(List<EngineRuns> results, Workload w, String loadAtStart)
            throws IOException {
        List<String[]> rows = new ArrayList<>();
        rows.add(
                new String[] {
                    "engine",
                    "changes",
                    "runs",
                    "changes/s median (min - max)",
                    "changes per CPU-s median",
                    "alerts (planted " + w.expected().size() + ")",
                    "heap peak / live"
                });
        Map<String, Double> medians = new LinkedHashMap<>();
        for (EngineRuns e : results) {
            Spread rate = Spread.of(e.runs().stream().map(Run::perSecond).toList());
            Spread cpu = Spread.of(e.runs().stream().map(Run::perCpuSecond).toList());
            medians.put(e.engine(), rate.median());
            boolean exact = e.runs().stream().allMatch(Run::exact);
            rows.add(
                    new String[] {
                        label(e.engine()),
                        String.format(Locale.ROOT, "%,d", w.changes()),
                        Integer.toString(e.runs().size()),
                        rate.format("%,.0f"),
                        String.format(Locale.ROOT, "%,.0f", cpu.median()),
                        e.runs().stream()
                                        .map(r -> Integer.toString(r.alerts()))
                                        .distinct()
                                        .reduce((a, b) -> a + "/" + b)
                                        .orElse("-")
                                + (exact ? ", exactly the planted" : ", NOT the planted"),
                        String.format(
                                Locale.ROOT,
                                "%d / %d MiB",
                                e.heap().peakUsed() / 1048576,
                                e.heap().peakLiveAfterGc() / 1048576)
                    });
        }
        String ratio =
                medians.containsKey("datastream") && medians.containsKey("sql")
                        ? String.format(
                                Locale.ROOT,
                                "alerts job / MATCH_RECOGNIZE (medians): %.2fx",
                                medians.get("datastream") / medians.get("sql"))
                        : "";
        String loadAtEnd = BenchSupport.loadAverage();
        String header =
                String.format(
                        Locale.ROOT,
                        "Alerts benchmark, %d cores, load %s at start / %s at end; %,d order"
                                + " changes (%,d order slots, a planted fraudster every %d),"
                                + " %,d warm-up order slots first in each JVM, checkpoints every"
                                + " %s, state backend %s, parallelism 1, 1 partition, %s order"
                                + " slots per second of event time",
                        Runtime.getRuntime().availableProcessors(),
                        loadAtStart,
                        loadAtEnd,
                        w.changes(),
                        Long.parseLong(options.get("orders")),
                        FRAUD_EVERY,
                        warmupOrders(),
                        options.get("checkpoint-interval"),
                        options.get("state-backend"),
                        options.get("orders-per-second"));
        System.out.println();
        System.out.println(header);
        System.out.println();
        System.out.println(Results.text(rows));
        System.out.println(ratio);
        Path dir = Files.createDirectories(Path.of(options.get("results-dir")));
        Files.writeString(
                dir.resolve("alerts.md"),
                header + "\n\n" + Results.markdown(rows) + "\n" + ratio + "\n");
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("options", options);
        json.put("loadAtStart", loadAtStart);
        json.put("loadAtEnd", loadAtEnd);
        json.put("changes", w.changes());
        json.put("plantedAlerts", w.expected().size());
        json.put("engines", results);
        Files.writeString(
                dir.resolve("alerts.json"),
                JSON.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(json));
        BenchSupport.say("results in %s", dir.resolve("alerts.md"));
    }

    private static String label(String engine) {
        return engine.equals("sql")
                ? "sql/alerts.sql (MATCH_RECOGNIZE), exactly-once"
                : "alerts job (Flink CEP, rules broadcast), exactly-once";
    }

    // ---- plumbing ----

    private Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
    }

    private KafkaProducer<byte[], byte[]> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private KafkaConsumer<byte[], byte[]> consumer() {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }
}
