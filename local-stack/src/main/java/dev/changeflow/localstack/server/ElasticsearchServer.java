package dev.changeflow.localstack.server;

import dev.changeflow.localstack.ManagedServer;
import dev.changeflow.localstack.process.JavaProcess;
import dev.changeflow.localstack.process.Ports;
import dev.changeflow.localstack.process.RuntimeClasspath;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * A single Elasticsearch 7.10.2 OSS node in a JVM of its own (codelibs' cluster runner, see the
 * {@code local-stack/runtime-elasticsearch} module), bound to 127.0.0.1 on free ports, or an
 * existing node given by its HTTP URL.
 *
 * <p>Data, config and the node's own logs live under {@code <baseDir>/elasticsearch/node_1} and
 * survive a restart; the child JVM's output goes to {@code
 * <baseDir>/elasticsearch/elasticsearch.log}. A node started here gets an index template that gives
 * every index 0 replicas, so that indices on this single node are green rather than yellow.
 */
public final class ElasticsearchServer implements ManagedServer {

    public static final String NAME = "elasticsearch";

    static final String RUNTIME = "runtime-elasticsearch";
    static final String MAIN_CLASS =
            "dev.changeflow.localstack.runtime.elasticsearch.ElasticsearchNode";
    static final String CLUSTER_NAME = "changeflow";
    static final String SINGLE_NODE_TEMPLATE = "changeflow-single-node";

    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration EXTERNAL_TIMEOUT = Duration.ofSeconds(10);
    private static final Set<String> READY = Set.of("green", "yellow");
    private static final List<String> JVM_ARGS =
            List.of(
                    "-Xms256m",
                    "-Xmx512m",
                    "-XX:MaxDirectMemorySize=256m",
                    "-XX:+UseSerialGC",
                    "-XX:-OmitStackTraceInFastThrow",
                    "-Dfile.encoding=UTF-8",
                    // from Elasticsearch 7.10's own jvm.options
                    "-Djava.locale.providers=SPI,COMPAT",
                    "-Djna.nosys=true",
                    "-Dio.netty.noUnsafe=true",
                    "-Dio.netty.noKeySetOptimization=true",
                    "-Dio.netty.recycler.maxCapacityPerThread=0",
                    "-Dio.netty.allocator.numDirectArenas=0",
                    "-Dlog4j.shutdownHookEnabled=false",
                    "-Dlog4j2.disable.jmx=true");

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Path dir;
    private final boolean external;
    private volatile String url;
    private volatile JavaProcess process;

    /** A node to be started by {@link #start()}, keeping its files under {@code baseDir}. */
    public ElasticsearchServer(Path baseDir) {
        this.dir = baseDir.resolve(NAME).toAbsolutePath();
        this.external = false;
    }

    private ElasticsearchServer(String httpUrl) {
        this.dir = null;
        this.external = true;
        this.url = stripTrailingSlash(httpUrl);
    }

    /**
     * An existing node or cluster; {@link #start()} only checks that it answers {@code
     * /_cluster/health} (2xx) within 10 s, and {@link #close()} leaves it alone.
     */
    public static ElasticsearchServer external(String httpUrl) {
        URI uri = URI.create(httpUrl);
        if (uri.getScheme() == null || uri.getHost() == null) {
            throw new IllegalArgumentException(
                    "elasticsearch: the external URL must look like http://host:9200, got "
                            + httpUrl);
        }
        return new ElasticsearchServer(httpUrl);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean external() {
        return external;
    }

    @Override
    public synchronized void start() throws IOException {
        if (external) {
            Ports.await(
                    NAME + " at " + url,
                    EXTERNAL_TIMEOUT,
                    () -> Ports.httpGet(url + "/_cluster/health"),
                    body -> true,
                    () -> true);
            return;
        }
        if (process != null && process.isAlive()) {
            throw new IllegalStateException(NAME + " is already running: " + process);
        }
        int httpPort = Ports.free();
        int transportPort = Ports.free();
        String candidate = "http://127.0.0.1:" + httpPort;
        Files.createDirectories(dir.resolve("tmp"));
        List<String> classpath = new ArrayList<>(RuntimeClasspath.of(RUNTIME));
        classpath.add(RuntimeClasspath.moduleLocation(RUNTIME));
        JavaProcess started =
                JavaProcess.builder(NAME)
                        .classpath(classpath)
                        .jvmArgs(JVM_ARGS)
                        .jvmArgs("-Djava.io.tmpdir=" + dir.resolve("tmp"))
                        .mainClass(MAIN_CLASS)
                        .args(
                                dir.toString(),
                                Integer.toString(httpPort),
                                Integer.toString(transportPort),
                                CLUSTER_NAME)
                        .workDir(dir)
                        .log(dir.resolve(NAME + ".log"))
                        .start();
        process = started;
        try {
            Ports.await(
                    NAME + " on " + candidate,
                    START_TIMEOUT,
                    () -> clusterStatus(candidate),
                    READY::contains,
                    started::isAlive);
            put(
                    candidate + "/_template/" + SINGLE_NODE_TEMPLATE,
                    "{\"index_patterns\":[\"*\"],\"order\":-1,"
                            + "\"settings\":{\"number_of_replicas\":0}}");
        } catch (RuntimeException e) {
            String tail = started.logTail(40);
            close();
            throw new IllegalStateException(
                    e.getMessage()
                            + System.lineSeparator()
                            + "--- last lines of "
                            + started.log()
                            + " ---"
                            + System.lineSeparator()
                            + tail,
                    e);
        }
        url = candidate;
    }

    /** The node's HTTP URL, e.g. {@code http://127.0.0.1:41234}, without a trailing slash. */
    public String httpUrl() {
        String value = url;
        if (value == null) {
            throw new IllegalStateException(NAME + " is not started");
        }
        return value;
    }

    @Override
    public Map<String, String> endpoints() {
        String value = url;
        return value == null ? Map.of() : Map.of("http", value);
    }

    /** The child JVM's process id, when this server started one. */
    public OptionalLong pid() {
        JavaProcess current = process;
        return current == null ? OptionalLong.empty() : OptionalLong.of(current.pid());
    }

    /** The child JVM's output, when this server starts one. */
    public Optional<Path> log() {
        return external ? Optional.empty() : Optional.of(dir.resolve(NAME + ".log"));
    }

    @Override
    public synchronized void close() {
        JavaProcess current = process;
        if (current != null) {
            current.close();
        }
        if (!external) {
            url = null;
        }
    }

    @Override
    public String toString() {
        return NAME + (external ? " (external) " : " ") + (url == null ? "(not started)" : url);
    }

    /** {@code green}, {@code yellow} or {@code red}; null while the node does not answer. */
    private static String clusterStatus(String baseUrl) {
        String body = Ports.httpGet(baseUrl + "/_cluster/health");
        if (body == null) {
            return null;
        }
        try {
            return JSON.readTree(body).path("status").asText(null);
        } catch (IOException e) {
            return null;
        }
    }

    private static void put(String target, String json) {
        try {
            HttpResponse<String> response =
                    HTTP.send(
                            HttpRequest.newBuilder(URI.create(target))
                                    .timeout(Duration.ofSeconds(30))
                                    .header("Content-Type", "application/json")
                                    .PUT(HttpRequest.BodyPublishers.ofString(json))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() / 100 != 2) {
                throw new IllegalStateException(
                        "PUT "
                                + target
                                + " answered "
                                + response.statusCode()
                                + ": "
                                + response.body());
            }
        } catch (IOException e) {
            throw new IllegalStateException("PUT " + target + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during PUT " + target, e);
        }
    }

    /**
     * The jar or classes directory of a runtime module (its own code, which its classpath file does
     * not list), found from where its classpath file is loaded.
     */
    private static String stripTrailingSlash(String value) {
        return value.endsWith("/") ? value.substring(0, value.length() - 1) : value;
    }
}
