package dev.changeflow.bench;

import dev.changeflow.localstack.LocalStack;
import dev.changeflow.localstack.Service;
import dev.changeflow.schemas.ChangeEvent;
import dev.changeflow.schemas.ChangeEventJson;
import dev.changeflow.schemas.Connector;
import dev.changeflow.schemas.Positions;
import dev.changeflow.schemas.SourceInfo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * Issues #4 and #23's benchmark: the same pre-filled orders topic (N order-create envelopes as the
 * ingest job writes them, 80 % of them on one hot product, 50 products and {@code --customers}
 * customers in the Redis views) read by (1) the analytics job ({@code AnalyticsJob.prepare}) and
 * (2) the same work in Flink SQL (Redis lookup joins with the job's cache settings, the same
 * windows, window results and enriched orders to Kafka with the same guarantee), each on a
 * MiniCluster in a JVM of its own, alternating A B A B over {@code --runs} runs, and (3) a bare
 * {@code KafkaConsumer} parsing the JSON (the ceiling). Each Flink engine first processes a warm-up
 * topic in its JVM; a run is timed from the job reaching RUNNING to the moment the window results
 * of the last minute of data appear in its output topic ({@code read_uncommitted}): those windows
 * fire only when the final marker order, 10 minutes of event time after the data, moves the
 * watermark, i.e. once every order before it went through parsing, enrichment and the windows. See
 * bench/README.md.
 */
public final class AnalyticsBenchmark {

    static final double SQL_RATIO_TARGET = 1.2;
    static final double THROUGHPUT_TARGET = 50_000;
    static final double CONSUMER_RATIO_TARGET = 0.5;

    private static final long T0 = Instant.parse("2024-01-01T12:00:00Z").toEpochMilli();
    private static final DateTimeFormatter TIMESTAMP =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter SECONDS =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int PRODUCTS = 50;

    /** The job's enrichment cache holds this many answers (AnalyticsJob), the SQL side's too. */
    private static final int CACHE_ROWS = 10_000;

    private static final String HELP =
            String.join(
                    "\n",
                    "Analytics benchmark, options (--key value):",
                    "  --orders N               order creates in the measured topic (300000)",
                    "  --warmup-orders N        in the warm-up topic each Flink JVM reads first (50000)",
                    "  --engines LIST           datastream,sql,consumer",
                    "  --runs N                 measured runs per Flink engine, alternating (5)",
                    "  --customers N            customers in the Redis views (200: the caches hold"
                            + " them all; 100000: they cannot)",
                    "  --checkpoint-interval D  of both Flink jobs (1s)",
                    "  --state-backend NAME     of both Flink jobs: hashmap or rocksdb (hashmap)",
                    "  --sql-guarantee G        the SQL sink's delivery guarantee (exactly-once; the"
                            + " analytics job's sinks are exactly-once)",
                    "  --job-heap SIZE          -Xmx of each job's JVM (2g)",
                    "  --results-dir DIR        (bench/results)",
                    "  --work-dir DIR           (bench/target/analytics-run)",
                    "  --orders-per-second N    event-time density: orders per second of created_at"
                            + " (1000)",
                    "  --quick                  5000 orders, 5000 warm-up orders, 50 orders per"
                            + " second of event time");

    private final Map<String, String> options;
    private final long orders;
    private final long warmupOrders;
    private final int density;
    private final int customers;
    private final Path work;
    private String bootstrap;
    private String redisUri;

    private AnalyticsBenchmark(Map<String, String> options) {
        this.options = options;
        this.orders = Long.parseLong(options.get("orders"));
        this.warmupOrders = Long.parseLong(options.get("warmup-orders"));
        this.density = Integer.parseInt(options.get("orders-per-second"));
        this.customers = Integer.parseInt(options.get("customers"));
        this.work = Path.of(options.get("work-dir")).toAbsolutePath();
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = new LinkedHashMap<>();
        options.put("orders", "300000");
        options.put("warmup-orders", "50000");
        options.put("engines", "datastream,sql,consumer");
        options.put("runs", "5");
        options.put("customers", "200");
        options.put("checkpoint-interval", "1s");
        options.put("state-backend", "hashmap");
        options.put("sql-guarantee", "exactly-once");
        options.put("job-heap", "2g");
        options.put("orders-per-second", "1000");
        options.put("results-dir", "bench/results");
        options.put("work-dir", "bench/target/analytics-run");
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--help") || args[i].equals("-h")) {
                System.out.println(HELP);
                return;
            }
            if (args[i].equals("--quick")) {
                options.put("orders", "5000");
                options.put("warmup-orders", "5000");
                options.put("orders-per-second", "50");
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
        new AnalyticsBenchmark(options).run();
        System.exit(0);
    }

    /**
     * One measured run of a Flink engine, or the consumer's.
     *
     * @param seconds from the job reaching RUNNING to the last window's result (the consumer: from
     *     its first poll to the last record)
     * @param sustainedPerSecond orders/s between the first minute's result and the last one's
     */
    record Run(
            String engine,
            int run,
            long events,
            double seconds,
            double perSecond,
            double sustainedPerSecond,
            double perCpuSecond,
            long ordersInWindows) {}

    /** The runs of an engine, and its JVM's heap over all of them. */
    record EngineRuns(String engine, List<Run> runs, HeapMonitor.Snapshot heap) {}

    private void run() throws Exception {
        BenchSupport.cleanWorkDir(work);
        String load = BenchSupport.loadAverage();
        BenchSupport.say("work dir %s; load average %s", work, load);
        List<EngineRuns> results = new ArrayList<>();
        try (LocalStack stack =
                LocalStack.builder()
                        .baseDir(work.resolve("stack"))
                        .services(Service.KAFKA, Service.REDIS)
                        .build()) {
            stack.start();
            bootstrap = stack.kafka().bootstrapServers();
            redisUri = stack.redis().uri();
            BenchSupport.say("Kafka at %s, Redis at %s", bootstrap, redisUri);
            seedViews();
            long t = System.nanoTime();
            fill("bench.orders.warmup", warmupOrders, 7);
            fill("bench.orders", orders, 42);
            BenchSupport.say(
                    "topics filled: %,d + %,d orders in %.1f s",
                    warmupOrders, orders, (System.nanoTime() - t) / 1e9);
            List<String> engines =
                    List.of(options.get("engines").split(",")).stream().map(String::trim).toList();
            List<String> flink =
                    engines.stream()
                            .filter(e -> e.equals("datastream") || e.equals("sql"))
                            .toList();
            if (!flink.isEmpty()) {
                results.addAll(flink(flink));
            }
            if (engines.contains("consumer")) {
                results.add(new EngineRuns("consumer", List.of(consumer()), null));
            }
        }
        report(results, load);
    }

    // ---- data ----

    /** The views as the views job writes them: a hash per product and per customer. */
    private void seedViews() throws Exception {
        RedisClient client = RedisClient.create(redisUri);
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            RedisAsyncCommands<String, String> redis = connection.async();
            List<RedisFuture<Boolean>> writes = new ArrayList<>();
            for (int p = 1; p <= PRODUCTS; p++) {
                writes.add(redis.hset("view:products:{" + p + "}", "category", category(p)));
            }
            for (int c = 1; c <= customers; c++) {
                writes.add(redis.hset("view:customers:{" + c + "}", "region", region(c)));
            }
            for (RedisFuture<Boolean> write : writes) {
                write.get(1, TimeUnit.MINUTES);
            }
        } finally {
            client.shutdown();
        }
        BenchSupport.say(
                "views: %d products, %,d customers in Redis (caches of %,d entries per subtask)",
                PRODUCTS, customers, CACHE_ROWS);
    }

    private static String category(int product) {
        return "category-" + (product % 10);
    }

    private static String region(int customer) {
        return "region-" + (customer % 5);
    }

    /** Event time of order {@code i} (0-based). */
    private long createdAt(long i) {
        return T0 + i * 1000 / density;
    }

    /**
     * Orders read before the first minute's window fires: those up to the first one 65 s (1 minute
     * plus the 5 s out-of-orderness) after the first.
     */
    private long beforeFirstWindow() {
        return 65L * density + 1;
    }

    /** End of the last minute holding data: that window fires only at the marker. */
    private long lastWindowEnd(long n) {
        return (createdAt(n - 1) / 60_000 + 1) * 60_000;
    }

    /** {@code n} order creates (80 % on product 1), then the marker, 10 minutes later. */
    private void fill(String topic, long n, long seed) throws Exception {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        }
        Random random = new Random(seed);
        try (KafkaProducer<byte[], byte[]> producer = producer()) {
            for (long i = 0; i <= n; i++) {
                boolean marker = i == n;
                long created = marker ? createdAt(n - 1) + 600_000 : createdAt(i);
                int product = random.nextInt(100) < 80 ? 1 : 2 + random.nextInt(PRODUCTS - 1);
                int customer = 1 + random.nextInt(customers);
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("id", i + 1);
                row.put("customer_id", (long) customer);
                row.put("product_id", (long) product);
                row.put(
                        "amount",
                        BigDecimal.valueOf(100 + random.nextInt(20_000)).movePointLeft(2));
                row.put("status", "created");
                row.put("created_at", TIMESTAMP.format(Instant.ofEpochMilli(created)));
                SourceInfo source =
                        SourceInfo.builder(Connector.LOG, "shop", "public", "orders")
                                .tsMs(created)
                                .position(Positions.ofSequence(i + 1))
                                .build();
                producer.send(
                        new ProducerRecord<>(
                                topic,
                                ("{\"id\":" + (i + 1) + "}").getBytes(StandardCharsets.UTF_8),
                                ChangeEventJson.toBytes(ChangeEvent.create(source, 1L, row))));
            }
            producer.flush();
        }
    }

    // ---- Flink engines ----

    /**
     * Starts a JVM per engine, warms each up, then runs the measured topic {@code --runs} times
     * alternating between the engines (A B A B ...), so that drift of a shared machine falls on
     * both.
     */
    private List<EngineRuns> flink(List<String> engines) throws Exception {
        Map<String, JobProcess> jobs = new LinkedHashMap<>();
        Map<String, List<Run>> runs = new LinkedHashMap<>();
        List<EngineRuns> results = new ArrayList<>();
        try {
            for (String engine : engines) {
                Map<String, String> jobOptions = new LinkedHashMap<>();
                jobOptions.put("engine", engine);
                jobOptions.put("kafka.bootstrap-servers", bootstrap);
                jobOptions.put("redis.uri", redisUri);
                jobOptions.put("parallelism.default", "1");
                jobOptions.put(
                        "execution.checkpointing.interval", options.get("checkpoint-interval"));
                jobOptions.put("state.backend.type", options.get("state-backend"));
                // checkpoints on disk: the JobManager's heap holds at most 5 MB of state
                jobOptions.put(
                        "state.checkpoints.dir", work.resolve("checkpoints").toUri().toString());
                jobOptions.put("sql.cache-rows", Integer.toString(CACHE_ROWS));
                jobOptions.put("sql.delivery-guarantee", options.get("sql-guarantee"));
                Path dir = Files.createDirectories(work.resolve(engine));
                BenchSupport.say("[%s] starting the job's JVM", engine);
                JobProcess job =
                        JobProcess.start(
                                AnalyticsJobRunner.class.getName(),
                                jobOptions,
                                options.get("job-heap"),
                                List.of(),
                                dir,
                                engine + "-job",
                                "READY");
                jobs.put(engine, job);
                runs.put(engine, new ArrayList<>());
                Run warm = measure(job, engine, "bench.orders.warmup", warmupOrders, 0);
                BenchSupport.say(
                        "[%s] warm-up: %,d orders in %.1f s (%,.0f/s), %,d counted in windows",
                        engine,
                        warmupOrders,
                        warm.seconds(),
                        warm.perSecond(),
                        warm.ordersInWindows());
            }
            int count = Integer.parseInt(options.get("runs"));
            for (int r = 1; r <= count; r++) {
                for (String engine : engines) {
                    Run run = measure(jobs.get(engine), engine, "bench.orders", orders, r);
                    runs.get(engine).add(run);
                    BenchSupport.say(
                            "[%s] run %d: %,d orders in %.2f s from RUNNING: %,.0f orders/s"
                                    + " (sustained %,.0f), %,.0f per CPU-second; %,d counted in"
                                    + " windows",
                            engine,
                            r,
                            orders,
                            run.seconds(),
                            run.perSecond(),
                            run.sustainedPerSecond(),
                            run.perCpuSecond(),
                            run.ordersInWindows());
                }
            }
            for (String engine : engines) {
                results.add(new EngineRuns(engine, runs.get(engine), jobs.get(engine).exit()));
            }
            return results;
        } finally {
            jobs.values().forEach(JobProcess::close);
        }
    }

    /**
     * Runs the engine's job once on {@code topic} (run 0: the warm-up); the clock and the CPU count
     * start when the job is RUNNING, after planning and scheduling.
     */
    private Run measure(JobProcess job, String engine, String topic, long n, int run)
            throws Exception {
        String tag = run == 0 ? "warmup" : "run" + run;
        String out = "bench.out." + engine + "." + tag;
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(out, 1, (short) 1))).all().get();
        }
        long lastEnd = lastWindowEnd(n);
        String lastEndText = SECONDS.format(Instant.ofEpochMilli(lastEnd));
        Predicate<JsonNode> category =
                node -> node.path("dimension").asText().equals("category-1m");
        long firstEnd = T0 + 60_000;
        String firstEndText = SECONDS.format(Instant.ofEpochMilli(firstEnd));
        Predicate<JsonNode> first =
                engine.equals("sql")
                        ? node ->
                                category.test(node)
                                        && node.path("window_end").asText().equals(firstEndText)
                        : node ->
                                category.test(node) && node.path("windowEnd").asLong() == firstEnd;
        Predicate<JsonNode> last =
                engine.equals("sql")
                        ? node ->
                                category.test(node)
                                        && node.path("window_end").asText().compareTo(lastEndText)
                                                >= 0
                        : node -> category.test(node) && node.path("windowEnd").asLong() >= lastEnd;
        try (OutputWatcher watcher = new OutputWatcher(out, category, first, last)) {
            long submitted = System.nanoTime();
            job.call(
                    "start " + topic + " bench-" + engine + "-" + tag + " " + out,
                    "RUNNING",
                    Duration.ofMinutes(3));
            long start = System.nanoTime();
            long cpu0 = Long.parseLong(job.call("cpu", "CPU", Duration.ofSeconds(30)));
            BenchSupport.say(
                    "[%s] %s job running after %d ms (planning, scheduling: not timed)",
                    engine, tag, (start - submitted) / 1_000_000);
            long done = watcher.awaitLast(Duration.ofMinutes(15));
            long cpu1 = Long.parseLong(job.call("cpu", "CPU", Duration.ofSeconds(30)));
            Thread.sleep(2000); // the rest of the last windows' results
            long counted = watcher.counted();
            if (watcher.unknown() > 0) {
                BenchSupport.say(
                        "[%s] %d window results with an unknown category or region",
                        engine, watcher.unknown());
            }
            job.call("cancel", "CANCELLED", Duration.ofMinutes(2));
            long firstSeen = watcher.firstSeen();
            double sustained =
                    firstSeen == 0 || n <= beforeFirstWindow() || done - firstSeen < 1_000_000_000L
                            // too short to tell from the watermark's 200 ms steps
                            ? Double.NaN
                            : (n + 1 - beforeFirstWindow()) / ((done - firstSeen) / 1e9);
            double seconds = (done - start) / 1e9;
            return new Run(
                    engine,
                    run,
                    n,
                    seconds,
                    n / seconds,
                    sustained,
                    n / ((cpu1 - cpu0) / 1e9),
                    counted);
        }
    }

    /**
     * Reads an output topic ({@code read_uncommitted}): sums the orders of the category windows,
     * and notes when the first record matching {@code last} arrived.
     */
    private final class OutputWatcher implements AutoCloseable {
        private final AtomicBoolean stop = new AtomicBoolean();
        private final AtomicLong lastSeen = new AtomicLong();
        private final AtomicLong firstSeen = new AtomicLong();
        private final AtomicLong unknown = new AtomicLong();
        private final AtomicLong counted = new AtomicLong();
        private final Thread thread;

        OutputWatcher(
                String topic,
                Predicate<JsonNode> category,
                Predicate<JsonNode> first,
                Predicate<JsonNode> last) {
            KafkaConsumer<byte[], byte[]> consumer = consumer("read_uncommitted");
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
                                            JsonNode node = JSON.readTree(r.value());
                                            if (category.test(node)) {
                                                counted.addAndGet(node.path("orders").asLong());
                                            }
                                            String key =
                                                    node.has("key")
                                                            ? node.path("key").asText()
                                                            : node.path("k").asText();
                                            if (key.equals("unknown")) {
                                                unknown.incrementAndGet();
                                            }
                                            if (first.test(node)) {
                                                firstSeen.compareAndSet(0, System.nanoTime());
                                            }
                                            if (last.test(node)) {
                                                lastSeen.compareAndSet(0, System.nanoTime());
                                            }
                                        }
                                    }
                                } catch (IOException e) {
                                    throw new IllegalStateException(e);
                                }
                            },
                            "output-watcher-" + topic);
            thread.setDaemon(true);
            thread.start();
        }

        long awaitLast(Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (lastSeen.get() == 0) {
                if (System.nanoTime() > deadline || !thread.isAlive()) {
                    throw new IllegalStateException(
                            "no result for the last window in " + timeout + " (see the job log)");
                }
                Thread.sleep(5);
            }
            return lastSeen.get();
        }

        long firstSeen() {
            return firstSeen.get();
        }

        /** Window results for category or region {@code unknown} (enrichment failed). */
        long unknown() {
            return unknown.get();
        }

        long counted() {
            return counted.get();
        }

        @Override
        public void close() throws InterruptedException {
            stop.set(true);
            thread.join(5000);
        }
    }

    // ---- the ceiling ----

    private Run consumer() throws Exception {
        BenchSupport.say("[consumer] warm-up on bench.orders.warmup");
        double warm = consume("bench.orders.warmup", warmupOrders + 1);
        BenchSupport.say("[consumer] warm-up %.2f s", warm);
        // no CPU figure: this JVM also runs the Kafka broker
        double seconds = consume("bench.orders", orders + 1);
        BenchSupport.say(
                "[consumer] %,d orders in %.2f s: %,.0f orders/s",
                orders, seconds, orders / seconds);
        return new Run("consumer", 1, orders, seconds, orders / seconds, Double.NaN, -1, -1);
    }

    /** Reads {@code n} records from the beginning, parsing each envelope; returns seconds. */
    private double consume(String topic, long n) throws IOException {
        long start = System.nanoTime();
        long seen = 0;
        BigDecimal sum = BigDecimal.ZERO;
        try (KafkaConsumer<byte[], byte[]> consumer = consumer("read_committed")) {
            TopicPartition tp = new TopicPartition(topic, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            while (seen < n) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(100));
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    JsonNode after = JSON.readTree(r.value()).path("after");
                    sum = sum.add(after.path("amount").decimalValue());
                    after.path("created_at").asText();
                    after.path("product_id").asLong();
                    after.path("customer_id").asLong();
                    seen++;
                }
                if (System.nanoTime() - start > 600e9) {
                    throw new IllegalStateException("consumer saw only " + seen + " of " + n);
                }
            }
        }
        if (sum.signum() < 0) {
            throw new IllegalStateException("negative revenue");
        }
        return (System.nanoTime() - start) / 1e9;
    }

    // ---- report ----

    private void report(List<EngineRuns> results, String loadAtStart) throws IOException {
        Map<String, EngineRuns> by = new LinkedHashMap<>();
        results.forEach(r -> by.put(r.engine(), r));
        EngineRuns ceiling = by.get("consumer");
        double consumerRate = ceiling == null ? Double.NaN : ceiling.runs().get(0).perSecond();
        List<String[]> rows = new ArrayList<>();
        rows.add(
                new String[] {
                    "engine",
                    "runs",
                    "orders/s from RUNNING, median (min - max)",
                    "sustained orders/s, median (min - max)",
                    "orders per CPU-s, median",
                    "vs consumer (from RUNNING)",
                    "orders in category windows",
                    "heap peak / live"
                });
        for (EngineRuns e : results) {
            List<Run> runs = e.runs();
            Spread rate = Spread.of(runs.stream().map(Run::perSecond).toList());
            Spread sustained = Spread.of(runs.stream().map(Run::sustainedPerSecond).toList());
            Spread cpu = Spread.of(runs.stream().map(Run::perCpuSecond).toList());
            List<Long> counted = runs.stream().map(Run::ordersInWindows).distinct().toList();
            rows.add(
                    new String[] {
                        label(e.engine()),
                        Integer.toString(runs.size()),
                        rate.format("%,.0f"),
                        e.engine().equals("consumer") ? "-" : sustained.format("%,.0f"),
                        e.engine().equals("consumer")
                                ? "-"
                                : String.format(Locale.ROOT, "%,.0f", cpu.median()),
                        Double.isNaN(consumerRate)
                                ? "-"
                                : String.format(Locale.ROOT, "%.2fx", rate.median() / consumerRate),
                        e.engine().equals("consumer")
                                ? "-"
                                : counted.size() == 1
                                        ? String.format(
                                                Locale.ROOT, "%,d every run", counted.get(0))
                                        : "differs: " + counted,
                        e.heap() == null
                                ? "-"
                                : String.format(
                                        Locale.ROOT,
                                        "%d / %d MiB",
                                        e.heap().peakUsed() / 1048576,
                                        e.heap().peakLiveAfterGc() / 1048576)
                    });
        }
        List<String[]> checks = new ArrayList<>();
        checks.add(new String[] {"target", "measured", "result"});
        EngineRuns ds = by.get("datastream");
        EngineRuns sql = by.get("sql");
        if (ds != null && sql != null) {
            // paired: run i of the job against run i of SQL, which ran right after it
            List<Double> ratios = new ArrayList<>();
            List<Double> sustainedRatios = new ArrayList<>();
            for (int i = 0; i < Math.min(ds.runs().size(), sql.runs().size()); i++) {
                ratios.add(ds.runs().get(i).perSecond() / sql.runs().get(i).perSecond());
                sustainedRatios.add(
                        ds.runs().get(i).sustainedPerSecond()
                                / sql.runs().get(i).sustainedPerSecond());
            }
            Spread ratio = Spread.of(ratios);
            checks.add(
                    check(
                            "analytics job >= 1.2x the same work in Flink SQL (from RUNNING,"
                                    + " median of "
                                    + ratios.size()
                                    + " paired runs)",
                            ratio.format("%.2fx"),
                            ratio.median(),
                            SQL_RATIO_TARGET,
                            "%.2fx"));
            checks.add(
                    new String[] {
                        "(sustained rates, same pairs)",
                        Spread.of(sustainedRatios).format("%.2fx"),
                        "-"
                    });
        }
        if (ds != null && ceiling != null) {
            Spread rate = Spread.of(ds.runs().stream().map(Run::perSecond).toList());
            checks.add(
                    check(
                            "analytics job >= 0.5x a bare consumer (both start to end)",
                            String.format(Locale.ROOT, "%.2fx", rate.median() / consumerRate),
                            rate.median() / consumerRate,
                            CONSUMER_RATIO_TARGET,
                            "%.2fx"));
        }
        if (ds != null) {
            Spread sustained = Spread.of(ds.runs().stream().map(Run::sustainedPerSecond).toList());
            checks.add(
                    check(
                            ">= 50,000 orders/s through windows + enrichment (sustained, median)",
                            sustained.format("%,.0f orders/s"),
                            sustained.median(),
                            THROUGHPUT_TARGET,
                            "%,.0f orders/s"));
        }
        String loadAtEnd = BenchSupport.loadAverage();
        String header =
                String.format(
                        Locale.ROOT,
                        "Analytics benchmark, %d cores, load %s at start / %s at end; %,d orders"
                                + " (80%% on one product, %d products, %,d customers in Redis;"
                                + " enrichment caches of %,d entries, %s TTL, on both sides), %,d"
                                + " warm-up orders first in each JVM, %s runs per engine"
                                + " alternating, checkpoints every %s, state backend %s,"
                                + " parallelism 1, 1 partition, %s orders per second of event"
                                + " time",
                        Runtime.getRuntime().availableProcessors(),
                        loadAtStart,
                        loadAtEnd,
                        orders,
                        PRODUCTS,
                        customers,
                        CACHE_ROWS,
                        "10 s",
                        warmupOrders,
                        options.get("runs"),
                        options.get("checkpoint-interval"),
                        options.get("state-backend"),
                        options.get("orders-per-second"));
        System.out.println();
        System.out.println(header);
        System.out.println();
        System.out.println(Results.text(rows));
        System.out.println(Results.text(checks));
        Path dir = Files.createDirectories(Path.of(options.get("results-dir")));
        String name = "analytics-" + customers + "-customers";
        Files.writeString(
                dir.resolve(name + ".md"),
                header + "\n\n" + Results.markdown(rows) + "\n" + Results.markdown(checks));
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("options", options);
        json.put("loadAtStart", loadAtStart);
        json.put("loadAtEnd", loadAtEnd);
        json.put("engines", results);
        json.put("checks", checks.subList(1, checks.size()));
        Files.writeString(
                dir.resolve(name + ".json"),
                JSON.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(json));
        BenchSupport.say("results in %s", dir.resolve(name + ".md"));
    }

    private static String label(String engine) {
        return switch (engine) {
            case "datastream" -> "analytics job (DataStream, Redis enrichment), exactly-once";
            case "sql" -> "Flink SQL (debezium-json, Redis lookup joins, TUMBLE + HOP)";
            default -> "bare KafkaConsumer + JSON parse (ceiling)";
        };
    }

    private static String[] check(
            String target, String measured, double value, double goal, String format) {
        double diff = value - goal;
        String margin =
                (diff >= 0 ? "PASS by " : "MISS missed by ")
                        + String.format(Locale.ROOT, format, Math.abs(diff))
                        + String.format(Locale.ROOT, " (%+.0f%%)", 100 * diff / goal);
        return new String[] {target, measured, margin};
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

    private static void send(KafkaProducer<byte[], byte[]> p, String topic, String k, String v) {
        p.send(
                new ProducerRecord<>(
                        topic,
                        k.getBytes(StandardCharsets.UTF_8),
                        v.getBytes(StandardCharsets.UTF_8)));
    }

    private KafkaConsumer<byte[], byte[]> consumer(String isolation) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
        return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }
}
