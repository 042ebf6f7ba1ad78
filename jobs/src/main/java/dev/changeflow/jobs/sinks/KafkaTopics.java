package dev.changeflow.jobs.sinks;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Creates a job's topics before it starts, so they get the partitions, replication and cleanup
 * policy the user chose instead of the broker's auto-creation defaults. Existing topics are left as
 * they are.
 */
public final class KafkaTopics {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaTopics.class);

    /**
     * How to create topics.
     *
     * @param partitions partitions per topic
     * @param replicationFactor replicas per partition, or -1 for the broker's default
     * @param cleanupPolicy {@code delete} or {@code compact}
     */
    public record Settings(int partitions, short replicationFactor, String cleanupPolicy) {
        public Settings {
            if (partitions < 1) {
                throw new IllegalArgumentException("topic partitions must be >= 1: " + partitions);
            }
            if (!Set.of(TopicConfig.CLEANUP_POLICY_DELETE, TopicConfig.CLEANUP_POLICY_COMPACT)
                    .contains(cleanupPolicy)) {
                throw new IllegalArgumentException(
                        "topic cleanup policy must be 'delete' or 'compact': " + cleanupPolicy);
            }
        }
    }

    private KafkaTopics() {}

    /**
     * Creates those of {@code topics} that do not exist yet.
     *
     * @return the topics that were created
     * @throws IllegalStateException if the broker cannot be reached or refuses, naming the reason
     */
    public static List<String> ensure(
            String bootstrapServers, Collection<String> topics, Settings settings) {
        List<NewTopic> wanted = new ArrayList<>();
        for (String topic : topics) {
            wanted.add(
                    new NewTopic(
                                    topic,
                                    Optional.of(settings.partitions()),
                                    Optional.of(settings.replicationFactor()).filter(r -> r > 0))
                            .configs(
                                    Map.of(
                                            TopicConfig.CLEANUP_POLICY_CONFIG,
                                            settings.cleanupPolicy())));
        }
        List<String> created = new ArrayList<>();
        try (Admin admin =
                Admin.create(
                        Map.of(
                                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                                bootstrapServers,
                                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                                30_000))) {
            var results = admin.createTopics(wanted).values();
            for (var entry : results.entrySet()) {
                try {
                    entry.getValue().get(60, TimeUnit.SECONDS);
                    created.add(entry.getKey());
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException(
                                "cannot create topic '"
                                        + entry.getKey()
                                        + "' on "
                                        + bootstrapServers
                                        + ": "
                                        + e.getCause().getMessage(),
                                e.getCause());
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        } catch (TimeoutException e) {
            throw new IllegalStateException(
                    "Kafka at " + bootstrapServers + " did not answer within 60 s", e);
        }
        if (!created.isEmpty()) {
            LOG.info("created topics {} with {}", created, settings);
        }
        return created;
    }
}
