package dev.changeflow.localstack;

import dev.changeflow.localstack.server.ElasticsearchServer;
import dev.changeflow.localstack.server.FlinkCluster;
import dev.changeflow.localstack.server.KafkaServer;
import dev.changeflow.localstack.server.MariaDbServer;
import dev.changeflow.localstack.server.PostgresServer;
import dev.changeflow.localstack.server.RedisServer;
import dev.changeflow.localstack.server.S3Server;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The real servers Changeflow's demo and tests run against, started by the project or pointed at
 * existing infrastructure. Servers start in parallel; {@link #ensure} adds more to a running stack,
 * which is how one stack is shared by every test class of a JVM.
 *
 * <pre>{@code
 * try (LocalStack stack = LocalStack.builder().services(Service.KAFKA, Service.POSTGRES).build()) {
 *     stack.start();
 *     String bootstrap = stack.kafka().bootstrapServers();
 * }
 * }</pre>
 *
 * <p>Each server can instead point at an existing one, through the builder or through the
 * environment variables listed in {@link StackEnvironment}.
 */
public final class LocalStack implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LocalStack.class);

    private final Path baseDir;
    private final Map<String, String> environment;
    private final Map<Service, ManagedServer> overrides;
    private final Set<Service> requested;
    private final Map<String, String> kafkaBrokerConfig;
    private final int flinkTaskSlots;
    private final boolean superviseFlinkTaskManagers;
    private final Map<Service, ManagedServer> running = new EnumMap<>(Service.class);
    private Thread shutdownHook;

    private LocalStack(Builder builder) {
        this.baseDir = builder.baseDir.toAbsolutePath();
        this.environment = builder.environment;
        this.overrides = builder.overrides;
        this.requested = builder.services;
        this.kafkaBrokerConfig = builder.kafkaBrokerConfig;
        this.flinkTaskSlots = builder.flinkTaskSlots;
        this.superviseFlinkTaskManagers = builder.superviseFlinkTaskManagers;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Starts every requested server; returns this for chaining. */
    public LocalStack start() throws Exception {
        ensure(requested);
        return this;
    }

    /** Starts the given servers unless already running. */
    public synchronized LocalStack ensure(Service... services) throws Exception {
        return ensure(List.of(services));
    }

    /** Starts the given servers unless already running. */
    public synchronized LocalStack ensure(Collection<Service> services) throws Exception {
        if (shutdownHook == null) {
            shutdownHook = new Thread(this::close, "local-stack-shutdown");
            Runtime.getRuntime().addShutdownHook(shutdownHook);
        }
        List<ManagedServer> toStart = new ArrayList<>();
        EnumSet<Service> wanted = EnumSet.noneOf(Service.class);
        wanted.addAll(services);
        // a Flink cluster started with S3 beside it gets S3's endpoint for its s3:// plugin,
        // so it starts once S3 is up
        boolean flinkAfterS3 =
                wanted.contains(Service.FLINK)
                        && !running.containsKey(Service.FLINK)
                        && (wanted.contains(Service.S3) || running.containsKey(Service.S3));
        for (Service service : wanted) {
            if (!running.containsKey(service) && !(flinkAfterS3 && service == Service.FLINK)) {
                ManagedServer server = create(service);
                running.put(service, server);
                toStart.add(server);
            }
        }
        startAll(toStart);
        if (flinkAfterS3) {
            ManagedServer flink = create(Service.FLINK);
            if (flink instanceof FlinkCluster cluster && !cluster.external()) {
                S3Server s3 = s3();
                cluster.s3(s3.endpoint(), s3.accessKey(), s3.secretKey());
            }
            running.put(Service.FLINK, flink);
            startAll(List.of(flink));
        }
        return this;
    }

    private void startAll(List<ManagedServer> toStart) throws Exception {
        if (toStart.isEmpty()) {
            return;
        }
        ExecutorService pool = Executors.newFixedThreadPool(toStart.size());
        try {
            Map<ManagedServer, Future<?>> futures = new LinkedHashMap<>();
            for (ManagedServer server : toStart) {
                futures.put(
                        server,
                        pool.submit(
                                () -> {
                                    long t0 = System.nanoTime();
                                    server.start();
                                    LOG.info(
                                            "{} ready in {} ms{}",
                                            server.name(),
                                            (System.nanoTime() - t0) / 1_000_000,
                                            server.external() ? " (external)" : "");
                                    return null;
                                }));
            }
            Exception failure = null;
            for (Map.Entry<ManagedServer, Future<?>> e : futures.entrySet()) {
                try {
                    e.getValue().get();
                } catch (ExecutionException ex) {
                    Exception cause =
                            ex.getCause() instanceof Exception c ? c : new RuntimeException(ex);
                    if (failure == null) {
                        failure =
                                new IllegalStateException(
                                        e.getKey().name()
                                                + " failed to start: "
                                                + cause.getMessage(),
                                        cause);
                    } else {
                        failure.addSuppressed(cause);
                    }
                }
            }
            if (failure != null) {
                close();
                throw failure;
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private ManagedServer create(Service service) {
        ManagedServer override = overrides.get(service);
        if (override != null) {
            return override;
        }
        ManagedServer external = StackEnvironment.external(service, environment);
        if (external != null) {
            return external;
        }
        return switch (service) {
            case KAFKA -> new KafkaServer(baseDir).brokerConfig(kafkaBrokerConfig);
            case POSTGRES -> new PostgresServer(baseDir);
            case MARIADB -> new MariaDbServer(baseDir);
            case REDIS -> new RedisServer();
            case ELASTICSEARCH -> new ElasticsearchServer(baseDir);
            case S3 -> new S3Server(baseDir);
            case FLINK -> {
                FlinkCluster flink =
                        new FlinkCluster(baseDir).superviseTaskManagers(superviseFlinkTaskManagers);
                yield flinkTaskSlots > 0 ? flink.taskSlots(flinkTaskSlots) : flink;
            }
        };
    }

    public Path baseDir() {
        return baseDir;
    }

    public synchronized boolean isRunning(Service service) {
        return running.containsKey(service);
    }

    public KafkaServer kafka() {
        return get(Service.KAFKA, KafkaServer.class);
    }

    public PostgresServer postgres() {
        return get(Service.POSTGRES, PostgresServer.class);
    }

    public MariaDbServer mariadb() {
        return get(Service.MARIADB, MariaDbServer.class);
    }

    public RedisServer redis() {
        return get(Service.REDIS, RedisServer.class);
    }

    public ElasticsearchServer elasticsearch() {
        return get(Service.ELASTICSEARCH, ElasticsearchServer.class);
    }

    public S3Server s3() {
        return get(Service.S3, S3Server.class);
    }

    public FlinkCluster flink() {
        return get(Service.FLINK, FlinkCluster.class);
    }

    /** The running server of {@code service}. */
    public synchronized ManagedServer server(Service service) {
        return get(service, ManagedServer.class);
    }

    private synchronized <T extends ManagedServer> T get(Service service, Class<T> type) {
        ManagedServer server = running.get(service);
        if (server == null) {
            throw new IllegalStateException(
                    service.id()
                            + " is not part of this stack; ask for it with ensure(Service."
                            + service
                            + ")");
        }
        return type.cast(server);
    }

    /** Endpoints of every running server, by server name, in start order. */
    public synchronized Map<String, Map<String, String>> endpoints() {
        Map<String, Map<String, String>> all = new LinkedHashMap<>();
        running.values().forEach(s -> all.put(s.name(), s.endpoints()));
        return all;
    }

    /** Stops every server this stack started, in reverse order. */
    @Override
    public synchronized void close() {
        List<ManagedServer> servers = new ArrayList<>(running.values());
        java.util.Collections.reverse(servers);
        for (ManagedServer server : servers) {
            try {
                server.close();
            } catch (RuntimeException e) {
                LOG.warn("stopping {} failed", server.name(), e);
            }
        }
        running.clear();
        if (shutdownHook != null && Thread.currentThread() != shutdownHook) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException e) {
                // the JVM is already shutting down
            }
        }
        shutdownHook = null;
    }

    /** Configures a {@link LocalStack}. */
    public static final class Builder {
        private Path baseDir =
                Path.of(System.getProperty("changeflow.stack.dir", "target/local-stack"));
        private Map<String, String> environment = System.getenv();
        private final Map<Service, ManagedServer> overrides = new EnumMap<>(Service.class);
        private final Set<Service> services = EnumSet.noneOf(Service.class);
        private final Map<String, String> kafkaBrokerConfig = new LinkedHashMap<>();
        private int flinkTaskSlots;
        private boolean superviseFlinkTaskManagers;

        private Builder() {}

        /**
         * Replace a Flink TaskManager that exits without being asked to (see {@link
         * FlinkCluster#superviseTaskManagers}); off by default.
         */
        public Builder superviseFlinkTaskManagers(boolean supervise) {
            this.superviseFlinkTaskManagers = supervise;
            return this;
        }

        /** Slots of the Flink cluster's TaskManager (default: {@link FlinkCluster}'s). */
        public Builder flinkTaskSlots(int slots) {
            this.flinkTaskSlots = slots;
            return this;
        }

        /** Settings for a Kafka broker this stack starts (see {@link KafkaServer#brokerConfig}). */
        public Builder kafkaBrokerConfig(Map<String, String> settings) {
            kafkaBrokerConfig.putAll(settings);
            return this;
        }

        /** Where servers keep data and logs (default {@code target/local-stack}). */
        public Builder baseDir(Path dir) {
            this.baseDir = dir;
            return this;
        }

        public Builder services(Service... values) {
            services.addAll(List.of(values));
            return this;
        }

        public Builder services(Collection<Service> values) {
            services.addAll(values);
            return this;
        }

        public Builder allServices() {
            services.addAll(EnumSet.allOf(Service.class));
            return this;
        }

        /** Use {@code server} (e.g. {@code KafkaServer.external(...)}) for its service. */
        public Builder server(Service service, ManagedServer server) {
            overrides.put(service, server);
            services.add(service);
            return this;
        }

        /** The variables read by {@link StackEnvironment} (default: the process environment). */
        public Builder environment(Map<String, String> env) {
            this.environment = env;
            return this;
        }

        public LocalStack build() {
            return new LocalStack(this);
        }
    }
}
