package dev.changeflow.localstack.server;

import dev.changeflow.localstack.ManagedServer;
import dev.changeflow.localstack.process.JavaProcess;
import dev.changeflow.localstack.process.Ports;
import dev.changeflow.localstack.process.Processes;
import dev.changeflow.localstack.process.RuntimeClasspath;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/**
 * A standalone Flink 1.20 session cluster: one JobManager ({@code
 * StandaloneSessionClusterEntrypoint}) and one TaskManager ({@code TaskManagerRunner}), each in a
 * JVM of its own, started from the module jars recorded by {@code local-stack/runtime-flink} (there
 * is no flink-dist here). Memory flags come from Flink's own {@code BashJavaUtils}, exactly as
 * {@code jobmanager.sh} and {@code taskmanager.sh} compute them.
 *
 * <p>Everything lives under {@code <baseDir>/flink}: {@code conf/config.yaml} and {@code
 * conf/log4j.properties}, {@code log/} ({@code jobmanager.log}/{@code .out}, {@code
 * taskmanager-N.log}/{@code .out}), {@code tmp/} ({@code io.tmp.dirs}, emptied on every start),
 * {@code checkpoints/} and {@code savepoints/} (kept across starts). The REST endpoint, RPC and
 * blob server bind to 127.0.0.1 only; every port is free or OS-assigned, so clusters of several
 * tests never clash.
 *
 * <pre>{@code
 * try (FlinkCluster flink = new FlinkCluster(dir).taskSlots(4)
 *         .config("restart-strategy.type", "none")) {
 *     flink.start();
 *     ... flink.restUrl() ...
 * }
 * }</pre>
 */
public final class FlinkCluster implements ManagedServer {

    /**
     * Flink's list for Java 17 ({@code env.java.opts.all} of its {@code config.yaml}), kept once in
     * the parent pom's {@code flink.add-opens} and filtered into {@code
     * META-INF/changeflow/java17.options}.
     */
    public static final List<String> JAVA_17_OPTIONS = java17Options();

    public static final String JOB_MANAGER_MAIN =
            "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint";
    public static final String TASK_MANAGER_MAIN =
            "org.apache.flink.runtime.taskexecutor.TaskManagerRunner";

    /** Flink's Prometheus reporter (flink-metrics-prometheus, on the cluster's classpath). */
    public static final String PROMETHEUS_REPORTER =
            "org.apache.flink.metrics.prometheus.PrometheusReporterFactory";

    /** The option holding a reporter process's Prometheus port. */
    public static final String PROMETHEUS_PORT = "metrics.reporter.prom.port";

    static final String BASH_JAVA_UTILS = "org.apache.flink.runtime.util.bash.BashJavaUtils";
    static final String EXEC_RESULT_PREFIX = "BASH_JAVA_UTILS_EXEC_RESULT:";

    /** Checkpoint and savepoint directory keys of Flink 1.20, with their deprecated names. */
    static final String CHECKPOINT_DIR_KEY = "execution.checkpointing.dir";

    static final String SAVEPOINT_DIR_KEY = "execution.checkpointing.savepoint-dir";
    private static final Map<String, List<String>> ALIASES =
            Map.of(
                    CHECKPOINT_DIR_KEY,
                    List.of("state.checkpoints.dir"),
                    SAVEPOINT_DIR_KEY,
                    List.of("state.savepoints.dir"),
                    "restart-strategy.type",
                    List.of("restart-strategy"));

    /** Keys this class owns: set them with the dedicated setters instead. */
    private static final Map<String, String> MANAGED_KEYS =
            Map.of(
                    "rest.port", "restPort(int)",
                    "rest.bind-port", "restPort(int)",
                    "taskmanager.numberOfTaskSlots", "taskSlots(int)",
                    "jobmanager.memory.process.size", "jobManagerMemory(String)",
                    "taskmanager.memory.process.size", "taskManagerMemory(String)",
                    "taskmanager.resource-id", "(one id per TaskManager, set by FlinkCluster)");

    private static final String HOST = "127.0.0.1";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration RESOURCE_PARAMS_TIMEOUT = Duration.ofSeconds(60);
    private static final int LOG_TAIL_LINES = 40;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Logger LOG = LoggerFactory.getLogger(FlinkCluster.class);

    /** The file system plugin every cluster started here has in {@code plugins/}. */
    static final String S3_PLUGIN = "s3-fs-hadoop";

    // configuration (before start)
    private final Path home;
    private final String externalRestUrl;
    private int taskSlots = 2;
    private String jobManagerMemory = "1024m";
    private String taskManagerMemory = "1536m";
    private int requestedRestPort;
    private final Map<String, String> extraConfig = new LinkedHashMap<>();
    private final List<String> extraClasspath = new ArrayList<>();
    private boolean superviseTaskManagers;

    // state (after start)
    private int restPort;
    private List<String> classpath;
    private JavaProcess jobManager;
    private final Map<String, Integer> prometheusPorts = new LinkedHashMap<>();
    private final List<JavaProcess> taskManagers = new ArrayList<>();
    private final List<String> taskManagerIds = new ArrayList<>();
    private ResourceParams taskManagerParams;
    private boolean started;
    private TaskManagerSupervisor supervisor;

    /**
     * Replace a TaskManager that exits without being asked to (crash, OOM kill, {@code kill -9})
     * with a new one, with a back-off, as a real deployment's supervisor (systemd, Kubernetes)
     * would: the jobs then restart from their last checkpoints by themselves. Off by default (tests
     * that kill a TaskManager start the replacement themselves); {@code changeflow stack up} and
     * {@code cluster up} turn it on.
     */
    public FlinkCluster superviseTaskManagers(boolean supervise) {
        this.superviseTaskManagers = supervise;
        return this;
    }

    /** A cluster to start under {@code baseDir/flink}. */
    public FlinkCluster(Path baseDir) {
        this.home = baseDir.toAbsolutePath().normalize().resolve("flink");
        this.externalRestUrl = null;
    }

    private FlinkCluster(String restUrl) {
        this.home = null;
        this.externalRestUrl = restUrl.replaceAll("/+$", "");
        URI uri = URI.create(externalRestUrl);
        if (uri.getHost() == null) {
            throw new IllegalArgumentException(
                    "flink: not a REST URL (expected http://host:port): " + restUrl);
        }
        this.restPort =
                uri.getPort() > 0 ? uri.getPort() : "https".equals(uri.getScheme()) ? 443 : 80;
    }

    /**
     * An existing cluster, e.g. {@code http://localhost:8081}: {@link #start()} only checks that
     * {@code /overview} answers, {@link #close()} leaves it running.
     */
    public static FlinkCluster external(String restUrl) {
        return new FlinkCluster(restUrl);
    }

    // ---------------------------------------------------------------- options

    /** Slots of the TaskManager ({@code taskmanager.numberOfTaskSlots}); default 2. */
    public FlinkCluster taskSlots(int slots) {
        checkConfigurable();
        if (slots < 1) {
            throw new IllegalArgumentException("flink: taskSlots must be >= 1, got " + slots);
        }
        this.taskSlots = slots;
        return this;
    }

    /** {@code jobmanager.memory.process.size}, e.g. {@code 1g}; default {@code 1024m}. */
    public FlinkCluster jobManagerMemory(String processSize) {
        checkConfigurable();
        this.jobManagerMemory = processSize;
        return this;
    }

    /** {@code taskmanager.memory.process.size}, e.g. {@code 2g}; default {@code 1536m}. */
    public FlinkCluster taskManagerMemory(String processSize) {
        checkConfigurable();
        this.taskManagerMemory = processSize;
        return this;
    }

    /** A fixed REST (and web UI) port; 0, the default, takes a free one. */
    public FlinkCluster restPort(int port) {
        checkConfigurable();
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("flink: not a port: " + port);
        }
        this.requestedRestPort = port;
        return this;
    }

    /**
     * One more {@code config.yaml} entry; it overrides the defaults written here. {@code
     * env.java.opts.all}, {@code env.java.opts.jobmanager} and {@code env.java.opts.taskmanager}
     * are applied to the JVMs as Flink's scripts would.
     */
    public FlinkCluster config(String key, String value) {
        checkConfigurable();
        String owner = MANAGED_KEYS.get(key);
        if (owner != null) {
            throw new IllegalArgumentException(
                    "flink: config key " + key + " is managed by FlinkCluster; use " + owner);
        }
        extraConfig.put(key, value);
        return this;
    }

    /** Several {@link #config(String, String)} entries. */
    public FlinkCluster config(Map<String, String> entries) {
        entries.forEach(this::config);
        return this;
    }

    /**
     * Jars or directories added to the classpath of the JobManager and of every TaskManager (what
     * {@code lib/} holds in a Flink distribution), e.g. connectors for SQL jobs.
     */
    public FlinkCluster classpath(List<Path> entries) {
        checkConfigurable();
        for (Path entry : entries) {
            if (!Files.exists(entry)) {
                throw new IllegalArgumentException("flink: classpath entry missing: " + entry);
            }
            extraClasspath.add(entry.toAbsolutePath().toString());
        }
        return this;
    }

    /** See {@link #classpath(List)}. */
    public FlinkCluster classpath(Path... entries) {
        return classpath(Arrays.asList(entries));
    }

    /**
     * Points the {@code s3-fs-hadoop} plugin (installed in {@code plugins/} of every cluster
     * started here, as a distribution's {@code opt/} jar copied there) at an S3-compatible endpoint
     * with path-style access: {@code s3://} checkpoints, savepoints and the jobs' S3 sinks then
     * work as on a real cluster.
     */
    public FlinkCluster s3(String endpoint, String accessKey, String secretKey) {
        config("s3.endpoint", endpoint);
        config("s3.path.style.access", "true");
        config("s3.access-key", accessKey);
        config("s3.secret-key", secretKey);
        return this;
    }

    private void checkConfigurable() {
        if (externalRestUrl != null) {
            throw new IllegalStateException("flink: an external cluster is configured elsewhere");
        }
        if (started) {
            throw new IllegalStateException("flink: configure the cluster before start()");
        }
    }

    // ---------------------------------------------------------------- ManagedServer

    @Override
    public String name() {
        return "flink";
    }

    @Override
    public boolean external() {
        return externalRestUrl != null;
    }

    @Override
    public synchronized void start() throws Exception {
        if (started) {
            return;
        }
        if (externalRestUrl != null) {
            Ports.await(
                    "flink at " + externalRestUrl,
                    Duration.ofSeconds(10),
                    () -> Ports.httpGet(externalRestUrl + "/overview"),
                    body -> true,
                    () -> true);
            started = true;
            return;
        }
        long begin = System.nanoTime();
        started = true;
        try {
            classpath = new ArrayList<>(RuntimeClasspath.of("runtime-flink"));
            classpath.addAll(extraClasspath);
            restPort = requestedRestPort > 0 ? requestedRestPort : Ports.free();
            if (!Ports.isFree(restPort)) {
                throw new IllegalStateException(
                        "flink: REST port " + restPort + " is already in use on " + HOST);
            }
            synchronized (taskManagers) {
                taskManagers.clear();
                taskManagerIds.clear();
            }
            prepareDirectories();
            writeConfiguration();

            // both resource computations read the same config.yaml; run them side by side
            CompletableFuture<ResourceParams> tmParams =
                    CompletableFuture.supplyAsync(
                            () -> resourceParams("GET_TM_RESOURCE_PARAMS", "taskmanager"));
            ResourceParams jmParams = resourceParams("GET_JM_RESOURCE_PARAMS", "jobmanager");
            jobManager = startJobManager(jmParams);
            taskManagerParams = join(tmParams);
            startTaskManagerProcess();

            awaitReady();
            if (superviseTaskManagers) {
                supervisor =
                        new TaskManagerSupervisor(
                                        () -> {
                                            synchronized (taskManagers) {
                                                return List.copyOf(taskManagers);
                                            }
                                        },
                                        () -> {
                                            startTaskManagerProcess();
                                            return newestTaskManager();
                                        })
                                .start();
            }
            LOG.info(
                    "flink: session cluster ready at {} in {} ms ({} slot(s); JobManager {},"
                            + " TaskManager {})",
                    restUrl(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin),
                    taskSlots,
                    jobManager,
                    taskManagers.get(0));
        } catch (Exception | Error e) {
            close();
            throw e;
        }
    }

    @Override
    public Map<String, String> endpoints() {
        Map<String, String> endpoints = new LinkedHashMap<>();
        endpoints.put("rest.url", restUrl());
        endpoints.put("web.ui", restUrl() + "/#/overview");
        metricsUrls().forEach((process, url) -> endpoints.put("metrics." + process, url));
        return endpoints;
    }

    /** Stops the TaskManagers, then the JobManager; waits until the processes are gone. */
    @Override
    public synchronized void close() {
        if (externalRestUrl != null) {
            return;
        }
        if (supervisor != null) {
            supervisor.close(); // what exits from now on was asked to
            supervisor = null;
        }
        List<JavaProcess> tms;
        synchronized (taskManagers) {
            tms = new ArrayList<>(taskManagers);
        }
        Collections.reverse(tms);
        for (JavaProcess tm : tms) {
            closeQuietly(tm);
        }
        if (jobManager != null) {
            closeQuietly(jobManager);
        }
        started = false;
    }

    private static void closeQuietly(JavaProcess process) {
        try {
            process.close();
        } catch (RuntimeException e) {
            LOG.warn("flink: could not stop {}", process, e);
        }
    }

    // ---------------------------------------------------------------- accessors

    /** {@code http://127.0.0.1:<port>}: REST API and web UI. */
    public String restUrl() {
        return externalRestUrl != null ? externalRestUrl : "http://" + HOST + ":" + restPort();
    }

    /** The REST (and web UI) port; a free one is chosen on {@link #start()} unless fixed. */
    public int restPort() {
        if (restPort == 0 && requestedRestPort > 0) {
            return requestedRestPort;
        }
        if (restPort == 0) {
            throw new IllegalStateException("flink: not started; the REST port is chosen on start");
        }
        return restPort;
    }

    /** Host of the REST endpoint (and, for a local cluster, of every Flink process). */
    public String host() {
        return externalRestUrl != null ? URI.create(externalRestUrl).getHost() : HOST;
    }

    /** The directory holding {@code config.yaml}, as {@code FLINK_CONF_DIR} for the CLI. */
    public Path confDir() {
        return local().resolve("conf");
    }

    /** Default savepoint directory ({@code execution.checkpointing.savepoint-dir}). */
    public Path savepointDir() {
        return directoryOf(SAVEPOINT_DIR_KEY, "savepoints");
    }

    /** Default checkpoint directory ({@code execution.checkpointing.dir}). */
    public Path checkpointDir() {
        return directoryOf(CHECKPOINT_DIR_KEY, "checkpoints");
    }

    /** Where {@code jobmanager.log}/{@code .out} and {@code taskmanager-N.log}/{@code .out} go. */
    public Path logDir() {
        return local().resolve("log");
    }

    /** Process id of the JobManager, empty before start, for an external cluster or once gone. */
    public OptionalLong jobManagerPid() {
        JavaProcess jm = jobManager;
        return jm != null && jm.isAlive() ? OptionalLong.of(jm.pid()) : OptionalLong.empty();
    }

    /** Process ids of the running TaskManagers, oldest first. */
    public List<Long> taskManagerPids() {
        synchronized (taskManagers) {
            return taskManagers.stream()
                    .filter(JavaProcess::isAlive)
                    .map(JavaProcess::pid)
                    .toList();
        }
    }

    /**
     * Resource ids ({@code /taskmanagers} {@code id}) of the TaskManagers started here, oldest
     * first, including killed ones.
     */
    public List<String> taskManagerIds() {
        synchronized (taskManagers) {
            return List.copyOf(taskManagerIds);
        }
    }

    // ---------------------------------------------------------------- failover

    /**
     * Kills the newest running TaskManager hard (SIGKILL), as a crash or the OOM killer would. The
     * JobManager notices through failed heartbeats within a few seconds.
     */
    public void killTaskManager() {
        local();
        JavaProcess victim;
        synchronized (taskManagers) {
            victim =
                    taskManagers.stream()
                            .filter(JavaProcess::isAlive)
                            .reduce((first, second) -> second)
                            .orElseThrow(
                                    () ->
                                            new IllegalStateException(
                                                    "flink: no running TaskManager to kill"));
        }
        LOG.info("flink: killing {}", victim);
        victim.kill();
        if (victim.isAlive()) {
            throw new IllegalStateException("flink: " + victim + " survived SIGKILL");
        }
    }

    /**
     * Starts one more TaskManager (e.g. after {@link #killTaskManager()}) and returns once the
     * JobManager lists it with its slots.
     */
    public synchronized void startTaskManager() throws IOException {
        local();
        if (!started || jobManager == null || !jobManager.isAlive()) {
            throw new IllegalStateException("flink: start() the cluster first");
        }
        String id = startTaskManagerProcess();
        JavaProcess tm = newestTaskManager();
        try {
            Ports.await(
                    "flink TaskManager " + id,
                    READY_TIMEOUT,
                    () -> Ports.httpGet(restUrl() + "/taskmanagers"),
                    body -> registeredSlots(body, id) == taskSlots,
                    () -> jobManager.isAlive() && tm.isAlive());
        } catch (IllegalStateException e) {
            throw new IllegalStateException(e.getMessage() + diagnostics(), e);
        }
    }

    // ---------------------------------------------------------------- startup

    private Path local() {
        if (home == null) {
            throw new UnsupportedOperationException(
                    "flink: "
                            + externalRestUrl
                            + " is an external cluster; it has no local files"
                            + " or processes");
        }
        return home;
    }

    private Path directoryOf(String key, String defaultName) {
        String configured = configured(key);
        if (configured == null) {
            return local().resolve(defaultName);
        }
        URI uri = URI.create(configured);
        if (uri.getScheme() != null && !"file".equals(uri.getScheme())) {
            throw new IllegalStateException(
                    "flink: " + key + " is not a local directory: " + configured);
        }
        return uri.getScheme() == null ? Path.of(configured) : Path.of(uri);
    }

    /** The value the user configured for {@code key} or one of its deprecated names, or null. */
    private String configured(String key) {
        if (extraConfig.containsKey(key)) {
            return extraConfig.get(key);
        }
        for (String alias : ALIASES.getOrDefault(key, List.of())) {
            if (extraConfig.containsKey(alias)) {
                return extraConfig.get(alias);
            }
        }
        return null;
    }

    private void prepareDirectories() throws IOException {
        Processes.deleteRecursively(home.resolve("tmp"));
        for (String dir : List.of("conf", "log", "tmp", "plugins")) {
            Files.createDirectories(home.resolve(dir));
        }
        // a distribution's opt/flink-s3-fs-hadoop-*.jar, enabled as plugins/s3-fs-hadoop/
        Path s3Plugin = home.resolve("plugins").resolve(S3_PLUGIN);
        Processes.deleteRecursively(s3Plugin);
        Files.createDirectories(s3Plugin);
        for (String jar : RuntimeClasspath.of("runtime-flink-plugin-" + S3_PLUGIN)) {
            Path source = Path.of(jar);
            Files.copy(source, s3Plugin.resolve(source.getFileName()));
        }
        Files.createDirectories(home.resolve("tmp").resolve("web-upload"));
        if (configured(CHECKPOINT_DIR_KEY) == null) {
            Files.createDirectories(checkpointDir());
        }
        if (configured(SAVEPOINT_DIR_KEY) == null) {
            Files.createDirectories(savepointDir());
        }
    }

    /** The configuration as written to {@code config.yaml}, defaults first, then the extras. */
    Map<String, String> configuration() {
        Path tmp = home.resolve("tmp");
        Map<String, String> conf = new LinkedHashMap<>();
        conf.put("jobmanager.rpc.address", HOST);
        conf.put("jobmanager.bind-host", HOST);
        conf.put("jobmanager.rpc.port", Integer.toString(Ports.free()));
        conf.put("taskmanager.host", HOST);
        conf.put("taskmanager.bind-host", HOST);
        conf.put("taskmanager.rpc.port", "0");
        conf.put("taskmanager.data.port", "0");
        conf.put("blob.server.port", "0");
        conf.put("rest.address", HOST);
        conf.put("rest.bind-address", HOST);
        conf.put("rest.port", Integer.toString(restPort));
        conf.put("jobmanager.memory.process.size", jobManagerMemory);
        conf.put("taskmanager.memory.process.size", taskManagerMemory);
        conf.put("taskmanager.numberOfTaskSlots", Integer.toString(taskSlots));
        conf.put("parallelism.default", "1");
        conf.put("io.tmp.dirs", tmp.toString());
        conf.put("web.tmpdir", tmp.resolve("web").toString());
        conf.put("web.upload.dir", tmp.resolve("web-upload").toString());
        conf.put("rest.profiling.dir", tmp.toString());
        conf.put(CHECKPOINT_DIR_KEY, home.resolve("checkpoints").toUri().toString());
        conf.put(SAVEPOINT_DIR_KEY, home.resolve("savepoints").toUri().toString());
        // a failed job retries a few times (enough to survive a TaskManager restart), then fails
        // visibly instead of restarting forever; tests that must see a failure set "none"
        // every process serves its metrics for Prometheus on a port of its own (-D at start)
        conf.put("metrics.reporter.prom.factory.class", PROMETHEUS_REPORTER);
        conf.put("restart-strategy.type", "fixed-delay");
        conf.put("restart-strategy.fixed-delay.attempts", "10");
        conf.put("restart-strategy.fixed-delay.delay", "2 s");
        // a killed TaskManager is noticed in seconds rather than in 50 s
        conf.put("heartbeat.interval", "2000");
        conf.put("heartbeat.timeout", "20000");
        conf.put("jobmanager.execution.failover-strategy", "region");
        for (Map.Entry<String, String> e : extraConfig.entrySet()) {
            ALIASES.forEach(
                    (key, aliases) -> {
                        if (aliases.contains(e.getKey())) {
                            conf.remove(key);
                        }
                    });
            conf.put(e.getKey(), e.getValue());
        }
        return conf;
    }

    private void writeConfiguration() throws IOException {
        Path conf = confDir();
        // a stray flink-conf.yaml silently wins over config.yaml
        Files.deleteIfExists(conf.resolve("flink-conf.yaml"));
        StringBuilder yaml =
                new StringBuilder("# Written by Changeflow's FlinkCluster on every start.\n");
        configuration().forEach((k, v) -> yaml.append(k).append(": ").append(yaml(v)).append('\n'));
        Files.writeString(conf.resolve("config.yaml"), yaml.toString());
        try (InputStream in = FlinkCluster.class.getResourceAsStream("/flink/log4j.properties")) {
            if (in == null) {
                throw new IllegalStateException("flink/log4j.properties missing from local-stack");
            }
            Files.write(conf.resolve("log4j.properties"), in.readAllBytes());
        }
    }

    /** A YAML scalar: plain when unambiguous, single-quoted otherwise. */
    static String yaml(String value) {
        if (value.matches("[A-Za-z0-9_./@+-][A-Za-z0-9_./@+=,-]*(:[A-Za-z0-9_./@+=,-]+)*")
                || value.startsWith("[")
                || value.startsWith("{")) {
            return value;
        }
        return "'" + value.replace("'", "''") + "'";
    }

    /** Line 1 and line 2 of BashJavaUtils' answer: JVM flags and dynamic properties. */
    record ResourceParams(List<String> jvmFlags, List<String> dynamicProperties) {}

    private ResourceParams resourceParams(String command, String process) {
        Path output = logDir().resolve("bash-java-utils-" + process + ".out");
        List<String> cmd = new ArrayList<>();
        cmd.add(javaExecutable());
        cmd.addAll(List.of("-Xmx128m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"));
        cmd.add("-Dlog.file=" + logDir().resolve("bash-java-utils.log"));
        cmd.add("-Dlog4j.configurationFile=" + confDir().resolve("log4j.properties").toUri());
        cmd.addAll(List.of("-cp", String.join(File.pathSeparator, classpath)));
        cmd.addAll(List.of(BASH_JAVA_UTILS, command, "--configDir", confDir().toString()));
        try {
            Files.writeString(output, "# " + String.join(" ", cmd) + System.lineSeparator());
            Processes.run(cmd, output, RESOURCE_PARAMS_TIMEOUT);
            List<String> results =
                    Files.readAllLines(output).stream()
                            .filter(line -> line.startsWith(EXEC_RESULT_PREFIX))
                            .map(line -> line.substring(EXEC_RESULT_PREFIX.length()).trim())
                            .toList();
            if (results.size() < 2) {
                throw new IOException(
                        "no JVM flags and dynamic properties in its output:\n"
                                + Processes.tail(output, LOG_TAIL_LINES));
            }
            return new ResourceParams(
                    splitOptions(results.get(results.size() - 2)),
                    splitOptions(results.get(results.size() - 1)));
        } catch (IOException e) {
            // the command line (with the whole classpath) is at the top of the output file
            throw new IllegalStateException(
                    "flink: "
                            + BASH_JAVA_UTILS
                            + " "
                            + command
                            + " failed for "
                            + confDir().resolve("config.yaml")
                            + " (output in "
                            + output
                            + "):\n"
                            + Processes.tail(output, LOG_TAIL_LINES),
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("flink: interrupted", e);
        }
    }

    private JavaProcess startJobManager(ResourceParams params) throws IOException {
        return process("jobmanager", params.jvmFlags(), "env.java.opts.jobmanager")
                .mainClass(JOB_MANAGER_MAIN)
                .args("--configDir", confDir().toString(), "--executionMode", "cluster")
                .args(params.dynamicProperties())
                .args("-D", PROMETHEUS_PORT + "=" + prometheusPort("jobmanager"))
                .start();
    }

    /**
     * A free port for {@code process}'s Prometheus endpoint, remembered for {@link #metricsUrls}.
     */
    private int prometheusPort(String process) {
        int port = Ports.free();
        synchronized (prometheusPorts) {
            prometheusPorts.put(process, port);
        }
        return port;
    }

    /**
     * The Prometheus endpoints ({@code /metrics}) of the JobManager and of every TaskManager
     * started here (a replaced TaskManager has a new one), by process name.
     */
    public Map<String, String> metricsUrls() {
        Map<String, String> urls = new LinkedHashMap<>();
        synchronized (prometheusPorts) {
            prometheusPorts.forEach(
                    (process, port) ->
                            urls.put(process, "http://" + HOST + ":" + port + "/metrics"));
        }
        return urls;
    }

    /** Starts a TaskManager JVM and returns its resource id. */
    private String startTaskManagerProcess() throws IOException {
        synchronized (taskManagers) {
            int number = taskManagerIds.size() + 1;
            String id = "taskmanager-" + number;
            JavaProcess tm =
                    process(id, taskManagerParams.jvmFlags(), "env.java.opts.taskmanager")
                            .mainClass(TASK_MANAGER_MAIN)
                            .args("--configDir", confDir().toString())
                            .args(taskManagerParams.dynamicProperties())
                            .args("-D", "taskmanager.resource-id=" + id)
                            .args("-D", PROMETHEUS_PORT + "=" + prometheusPort(id))
                            .start();
            taskManagers.add(tm);
            taskManagerIds.add(id);
            return id;
        }
    }

    private JavaProcess newestTaskManager() {
        synchronized (taskManagers) {
            return taskManagers.get(taskManagers.size() - 1);
        }
    }

    private JavaProcess.Builder process(String name, List<String> memoryFlags, String optsKey) {
        Path log = logDir().resolve(name + ".log");
        List<String> jvm = new ArrayList<>(memoryFlags);
        jvm.add("-XX:+IgnoreUnrecognizedVMOptions");
        jvm.addAll(JAVA_17_OPTIONS);
        jvm.addAll(splitOptions(configured("env.java.opts.all")));
        jvm.addAll(splitOptions(extraConfig.get(optsKey)));
        jvm.add("-Djava.io.tmpdir=" + home.resolve("tmp"));
        jvm.add("-Dlog.file=" + log);
        jvm.add("-Dlog4j.configuration=" + confDir().resolve("log4j.properties").toUri());
        jvm.add("-Dlog4j.configurationFile=" + confDir().resolve("log4j.properties").toUri());
        return JavaProcess.builder("flink " + name)
                .classpath(classpath)
                .jvmArgs(jvm)
                .env("FLINK_CONF_DIR", confDir().toString())
                .env("FLINK_PLUGINS_DIR", home.resolve("plugins").toString())
                .env("FLINK_LOG_DIR", logDir().toString())
                .workDir(home)
                .log(logDir().resolve(name + ".out"));
    }

    private static List<String> java17Options() {
        try (var in =
                FlinkCluster.class
                        .getClassLoader()
                        .getResourceAsStream("META-INF/changeflow/java17.options")) {
            if (in == null) {
                throw new IllegalStateException("META-INF/changeflow/java17.options is missing");
            }
            return splitOptions(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static List<String> splitOptions(String value) {
        return value == null || value.isBlank() ? List.of() : List.of(value.trim().split("\\s+"));
    }

    private static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private void awaitReady() {
        String url = restUrl() + "/overview";
        try {
            Ports.await(
                    "flink cluster at " + restUrl(),
                    READY_TIMEOUT,
                    () -> Ports.httpGet(url),
                    body -> {
                        JsonNode overview = parse(body);
                        return overview.path("taskmanagers").asInt() >= 1
                                && overview.path("slots-total").asInt() == taskSlots;
                    },
                    () -> jobManager.isAlive() && newestTaskManager().isAlive());
        } catch (IllegalStateException e) {
            throw new IllegalStateException(e.getMessage() + diagnostics(), e);
        }
    }

    /** Slots of TaskManager {@code id} in a {@code /taskmanagers} answer, -1 if not listed. */
    private static int registeredSlots(String body, String id) {
        for (JsonNode tm : parse(body).path("taskmanagers")) {
            if (id.equals(tm.path("id").asText())) {
                return tm.path("slotsNumber").asInt();
            }
        }
        return -1;
    }

    private static JsonNode parse(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Log tails of every process, for error messages. */
    private String diagnostics() {
        StringBuilder out = new StringBuilder();
        List<JavaProcess> processes = new ArrayList<>();
        if (jobManager != null) {
            processes.add(jobManager);
        }
        synchronized (taskManagers) {
            processes.addAll(taskManagers);
        }
        for (JavaProcess p : processes) {
            Path out1 = p.log();
            Path log =
                    out1.resolveSibling(
                            out1.getFileName().toString().replaceFirst("\\.out$", ".log"));
            out.append("\n--- ")
                    .append(p)
                    .append(p.isAlive() ? " (running)" : " (exited)")
                    .append("\n--- ")
                    .append(log)
                    .append(":\n")
                    .append(Processes.tail(log, LOG_TAIL_LINES))
                    .append("\n--- ")
                    .append(out1)
                    .append(":\n")
                    .append(p.logTail(LOG_TAIL_LINES));
        }
        return out.toString();
    }

    private static <T> T join(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw e;
        }
    }
}
