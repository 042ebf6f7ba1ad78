package dev.changeflow.cli.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Follows the demo's topics the way a read_committed consumer sees them: one consumer per topic,
 * kept open, that reads on from where it stopped each time it is asked (the demo asks often while
 * it waits, so re-reading whole topics would load the machine it is measuring).
 */
final class Topics implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration CATCH_UP_TIMEOUT = Duration.ofSeconds(60);

    private final String bootstrapServers;
    private final Map<String, Tail> tails = new HashMap<>();

    Topics(String bootstrapServers) {
        this.bootstrapServers = bootstrapServers;
    }

    /** How many committed records with a value {@code topic} holds now. */
    long count(String topic) {
        return tail(topic).catchUp().values;
    }

    /**
     * Per partition, the offset after the last committed record (tombstones included), i.e. where a
     * consumer that has read everything stands. Transaction markers after the last record are not
     * counted: Flink's Kafka source commits the offset after the last record it emitted.
     */
    Map<Integer, Long> endOfRecords(String topic) {
        return new HashMap<>(tail(topic).catchUp().endOfRecords);
    }

    /** The latest JSON value per record key. */
    Map<String, JsonNode> latestByKey(String topic) throws IOException {
        Map<String, JsonNode> latest = new LinkedHashMap<>();
        for (var entry : tail(topic).catchUp().latestByKey.entrySet()) {
            latest.put(entry.getKey(), JSON.readTree(entry.getValue()));
        }
        return latest;
    }

    private Tail tail(String topic) {
        return tails.computeIfAbsent(topic, Tail::new);
    }

    @Override
    public void close() {
        tails.values().forEach(tail -> tail.consumer.close());
    }

    /** One topic, read up to its last stable offset on every {@link #catchUp()}. */
    private final class Tail {
        private final String topic;
        private final KafkaConsumer<byte[], byte[]> consumer;
        private final List<TopicPartition> partitions = new ArrayList<>();
        private final Map<Integer, Long> endOfRecords = new HashMap<>();
        private final Map<String, byte[]> latestByKey = new LinkedHashMap<>();
        private long values;

        Tail(String topic) {
            this.topic = topic;
            consumer =
                    new KafkaConsumer<>(
                            Map.of(
                                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                                    bootstrapServers,
                                    ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                                    "read_committed",
                                    ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                                    "false"),
                            new ByteArrayDeserializer(),
                            new ByteArrayDeserializer());
        }

        Tail catchUp() {
            if (partitions.isEmpty()) {
                List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(10));
                if (infos == null || infos.isEmpty()) {
                    return this;
                }
                for (PartitionInfo info : infos) {
                    partitions.add(new TopicPartition(topic, info.partition()));
                }
                consumer.assign(partitions);
                consumer.seekToBeginning(partitions);
            }
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + CATCH_UP_TIMEOUT.toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            "could not read " + topic + " to its end within " + CATCH_UP_TIMEOUT);
                }
                for (ConsumerRecord<byte[], byte[]> record :
                        consumer.poll(Duration.ofMillis(200))) {
                    endOfRecords.merge(record.partition(), record.offset() + 1, Math::max);
                    if (record.value() != null) {
                        values++;
                        if (record.key() != null) {
                            latestByKey.put(
                                    new String(record.key(), StandardCharsets.UTF_8),
                                    record.value());
                        }
                    }
                }
            }
            return this;
        }
    }
}
