package dev.changeflow.cli.sql;

import dev.changeflow.cli.sql.SqlTestSupport.Change;
import dev.changeflow.cli.sql.SqlTestSupport.Result;
import dev.changeflow.jobs.analytics.AnalyticsJob;
import dev.changeflow.localstack.Service;
import dev.changeflow.localstack.junit.LocalStackTest;
import dev.changeflow.localstack.server.ElasticsearchServer;
import dev.changeflow.localstack.server.KafkaServer;
import dev.changeflow.localstack.server.RedisServer;
import dev.changeflow.localstack.server.S3Server;
import dev.changeflow.schemas.ChangeEvent;
import dev.changeflow.schemas.ChangeEventJson;
import dev.changeflow.schemas.Connector;
import dev.changeflow.schemas.Positions;
import dev.changeflow.schemas.SourceInfo;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import com.fasterxml.jackson.databind.JsonNode;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.sync.RedisCommands;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.changeflow.cli.sql.SqlTestSupport.changeflow;
import static dev.changeflow.cli.sql.SqlTestSupport.readCommitted;
import static dev.changeflow.cli.sql.SqlTestSupport.script;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code sql/analytics.sql} and the DataStream {@link AnalyticsJob} on the same order changes
 * (creates, payments, corrections, cancellations, deletes; catalog in change topics for SQL and in
 * Redis views for the job): both produce the same windows, equal to the totals computed here from
 * the orders' final state, and the script also wrote them to Elasticsearch.
 */
@LocalStackTest(services = {Service.KAFKA, Service.REDIS, Service.ELASTICSEARCH, Service.S3})
class AnalyticsSqlIT {

    /**
     * Names of this run's topics, index and S3 path: the local stack keeps Elasticsearch and S3
     * data between runs, and a rerun in the same JVM must not read the first attempt's input.
     */
    private final String prefix = "anit" + Long.toString(System.nanoTime() & 0xffffffffL, 36);

    private final String base = prefix + ".shop.public.";
    private static final long MINUTE = 60_000;
    private static final long T0 =
            LocalDateTime.parse("2024-05-01T10:00:00").toInstant(ZoneOffset.UTC).toEpochMilli();
    private static final DateTimeFormatter TIMESTAMP =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS").withZone(ZoneOffset.UTC);
    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    private long position;

    @Test
    void theScriptComputesTheJobsWindows(
            KafkaServer kafka, RedisServer redis, ElasticsearchServer es, S3Server s3)
            throws Exception {
        Map<String, long[]> expected = produceInput(kafka);
        try (RedisClient client = RedisClient.create(redis.uri())) {
            RedisCommands<String, String> views = client.connect().sync();
            for (long p = 1; p <= 3; p++) {
                views.hset("anview:products:{" + p + "}", "category", category(p));
            }
            for (long c = 1; c <= 4; c++) {
                views.hset("anview:customers:{" + c + "}", "region", region(c));
            }
        }

        System.setProperty("changeflow.sql.verbose", "true");
        // the DataStream job
        Map<String, String> o = new LinkedHashMap<>();
        o.put("kafka.bootstrap-servers", kafka.bootstrapServers());
        o.put("orders.topic", base + "orders");
        o.put("group.id", prefix + "-datastream");
        o.put("redis.uri", redis.uri());
        o.put("view.key-prefix", "anview");
        o.put("windows.topic", prefix + ".ds.windows");
        o.put("enriched-orders.topic", prefix + ".ds.orders");
        o.put("late.topic", prefix + ".ds.late");
        o.put("dead-letter.topic", prefix + ".ds.dead-letters");
        o.put("execution.checkpointing.interval", "2 s");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        String name = AnalyticsJob.prepare(Configuration.fromMap(o), env);
        JobClient job = env.executeAsync(name);

        // the script, locally, at the same time
        CompletableFuture<Result> sql =
                CompletableFuture.supplyAsync(
                        () ->
                                changeflow(
                                        "sql",
                                        "run",
                                        "-f",
                                        script("analytics.sql").toString(),
                                        "--stop-after",
                                        "90s",
                                        "--var",
                                        "KAFKA_BOOTSTRAP=" + kafka.bootstrapServers(),
                                        "--var",
                                        "TOPIC_PREFIX=" + prefix,
                                        "--var",
                                        "SOURCE_DB=shop",
                                        "--var",
                                        "SOURCE_SCHEMA=public",
                                        "--var",
                                        "GROUP_ID=" + prefix + "-sql",
                                        "--var",
                                        "WINDOWS_TOPIC=" + prefix + ".sql.windows",
                                        "--var",
                                        "ES_HOSTS=" + es.httpUrl(),
                                        "--var",
                                        "ES_INDEX=" + prefix + "-windows",
                                        "--var",
                                        "S3_PATH=s3://"
                                                + S3Server.DEFAULT_BUCKET
                                                + "/"
                                                + prefix
                                                + "/windows",
                                        "--var",
                                        "S3_ENDPOINT=" + s3.endpoint(),
                                        "--var",
                                        "S3_ACCESS_KEY=" + s3.accessKey(),
                                        "--var",
                                        "S3_SECRET_KEY=" + s3.secretKey()));
        try {
            await().atMost(TIMEOUT)
                    .pollInterval(Duration.ofSeconds(2))
                    .untilAsserted(
                            () -> {
                                assertThat(sql).isNotCompletedExceptionally();
                                assertThat(text(windows(kafka, prefix + ".sql.windows")))
                                        .isEqualTo(text(expected));
                            });
            await().atMost(TIMEOUT)
                    .pollInterval(Duration.ofSeconds(2))
                    .untilAsserted(
                            () ->
                                    assertThat(text(windows(kafka, prefix + ".ds.windows")))
                                            .isEqualTo(text(expected)));
            // The script ran until --stop-after cancelled it: what its sinks hold now is its
            // last word. The far-ahead order's windows must not be there: they fire only if a
            // watermark jumps (e.g. the orders side of the temporal joins turned idle while the
            // catalog side's far-future watermark was still active).
            Result run = sql.get(2, TimeUnit.MINUTES);
            assertThat(run.code()).as(run.err()).isZero();
            assertThat(run.out()).contains("Job ");
            assertThat(text(windows(kafka, prefix + ".sql.windows"))).isEqualTo(text(expected));
            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofSeconds(1))
                    .untilAsserted(() -> assertThat(text(documents(es))).isEqualTo(text(expected)));
            assertThat(text(parquetRows(s3))).isEqualTo(text(expected));
        } finally {
            job.cancel().get(1, TimeUnit.MINUTES);
        }
    }

    /** Latest totals per window id from a window topic (empty windows dropped, as retracted). */
    private static Map<String, long[]> windows(KafkaServer kafka, String topic) throws Exception {
        Map<String, long[]> windows = new TreeMap<>();
        for (Change c : readCommitted(kafka, topic)) {
            String id = c.key().isTextual() ? c.key().asText() : c.key().toString();
            if (c.value() == null) {
                windows.remove(id);
                continue;
            }
            windows.put(
                    id,
                    new long[] {
                        c.value().get("orders").asLong(), c.value().get("revenueCents").asLong()
                    });
        }
        windows.values().removeIf(t -> t[0] == 0 && t[1] == 0);
        return windows;
    }

    private Map<String, long[]> documents(ElasticsearchServer es) throws Exception {
        HttpResponse<String> response =
                HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(
                                                URI.create(
                                                        es.httpUrl()
                                                                + "/"
                                                                + prefix
                                                                + "-windows/_search?size=1000"))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
        Map<String, long[]> windows = new TreeMap<>();
        if (response.statusCode() != 200) {
            return windows;
        }
        for (JsonNode hit :
                SqlTestSupport.JSON.readTree(response.body()).path("hits").path("hits")) {
            JsonNode doc = hit.get("_source");
            windows.put(
                    hit.get("_id").asText(),
                    new long[] {doc.get("orders").asLong(), doc.get("revenueCents").asLong()});
        }
        windows.values().removeIf(t -> t[0] == 0 && t[1] == 0);
        return windows;
    }

    /** The window rows of the committed Parquet files under s3://changeflow/PREFIX/windows. */
    private Map<String, long[]> parquetRows(S3Server s3) throws Exception {
        Configuration conf = new Configuration();
        conf.setString("s3.endpoint", s3.endpoint());
        conf.setString("s3.path.style.access", "true");
        conf.setString("s3.access-key", s3.accessKey());
        conf.setString("s3.secret-key", s3.secretKey());
        org.apache.flink.core.fs.FileSystem.initialize(conf, null);
        org.apache.flink.core.fs.Path root =
                new org.apache.flink.core.fs.Path(
                        "s3://" + S3Server.DEFAULT_BUCKET + "/" + prefix + "/windows");
        Map<String, long[]> windows = new TreeMap<>();
        java.nio.file.Path local = java.nio.file.Files.createTempFile("anit", ".parquet");
        for (org.apache.flink.core.fs.Path file : files(root.getFileSystem(), root)) {
            try (var in = file.getFileSystem().open(file)) {
                java.nio.file.Files.copy(
                        in, local, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            try (var reader =
                    org.apache.parquet.avro.AvroParquetReader
                            .<org.apache.avro.generic.GenericRecord>builder(
                                    org.apache.parquet.hadoop.util.HadoopInputFile.fromPath(
                                            new org.apache.hadoop.fs.Path(local.toUri()),
                                            new org.apache.hadoop.conf.Configuration()))
                            .build()) {
                for (var row = reader.read(); row != null; row = reader.read()) {
                    windows.put(
                            row.get("id").toString(),
                            new long[] {(Long) row.get("orders"), (Long) row.get("revenueCents")});
                }
            }
        }
        windows.values().removeIf(t -> t[0] == 0 && t[1] == 0);
        return windows;
    }

    /** Committed files below dir: in-progress ones start with '.' or '_'. */
    private static List<org.apache.flink.core.fs.Path> files(
            org.apache.flink.core.fs.FileSystem fs, org.apache.flink.core.fs.Path dir)
            throws java.io.IOException {
        List<org.apache.flink.core.fs.Path> files = new java.util.ArrayList<>();
        if (!fs.exists(dir)) {
            return files;
        }
        for (var status : fs.listStatus(dir)) {
            String name = status.getPath().getName();
            if (status.isDir()) {
                files.addAll(files(fs, status.getPath()));
            } else if (!name.startsWith(".") && !name.startsWith("_")) {
                files.add(status.getPath());
            }
        }
        return files;
    }

    private static String text(Map<String, long[]> windows) {
        StringBuilder s = new StringBuilder();
        windows.forEach(
                (k, v) ->
                        s.append(k).append('=').append(v[0]).append('/').append(v[1]).append('\n'));
        return s.toString();
    }

    private static String category(long product) {
        return "category-" + product;
    }

    private static String region(long customer) {
        return "region-" + (customer % 2);
    }

    /**
     * 60 orders, one every 10 s from T0, then one far ahead that closes every window before it.
     * Order i by customer i%4+1 of product i%4+1 (product 4 is not in the catalog: unknown); every
     * 5th is paid right after, every 7th corrected, every 9th cancelled, every 11th deleted.
     */
    private Map<String, long[]> produceInput(KafkaServer kafka) {
        Map<Long, Map<String, Object>> finalState = new TreeMap<>();
        try (var producer = kafka.producer()) {
            for (long p = 1; p <= 3; p++) {
                send(
                        producer,
                        "products",
                        p,
                        ChangeEvent.read(
                                source("products"),
                                T0,
                                Map.of(
                                        "id",
                                        p,
                                        "title",
                                        "product " + p,
                                        "category",
                                        category(p),
                                        "price",
                                        new BigDecimal("1.00"))));
            }
            for (long c = 1; c <= 4; c++) {
                send(
                        producer,
                        "customers",
                        c,
                        ChangeEvent.read(
                                source("customers"),
                                T0,
                                Map.of("id", c, "name", "customer " + c, "region", region(c))));
            }
            for (long i = 0; i <= 60; i++) {
                long time = i == 60 ? T0 + 40 * MINUTE : T0 + i * 10_000;
                Map<String, Object> row =
                        order(i, i % 4 + 1, i % 4 + 1, (i % 9 + 1) + ".25", "new", time);
                send(producer, "orders", i, ChangeEvent.create(source("orders"), time, row));
                if (i == 60) {
                    break;
                }
                if (i % 5 == 0) {
                    Map<String, Object> paid = new LinkedHashMap<>(row);
                    paid.put("status", "paid");
                    send(
                            producer,
                            "orders",
                            i,
                            ChangeEvent.update(source("orders"), time, row, paid));
                    row = paid;
                }
                if (i % 7 == 0) {
                    Map<String, Object> corrected = new LinkedHashMap<>(row);
                    corrected.put("amount", new BigDecimal("20.50"));
                    send(
                            producer,
                            "orders",
                            i,
                            ChangeEvent.update(source("orders"), time, row, corrected));
                    row = corrected;
                }
                if (i % 9 == 0) {
                    Map<String, Object> cancelled = new LinkedHashMap<>(row);
                    cancelled.put("status", "cancelled");
                    send(
                            producer,
                            "orders",
                            i,
                            ChangeEvent.update(source("orders"), time, row, cancelled));
                    row = cancelled;
                } else if (i % 11 == 0) {
                    send(producer, "orders", i, ChangeEvent.delete(source("orders"), time, row));
                    row = null;
                }
                if (row != null && !"cancelled".equals(row.get("status"))) {
                    finalState.put(i, row);
                }
            }
        }
        Map<String, long[]> windows = new TreeMap<>();
        for (Map<String, Object> row : finalState.values()) {
            long product = (Long) row.get("product_id");
            long customer = (Long) row.get("customer_id");
            long cents = ((BigDecimal) row.get("amount")).movePointRight(2).longValueExact();
            long time =
                    LocalDateTime.parse(((String) row.get("created_at")).replace(' ', 'T'))
                            .toInstant(ZoneOffset.UTC)
                            .toEpochMilli();
            long minute = Math.floorDiv(time, MINUTE) * MINUTE;
            add(
                    windows,
                    "category-1m:" + (product == 4 ? "unknown" : category(product)) + ":" + minute,
                    cents);
            for (int k = 0; k < 5; k++) {
                add(windows, "region-5m:" + region(customer) + ":" + (minute - k * MINUTE), cents);
            }
        }
        return windows;
    }

    private static void add(Map<String, long[]> windows, String id, long cents) {
        long[] totals = windows.computeIfAbsent(id, k -> new long[2]);
        totals[0]++;
        totals[1] += cents;
    }

    private static Map<String, Object> order(
            long id, long customer, long product, String amount, String status, long time) {
        return SqlTestSupport.order(id, customer, product, amount, status, time);
    }

    private SourceInfo source(String table) {
        return SourceInfo.builder(Connector.LOG, "shop", "public", table)
                .tsMs(T0)
                .position(Positions.ofLsn(++position))
                .build();
    }

    private void send(
            KafkaProducer<byte[], byte[]> producer, String table, long id, ChangeEvent event) {
        producer.send(
                new ProducerRecord<>(
                        base + table,
                        ("{\"id\":" + id + "}").getBytes(StandardCharsets.UTF_8),
                        ChangeEventJson.toBytes(event)));
    }
}
