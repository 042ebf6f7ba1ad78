package dev.changeflow.jobs.ingest;

import dev.changeflow.jobs.MiniClusters;
import dev.changeflow.jobs.sinks.ChangeTopics;
import dev.changeflow.jobs.sinks.KafkaSinks;
import dev.changeflow.localstack.Service;
import dev.changeflow.localstack.junit.LocalStackTest;
import dev.changeflow.localstack.server.KafkaServer;
import dev.changeflow.schemas.ChangeEvent;
import dev.changeflow.schemas.ChangeEventJson;
import dev.changeflow.schemas.Connector;
import dev.changeflow.schemas.Op;
import dev.changeflow.schemas.Positions;
import dev.changeflow.schemas.PrimaryKeyResolver;
import dev.changeflow.schemas.SourceInfo;

import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The ingest job's Kafka side is exactly-once: the job fails mid-stream, after several checkpoints
 * and with a Kafka transaction open, restarts from its last checkpoint, and a {@code
 * read_committed} consumer still sees every change once, in order per key.
 */
@LocalStackTest(services = Service.KAFKA)
class IngestJobIT {

    @RegisterExtension static final MiniClusterExtension FLINK = MiniClusters.withSlots(2);

    private static final int CHANGES = 1_200;
    private static final int KEYS = 40;
    private static final int FAIL_AT = 700;
    private static final AtomicBoolean FAILED = new AtomicBoolean();

    @Test
    void failureMidStreamLosesNothingAndDuplicatesNothing(KafkaServer kafka) throws Exception {
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(200));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(1);
        env.enableCheckpointing(200);

        DataGeneratorSource<ChangeEvent> source =
                new DataGeneratorSource<>(
                        new FailingOnceChanges(),
                        CHANGES,
                        RateLimiterStrategy.perSecond(600),
                        dev.changeflow.schemas.ChangeEventTypeInfo.INSTANCE);
        new IngestJob(
                        source,
                        KafkaSinks.changeEvents(
                                kafka.bootstrapServers(),
                                ChangeTopics.DEFAULT_PREFIX,
                                PrimaryKeyResolver.fixed(List.of("id")),
                                DeliveryGuarantee.EXACTLY_ONCE,
                                "ingest-it"))
                .build(env);
        env.execute("ingest-it");

        assertThat(FAILED).as("the job failed mid-stream").isTrue();
        List<ChangeEvent> seen = read(kafka, "cdc.shop.public.orders", "read_committed", CHANGES);
        assertThat(seen).hasSize(CHANGES);
        List<Long> positions = new ArrayList<>();
        Map<Object, Long> lastPerKey = new HashMap<>();
        for (ChangeEvent event : seen) {
            long position = Long.parseLong(event.source().position());
            positions.add(position);
            Long previous = lastPerKey.put(event.row().get("id"), position);
            assertThat(previous == null || previous < position)
                    .as("order per key at position %d", position)
                    .isTrue();
        }
        assertThat(positions).doesNotHaveDuplicates().hasSize(CHANGES);
        assertThat(seen.stream().filter(e -> e.op() == Op.CREATE)).hasSize(KEYS);
    }

    /** Change {@code i}: key {@code i % KEYS}, created first, then updated; fails once. */
    static final class FailingOnceChanges implements GeneratorFunction<Long, ChangeEvent> {
        @Override
        public ChangeEvent map(Long index) {
            if (index == FAIL_AT && FAILED.compareAndSet(false, true)) {
                throw new IllegalStateException("injected failure at change " + index);
            }
            long i = index;
            long key = i % KEYS;
            long version = i / KEYS;
            SourceInfo source =
                    SourceInfo.builder(Connector.LOG, "shop", "public", "orders")
                            .tsMs(1_700_000_000_000L + i)
                            .position(Positions.ofSequence(i))
                            .build();
            return version == 0
                    ? ChangeEvent.create(source, source.tsMs(), order(key, 0))
                    : ChangeEvent.update(
                            source, source.tsMs(), order(key, version - 1), order(key, version));
        }

        private static Map<String, Object> order(long id, long version) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("id", id);
            row.put("status", "v" + version);
            return row;
        }
    }

    static List<ChangeEvent> read(KafkaServer kafka, String topic, String isolation, int expected) {
        Map<String, Object> conf =
                Map.of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        kafka.bootstrapServers(),
                        ConsumerConfig.GROUP_ID_CONFIG,
                        "verify-" + topic,
                        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                        "earliest",
                        ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                        "read_committed");
        List<ChangeEvent> events = new ArrayList<>();
        try (var consumer =
                new KafkaConsumer<>(
                        conf, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.currentTimeMillis() + 60_000;
            long quietUntil = Long.MAX_VALUE;
            while (System.currentTimeMillis() < Math.min(deadline, quietUntil)) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    events.add(ChangeEventJson.fromBytes(r.value()));
                }
                if (events.size() >= expected && quietUntil == Long.MAX_VALUE) {
                    // keep reading a moment: duplicates would show up here
                    quietUntil = System.currentTimeMillis() + 2_000;
                }
            }
        }
        return events;
    }
}
