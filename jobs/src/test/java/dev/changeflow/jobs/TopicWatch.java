package dev.changeflow.jobs;

import dev.changeflow.localstack.server.KafkaServer;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.awaitility.Awaitility.await;

/**
 * Follows a topic as two consumers see it while a job writes: one {@code read_committed}, one
 * {@code read_uncommitted}. Counts are of records (transaction markers are never records), so
 * {@link #uncommitted()} is what a Kafka transaction has written but not yet committed (or, after a
 * failure, aborted): proof that a kill hit a job with changes in flight.
 */
public final class TopicWatch implements AutoCloseable {

    private final String topic;
    private final KafkaConsumer<byte[], byte[]> committed;
    private final KafkaConsumer<byte[], byte[]> uncommitted;
    private final List<ConsumerRecord<byte[], byte[]>> committedRecords = new ArrayList<>();
    private long uncommittedRecords;

    /** Waits (up to {@code timeout}) for the topic to exist, then follows it from the start. */
    public TopicWatch(KafkaServer kafka, String topic, Duration timeout) {
        this.topic = topic;
        this.committed = consumer(kafka, "read_committed");
        this.uncommitted = consumer(kafka, "read_uncommitted");
        List<TopicPartition> partitions = new ArrayList<>();
        await().atMost(timeout)
                .pollInterval(Duration.ofMillis(200))
                .until(
                        () -> {
                            List<PartitionInfo> infos =
                                    committed.partitionsFor(topic, Duration.ofSeconds(5));
                            return infos != null && !infos.isEmpty();
                        });
        for (PartitionInfo info : committed.partitionsFor(topic, Duration.ofSeconds(5))) {
            partitions.add(new TopicPartition(topic, info.partition()));
        }
        for (KafkaConsumer<byte[], byte[]> c : List.of(committed, uncommitted)) {
            c.assign(partitions);
            c.seekToBeginning(partitions);
        }
    }

    private static KafkaConsumer<byte[], byte[]> consumer(KafkaServer kafka, String isolation) {
        return new KafkaConsumer<>(
                Map.of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        kafka.bootstrapServers(),
                        ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                        isolation,
                        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                        false),
                new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
    }

    /** Reads what arrived since the last call. */
    public TopicWatch poll() {
        committed.poll(Duration.ofMillis(50)).forEach(committedRecords::add);
        uncommittedRecords += uncommitted.poll(Duration.ofMillis(50)).count();
        return this;
    }

    public String topic() {
        return topic;
    }

    /** The committed records seen so far, per partition in offset order. */
    public List<ConsumerRecord<byte[], byte[]>> committedRecords() {
        return committedRecords;
    }

    /** How many committed records were seen so far. */
    public long committedCount() {
        return committedRecords.size();
    }

    /** Records written by a transaction that is still open (or was aborted). */
    public long uncommitted() {
        return uncommittedRecords - committedCount();
    }

    @Override
    public void close() {
        committed.close();
        uncommitted.close();
    }
}
