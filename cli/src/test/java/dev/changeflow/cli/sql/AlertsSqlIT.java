package dev.changeflow.cli.sql;

import dev.changeflow.cli.sql.SqlTestSupport.Change;
import dev.changeflow.cli.sql.SqlTestSupport.Result;
import dev.changeflow.jobs.alerts.AlertsJob;
import dev.changeflow.localstack.Service;
import dev.changeflow.localstack.junit.LocalStackTest;
import dev.changeflow.localstack.server.KafkaServer;
import dev.changeflow.schemas.ChangeEvent;
import dev.changeflow.schemas.ChangeEventJson;
import dev.changeflow.schemas.Connector;
import dev.changeflow.schemas.Positions;
import dev.changeflow.schemas.SourceInfo;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.changeflow.cli.sql.SqlTestSupport.changeflow;
import static dev.changeflow.cli.sql.SqlTestSupport.readCommitted;
import static dev.changeflow.cli.sql.SqlTestSupport.script;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code sql/alerts.sql} (MATCH_RECOGNIZE) and the DataStream {@link AlertsJob} (Flink CEP, rules
 * from a fraud_rules topic holding the script's thresholds) on the same order changes: both raise
 * exactly the same alerts (rule, customer, first and last order), each once in Kafka.
 */
@LocalStackTest(services = Service.KAFKA)
class AlertsSqlIT {

    private final String prefix = "alit" + Long.toString(System.nanoTime() & 0xffffffffL, 36);
    private static final long T0 = Instant.parse("2024-06-01T08:00:00Z").toEpochMilli();
    private static final DateTimeFormatter TIMESTAMP =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS").withZone(ZoneOffset.UTC);
    private static final List<String> EXPECTED =
            List.of("ct:1:101-104", "vel:5:501-505", "cap:3:301-301");

    private long position;

    @Test
    void theScriptAndTheJobRaiseTheSameAlerts(KafkaServer kafka) throws Exception {
        String orders = prefix + ".shop.public.orders";
        String rules = prefix + ".shop.public.fraud_rules";
        try (var admin = kafka.admin()) {
            // one partition: every source reader has orders, so the watermark moves
            admin.createTopics(
                            List.of(
                                    new NewTopic(orders, 1, (short) 1),
                                    new NewTopic(rules, 1, (short) 1)))
                    .all()
                    .get();
        }
        try (KafkaProducer<byte[], byte[]> producer = kafka.producer()) {
            produceOrders(producer, orders);
            produceRules(producer, rules);
        }

        Map<String, String> o = new LinkedHashMap<>();
        o.put("kafka.bootstrap-servers", kafka.bootstrapServers());
        o.put("orders.topic", orders);
        o.put("rules.topic", rules);
        o.put("group.id", prefix + "-datastream");
        o.put("alerts.topic", prefix + ".ds.alerts");
        o.put("dead-letter.topic", prefix + ".ds.dead-letters");
        o.put("watermark.out-of-orderness", "60 s");
        o.put("watermark.idleness", "10 s");
        o.put("execution.checkpointing.interval", "2 s");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        JobClient job = env.executeAsync(AlertsJob.prepare(Configuration.fromMap(o), env));

        CompletableFuture<Result> sql =
                CompletableFuture.supplyAsync(
                        () ->
                                changeflow(
                                        "sql",
                                        "run",
                                        "-f",
                                        script("alerts.sql").toString(),
                                        "--stop-after",
                                        "60s",
                                        "--var",
                                        "KAFKA_BOOTSTRAP=" + kafka.bootstrapServers(),
                                        "--var",
                                        "ORDERS_TOPIC=" + orders,
                                        "--var",
                                        "GROUP_ID=" + prefix + "-sql",
                                        "--var",
                                        "ALERTS_TOPIC=" + prefix + ".sql.alerts"));
        try {
            await().atMost(Duration.ofSeconds(150))
                    .pollInterval(Duration.ofSeconds(2))
                    .untilAsserted(
                            () -> {
                                // once the script ended (stopped or failed), what it printed
                                String ended =
                                        sql.isDone()
                                                ? sql.join().out() + "\n" + sql.join().err()
                                                : "the script still runs";
                                assertThat(alerts(kafka, prefix + ".sql.alerts"))
                                        .as(ended)
                                        .containsExactlyInAnyOrderElementsOf(EXPECTED);
                                assertThat(alerts(kafka, prefix + ".ds.alerts"))
                                        .containsExactlyInAnyOrderElementsOf(EXPECTED);
                            });
            Result run = sql.get(2, TimeUnit.MINUTES);
            assertThat(run.code()).as(run.err()).isZero();
            assertThat(alerts(kafka, prefix + ".sql.alerts"))
                    .containsExactlyInAnyOrderElementsOf(EXPECTED);
        } finally {
            job.cancel().get(1, TimeUnit.MINUTES);
        }
    }

    /** Alerts of a topic as {@code rule:customer:first-last}, from their ids. */
    private static List<String> alerts(KafkaServer kafka, String topic) throws Exception {
        List<String> alerts = new ArrayList<>();
        for (Change c : readCommitted(kafka, topic)) {
            String id = c.key().isTextual() ? c.key().asText() : c.key().toString();
            // the job's ids end with a hash of the positions, the script's do not
            alerts.add(id.replaceAll("^([^:]+:[^:]+:[^:]+):[0-9a-f]{8}$", "$1"));
        }
        return alerts;
    }

    private void produceOrders(KafkaProducer<byte[], byte[]> producer, String topic) {
        for (int i = 0; i < 3; i++) {
            placed(producer, topic, 101 + i, 1, "1.00", 10 * i);
        }
        placed(producer, topic, 104, 1, "500.00", 30);
        for (int i = 0; i < 3; i++) {
            placed(producer, topic, 201 + i, 2, "1.00", 100 + 10 * i);
        }
        placed(producer, topic, 204, 2, "500.00", 300);
        placed(producer, topic, 301, 3, "50.00", 400);
        status(producer, topic, 301, 3, 400, "placed", "paid", 410);
        status(producer, topic, 301, 3, 400, "paid", "cancelled", 430);
        placed(producer, topic, 401, 4, "50.00", 500);
        status(producer, topic, 401, 4, 500, "placed", "paid", 510);
        status(producer, topic, 401, 4, 500, "paid", "cancelled", 700);
        for (int i = 0; i < 6; i++) {
            placed(producer, topic, 501 + i, 5, "20.00", 1000 + 10 * i);
        }
        // far ahead: moves every watermark past the rest
        placed(producer, topic, 801, 8, "20.00", 5000);
    }

    private void produceRules(KafkaProducer<byte[], byte[]> producer, String topic) {
        rule(producer, topic, "ct", "card_testing", 3, "5.00", "200.00");
        rule(producer, topic, "vel", "velocity", 5, null, null);
        rule(producer, topic, "cap", "cancel_after_pay", null, null, null);
    }

    private void placed(
            KafkaProducer<byte[], byte[]> producer,
            String topic,
            long id,
            long customer,
            String amount,
            long second) {
        Map<String, Object> row =
                SqlTestSupport.order(id, customer, 1, amount, "placed", T0 + second * 1000);
        send(producer, topic, "{\"id\":" + id + "}", ChangeEvent.create(source(second), 1L, row));
    }

    private void status(
            KafkaProducer<byte[], byte[]> producer,
            String topic,
            long id,
            long customer,
            long placedAt,
            String from,
            String to,
            long second) {
        long created = T0 + placedAt * 1000;
        ChangeEvent update =
                ChangeEvent.update(
                        source(second),
                        1L,
                        SqlTestSupport.order(id, customer, 1, "50.00", from, created),
                        SqlTestSupport.order(id, customer, 1, "50.00", to, created));
        send(producer, topic, "{\"id\":" + id + "}", update);
    }

    private void rule(
            KafkaProducer<byte[], byte[]> producer,
            String topic,
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
        row.put("valid_from", TIMESTAMP.format(Instant.ofEpochMilli(T0 - 3_600_000)));
        send(
                producer,
                topic,
                "{\"rule_id\":\"" + id + "\"}",
                ChangeEvent.create(source(-3600), 1L, row));
    }

    private SourceInfo source(long second) {
        return SourceInfo.builder(Connector.LOG, "shop", "public", "orders")
                .tsMs(T0 + second * 1000)
                .position(Positions.ofLsn(++position))
                .build();
    }

    private static void send(
            KafkaProducer<byte[], byte[]> producer, String topic, String key, ChangeEvent event) {
        producer.send(
                new ProducerRecord<>(
                        topic,
                        key.getBytes(StandardCharsets.UTF_8),
                        ChangeEventJson.toBytes(event)));
    }
}
