package dev.changeflow.localstack.server;

import dev.changeflow.localstack.ManagedServer;
import dev.changeflow.localstack.process.Ports;
import dev.changeflow.localstack.process.Processes;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A real Kafka broker in KRaft mode (combined broker and controller, no ZooKeeper), running in this
 * JVM. Transactions work with a single broker: the transaction log's replication factor is 1 and
 * {@code transaction.max.timeout.ms} is raised to one hour, the Flink KafkaSink's default.
 */
public final class KafkaServer implements ManagedServer {

    private final Path dir;
    private final String externalBootstrap;
    private final int fixedPort;
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
