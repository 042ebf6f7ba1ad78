package dev.changeflow.localstack.server;

import dev.changeflow.localstack.ManagedServer;
import dev.changeflow.localstack.process.Ports;
import dev.changeflow.localstack.process.Processes;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A real Kafka broker in KRaft mode (combined broker and controller, no ZooKeeper), running in this
 * JVM. Transactions work with a single broker: the transaction log's replication factor is 1 and
 * {@code transaction.max.timeout.ms} is raised to one hour, the Flink KafkaSink's default.
 *
 * <p>Retention runs every second ({@code log.retention.check.interval.ms}), from a second after the
 * start: a record stamped with a time older than its topic's {@code retention.ms} (7 days by
 * default) is deleted here at once, as a production broker deletes it minutes later. {@link
 * #awaitRetentionPass} waits for a pass, so a test can read a topic after it. Tests also roll
 * segments within seconds ({@link #TEST_SEGMENTS}), so that a record sharing a segment with newer
 * ones is not shielded by them.
 */
public final class KafkaServer implements ManagedServer {

    /** Broker settings that make retention run every second, from a second after the start. */
    public static final Map<String, String> FAST_RETENTION =
            Map.of(
                    "log.retention.check.interval.ms", "1000",
                    "log.initial.task.delay.ms", "1000");

    /** Broker settings for tests: segments roll after 5 s or 1 MiB, so retention can act early. */
    public static final Map<String, String> TEST_SEGMENTS =
            Map.of("log.roll.ms", "5000", "log.segment.bytes", Integer.toString(1024 * 1024));

    private static final String CANARY_PREFIX = "changeflow.retention-canary.";

    private final Path dir;
    private final String externalBootstrap;
    private final int fixedPort;
    private final Map<String, String> brokerConfig = new LinkedHashMap<>(FAST_RETENTION);
    private KafkaRaftServer server;
    private String bootstrap;

    /** A broker started here, with its log dirs under {@code baseDir/kafka}, on a free port. */
    public KafkaServer(Path baseDir) {
        this(baseDir, 0);
    }

    /** A broker started here on {@code port} (0 picks a free one). */
    public KafkaServer(Path baseDir, int port) {
        this.dir = baseDir.resolve("kafka");
        this.externalBootstrap = null;
        this.fixedPort = port;
    }

    private KafkaServer(String bootstrapServers) {
        this.dir = null;
        this.externalBootstrap = bootstrapServers;
        this.fixedPort = 0;
    }

    /**
     * Adds broker settings ({@code server.properties} keys), e.g. {@link #TEST_SEGMENTS}; they win
     * over the defaults. Call before {@link #start()}; an external cluster ignores them.
     */
    public KafkaServer brokerConfig(Map<String, String> settings) {
        brokerConfig.putAll(settings);
        return this;
    }

    /** An existing cluster, reached through {@code bootstrapServers}. */
    public static KafkaServer external(String bootstrapServers) {
        return new KafkaServer(bootstrapServers);
    }

    @Override
    public String name() {
        return "kafka";
    }

    @Override
    public boolean external() {
        return externalBootstrap != null;
    }

    @Override
    public void start() throws Exception {
        if (external()) {
            bootstrap = externalBootstrap;
            awaitReady(Duration.ofSeconds(30));
            return;
        }
        int brokerPort = fixedPort > 0 ? fixedPort : Ports.free();
        int controllerPort = Ports.free();
        Path logDir = dir.resolve("data");
        Processes.deleteRecursively(logDir);
        Files.createDirectories(logDir);

        Properties props = new Properties();
        props.put("process.roles", "broker,controller");
        props.put("node.id", "1");
        props.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        props.put(
                "listeners",
                "PLAINTEXT://127.0.0.1:"
                        + brokerPort
                        + ",CONTROLLER://127.0.0.1:"
                        + controllerPort);
        props.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
        props.put("controller.listener.names", "CONTROLLER");
        props.put("inter.broker.listener.name", "PLAINTEXT");
        props.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        props.put("log.dirs", logDir.toString());
        props.put("num.partitions", "1");
        props.put("offsets.topic.replication.factor", "1");
        props.put("offsets.topic.num.partitions", "5");
        props.put("transaction.state.log.replication.factor", "1");
        props.put("transaction.state.log.min.isr", "1");
        props.put("transaction.state.log.num.partitions", "5");
        props.put("transaction.max.timeout.ms", "3600000");
        props.put("group.initial.rebalance.delay.ms", "0");
        props.put("auto.create.topics.enable", "true");
        props.put("log.flush.interval.messages", "10000");
        props.put("num.network.threads", "2");
        props.put("num.io.threads", "2");
        props.put("background.threads", "2");
        props.put("log.cleaner.dedupe.buffer.size", Long.toString(8L * 1024 * 1024));
        props.putAll(brokerConfig);

        KafkaConfig config = KafkaConfig.fromProps(props);
        try (PrintStream quiet = new PrintStream(java.io.OutputStream.nullOutputStream())) {
            new Formatter()
                    .setPrintStream(quiet)
                    .setNodeId(1)
                    .setClusterId(Uuid.randomUuid().toString())
                    .setDirectories(Set.of(logDir.toString()))
                    .setMetadataLogDirectory(logDir.toString())
                    .setControllerListenerName("CONTROLLER")
                    .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
                    .run();
        }
        server = new KafkaRaftServer(config, Time.SYSTEM);
        server.startup();
        bootstrap = "127.0.0.1:" + brokerPort;
        awaitReady(Duration.ofSeconds(60));
    }

    private void awaitReady(Duration timeout) {
        Ports.await(
                "kafka at " + bootstrap,
                timeout,
                () -> {
                    try (Admin admin = admin()) {
                        return admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).size();
                    } catch (Exception e) {
                        return null;
                    }
                },
                nodes -> nodes > 0,
                () -> true);
    }

    /**
     * Returns once the broker has run a retention pass that started after this call: whatever was
     * written before it and is due for deletion by time is gone. A canary record stamped 1970 goes
     * to a new topic, a fresh record behind it closes its segment, and the pass that deletes the
     * canary's segment took its list of logs after the canary's topic existed, i.e. it looked at
     * every topic written before.
     *
     * @throws IllegalStateException if no pass deleted the canary within {@code timeout} (an
     *     external broker with the default 5 min {@code log.retention.check.interval.ms})
     */
    public void awaitRetentionPass(Duration timeout) {
        String topic = CANARY_PREFIX + Uuid.randomUuid();
        TopicPartition partition = new TopicPartition(topic, 0);
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) -1)))
                    .all()
                    .get(30, TimeUnit.SECONDS);
            Map<String, Object> conf = new LinkedHashMap<>();
            conf.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
            conf.put(ProducerConfig.ACKS_CONFIG, "all");
            try (KafkaProducer<byte[], byte[]> producer =
                    new KafkaProducer<>(
                            conf, new ByteArraySerializer(), new ByteArraySerializer())) {
                producer.send(new ProducerRecord<>(topic, 0, 1L, null, new byte[] {0})).get();
                producer.send(new ProducerRecord<>(topic, 0, null, null, new byte[] {1})).get();
            }
            long deadline = System.nanoTime() + timeout.toNanos();
            while (earliestOffset(admin, partition) < 1) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(
                            "kafka at "
                                    + bootstrapServers()
                                    + " ran no retention pass within "
                                    + timeout
                                    + " (an external broker needs a short"
                                    + " log.retention.check.interval.ms for this)");
                }
                Thread.sleep(100);
            }
            admin.deleteTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a retention pass", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("kafka: retention canary failed: " + e, e);
        }
    }

    private static long earliestOffset(Admin admin, TopicPartition partition)
            throws InterruptedException, ExecutionException, TimeoutException {
        return admin.listOffsets(Map.of(partition, OffsetSpec.earliest()))
                .partitionResult(partition)
                .get(10, TimeUnit.SECONDS)
                .offset();
    }

    /**
     * Every record of {@code topic} up to the end offsets of now, read from the beginning with
     * {@code isolationLevel} ({@code read_committed}: up to the last stable offset), sorted by
     * partition and offset: what a consumer that starts now can read, without waiting for a quiet
     * moment.
     */
    public List<ConsumerRecord<byte[], byte[]>> readToEnd(String topic, String isolationLevel) {
        Map<String, Object> conf = new LinkedHashMap<>();
        conf.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        conf.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolationLevel);
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (var consumer =
                new KafkaConsumer<>(
                        conf, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (PartitionInfo info : consumer.partitionsFor(topic, Duration.ofSeconds(10))) {
                partitions.add(new TopicPartition(topic, info.partition()));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + topic + " up to " + end);
                }
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        records.sort(
                Comparator.<ConsumerRecord<byte[], byte[]>>comparingInt(ConsumerRecord::partition)
                        .thenComparingLong(ConsumerRecord::offset));
        return records;
    }

    /** A plain (non-transactional) producer of bytes for this broker; the caller closes it. */
    public KafkaProducer<byte[], byte[]> producer() {
        return new KafkaProducer<>(
                Map.<String, Object>of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()),
                new ByteArraySerializer(),
                new ByteArraySerializer());
    }

    /** An admin client for this broker; the caller closes it. */
    public Admin admin() {
        Map<String, Object> conf = new LinkedHashMap<>();
        conf.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        conf.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000);
        conf.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10000);
        return Admin.create(conf);
    }

    public String bootstrapServers() {
        if (bootstrap == null) {
            throw new IllegalStateException("kafka is not started");
        }
        return bootstrap;
    }

    @Override
    public Map<String, String> endpoints() {
        return Map.of("bootstrap.servers", bootstrapServers());
    }

    @Override
    public void close() {
        if (server != null) {
            try {
                server.shutdown();
                server.awaitShutdown();
            } catch (RuntimeException e) {
                // best effort: the broker is going away either way
            }
            server = null;
        }
    }
}
