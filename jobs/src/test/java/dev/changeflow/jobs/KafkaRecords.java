package dev.changeflow.jobs;

import dev.changeflow.localstack.server.KafkaServer;

import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Reads what jobs wrote to Kafka, the way a downstream consumer would. */
public final class KafkaRecords {

    private KafkaRecords() {}

    /**
     * Every record committed to {@code topic} up to now: reads with {@code read_committed} from the
     * beginning until each partition's position reaches its last stable offset.
     */
    public static List<ConsumerRecord<byte[], byte[]>> readCommittedToEnd(
            KafkaServer kafka, String topic) {
        return kafka.readToEnd(topic, "read_committed");
    }

    /**
     * Every record of {@code topic}, committed, aborted or open ({@code read_uncommitted}), up to
     * the end offsets of now.
     */
    public static List<ConsumerRecord<byte[], byte[]>> readUncommittedToEnd(
            KafkaServer kafka, String topic) {
        return kafka.readToEnd(topic, "read_uncommitted");
    }

    /**
     * What a consumer reads from {@code topic} later: every committed record up to the end offsets
     * of now, read again after the broker's retention pass (which deletes records stamped with an
     * old time, {@link KafkaServer#awaitRetentionPass}); the two reads must be the same, and every
     * record must carry the time it was written, between {@code writtenFrom} and now.
     */
    public static List<ConsumerRecord<byte[], byte[]>> readCommittedAfterRetention(
            KafkaServer kafka, String topic, long writtenFrom) {
        List<ConsumerRecord<byte[], byte[]>> before = readCommittedToEnd(kafka, topic);
        kafka.awaitRetentionPass(Duration.ofSeconds(60));
        List<ConsumerRecord<byte[], byte[]>> after = readCommittedToEnd(kafka, topic);
        assertThat(after.stream().map(KafkaRecords::describe))
                .as("%s read again after the broker's retention pass", topic)
                .containsExactlyElementsOf(before.stream().map(KafkaRecords::describe).toList());
        assertWrittenBetween(after, writtenFrom, System.currentTimeMillis());
        return after;
    }

    /** Every record's Kafka timestamp lies between {@code from} and {@code to} (epoch ms). */
    public static void assertWrittenBetween(
            List<ConsumerRecord<byte[], byte[]>> records, long from, long to) {
        assertThat(records)
                .allSatisfy(
                        r ->
                                assertThat(r.timestamp())
                                        .as(
                                                "Kafka timestamp of %s-%d@%d (%s)",
                                                r.topic(),
                                                r.partition(),
                                                r.offset(),
                                                r.timestampType())
                                        .isBetween(from, to));
    }

    private static String describe(ConsumerRecord<byte[], byte[]> r) {
        return r.partition()
                + "@"
                + r.offset()
                + " "
                + (r.key() == null ? "null" : new String(r.key(), StandardCharsets.UTF_8))
                + "="
                + (r.value() == null ? "null" : new String(r.value(), StandardCharsets.UTF_8));
    }
}
