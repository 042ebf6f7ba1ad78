package dev.changeflow.cli.sql;

import dev.changeflow.cli.sql.SqlTestSupport.Change;
import dev.changeflow.cli.sql.SqlTestSupport.Result;
import dev.changeflow.jobs.views.ViewsJob;
import dev.changeflow.localstack.Service;
import dev.changeflow.localstack.junit.LocalStackTest;
import dev.changeflow.localstack.server.KafkaServer;
import dev.changeflow.localstack.server.RedisServer;
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
import io.lettuce.core.api.StatefulRedisConnection;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
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
 * {@code sql/enriched-orders.sql} on the real pieces: the views job writes the products and
 * customers change topics into Redis, the script looks every order change up there through the
 * {@code changeflow-redis} connector and writes the enriched orders to Kafka, exactly once; an
 * order whose product has no view is marked {@code missing}, a delete is left out.
 */
@LocalStackTest(services = {Service.KAFKA, Service.REDIS})
class EnrichedOrdersSqlIT {

    private final String prefix = "enit" + Long.toString(System.nanoTime() & 0xffffffffL, 36);
    private static final long T0 = Instant.parse("2024-06-01T08:00:00Z").toEpochMilli();
    private long position;

    @Test
    void ordersAreEnrichedFromTheViewsJobsHashes(KafkaServer kafka, RedisServer redis)
            throws Exception {
        String topics = prefix + ".shop.public.";
        try (var admin = kafka.admin()) {
            admin.createTopics(
                            List.of(
                                    new NewTopic(topics + "products", 1, (short) 1),
                                    new NewTopic(topics + "customers", 1, (short) 1),
                                    new NewTopic(topics + "orders", 2, (short) 1)))
                    .all()
                    .get();
        }
        try (KafkaProducer<byte[], byte[]> producer = kafka.producer()) {
            row(producer, topics, "products", 1, Map.of("id", 1L, "category", "books"));
            row(producer, topics, "products", 2, Map.of("id", 2L, "category", "games"));
            row(producer, topics, "customers", 1, Map.of("id", 1L, "region", "north"));
            row(producer, topics, "customers", 2, Map.of("id", 2L, "region", "south"));
        }
        String viewPrefix = prefix + "view";
        Configuration views = new Configuration();
        views.setString("kafka.bootstrap-servers", kafka.bootstrapServers());
        views.setString("topics", topics + "products," + topics + "customers");
        views.setString("group.id", prefix + "-views");
        views.setString("redis.uri", redis.uri());
        views.setString("view.key-prefix", viewPrefix);
        views.setString("dead-letter.topic", prefix + ".views.dead-letters");
        views.setString("execution.checkpointing.interval", "500 ms");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        JobClient viewsJob = env.executeAsync(ViewsJob.prepare(views, env));
        RedisClient client = RedisClient.create(redis.uri());
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            await().atMost(Duration.ofMinutes(1))
                    .untilAsserted(
                            () ->
                                    assertThat(c.sync().keys(viewPrefix + ":*"))
                                            .containsExactlyInAnyOrder(
                                                    viewPrefix + ":products:{1}",
                                                    viewPrefix + ":products:{2}",
                                                    viewPrefix + ":customers:{1}",
                                                    viewPrefix + ":customers:{2}"));
        } finally {
            client.shutdown();
            viewsJob.cancel().get(1, TimeUnit.MINUTES);
        }

        try (KafkaProducer<byte[], byte[]> producer = kafka.producer()) {
            String orders = topics + "orders";
            send(producer, orders, 101, ChangeEvent.create(source(), 1L, order(101, 1, 1, "new")));
            send(producer, orders, 102, ChangeEvent.create(source(), 1L, order(102, 2, 2, "new")));
            send(producer, orders, 103, ChangeEvent.create(source(), 1L, order(103, 1, 3, "new")));
            send(
                    producer,
                    orders,
                    101,
                    ChangeEvent.update(
                            source(), 1L, order(101, 1, 1, "new"), order(101, 1, 1, "paid")));
            send(producer, orders, 102, ChangeEvent.delete(source(), 1L, order(102, 2, 2, "new")));
        }
        String enriched = prefix + ".enriched-orders";
        CompletableFuture<Result> sql =
                CompletableFuture.supplyAsync(
                        () ->
                                changeflow(
                                        "sql",
                                        "run",
                                        "-f",
                                        script("enriched-orders.sql").toString(),
                                        "--stop-after",
                                        "60s",
                                        "--var",
                                        "KAFKA_BOOTSTRAP=" + kafka.bootstrapServers(),
                                        "--var",
                                        "ORDERS_TOPIC=" + topics + "orders",
                                        "--var",
                                        "GROUP_ID=" + prefix,
                                        "--var",
                                        "REDIS_URI=" + redis.uri(),
                                        "--var",
                                        "VIEW_KEY_PREFIX=" + viewPrefix,
                                        "--var",
                                        "ENRICHED_TOPIC=" + enriched));
        await().atMost(Duration.ofSeconds(150))
                .pollInterval(Duration.ofSeconds(2))
                .untilAsserted(
                        () -> {
                            String ended =
                                    sql.isDone()
                                            ? sql.join().out() + "\n" + sql.join().err()
                                            : "the script still runs";
                            assertThat(summary(readCommitted(kafka, enriched)))
                                    .as(ended)
                                    .containsExactlyInAnyOrder(
                                            "101 c new books north ok",
                                            "102 c new games south ok",
                                            "103 c new unknown north missing",
                                            "101 u paid books north ok");
                        });
        Result run = sql.get(2, TimeUnit.MINUTES);
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(readCommitted(kafka, enriched)).hasSize(4);
    }

    /** {@code order op status category region enrichment} per record, and the key is the id. */
    private static List<String> summary(List<Change> changes) {
        return changes.stream()
                .map(
                        c -> {
                            JsonNode v = c.value();
                            assertThat(c.key().get("order_id")).isEqualTo(v.get("order_id"));
                            return String.join(
                                    " ",
                                    v.get("order_id").asText(),
                                    v.get("op").asText(),
                                    v.get("status").asText(),
                                    v.get("category").asText(),
                                    v.get("region").asText(),
                                    v.get("enrichment").asText());
                        })
                .toList();
    }

    private static Map<String, Object> order(long id, long customer, long product, String status) {
        return SqlTestSupport.order(id, customer, product, "10.00", status, T0 + id * 1000);
    }

    private void row(
            KafkaProducer<byte[], byte[]> producer,
            String topics,
            String table,
            long id,
            Map<String, Object> columns) {
        Map<String, Object> row = new LinkedHashMap<>(new TreeMap<>(columns));
        SourceInfo info =
                SourceInfo.builder(Connector.LOG, "shop", "public", table)
                        .tsMs(T0)
                        .position(Positions.ofLsn(++position))
                        .build();
        send(producer, topics + table, id, ChangeEvent.create(info, 1L, row));
    }

    private SourceInfo source() {
        return SourceInfo.builder(Connector.LOG, "shop", "public", "orders")
                .tsMs(T0)
                .position(Positions.ofLsn(++position))
                .build();
    }

    private static void send(
            KafkaProducer<byte[], byte[]> producer, String topic, long id, ChangeEvent event) {
        producer.send(
                new ProducerRecord<>(
                        topic,
                        ("{\"id\":" + id + "}").getBytes(StandardCharsets.UTF_8),
                        ChangeEventJson.toBytes(event)));
    }
}
