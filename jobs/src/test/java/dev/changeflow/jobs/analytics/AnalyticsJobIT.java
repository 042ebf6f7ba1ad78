package dev.changeflow.jobs.analytics;

import dev.changeflow.jobs.KafkaRecords;
import dev.changeflow.jobs.MiniClusters;
import dev.changeflow.jobs.sinks.KafkaSinks;
import dev.changeflow.jobs.sources.KafkaChange;
import dev.changeflow.localstack.Service;
import dev.changeflow.localstack.junit.LocalStackTest;
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
import io.lettuce.core.api.sync.RedisCommands;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;

import static dev.changeflow.jobs.analytics.Orders.T0;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The analytics job end to end on a MiniCluster with real Redis views and Kafka: orders arrive a
 * little out of order, some are paid, corrected, cancelled or deleted later, one is far too late,
 * one is broken, most go to one hot product, and the job fails once mid-stream. The window results
 * in Kafka (read committed, after the broker's retention pass) hold every revision of every window
 * once and in order, and their latest per window id equals the totals computed here from the
 * orders' final state; the late order and the broken record are kept on their topics.
 */
@LocalStackTest(services = {Service.REDIS, Service.KAFKA})
class AnalyticsJobIT {

    @RegisterExtension static final MiniClusterExtension FLINK = MiniClusters.withSlots(2);

    private static final int ORDERS = 400;
    private static final long MINUTE = 60_000;
    private static final AtomicBoolean FAILED = new AtomicBoolean();

    /** The orders that count at the end (filled by {@link #input()}). */
    private static final List<Map<String, Object>> FINAL_STATE = new ArrayList<>();

    private static final List<KafkaChange> INPUT = input();
    private static final int FAIL_AT = INPUT.size() * 2 / 3;

    @Test
    void windowsEqualTheOrdersFinalStateDespiteRetractionsLatenessAndAFailure(
            RedisServer redis, KafkaServer kafka) throws Exception {
        RedisCommands<String, String> views = RedisClient.create(redis.uri()).connect().sync();
        for (long product = 1; product <= 5; product++) {
            views.hset("aview:products:{" + product + "}", "category", category(product));
        }
        for (long customer = 1; customer <= 10; customer++) {
            views.hset("aview:customers:{" + customer + "}", "region", region(customer));
        }

        long start = System.currentTimeMillis();
        StreamExecutionEnvironment env = MiniClusters.restartingEnvironment(2);
        env.getConfig().setAutoWatermarkInterval(50);
        String bootstrap = kafka.bootstrapServers();
        new AnalyticsJob(
                        new DataGeneratorSource<>(
                                new Replay(),
                                INPUT.size(),
                                RateLimiterStrategy.perSecond(250),
                                new EitherTypeInfo<>(
                                        TypeInformation.of(DeadLetter.class),
                                        TypeInformation.of(KafkaChange.class))),
                        new RedisEnrichment(
                                new RedisEnrichment.Settings(
                                        redis.uri(),
                                        "aview",
                                        Duration.ofSeconds(10),
                                        1_000,
                                        3,
                                        Duration.ofMillis(50),
                                        Duration.ofSeconds(1))),
                        List.of(),
                        List.of(
                                AnalyticsJob.Output.of(
                                        "windows-kafka-sink",
                                        KafkaSinks.json(
                                                bootstrap,
                                                "it.windows",
                                                WindowResult::id,
                                                DeliveryGuarantee.EXACTLY_ONCE,
                                                "analytics-it-windows"))),
                        KafkaSinks.json(
                                bootstrap,
                                "it.late-orders",
                                late -> late.dimension() + ":" + late.order().orderId(),
                                DeliveryGuarantee.EXACTLY_ONCE,
                                "analytics-it-late"),
                        KafkaSinks.deadLetters(
                                bootstrap,
                                "it.analytics.dead-letters",
                                DeliveryGuarantee.EXACTLY_ONCE,
                                "analytics-it-dead-letters"),
                        new AnalyticsJob.Settings(
                                Duration.ofSeconds(5),
                                Duration.ofSeconds(30),
                                Duration.ofMinutes(2),
                                4,
                                Duration.ofSeconds(5),
                                50))
                .build(env);
        env.execute("analytics-it");
        assertThat(FAILED).as("the job failed mid-stream").isTrue();

        // the job has finished: every topic is read to its committed end, after retention
        Map<String, long[]> expected = expectedWindows();
        ObjectMapper json = new ObjectMapper();
        Map<String, long[]> actual = new TreeMap<>();
        Map<String, List<Long>> revisions = new TreeMap<>();
        for (ConsumerRecord<byte[], byte[]> record :
                KafkaRecords.readCommittedAfterRetention(kafka, "it.windows", start)) {
            JsonNode result = json.readTree(record.value());
            String id = new String(record.key());
            assertThat(id).isEqualTo(windowId(result));
            actual.put(
                    id,
                    new long[] {
                        result.get("orders").asLong(), result.get("revenueCents").asLong()
                    });
            revisions
                    .computeIfAbsent(id, k -> new ArrayList<>())
                    .add(result.get("revision").asLong());
        }
        // every emission of every window exactly once and in order: revisions 1, 2, ... n
        revisions.forEach(
                (id, seen) ->
                        assertThat(seen)
                                .as("revisions of window %s", id)
                                .isEqualTo(
                                        java.util.stream.LongStream.rangeClosed(1, seen.size())
                                                .boxed()
                                                .toList()));
        assertThat(revisions.values()).anyMatch(seen -> seen.size() > 1); // late re-emissions
        actual.values().removeIf(totals -> totals[0] == 0 && totals[1] == 0);
        assertThat(toText(actual)).isEqualTo(toText(expected));
        assertThat(actual.keySet()).anyMatch(id -> id.startsWith("category-1m:unknown:"));

        List<ConsumerRecord<byte[], byte[]>> late =
                KafkaRecords.readCommittedAfterRetention(kafka, "it.late-orders", start);
        assertThat(late)
                .extracting(r -> new String(r.key()))
                .containsExactlyInAnyOrder("category-1m:9999", "region-5m:9999");
        assertThat(
                        KafkaRecords.readCommittedAfterRetention(
                                kafka, "it.analytics.dead-letters", start))
                .hasSize(1);
    }

    private static String windowId(JsonNode result) {
        return result.get("dimension").asText()
                + ":"
                + result.get("key").asText()
                + ":"
                + result.get("windowStart").asLong();
    }

    private static String category(long product) {
        return product == 1 ? "books" : "category-" + product;
    }

    private static String region(long customer) {
        return "region-" + (customer % 3);
    }

    /**
     * The input: order i placed at T0 + 0.9 s * i by customer i%10+1, mostly product 1 (hot), every
     * 50th a product missing from the views; every 10th pair swapped (out of order); every 7th paid
     * 3 orders later, every 11th corrected, every 13th cancelled 30 orders later, every 17th
     * deleted 10 orders later; one broken record; one order far older than the lateness.
     */
    private static List<KafkaChange> input() {
        List<Map<String, Object>> placed = new ArrayList<>();
        Map<Integer, List<KafkaChange>> later = new HashMap<>();
        List<KafkaChange> input = new ArrayList<>();
        long position = 0;
        for (int i = 0; i < ORDERS; i++) {
            long product = i % 50 == 0 ? 6 : i % 10 < 7 ? 1 : i % 5 + 2;
            placed.add(
                    Orders.row(i, i % 10 + 1, product, (i % 20 + 1) + ".25", "new", T0 + 900L * i));
        }
        List<Map<String, Object>> original = new ArrayList<>(placed);
        for (int i = 0; i < ORDERS; i++) {
            int slot = i % 10 == 0 && i + 1 < ORDERS ? i + 1 : i % 10 == 1 ? i - 1 : i;
            input.add(Orders.create(++position, original.get(slot)));
            for (KafkaChange change : later.getOrDefault(i, List.of())) {
                input.add(change);
            }
            Map<String, Object> row = placed.get(i);
            if (i % 7 == 0) {
                Map<String, Object> paid = new java.util.LinkedHashMap<>(row);
                paid.put("status", "paid");
                later.computeIfAbsent(i + 3, k -> new ArrayList<>())
                        .add(Orders.update(0, row, paid));
                placed.set(i, paid);
                row = paid;
            }
            if (i % 11 == 0) {
                Map<String, Object> corrected = new java.util.LinkedHashMap<>(row);
                corrected.put("amount", new java.math.BigDecimal("99.99"));
                later.computeIfAbsent(i + 5, k -> new ArrayList<>())
                        .add(Orders.update(0, row, corrected));
                placed.set(i, corrected);
                row = corrected;
            }
            if (i % 13 == 0) {
                Map<String, Object> cancelled = new java.util.LinkedHashMap<>(row);
                cancelled.put("status", "cancelled");
                later.computeIfAbsent(i + 30, k -> new ArrayList<>())
                        .add(Orders.update(0, row, cancelled));
                placed.set(i, cancelled);
            } else if (i % 17 == 0) {
                later.computeIfAbsent(i + 10, k -> new ArrayList<>()).add(Orders.delete(0, row));
                placed.set(i, null);
            }
        }
        new TreeMap<>(later).tailMap(ORDERS).values().forEach(input::addAll);
        Map<String, Object> broken = Orders.row(5000, 1, 1, "1.00", "new", T0);
        broken.remove("amount");
        input.add(ORDERS / 2, Orders.create(0, broken));
        input.add(Orders.create(0, Orders.row(9999, 1, 1, "5.00", "new", T0 - 10 * MINUTE)));
        FINAL_STATE.clear();
        for (Map<String, Object> row : placed) {
            if (row != null && !"cancelled".equals(row.get("status"))) {
                FINAL_STATE.add(row);
            }
        }
        return input;
    }

    /** Window id -> {orders, revenue cents} from the orders' final state. */
    private static Map<String, long[]> expectedWindows() {
        Map<String, long[]> windows = new TreeMap<>();
        for (Map<String, Object> row : FINAL_STATE) {
            long product = (Long) row.get("product_id");
            long customer = (Long) row.get("customer_id");
            long cents =
                    ((java.math.BigDecimal) row.get("amount")).movePointRight(2).longValueExact();
            long time =
                    java.time.LocalDateTime.parse(
                                    ((String) row.get("created_at")).replace(' ', 'T'))
                            .toInstant(java.time.ZoneOffset.UTC)
                            .toEpochMilli();
            long minute = Math.floorDiv(time, MINUTE) * MINUTE;
            String category = product == 6 ? OrderEvent.UNKNOWN : category(product);
            add(windows, "category-1m:" + category + ":" + minute, cents);
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

    private static Map<String, String> toText(Map<String, long[]> windows) {
        Map<String, String> text = new TreeMap<>();
        windows.forEach((id, totals) -> text.put(id, totals[0] + " orders, " + totals[1]));
        return text;
    }

    /** Emits the input in order; fails once. */
    static final class Replay implements GeneratorFunction<Long, Either<DeadLetter, KafkaChange>> {
        @Override
        public Either<DeadLetter, KafkaChange> map(Long index) {
            if (index == FAIL_AT && FAILED.compareAndSet(false, true)) {
                throw new IllegalStateException("injected failure at input " + index);
            }
            return Either.Right(INPUT.get(index.intValue()));
        }
    }
}
