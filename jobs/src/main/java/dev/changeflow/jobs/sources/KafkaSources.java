package dev.changeflow.jobs.sources;

import dev.changeflow.schemas.DeadLetter;

import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.types.Either;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The Kafka sources of Changeflow's jobs, built one way. */
public final class KafkaSources {

    private KafkaSources() {}

    /**
     * Change topics written by the ingest job, read committed only, from the group's committed
     * offsets (the earliest offset for a new group). Records that are not change events come out as
     * dead letters (left).
     *
     * @param job the job's name, written into dead letters
     */
    public static KafkaSource<Either<DeadLetter, KafkaChange>> changes(
            String bootstrapServers, List<String> topics, String groupId, String job) {
        return KafkaSource.<Either<DeadLetter, KafkaChange>>builder()
                .setBootstrapServers(bootstrapServers)
                .setTopics(topics)
                .setGroupId(groupId)
                .setStartingOffsets(
                        OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
                .setProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed")
                .setProperty("commit.offsets.on.checkpoint", "true")
                .setDeserializer(new ChangeTopicDeserializer(job))
                .build();
    }

    /**
     * How many partitions {@code topic} has now, or 0 when that cannot be told (no such topic yet,
     * the broker not reachable within 10 s).
     */
    public static int partitions(String bootstrapServers, String topic) {
        try (Admin admin =
                Admin.create(
                        Map.of(
                                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                                bootstrapServers,
                                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
                                10_000,
                                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                                10_000))) {
            return admin.describeTopics(List.of(topic))
                    .allTopicNames()
                    .get(10, TimeUnit.SECONDS)
                    .get(topic)
                    .partitions()
                    .size();
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return 0;
        }
    }
}
