package dev.changeflow.jobs.sources;

import dev.changeflow.schemas.DeadLetter;

import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.types.Either;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

import java.util.List;

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
}
