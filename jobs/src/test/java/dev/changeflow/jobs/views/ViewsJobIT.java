package dev.changeflow.jobs.views;

import dev.changeflow.jobs.KafkaRecords;
import dev.changeflow.jobs.MiniClusters;
import dev.changeflow.jobs.TopicWatch;
import dev.changeflow.jobs.sinks.KafkaSinks;
import dev.changeflow.jobs.sinks.RedisViewSink;
import dev.changeflow.jobs.sources.KafkaChange;
import dev.changeflow.localstack.Service;
import dev.changeflow.localstack.junit.LocalStackTest;
import dev.changeflow.localstack.server.KafkaServer;
import dev.changeflow.localstack.server.RedisServer;
import dev.changeflow.schemas.ChangeEvent;
import dev.changeflow.schemas.ChangeEventJson;
import dev.changeflow.schemas.Connector;
import dev.changeflow.schemas.DeadLetter;
import dev.changeflow.schemas.DeadLetterJson;
import dev.changeflow.schemas.Positions;
import dev.changeflow.schemas.SourceInfo;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.api.java.typeutils.EitherTypeInfo;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Either;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The views job keeps Redis equal to the latest change per row: through a failure mid-stream (the
 * replay after restart re-applies changes), stale changes that arrive late, and deletes that must
 * not be undone by older replays; every changed key is published for cache invalidation, and
 * changes without a key go to the dead letters.
 */
@LocalStackTest(services = {Service.REDIS, Service.KAFKA})
class ViewsJobIT {

    @RegisterExtension static final MiniClusterExtension FLINK = MiniClusters.withSlots(2);

    private static final int CHANGES = 1_500;
    private static final int KEYS = 30;
    private static final int FAIL_AT = 900;
    private static final AtomicBoolean FAILED = new AtomicBoolean();

    @Test
    void redisHoldsTheLatestChangePerRowAfterFailureAndReplays(RedisServer redis, KafkaServer kafka)
            throws Exception {
        RedisClient client = RedisClient.create(redis.uri());
        RedisCommands<String, String> sync = client.connect().sync();
        sync.flushall();
        Set<String> invalidated = ConcurrentHashMap.newKeySet();
        StatefulRedisPubSubConnection<String, String> pubsub = client.connectPubSub();
        pubsub.addListener(
                new RedisPubSubAdapter<>() {
                    @Override
                    public void message(String channel, String message) {
                        invalidated.add(message);
                    }
                });
        pubsub.sync().subscribe("it-invalidations");

        long start = System.currentTimeMillis();
        StreamExecutionEnvironment env = MiniClusters.restartingEnvironment(1);
        new ViewsJob(
                        new DataGeneratorSource<>(
                                new CustomerChanges(),
                                CHANGES,
                                RateLimiterStrategy.perSecond(800),
                                new EitherTypeInfo<>(
                                        TypeInformation.of(DeadLetter.class),
                                        TypeInformation.of(KafkaChange.class))),
                        new RedisViewSink(redis.uri(), Duration.ofHours(1), "it-invalidations"),
                        KafkaSinks.deadLetters(
                                kafka.bootstrapServers(),
                                "views-it.dead-letters",
                                DeliveryGuarantee.EXACTLY_ONCE,
                                "views-it-dead-letters"),
                        "view")
                .build(env);
        env.execute("views-it");
        assertThat(FAILED).as("the job failed mid-stream").isTrue();

        // the latest applicable change per row: stale replays and keyless changes do not apply
        Map<String, Map<String, String>> expected = new HashMap<>();
        Map<String, String> markers = new HashMap<>();
        for (long i = 0; i < CHANGES; i++) {
            ChangeEvent event = CustomerChanges.change(i);
            if (CustomerChanges.isStaleReplay(i) || i % 500 == 499) {
                continue;
            }
            String key = "view:customers:{" + (i % KEYS) + "}";
            if (event.after() == null) {
                expected.remove(key);
                markers.put(key + ":deleted", event.source().position());
            } else {
                markers.remove(key + ":deleted");
                Map<String, String> hash = new HashMap<>();
                hash.put("_position", event.source().position());
                hash.put("_op", event.op().code());
                hash.put("_ts_ms", Long.toString(event.source().tsMs()));
                hash.put("id", Long.toString(i % KEYS));
                hash.put("name", (String) event.after().get("name"));
                if (event.after().get("tier") != null) {
                    hash.put("tier", event.after().get("tier").toString());
                }
                expected.put(key, hash);
            }
        }
        Map<String, Map<String, String>> actual = new HashMap<>();
        Map<String, String> actualMarkers = new HashMap<>();
        for (String key : sync.keys("view:customers:{*")) {
            if (key.endsWith(":deleted")) {
                actualMarkers.put(key, sync.get(key));
                assertThat(sync.ttl(key)).as("%s expires", key).isPositive();
            } else {
                actual.put(key, sync.hgetall(key));
            }
        }
        assertThat(actual).isEqualTo(expected);
        assertThat(expected).hasSizeLessThan(KEYS); // some rows end deleted
        assertThat(actualMarkers)
                .as("a marker with the delete's position for each row that ends deleted, no other")
                .isEqualTo(markers)
                .hasSize(KEYS - expected.size());
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(invalidated).containsAll(expected.keySet()));

        var letters =
                KafkaRecords.readCommittedAfterRetention(kafka, "views-it.dead-letters", start);
        assertThat(letters).hasSize(CHANGES / 500);
        assertThat(letters)
                .allSatisfy(
                        l ->
                                assertThat(DeadLetterJson.fromBytes(l.value()).reason())
                                        .contains("primary key"));
        pubsub.close();
        client.shutdown();
    }

    @Test
    void readsChangeTopicsAndSendsGarbageToTheDeadLetters(RedisServer redis, KafkaServer kafka)
            throws Exception {
        String topic = "views-it.shop.public.products";
        try (var producer = kafka.producer()) {
            for (int id = 1; id <= 3; id++) {
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
                                topic,
                                ("{\"id\":" + id + "}").getBytes(StandardCharsets.UTF_8),
                                ChangeEventJson.toBytes(ChangeEvent.read(source, 1L, row))));
            }
            producer.send(
                    new ProducerRecord<>(
                            topic, null, "not an envelope".getBytes(StandardCharsets.UTF_8)));
        }
        Configuration options = new Configuration();
        options.setString("kafka.bootstrap-servers", kafka.bootstrapServers());
        options.setString("topics", topic);
        options.setString("group.id", "views-it");
        options.setString("redis.uri", redis.uri());
        options.setString("view.key-prefix", "pview");
        options.setString("dead-letter.topic", "views-it2.dead-letters");
        options.setString("execution.checkpointing.interval", "300 ms");
        long start = System.currentTimeMillis();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        JobClient job = env.executeAsync(ViewsJob.prepare(options, env));
        try {
            RedisCommands<String, String> sync = RedisClient.create(redis.uri()).connect().sync();
            await().atMost(Duration.ofSeconds(60))
                    .untilAsserted(
                            () ->
                                    assertThat(sync.hget("pview:products:{3}", "title"))
                                            .isEqualTo("product 3"));
            try (TopicWatch watch =
                    new TopicWatch(kafka, "views-it2.dead-letters", Duration.ofSeconds(60))) {
                await().atMost(Duration.ofSeconds(60))
                        .until(() -> watch.poll().committedCount() >= 1);
            }
        } finally {
            job.cancel().get();
        }
        // the job is gone: what the topic holds now is all it will hold
        List<ConsumerRecord<byte[], byte[]>> letters =
                KafkaRecords.readCommittedAfterRetention(kafka, "views-it2.dead-letters", start);
        assertThat(letters).hasSize(1);
        DeadLetter letter = DeadLetterJson.fromBytes(letters.get(0).value());
        assertThat(letter.origin()).isEqualTo("kafka:" + topic);
        assertThat(letter.payloadText()).isEqualTo("not an envelope");
    }

    /**
     * Change {@code i} of customer {@code i % KEYS}: created, renamed, every 7th version deleted
     * and re-created; every 50th change replays an older one (stale, must be skipped); every 500th
     * has no key (a dead letter). Fails once.
     */
    static final class CustomerChanges
            implements GeneratorFunction<Long, Either<DeadLetter, KafkaChange>> {

        static boolean isStaleReplay(long i) {
            return i >= KEYS * 2 && i % 50 == 0;
        }

        /** The change at {@code i}: for a stale replay, the change two versions older. */
        static ChangeEvent change(long i) {
            long source = isStaleReplay(i) ? i - 2 * KEYS : i;
            long version = source / KEYS;
            SourceInfo info =
                    SourceInfo.builder(Connector.LOG, "shop", "public", "customers")
                            .tsMs(1_700_000_000_000L + source)
                            .position(Positions.ofSequence(source))
                            .build();
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("id", source % KEYS);
            row.put("name", "customer-" + (source % KEYS) + "-v" + version);
            row.put("tier", version % 3 == 0 ? null : version % 3);
            if (version == 0) {
                return ChangeEvent.create(info, info.tsMs(), row);
            }
            if (version % 7 == 0) {
                return ChangeEvent.delete(info, info.tsMs(), row);
            }
            return version % 7 == 1
                    ? ChangeEvent.create(info, info.tsMs(), row)
                    : ChangeEvent.update(info, info.tsMs(), row, row);
        }

        @Override
        public Either<DeadLetter, KafkaChange> map(Long index) {
            if (index == FAIL_AT && FAILED.compareAndSet(false, true)) {
                throw new IllegalStateException("injected failure at change " + index);
            }
            ChangeEvent event = change(index);
            boolean keyless = index % 500 == 499;
            return Either.Right(
                    new KafkaChange(keyless ? null : "{\"id\":" + (index % KEYS) + "}", event));
        }
    }
}
