package dev.changeflow.cli.demo;

import dev.changeflow.cdc.query.config.QueryDialect;
import dev.changeflow.cli.Logging;
import dev.changeflow.cli.cluster.StatusLine;
import dev.changeflow.cli.cluster.TableEstimates;
import dev.changeflow.cli.verify.Report;
import dev.changeflow.cli.verify.Result;
import dev.changeflow.cli.verify.Verification;
import dev.changeflow.jobs.alerts.AlertsJob;
import dev.changeflow.jobs.analytics.AnalyticsJob;
import dev.changeflow.jobs.analytics.OrderEvent;
import dev.changeflow.jobs.ingest.IngestJob;
import dev.changeflow.jobs.views.ViewsJob;
import dev.changeflow.localstack.LocalStack;
import dev.changeflow.localstack.Service;
import dev.changeflow.localstack.server.PostgresServer;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import com.fasterxml.jackson.databind.JsonNode;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.sync.RedisCommands;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/**
 * {@code changeflow demo}: the whole of Changeflow on one machine in about two minutes. Starts the
 * local stack, creates and seeds an e-commerce database in PostgreSQL, runs the ingest, views and
 * analytics jobs on a local Flink, generates live order traffic, then prints what every sink holds
 * and checks it against the database.
 */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = {
            "Runs the whole pipeline on this machine: PostgreSQL -> ingest (CDC) -> Kafka ->"
                    + " views (Redis) and analytics (windows, enrichment) -> Kafka,"
                    + " Elasticsearch, S3; live traffic; then a summary checked against the"
                    + " database. Exits 0 when every check passes and leaves nothing running.",
            "Servers come from the local stack, or from CHANGEFLOW_* variables (see README)."
        })
public final class DemoCommand implements Callable<Integer> {

    @Option(
            names = "--duration",
            paramLabel = "SECONDS",
            defaultValue = "60",
            description = "How long to generate traffic (default: ${DEFAULT-VALUE}).")
    long durationSeconds;

    @Option(
            names = "--rate",
            paramLabel = "CHANGES_PER_SECOND",
            defaultValue = "20",
            description =
                    "Database changes per second during the traffic (default: ${DEFAULT-VALUE}).")
    int rate;

    @Option(
            names = "--seed-orders",
            paramLabel = "N",
            defaultValue = "200",
            description =
                    "Orders in the database before the jobs start (default: ${DEFAULT-VALUE}).")
    int seedOrders;

    @Option(
            names = "--dir",
            paramLabel = "DIR",
            defaultValue = "target/local-stack",
            description = "Where servers and jobs keep data (default: ${DEFAULT-VALUE}).")
    Path dir;

    private final PrintStream out = System.out;

    @Override
    public Integer call() throws Exception {
        long begin = System.nanoTime();
        String run = "demo" + (System.currentTimeMillis() / 1000 % 1_000_000);
        step(1, "Starting the local stack (PostgreSQL, Kafka, Redis, Elasticsearch, S3) ...");
        try (LocalStack stack =
                LocalStack.builder()
                        .baseDir(dir)
                        .services(
                                EnumSet.of(
                                        Service.POSTGRES,
                                        Service.KAFKA,
                                        Service.REDIS,
                                        Service.ELASTICSEARCH,
                                        Service.S3))
                        .build()
                        .start()) {
            out.printf(
                    "      ready after %.0f s; library logs: %s%n", seconds(begin), Logging.file());
            return run(stack, run);
        }
    }

    private int run(LocalStack stack, String run) throws Exception {
        String kafka = stack.kafka().bootstrapServers();
        try (Topics topics = new Topics(kafka)) {
            return run(stack, run, topics);
        }
    }

    private int run(LocalStack stack, String run, Topics topics) throws Exception {
        PostgresServer postgres = stack.postgres();
        String kafka = stack.kafka().bootstrapServers();
        String redisUri = stack.redis().uri();
        String topicPrefix = run;
        String db = postgres.database();
        String customersTopic = topicPrefix + "." + db + ".public.customers";
        String productsTopic = topicPrefix + "." + db + ".public.products";
        String ordersTopic = topicPrefix + "." + db + ".public.orders";
        String slot = "changeflow_" + run;
        Path state = dir.resolve("demo").resolve(run).toAbsolutePath();

        try (Connection connection = postgres.connect()) {
            Shop shop = new Shop(connection);
            step(
                    2,
                    "Creating the shop in PostgreSQL: customers, products, "
                            + seedOrders
                            + " orders");
            shop.create(seedOrders);
            // the status lines' snapshot progress: rows done / the database's estimate, from
            // fresh statistics (as after any bulk load)
            try (java.sql.Statement analyze = connection.createStatement()) {
                analyze.execute("ANALYZE customers, products, orders, fraud_rules");
            }
            Map<String, Long> estimates = TableEstimates.read(connection, true);

            step(3, "Starting ingest (PostgreSQL -> Kafka) and views (Kafka -> Redis) ...");
            Configuration jobs = new Configuration();
            jobs.setString("execution.checkpointing.interval", "2 s");
            jobs.setString(
                    "execution.checkpointing.dir", state.resolve("checkpoints").toUri().toString());
            jobs.setString("parallelism.default", "2");
            Configuration ingest = new Configuration(jobs);
            ingest.setString("source", "postgres");
            ingest.setString("hostname", postgres.host());
            ingest.setString("port", Integer.toString(postgres.port()));
            ingest.setString("database-name", db);
            ingest.setString("username", postgres.user());
            ingest.setString("password", postgres.password());
            ingest.setString(
                    "table-list",
                    "public.customers,public.products,public.orders,public.fraud_rules");
            ingest.setString("slot.name", slot);
            ingest.setString("kafka.bootstrap-servers", kafka);
            ingest.setString("topic.prefix", topicPrefix);
            Configuration views = new Configuration(jobs);
            views.setString("kafka.bootstrap-servers", kafka);
            views.setString("topics", customersTopic + ";" + productsTopic);
            views.setString("group.id", run + "-views");
            views.setString("redis.uri", redisUri);
            views.setString("view.key-prefix", run + ":view");
            views.setString("dead-letter.topic", run + ".views.dead-letters");
            // the capture job's REST API feeds the status lines during the traffic
            Configuration captureConf = new Configuration(jobs);
            int captureRest = dev.changeflow.localstack.process.Ports.free();
            captureConf.setString("rest.port", Integer.toString(captureRest));
            captureConf.setString("metrics.fetcher.update-interval", "2000");
            StreamExecutionEnvironment capture =
                    StreamExecutionEnvironment.getExecutionEnvironment(captureConf);
            IngestJob.prepare(ingest, capture);
            ViewsJob.prepare(views, capture);
            JobClient captureJob = capture.executeAsync("changeflow demo: ingest + views");
            JobClient analyticsJob = null;
            try {
                long seeded = shop.customers.total() + shop.products.total() + shop.orders.total();
                await(
                        "the snapshot in Kafka",
                        Duration.ofMinutes(3),
                        () ->
                                topics.count(customersTopic)
                                                + topics.count(productsTopic)
                                                + topics.count(ordersTopic)
                                        >= seeded);
                RedisCommands<String, String> redis = RedisClient.create(redisUri).connect().sync();
                await(
                        "the views in Redis",
                        Duration.ofMinutes(2),
                        () ->
                                redis.keys(run + ":view:customers:*").size() >= Shop.CUSTOMERS
                                        && redis.keys(run + ":view:products:*").size()
                                                >= Shop.PRODUCTS);
                out.printf("      %d snapshot rows captured, views in Redis%n", seeded);
                out.printf(
                        "      Flink web UI of ingest + views: http://127.0.0.1:%d%n", captureRest);

                step(4, "Starting analytics (windows, Redis enrichment) ...");
                Configuration analytics = new Configuration(jobs);
                analytics.setString("kafka.bootstrap-servers", kafka);
                analytics.setString("orders.topic", ordersTopic);
                analytics.setString("group.id", run + "-analytics");
                analytics.setString("redis.uri", redisUri);
                analytics.setString("view.key-prefix", run + ":view");
                analytics.setString("windows.topic", run + ".analytics.windows");
                analytics.setString("enriched-orders.topic", run + ".analytics.enriched-orders");
                analytics.setString("late.topic", run + ".analytics.late-orders");
                analytics.setString("dead-letter.topic", run + ".analytics.dead-letters");
                analytics.setString("elasticsearch.hosts", stack.elasticsearch().httpUrl());
                analytics.setString("elasticsearch.orders-index", run + "-orders");
                analytics.setString("elasticsearch.windows-index", run + "-order-windows");
                analytics.setString("s3.path", s3Orders(run));
                analytics.setString("s3.endpoint", stack.s3().endpoint());
                analytics.setString("s3.access-key", stack.s3().accessKey());
                analytics.setString("s3.secret-key", stack.s3().secretKey());
                analytics.setString("s3.path.style.access", "true");
                // the alerts job in the same Flink job: fraud patterns, rules from fraud_rules
                Configuration alerts = new Configuration(jobs);
                alerts.setString("kafka.bootstrap-servers", kafka);
                alerts.setString("orders.topic", ordersTopic);
                alerts.setString("rules.topic", topicPrefix + "." + db + ".public.fraud_rules");
                alerts.setString("group.id", run + "-alerts");
                alerts.setString("alerts.topic", alertsTopic(run));
                alerts.setString("dead-letter.topic", run + ".alerts.dead-letters");
                alerts.setString("elasticsearch.hosts", stack.elasticsearch().httpUrl());
                alerts.setString("elasticsearch.alerts-index", run + "-alerts");
                alerts.setString("redis.uri", redisUri);
                alerts.setString("redis.channel", run + ":alerts");
                alerts.setString("watermark.idleness", "5 s");
                StreamExecutionEnvironment analyze =
                        StreamExecutionEnvironment.getExecutionEnvironment(jobs);
                String alertsName = AlertsJob.prepare(alerts, analyze);
                analyticsJob =
                        analyze.executeAsync(
                                AnalyticsJob.prepare(analytics, analyze) + " + " + alertsName);

                step(
                        5,
                        "Live traffic for "
                                + durationSeconds
                                + " s at "
                                + rate
                                + " changes/s, with 3 fraudsters planted ...");
                shop.plantFraud();
                traffic(
                        shop,
                        topics,
                        ordersTopic,
                        "http://127.0.0.1:" + captureRest,
                        captureJob.getJobID().toString(),
                        estimates);

                step(6, "Draining: every change into Kafka, every order into the windows ...");
                long expected =
                        shop.customers.total() + shop.products.total() + shop.orders.total();
                try {
                    await(
                            "the changes in Kafka",
                            Duration.ofMinutes(2),
                            () ->
                                    topics.count(customersTopic)
                                                    + topics.count(productsTopic)
                                                    + topics.count(ordersTopic)
                                            >= expected);
                } catch (IllegalStateException e) {
                    throw new IllegalStateException(
                            e.getMessage()
                                    + String.format(
                                            ": customers %d/%d, products %d/%d, orders %d/%d",
                                            topics.count(customersTopic),
                                            shop.customers.total(),
                                            topics.count(productsTopic),
                                            shop.products.total(),
                                            topics.count(ordersTopic),
                                            shop.orders.total()),
                            e);
                }
                await(
                        "analytics and alerts to read every order change",
                        Duration.ofMinutes(2),
                        () ->
                                readEverything(
                                                kafka,
                                                run + "-analytics",
                                                topics.endOfRecords(ordersTopic))
                                        && readEverything(
                                                kafka,
                                                run + "-alerts",
                                                topics.endOfRecords(ordersTopic)));
                // the end of event time: every window fires, the sinks commit, the job ends
                analyticsJob
                        .stopWithSavepoint(
                                true,
                                state.resolve("savepoints").toUri().toString(),
                                SavepointFormatType.CANONICAL)
                        .get(2, TimeUnit.MINUTES);
                analyticsJob = null;

                List<Result> verified = verify(stack, run, state);
                return report(
                        shop,
                        topics,
                        redis,
                        stack.elasticsearch().httpUrl(),
                        run,
                        customersTopic,
                        productsTopic,
                        ordersTopic,
                        verified);
            } finally {
                cancel(analyticsJob);
                cancel(captureJob);
                try (Statement s = connection.createStatement()) {
                    s.execute(
                            "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots"
                                    + " WHERE slot_name = '"
                                    + slot
                                    + "' AND NOT active");
                }
            }
        }
    }

    private void traffic(
            Shop shop,
            Topics topics,
            String ordersTopic,
            String captureRest,
            String captureJob,
            Map<String, Long> estimates)
            throws Exception {
        long start = System.nanoTime();
        long end = start + TimeUnit.SECONDS.toNanos(durationSeconds);
        long steps = 0;
        long nextReport = start + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < end) {
            shop.step();
            steps++;
            long due = start + steps * 1_000_000_000L / rate;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            if (System.nanoTime() >= nextReport) {
                nextReport += TimeUnit.SECONDS.toNanos(10);
                out.printf(
                        "      %3.0f s: %d orders placed, %d order updates | orders topic %d"
                                + " changes%n",
                        seconds(start),
                        shop.orders.inserts,
                        shop.orders.updates,
                        topics.count(ordersTopic));
                String status = StatusLine.once(captureRest, captureJob, estimates);
                if (status != null) {
                    out.println("      ingest " + status);
                }
            }
        }
    }

    /**
     * {@code changeflow verify} of every sink against the database: the change topics and the Redis
     * views hold the rows, the order documents and Parquet events hold the orders.
     */
    private List<Result> verify(LocalStack stack, String run, Path state) throws Exception {
        PostgresServer postgres = stack.postgres();
        List<Result> results = new ArrayList<>();
        results.addAll(
                verification(
                                postgres,
                                state,
                                "public.customers",
                                "public.products",
                                "public.orders")
                        .kafka(stack.kafka().bootstrapServers(), run)
                        .build()
                        .run());
        results.addAll(
                verification(postgres, state, "public.customers", "public.products")
                        .redis(stack.redis().uri(), run + ":view")
                        .build()
                        .run());
        results.addAll(
                verification(postgres, state, "public.orders")
                        .elasticsearch(
                                stack.elasticsearch().httpUrl(), Map.of("orders", run + "-orders"))
                        .renamed(Map.of("orders", Map.of("id", "order_id")))
                        .ignored(COUNTED_STATUS)
                        .build()
                        .run());
        results.addAll(
                verification(postgres, state, "public.orders")
                        .s3(Map.of("orders", s3Orders(run)))
                        .renamed(
                                Map.of(
                                        "orders",
                                        Map.of("id", "orderId", "created_at", "eventTimeMs")))
                        .ignored(COUNTED_STATUS)
                        .build()
                        .run());
        return results;
    }

    /**
     * The order outputs hold each order as the analytics counted it: a status change that leaves
     * the order's contribution as it was writes nothing, a cancellation writes the retraction.
     */
    private static final Map<String, Set<String>> COUNTED_STATUS =
            Map.of("orders", Set.of("status"));

    private static Verification.Builder verification(
            PostgresServer postgres, Path state, String... tables) {
        return Verification.builder()
                .database(
                        QueryDialect.POSTGRES,
                        postgres.host(),
                        postgres.port(),
                        postgres.database(),
                        postgres.user(),
                        postgres.password())
                .tables(List.of(tables))
                .waitFor(Duration.ofSeconds(30))
                .stateDir(state.resolve("verify"));
    }

    private int report(
            Shop shop,
            Topics topics,
            RedisCommands<String, String> redis,
            String elasticsearch,
            String run,
            String customersTopic,
            String productsTopic,
            String ordersTopic,
            List<Result> verified)
            throws Exception {
        Map<String, JsonNode> windows = topics.latestByKey(run + ".analytics.windows");
        long windowOrders = 0;
        long windowRevenue = 0;
        long unknown = 0;
        for (Map.Entry<String, JsonNode> window : windows.entrySet()) {
            if (window.getKey().startsWith(AnalyticsJob.BY_CATEGORY + ":")) {
                windowOrders += window.getValue().get("orders").asLong();
                windowRevenue += window.getValue().get("revenueCents").asLong();
                if (window.getKey()
                        .startsWith(AnalyticsJob.BY_CATEGORY + ":" + OrderEvent.UNKNOWN)) {
                    unknown += window.getValue().get("orders").asLong();
                }
            }
        }
        long[] counted = shop.countedOrders();
        long late = topics.count(run + ".analytics.late-orders");
        long deadLetters =
                topics.count(run + ".analytics.dead-letters")
                        + topics.count(run + ".views.dead-letters")
                        + topics.count(run + ".alerts.dead-letters")
                        + topics.count(topicPrefixDeadLetters(run));

        List<String[]> rows = new ArrayList<>();
        List<Boolean> checks = new ArrayList<>();
        Map<String, Long> captured = new LinkedHashMap<>();
        captured.put("customers", topics.count(customersTopic));
        captured.put("products", topics.count(productsTopic));
        captured.put("orders", topics.count(ordersTopic));
        Map<String, Shop.ChangeCounts> made = new HashMap<>();
        made.put("customers", shop.customers);
        made.put("products", shop.products);
        made.put("orders", shop.orders);
        for (var table : captured.entrySet()) {
            long expected = made.get(table.getKey()).total();
            rows.add(
                    row(
                            "changes captured, " + table.getKey(),
                            table.getValue(),
                            expected + " made in PostgreSQL",
                            check(checks, table.getValue() == expected)));
        }
        long customerViews = redis.keys(run + ":view:customers:*").size();
        long productViews = redis.keys(run + ":view:products:*").size();
        rows.add(
                row(
                        "Redis views, customers + products",
                        customerViews + productViews,
                        (Shop.CUSTOMERS + Shop.PRODUCTS) + " rows",
                        check(
                                checks,
                                customerViews + productViews == Shop.CUSTOMERS + Shop.PRODUCTS)));
        rows.add(row("windows emitted (latest per window)", windows.size(), "", ""));
        rows.add(
                row(
                        "orders in the per-category windows",
                        windowOrders,
                        counted[0] + " not cancelled in PostgreSQL",
                        check(checks, windowOrders == counted[0])));
        rows.add(
                row(
                        "revenue in the per-category windows",
                        windowRevenue / 100.0,
                        counted[1] / 100.0 + " in PostgreSQL",
                        check(checks, windowRevenue == counted[1])));
        rows.add(row("orders without enrichment (unknown)", unknown, "", ""));
        long orderEvents = topics.count(run + ".analytics.enriched-orders");
        long orderDocs = Stores.documents(elasticsearch, run + "-orders");
        long ordersInDb = shop.orders.inserts;
        rows.add(
                row(
                        "Elasticsearch: order documents",
                        orderDocs,
                        ordersInDb + " orders in PostgreSQL",
                        check(checks, orderDocs == ordersInDb)));
        long windowDocs = Stores.documents(elasticsearch, run + "-order-windows");
        rows.add(
                row(
                        "Elasticsearch: window documents",
                        windowDocs,
                        windows.size() + " windows in Kafka",
                        check(checks, windowDocs == windows.size())));
        long[] parquet = Stores.parquetFilesAndRows(s3Orders(run));
        rows.add(
                row(
                        "S3: Parquet rows (" + parquet[0] + " files)",
                        parquet[1],
                        orderEvents + " order events in Kafka",
                        check(checks, parquet[1] == orderEvents)));
        // the alerts job: each planted fraudster caught once, by the right rule
        Map<String, JsonNode> alerts = topics.latestByKey(alertsTopic(run));
        List<String> planted = new ArrayList<>();
        long others = 0;
        for (JsonNode alert : alerts.values()) {
            long customer = alert.get("customerId").asLong();
            if (customer >= Shop.CARD_TESTER) {
                planted.add(alert.get("ruleId").asText() + ":" + customer);
            } else {
                others++;
            }
        }
        java.util.Collections.sort(planted);
        List<String> fraud =
                List.of(
                        "cap:" + Shop.CANCELS_AFTER_PAYING,
                        "ct:" + Shop.CARD_TESTER,
                        "vel:" + Shop.VELOCITY_ABUSER);
        rows.add(
                row(
                        "alerts for the planted fraud",
                        planted.equals(fraud)
                                ? planted.size()
                                : planted.size() + " (" + String.join(", ", planted) + ")",
                        "3: card testing, velocity, cancel",
                        check(checks, planted.equals(fraud))));
        rows.add(row("alerts for other customers", others, "", ""));
        long alertDocs = Stores.documents(elasticsearch, run + "-alerts");
        rows.add(
                row(
                        "Elasticsearch: alert documents",
                        alertDocs,
                        alerts.size() + " alerts in Kafka",
                        check(checks, alertDocs == alerts.size())));
        rows.add(row("late orders (kept on their topic)", late, "", ""));
        rows.add(row("dead letters", deadLetters, "", check(checks, deadLetters == 0)));

        out.println();
        out.printf("  %-40s %14s   %-32s %s%n", "", "sinks hold", "expected", "");
        for (String[] r : rows) {
            out.printf("  %-40s %14s   %-32s %s%n", (Object[]) r);
        }
        out.println();
        out.println("  Every sink against the database (changeflow verify):");
        Report.table(verified, out, "  ");
        checks.add(Report.ok(verified));
        boolean ok = checks.stream().allMatch(c -> c);
        out.println();
        out.println(ok ? "All checks passed." : "Some checks FAILED.");
        return ok ? 0 : 1;
    }

    private static String s3Orders(String run) {
        return "s3://"
                + dev.changeflow.localstack.server.S3Server.DEFAULT_BUCKET
                + "/"
                + run
                + "/orders";
    }

    private static String alertsTopic(String run) {
        return run + ".alerts";
    }

    private static String topicPrefixDeadLetters(String run) {
        return run + ".dead-letters";
    }

    private static String check(List<Boolean> checks, boolean ok) {
        checks.add(ok);
        return ok ? "ok" : "MISMATCH";
    }

    private static String[] row(String what, Object value, String expected, String verdict) {
        return new String[] {what, String.valueOf(value), expected, verdict};
    }

    /** Whether {@code group} has committed offsets at or past {@code ends} on every partition. */
    private static boolean readEverything(String bootstrap, String group, Map<Integer, Long> ends)
            throws Exception {
        try (Admin admin =
                Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            Map<TopicPartition, org.apache.kafka.clients.consumer.OffsetAndMetadata> committed =
                    admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
            for (var end : ends.entrySet()) {
                var offset =
                        committed.entrySet().stream()
                                .filter(e -> e.getKey().partition() == end.getKey())
                                .map(e -> e.getValue().offset())
                                .findFirst()
                                .orElse(0L);
                if (offset < end.getValue()) {
                    return false;
                }
            }
            return true;
        }
    }

    /** Waits for a condition, printing what it waits for if that takes a while. */
    private void await(String what, Duration timeout, Check check) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!check.holds()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        "gave up waiting for " + what + " after " + timeout);
            }
            TimeUnit.MILLISECONDS.sleep(500);
        }
    }

    @FunctionalInterface
    private interface Check {
        boolean holds() throws Exception;
    }

    private static void cancel(JobClient job) {
        if (job == null) {
            return;
        }
        try {
            job.cancel().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            // already gone
        }
    }

    private void step(int n, String what) {
        out.printf("[%d/6] %s%n", n, what);
        out.flush();
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }
}
