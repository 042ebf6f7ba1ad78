package dev.changeflow.jobs.ingest;

import dev.changeflow.jobs.KafkaRecords;
import dev.changeflow.jobs.MiniClusters;
import dev.changeflow.jobs.sinks.ChangeTopics;
import dev.changeflow.jobs.sinks.KafkaSinks;
import dev.changeflow.localstack.Service;
import dev.changeflow.localstack.junit.LocalStackTest;
import dev.changeflow.localstack.server.KafkaServer;
import dev.changeflow.schemas.ChangeEvent;
import dev.changeflow.schemas.ChangeEventJson;
import dev.changeflow.schemas.ChangeEventTypeInfo;
import dev.changeflow.schemas.Connector;
import dev.changeflow.schemas.DeadLetter;
import dev.changeflow.schemas.DeadLetterJson;
import dev.changeflow.schemas.Op;
import dev.changeflow.schemas.Positions;
import dev.changeflow.schemas.PrimaryKeyResolver;
import dev.changeflow.schemas.SourceInfo;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.api.java.typeutils.EitherTypeInfo;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Either;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The ingest job's Kafka side is exactly-once: the job fails mid-stream, after several checkpoints
 * and with Kafka transactions open, restarts from its last checkpoint, and a {@code read_committed}
 * consumer still sees every change and every dead letter once, changes in order per key, at exactly
 * the expected positions. The failure is injected while the broker holds records of an open
 * transaction (they are aborted, or committed on recovery when their checkpoint had completed).
 */
@LocalStackTest(services = Service.KAFKA)
class IngestJobIT {

    @RegisterExtension static final MiniClusterExtension FLINK = MiniClusters.withSlots(2);

    private static final int INPUTS = 1_200;
    private static final int KEYS = 40;
    private static final int FAIL_AT = 700;

    /** Every 100th input is a row the source could not convert. */
    private static final int DEAD_EVERY = 100;

    private static final int DEAD_LETTERS = INPUTS / DEAD_EVERY;
    private static final int CHANGES = INPUTS - DEAD_LETTERS;
    private static final AtomicBoolean FAILED = new AtomicBoolean();

    /** The broker, for the failing source to look at (the MiniCluster runs in this JVM). */
    private static volatile KafkaServer KAFKA;

    @Test
    void failureMidStreamLosesNothingAndDuplicatesNothing(KafkaServer kafka) throws Exception {
        long start = System.currentTimeMillis();
        KAFKA = kafka;
        StreamExecutionEnvironment env = MiniClusters.restartingEnvironment(1);

        DataGeneratorSource<Either<DeadLetter, ChangeEvent>> source =
                new DataGeneratorSource<>(
                        new FailingOnceChanges(),
                        INPUTS,
                        RateLimiterStrategy.perSecond(600),
                        new EitherTypeInfo<>(
                                TypeInformation.of(DeadLetter.class),
                                ChangeEventTypeInfo.INSTANCE));
        new IngestJob(
                        source,
                        KafkaSinks.changes(
                                kafka.bootstrapServers(),
                                ChangeTopics.DEFAULT_PREFIX,
                                PrimaryKeyResolver.fixed(List.of("id")),
                                DeliveryGuarantee.EXACTLY_ONCE,
                                "ingest-it-changes"),
                        KafkaSinks.deadLetters(
                                kafka.bootstrapServers(),
                                "cdc.dead-letters",
                                DeliveryGuarantee.EXACTLY_ONCE,
                                "ingest-it-dead-letters"),
                        false)
                .build(env);
        env.execute("ingest-it");

        assertThat(FAILED).as("the job failed mid-stream").isTrue();
        List<ChangeEvent> seen = new ArrayList<>();
        // the job has finished; its changes happened in 2023 (source.ts_ms): they must still be
        // there after the broker's retention pass
        for (var record :
                KafkaRecords.readCommittedAfterRetention(kafka, "cdc.shop.public.orders", start)) {
            seen.add(ChangeEventJson.fromBytes(record.value()));
        }
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
        List<Long> expectedPositions = new ArrayList<>();
        for (long i = 0; i < INPUTS; i++) {
            if (i % DEAD_EVERY != DEAD_EVERY - 1) {
                expectedPositions.add(i);
            }
        }
        assertThat(positions).containsExactlyInAnyOrderElementsOf(expectedPositions);
        assertThat(seen.stream().filter(e -> e.op() == Op.CREATE)).hasSize(KEYS);

        List<ConsumerRecord<byte[], byte[]>> letters =
                KafkaRecords.readCommittedAfterRetention(kafka, "cdc.dead-letters", start);
        assertThat(letters).hasSize(DEAD_LETTERS);
        List<String> deadPositions = new ArrayList<>();
        for (var record : letters) {
            DeadLetter letter = DeadLetterJson.fromBytes(record.value());
            assertThat(letter.reason()).startsWith("column 'amount'");
            assertThat(letter.origin()).isEqualTo("log:shop.public.orders");
            assertThat(new String(record.key(), StandardCharsets.UTF_8))
                    .isEqualTo("log:shop.public.orders");
            deadPositions.add(letter.position());
        }
        assertThat(deadPositions).doesNotHaveDuplicates();

        int uncommitted = KafkaRecords.readUncommittedToEnd(kafka, "cdc.shop.public.orders").size();
        // the records in flight at the failure were aborted, or committed on recovery when their
        // checkpoint had completed just before it; the exact positions above prove no loss or twin
        assertThat(uncommitted)
                .as("read_uncommitted holds every committed record")
                .isGreaterThanOrEqualTo(CHANGES);
    }

    /**
     * Input {@code i}: a dead letter every {@value #DEAD_EVERY}; otherwise key {@code i % KEYS},
     * created first, then updated. Fails once.
     */
    static final class FailingOnceChanges
            implements GeneratorFunction<Long, Either<DeadLetter, ChangeEvent>> {
        @Override
        public Either<DeadLetter, ChangeEvent> map(Long index) {
            if (index == FAIL_AT && FAILED.compareAndSet(false, true)) {
                awaitOpenTransactionOnTheBroker();
                throw new IllegalStateException("injected failure at input " + index);
            }
            long i = index;
            SourceInfo source =
                    SourceInfo.builder(Connector.LOG, "shop", "public", "orders")
                            .tsMs(1_700_000_000_000L + i)
                            .position(Positions.ofSequence(i))
                            .build();
            if (i % DEAD_EVERY == DEAD_EVERY - 1) {
                return Either.Left(
                        new DeadLetter(
                                "column 'amount': not a number",
                                "ingest",
                                "log:shop.public.orders",
                                source.position(),
                                ("{\"id\":" + i + "}").getBytes(StandardCharsets.UTF_8),
                                source.tsMs()));
            }
            long key = i % KEYS;
            long version = i / KEYS;
            return Either.Right(
                    version == 0
                            ? ChangeEvent.create(source, source.tsMs(), order(key, 0))
                            : ChangeEvent.update(
                                    source,
                                    source.tsMs(),
                                    order(key, version - 1),
                                    order(key, version)));
        }

        /**
         * Holds the source (so no checkpoint commits meanwhile) until the broker holds records of
         * the open transaction: the failure then provably hits changes written but not committed.
         */
        private static void awaitOpenTransactionOnTheBroker() {
            String topic = "cdc.shop.public.orders";
            try {
                org.awaitility.Awaitility.await()
                        .atMost(java.time.Duration.ofSeconds(20))
                        .pollInterval(java.time.Duration.ofMillis(20))
                        .until(
                                () ->
                                        KafkaRecords.readUncommittedToEnd(KAFKA, topic).size()
                                                > KafkaRecords.readCommittedToEnd(KAFKA, topic)
                                                        .size());
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                // the failure then hits an idle transaction; the counts below still hold
            }
        }

        private static Map<String, Object> order(long id, long version) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("id", id);
            row.put("status", "v" + version);
            return row;
        }
    }
}
