package dev.changeflow.jobs.alerts;

import dev.changeflow.jobs.KafkaRecords;
import dev.changeflow.jobs.MiniClusters;
import dev.changeflow.jobs.analytics.AnalyticsJob;
import dev.changeflow.jobs.sinks.KafkaSinks;
import dev.changeflow.jobs.sinks.RedisPublishSink;
import dev.changeflow.jobs.sources.KafkaChange;
import dev.changeflow.localstack.Service;
import dev.changeflow.localstack.junit.LocalStackTest;
import dev.changeflow.localstack.server.ElasticsearchServer;
import dev.changeflow.localstack.server.KafkaServer;
import dev.changeflow.localstack.server.RedisServer;
import dev.changeflow.schemas.DeadLetter;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.api.java.typeutils.EitherTypeInfo;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Either;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lettuce.core.RedisClient;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The alerts job on a MiniCluster with a failure mid-stream: the {@link FraudScenario}'s orders
 * flow at 25 per second, the job fails once after two thirds of them and recovers from its last
 * checkpoint (CEP's partial matches, the rules' broadcast state and the activities waiting for the
 * watermark included). Every expected alert is in Kafka exactly once ({@code read_committed}, read
 * after the broker's retention pass) and no other; every one reached Redis pub/sub at least once.
 */
@LocalStackTest(services = {Service.KAFKA, Service.REDIS, Service.ELASTICSEARCH})
class AlertsJobIT {

    @RegisterExtension static final MiniClusterExtension FLINK = MiniClusters.withSlots(2);

    private static final AtomicBoolean FAILED = new AtomicBoolean();
    private static final List<KafkaChange> ORDERS = FraudScenario.build().orders();
    private static final List<KafkaChange> RULES = FraudScenario.build().rules();
    private static final int FAIL_AT = ORDERS.size() * 2 / 3;

    @Test
    void everyExpectedAlertExactlyOnceDespiteAFailure(
            KafkaServer kafka, RedisServer redis, ElasticsearchServer es) throws Exception {
        String index = "it-alerts-" + Long.toString(System.currentTimeMillis(), 36);
        Queue<String> published = new ConcurrentLinkedQueue<>();
        RedisClient client = RedisClient.create(redis.uri());
        StatefulRedisPubSubConnection<String, String> subscriber = client.connectPubSub();
        subscriber.addListener(
                new RedisPubSubAdapter<>() {
                    @Override
                    public void message(String channel, String message) {
                        published.add(message);
                    }
                });
        subscriber.sync().subscribe("it.alerts");
        try {
            long start = System.currentTimeMillis();
            StreamExecutionEnvironment env = MiniClusters.restartingEnvironment(2);
            String bootstrap = kafka.bootstrapServers();
            new AlertsJob(
                            new DataGeneratorSource<>(
                                    new Replay(true),
                                    ORDERS.size(),
                                    RateLimiterStrategy.perSecond(25),
                                    changes()),
                            new DataGeneratorSource<>(new Replay(false), RULES.size(), changes()),
                            List.of(
                                    AnalyticsJob.Output.of(
                                            "alerts-kafka-sink",
                                            KafkaSinks.json(
                                                    bootstrap,
                                                    "it.alerts",
                                                    Alert::alertId,
                                                    DeliveryGuarantee.EXACTLY_ONCE,
                                                    "alerts-it")),
                                    AlertsJob.elasticsearch(es.httpUrl(), index),
                                    AnalyticsJob.Output.of(
                                            "alerts-redis-sink",
                                            new RedisPublishSink<>(
                                                    redis.uri(), "it.alerts", AlertsJob::json))),
                            KafkaSinks.deadLetters(
                                    bootstrap,
                                    "it.alerts.dead-letters",
                                    DeliveryGuarantee.EXACTLY_ONCE,
                                    "alerts-it-dead-letters"),
                            new AlertsJob.Settings(
                                    Duration.ofMinutes(1),
                                    Duration.ofSeconds(5),
                                    Duration.ofHours(1),
                                    0,
                                    Duration.ofSeconds(10),
                                    0))
                    .build(env);
            env.execute("alerts-it");
            assertThat(FAILED).as("the job failed mid-stream").isTrue();

            ObjectMapper json = new ObjectMapper();
            List<String> alerts = new ArrayList<>();
            List<String> ids = new ArrayList<>();
            for (ConsumerRecord<byte[], byte[]> record :
                    KafkaRecords.readCommittedAfterRetention(kafka, "it.alerts", start)) {
                JsonNode alert = json.readTree(record.value());
                assertThat(new String(record.key())).isEqualTo(alert.get("alertId").asText());
                ids.add(alert.get("alertId").asText());
                alerts.add(
                        alert.get("ruleId").asText()
                                + ":"
                                + alert.get("customerId").asLong()
                                + ":"
                                + alert.get("orderIds").toString().replace(",", ", "));
            }
            assertThat(alerts).containsExactlyInAnyOrderElementsOf(FraudScenario.EXPECTED);
            assertThat(ids).doesNotHaveDuplicates();
            assertThat(
                            KafkaRecords.readCommittedAfterRetention(
                                    kafka, "it.alerts.dead-letters", start))
                    .hasSize(2);
            // Elasticsearch: one document per alert (a replay overwrote, never added)
            org.awaitility.Awaitility.await()
                    .atMost(Duration.ofSeconds(30))
                    .untilAsserted(
                            () ->
                                    assertThat(documentIds(es, index))
                                            .containsExactlyInAnyOrderElementsOf(ids));
            // pub/sub is at least once: every alert arrived, a replay may have sent one again
            org.awaitility.Awaitility.await()
                    .atMost(Duration.ofSeconds(10))
                    .untilAsserted(
                            () ->
                                    assertThat(
                                                    published.stream()
                                                            .map(AlertsJobIT::alertId)
                                                            .distinct()
                                                            .toList())
                                            .containsExactlyInAnyOrderElementsOf(ids));
        } finally {
            subscriber.close();
            client.shutdown();
        }
    }

    private static List<String> documentIds(ElasticsearchServer es, String index) throws Exception {
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        http.send(
                java.net.http.HttpRequest.newBuilder(
                                java.net.URI.create(es.httpUrl() + "/" + index + "/_refresh"))
                        .POST(java.net.http.HttpRequest.BodyPublishers.noBody())
                        .build(),
                java.net.http.HttpResponse.BodyHandlers.discarding());
        String body =
                http.send(
                                java.net.http.HttpRequest.newBuilder(
                                                java.net.URI.create(
                                                        es.httpUrl()
                                                                + "/"
                                                                + index
                                                                + "/_search?size=100"))
                                        .build(),
                                java.net.http.HttpResponse.BodyHandlers.ofString())
                        .body();
        List<String> ids = new ArrayList<>();
        for (JsonNode hit : new ObjectMapper().readTree(body).path("hits").path("hits")) {
            ids.add(hit.get("_id").asText());
        }
        return ids;
    }

    private static String alertId(String message) {
        try {
            return new ObjectMapper().readTree(message).get("alertId").asText();
        } catch (java.io.IOException e) {
            throw new IllegalStateException("not an alert: " + message, e);
        }
    }

    private static EitherTypeInfo<DeadLetter, KafkaChange> changes() {
        return new EitherTypeInfo<>(
                TypeInformation.of(DeadLetter.class), TypeInformation.of(KafkaChange.class));
    }

    /** The scenario's orders (failing once at {@link #FAIL_AT}) or rules. */
    static final class Replay implements GeneratorFunction<Long, Either<DeadLetter, KafkaChange>> {
        private final boolean orders;

        Replay(boolean orders) {
            this.orders = orders;
        }

        @Override
        public Either<DeadLetter, KafkaChange> map(Long index) {
            if (orders && index == FAIL_AT && FAILED.compareAndSet(false, true)) {
                throw new IllegalStateException("injected failure at order change " + index);
            }
            return Either.Right((orders ? ORDERS : RULES).get(index.intValue()));
        }
    }
}
