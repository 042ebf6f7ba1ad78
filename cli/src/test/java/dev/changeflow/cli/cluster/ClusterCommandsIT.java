package dev.changeflow.cli.cluster;

import dev.changeflow.cli.Changeflow;
import dev.changeflow.cli.demo.Stores;
import dev.changeflow.jobs.sinks.S3ParquetSinks;
import dev.changeflow.localstack.Service;
import dev.changeflow.localstack.junit.LocalStackTest;
import dev.changeflow.localstack.server.ElasticsearchServer;
import dev.changeflow.localstack.server.FlinkCluster;
import dev.changeflow.localstack.server.FlinkRestClient;
import dev.changeflow.localstack.server.KafkaServer;
import dev.changeflow.localstack.server.RedisServer;
import dev.changeflow.localstack.server.S3Server;
import dev.changeflow.schemas.ChangeEvent;
import dev.changeflow.schemas.ChangeEventJson;
import dev.changeflow.schemas.Connector;
import dev.changeflow.schemas.Positions;
import dev.changeflow.schemas.SourceInfo;

import org.apache.flink.configuration.Configuration;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.sync.RedisCommands;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The cluster commands against a real standalone Flink cluster: {@code cluster status}, {@code
 * submit} of the views job from the fat jar (Kafka change topic into Redis), {@code stop
 * --savepoint}, {@code submit --from-savepoint}, which resumes where the first job stopped, and
 * {@code cluster down}. Then the analytics job from the other fat jar on a cluster with S3 as its
 * {@code s3-fs-hadoop} plugin, as a distribution has it: enriched orders in Kafka, Elasticsearch
 * and Parquet files on S3.
 */
@LocalStackTest(services = {Service.KAFKA, Service.REDIS, Service.ELASTICSEARCH, Service.S3})
class ClusterCommandsIT {

    private static final String TOPIC = "cluster-it.shop.public.products";
    private static final String ORDERS_TOPIC = "cluster-it.shop.public.orders";
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir Path dir;

    private FlinkCluster flink;
    private FlinkRestClient rest;
    private RedisClient redisClient;
    private final List<String> jobs = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        try {
            for (String job : jobs) {
                if (flink.jobManagerPid().isPresent() && "RUNNING".equals(rest.jobState(job))) {
                    rest.cancel(job);
                }
            }
        } finally {
            if (redisClient != null) {
                redisClient.shutdown();
            }
            if (flink != null) {
                flink.close();
            }
        }
    }

    @Test
    void statusSubmitStopWithSavepointAndResume(KafkaServer kafka, RedisServer redis)
            throws Exception {
        flink = new FlinkCluster(dir).taskSlots(2);
        flink.start();
        rest = new FlinkRestClient(flink.restUrl());
        String url = flink.restUrl();
        produce(kafka, 1, 3);

        Result status = run("cluster", "status", "--rest", url);
        assertThat(status.code).as(status.err).isZero();
        assertThat(status.out)
                .contains("TaskManagers: 1, slots: 2 (2 available)")
                .contains("No jobs.");

        List<String> jobArgs =
                List.of(
                        "--kafka.bootstrap-servers", kafka.bootstrapServers(),
                        "--topics", TOPIC,
                        "--group.id", "cluster-it",
                        "--redis.uri", redis.uri(),
                        "--view.key-prefix", "cview",
                        "--dead-letter.topic", "cluster-it.dead-letters",
                        "--execution.checkpointing.interval", "1 s");
        String first = submit(url, null, jobArgs);
        redisClient = RedisClient.create(redis.uri());
        RedisCommands<String, String> sync = redisClient.connect().sync();
        await().atMost(TIMEOUT)
                .untilAsserted(
                        () ->
                                assertThat(sync.hget("cview:products:{3}", "title"))
                                        .isEqualTo("product 3"));

        status = run("cluster", "status", "--rest", url);
        assertThat(status.out).contains(first).contains("RUNNING").contains("changeflow-views");

        Path savepoints = dir.resolve("savepoints");
        Result stop = run("stop", first, "--savepoint", savepoints.toString(), "--rest", url);
        assertThat(stop.code).as(stop.err).isZero();
        String savepoint = stop.out.strip();
        assertThat(Path.of(URI.create(savepoint))).startsWith(savepoints);
        assertThat(Path.of(URI.create(savepoint)).resolve("_metadata")).exists();
        await().atMost(TIMEOUT).until(() -> "FINISHED".equals(rest.jobState(first)));

        // written while no job runs: the resumed job reads on from the savepoint's offsets
        produce(kafka, 4, 4);
        String second = submit(url, savepoint, jobArgs);
        assertThat(second).isNotEqualTo(first);
        await().atMost(TIMEOUT)
                .untilAsserted(
                        () ->
                                assertThat(sync.hget("cview:products:{4}", "title"))
                                        .isEqualTo("product 4"));
        assertThat(
                        rest.get("/jobs/" + second + "/checkpoints")
                                .path("latest")
                                .path("restored")
                                .path("external_path")
                                .asText())
                .isEqualTo(savepoint);

        // a savepoint of a job that is not running fails with one line
        Result again = run("stop", first, "--savepoint", savepoints.toString(), "--rest", url);
        assertThat(again.code).isEqualTo(1);
        assertThat(again.err.strip()).startsWith("changeflow stop: ").doesNotContain("\n");

        // down: the running job is cancelled and the JobManager exits
        Result down = run("cluster", "down", "--rest", url);
        assertThat(down.code).as(down.err).isZero();
        assertThat(down.out).contains("Cancelling " + second).contains("shut down");
        await().atMost(TIMEOUT).until(() -> flink.jobManagerPid().isEmpty());
        Result after = run("cluster", "status", "--rest", url);
        assertThat(after.code).isNotZero();
    }

    @Test
    void analyticsRunsFromTheJobsJarWithS3AsAPlugin(
            KafkaServer kafka, RedisServer redis, ElasticsearchServer es, S3Server s3)
            throws Exception {
        flink =
                new FlinkCluster(dir)
                        .taskSlots(2)
                        .s3(s3.endpoint(), s3.accessKey(), s3.secretKey());
        flink.start();
        rest = new FlinkRestClient(flink.restUrl());
        assertThat(dir.resolve("flink/plugins/s3-fs-hadoop")).isDirectoryContaining("glob:**.jar");
        redisClient = RedisClient.create(redis.uri());
        RedisCommands<String, String> views = redisClient.connect().sync();
        for (int product = 1; product <= 3; product++) {
            views.hset("caview:products:{" + product + "}", "category", "category-" + product);
        }
        for (int customer = 1; customer <= 4; customer++) {
            views.hset("caview:customers:{" + customer + "}", "region", "region-" + customer % 2);
        }
        int orders = 24;
        produceOrders(kafka, orders);
        // S3's and Elasticsearch's files outlive a test run
        String run = Long.toString(System.currentTimeMillis(), 36);
        String s3Path = "s3://" + S3Server.DEFAULT_BUCKET + "/cluster-it/" + run + "/orders/";
        String ordersIndex = "cluster-it-orders-" + run;
        String analytics =
                submit(
                        flink.restUrl(),
                        "analytics",
                        null,
                        List.of(
                                "--kafka.bootstrap-servers", kafka.bootstrapServers(),
                                "--orders.topic", ORDERS_TOPIC,
                                "--group.id", "cluster-it-analytics",
                                "--redis.uri", redis.uri(),
                                "--view.key-prefix", "caview",
                                "--windows.topic", "cluster-it.windows",
                                "--enriched-orders.topic", "cluster-it.enriched-orders",
                                "--late.topic", "cluster-it.late-orders",
                                "--dead-letter.topic", "cluster-it.analytics-dead-letters",
                                "--elasticsearch.hosts", es.httpUrl(),
                                "--elasticsearch.orders-index", ordersIndex,
                                "--elasticsearch.windows-index", "cluster-it-windows",
                                "--s3.path", s3Path,
                                "--execution.checkpointing.interval", "1 s"));

        // every order once in each sink: Kafka read_committed, an ES document per order id, and
        // rows of committed Parquet files (written by the cluster's s3 plugin, read back here)
        S3ParquetSinks.initializeFileSystems(
                new Configuration(),
                S3ParquetSinks.S3Access.of(s3.endpoint(), s3.accessKey(), s3.secretKey()));
        await().atMost(Duration.ofMinutes(2))
                .pollInterval(Duration.ofSeconds(1))
                .untilAsserted(
                        () -> {
                            assertThat(
                                            kafka.readToEnd(
                                                            "cluster-it.enriched-orders",
                                                            "read_committed")
                                                    .size())
                                    .isEqualTo(orders);
                            assertThat(Stores.documents(es.httpUrl(), ordersIndex))
                                    .isEqualTo(orders);
                            assertThat(Stores.parquetFilesAndRows(s3Path)[1]).isEqualTo(orders);
                        });
        assertThat(rest.jobState(analytics)).isEqualTo("RUNNING");
        assertThat(kafka.readToEnd("cluster-it.analytics-dead-letters", "read_committed").size())
                .isZero();
    }

    private static void produceOrders(KafkaServer kafka, int orders) {
        long now = System.currentTimeMillis();
        try (var producer = kafka.producer()) {
            for (int id = 1; id <= orders; id++) {
                SourceInfo source =
                        SourceInfo.builder(Connector.LOG, "shop", "public", "orders")
                                .tsMs(now)
                                .position(Positions.ofLsn(5000 + id))
                                .build();
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("id", id);
                row.put("customer_id", 1 + id % 4);
                row.put("product_id", 1 + id % 3);
                row.put("amount", new java.math.BigDecimal("12.50"));
                row.put("status", "paid");
                row.put(
                        "created_at",
                        java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS")
                                .withZone(java.time.ZoneOffset.UTC)
                                .format(
                                        java.time.Instant.ofEpochMilli(
                                                now - 1000L * (orders - id))));
                producer.send(
                        new ProducerRecord<>(
                                ORDERS_TOPIC,
                                ("{\"id\":" + id + "}").getBytes(StandardCharsets.UTF_8),
                                ChangeEventJson.toBytes(ChangeEvent.create(source, 1L, row))));
            }
        }
    }

    private String submit(String url, String savepoint, List<String> jobArgs) throws Exception {
        return submit(url, "views", savepoint, jobArgs);
    }

    private String submit(String url, String job, String savepoint, List<String> jobArgs)
            throws Exception {
        List<String> args = new ArrayList<>(List.of("submit", job, "--rest", url));
        if (savepoint != null) {
            args.addAll(List.of("--from-savepoint", savepoint));
        }
        args.add("--");
        args.addAll(jobArgs);
        Result submit = run(args.toArray(String[]::new));
        assertThat(submit.code).as(submit.err).isZero();
        String jobId = submit.out.strip();
        assertThat(jobId).matches("[0-9a-f]{32}");
        jobs.add(jobId);
        await().atMost(TIMEOUT).until(() -> "RUNNING".equals(rest.jobState(jobId)));
        return jobId;
    }

    private static void produce(KafkaServer kafka, int from, int to) {
        try (var producer = kafka.producer()) {
            for (int id = from; id <= to; id++) {
                SourceInfo source =
                        SourceInfo.builder(Connector.LOG, "shop", "public", "products")
                                .tsMs(1_700_000_000_000L)
                                .position(Positions.ofLsn(1000 + id))
                                .build();
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("id", id);
                row.put("title", "product " + id);
                producer.send(
                        new ProducerRecord<>(
                                TOPIC,
                                ("{\"id\":" + id + "}").getBytes(StandardCharsets.UTF_8),
                                ChangeEventJson.toBytes(ChangeEvent.read(source, 1L, row))));
            }
        }
    }

    private record Result(int code, String out, String err) {}

    private static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code =
                Changeflow.commandLine()
                        .setOut(new PrintWriter(out, true))
                        .setErr(new PrintWriter(err, true))
                        .execute(args);
        // the transcript, for the test report
        System.out.printf(
                "$ changeflow %s%n%s%s(exit %d)%n", String.join(" ", args), out, err, code);
        return new Result(code, out.toString(), err.toString());
    }
}
