package dev.changeflow.localstack.server;

import dev.changeflow.localstack.ManagedServer;
import dev.changeflow.localstack.process.JavaProcess;
import dev.changeflow.localstack.process.Ports;
import dev.changeflow.localstack.process.RuntimeClasspath;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * An S3-compatible server: Adobe S3Mock in a JVM of its own (see the {@code
 * local-stack/runtime-s3mock} module), plain HTTP on 127.0.0.1, path-style access, any credentials
 * accepted; or an existing S3 endpoint.
 *
 * <p>Objects live under {@code <baseDir>/s3/root} and are kept when the server stops (S3Mock
 * reloads them on the next start); the child JVM's output goes to {@code <baseDir>/s3/s3.log}. The
 * initial buckets are created on start when they do not exist yet.
 */
public final class S3Server implements ManagedServer {

    public static final String NAME = "s3";
    public static final String DEFAULT_BUCKET = "changeflow";
    public static final String DEFAULT_REGION = "us-east-1";

    /** S3Mock accepts any credentials; these are what clients are told to use. */
    public static final String LOCAL_ACCESS_KEY = "changeflow";

    public static final String LOCAL_SECRET_KEY = "changeflow-secret";

    static final String RUNTIME = "runtime-s3mock";
    static final String LAUNCHER = "org.springframework.boot.loader.launch.PropertiesLauncher";

    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration EXTERNAL_TIMEOUT = Duration.ofSeconds(10);
    private static final Pattern BUCKET_NAME = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
    private static final List<String> JVM_ARGS =
            List.of(
                    "-Xms64m",
                    "-Xmx256m",
                    "-XX:+UseSerialGC",
                    "-XX:TieredStopAtLevel=1",
                    "-XX:-OmitStackTraceInFastThrow",
                    "-Dfile.encoding=UTF-8");

    private final Path dir;
    private final boolean external;
    private final List<String> buckets;
    private final String accessKey;
    private final String secretKey;
    private final String region;
    private volatile String endpoint;
    private volatile int httpsPort;
    private volatile JavaProcess process;

    /**
     * A server to be started by {@link #start()}, keeping its files under {@code baseDir}, with
     * {@code initialBuckets} (default {@value #DEFAULT_BUCKET}) created on start.
     */
    public S3Server(Path baseDir, String... initialBuckets) {
        this.dir = baseDir.resolve(NAME).toAbsolutePath();
        this.external = false;
        this.buckets =
                initialBuckets.length == 0 ? List.of(DEFAULT_BUCKET) : List.of(initialBuckets);
        for (String bucket : buckets) {
            if (!BUCKET_NAME.matcher(bucket).matches() || bucket.contains("..")) {
                throw new IllegalArgumentException(
                        "s3: initial bucket '"
                                + bucket
                                + "' is not a valid bucket name (3-63 characters of a-z, 0-9, '.'"
                                + " and '-', starting and ending with a letter or digit)");
            }
        }
        this.accessKey = LOCAL_ACCESS_KEY;
        this.secretKey = LOCAL_SECRET_KEY;
        this.region = DEFAULT_REGION;
    }

    private S3Server(String endpoint, String accessKey, String secretKey, String region) {
        this.dir = null;
        this.external = true;
        this.buckets = List.of();
        this.endpoint =
                endpoint.endsWith("/") ? endpoint.substring(0, endpoint.length() - 1) : endpoint;
        this.accessKey = accessKey;
        this.secretKey = secretKey;
        this.region = region;
    }

    /**
     * An existing S3 endpoint; {@link #start()} only checks that it accepts connections. Empty keys
     * are passed on as they are (for clients that find credentials elsewhere); a blank region means
     * {@value #DEFAULT_REGION}.
     */
    public static S3Server external(
            String endpoint, String accessKey, String secretKey, String region) {
        URI uri = URI.create(endpoint);
        if (uri.getScheme() == null || uri.getHost() == null) {
            throw new IllegalArgumentException(
                    "s3: the external endpoint must look like https://host[:port], got "
                            + endpoint);
        }
        return new S3Server(
                endpoint,
                nonNull(accessKey),
                nonNull(secretKey),
                region == null || region.isBlank() ? DEFAULT_REGION : region);
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
            URI uri = URI.create(endpoint);
            int port =
                    uri.getPort() >= 0 ? uri.getPort() : "https".equals(uri.getScheme()) ? 443 : 80;
            Ports.await(
                    NAME + " at " + endpoint,
                    EXTERNAL_TIMEOUT,
                    () -> Ports.isOpen(uri.getHost(), port),
                    open -> open,
                    () -> true);
            return;
        }
        if (process != null && process.isAlive()) {
            throw new IllegalStateException(NAME + " is already running: " + process);
        }
        int httpPort = Ports.free();
        int securePort = Ports.free();
        String candidate = "http://127.0.0.1:" + httpPort;
        JavaProcess started =
                JavaProcess.builder(NAME)
                        .classpath(RuntimeClasspath.of(RUNTIME))
                        .jvmArgs(JVM_ARGS)
                        // binds S3Mock's plain-HTTP connector to server.address as well
                        .jvmArgs("-Dloader.path=" + RuntimeClasspath.moduleLocation(RUNTIME))
                        .mainClass(LAUNCHER)
                        .args(
                                "--com.adobe.testing.s3mock.httpPort=" + httpPort,
                                "--server.port=" + securePort,
                                "--server.address=127.0.0.1",
                                "--com.adobe.testing.s3mock.region=" + region,
                                "--com.adobe.testing.s3mock.store.root=" + dir.resolve("root"),
                                "--com.adobe.testing.s3mock.store.initialBuckets="
                                        + String.join(",", buckets),
                                "--com.adobe.testing.s3mock.store.retainFilesOnExit=true",
                                "--spring.main.banner-mode=off")
                        .workDir(dir)
                        .log(dir.resolve(NAME + ".log"))
                        .start();
        process = started;
        try {
            // Listing the buckets also makes S3Mock (lazily initialised) create the initial ones.
            Ports.await(
                    NAME + " on " + candidate,
                    START_TIMEOUT,
                    () -> Ports.httpGet(candidate + "/"),
                    body -> body.contains("ListAllMyBucketsResult"),
                    started::isAlive);
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
        httpsPort = securePort;
        endpoint = candidate;
    }

    /** The S3 endpoint, e.g. {@code http://127.0.0.1:41234}; clients must use path-style access. */
    public String endpoint() {
        String value = endpoint;
        if (value == null) {
            throw new IllegalStateException(NAME + " is not started");
        }
        return value;
    }

    public String accessKey() {
        return accessKey;
    }

    public String secretKey() {
        return secretKey;
    }

    public String region() {
        return region;
    }

    /** The buckets created on start; empty for an external endpoint. */
    public List<String> buckets() {
        return buckets;
    }

    /** The child JVM's process id, when this server started one. */
    public OptionalLong pid() {
        JavaProcess current = process;
        return current == null ? OptionalLong.empty() : OptionalLong.of(current.pid());
    }

    /** S3Mock's HTTPS port (self-signed certificate, 127.0.0.1), 0 when not started here. */
    public int httpsPort() {
        return httpsPort;
    }

    /** The child JVM's output, when this server starts one. */
    public Optional<Path> log() {
        return external ? Optional.empty() : Optional.of(dir.resolve(NAME + ".log"));
    }

    @Override
    public Map<String, String> endpoints() {
        String value = endpoint;
        if (value == null) {
            return Map.of();
        }
        Map<String, String> endpoints = new LinkedHashMap<>();
        endpoints.put("endpoint", value);
        endpoints.put("access-key", accessKey);
        endpoints.put("secret-key", secretKey);
        endpoints.put("region", region);
        if (!buckets.isEmpty()) {
            endpoints.put("buckets", String.join(",", buckets));
        }
        return endpoints;
    }

    @Override
    public synchronized void close() {
        JavaProcess current = process;
        if (current != null) {
            current.close();
        }
        if (!external) {
            endpoint = null;
        }
    }

    @Override
    public String toString() {
        return NAME
                + (external ? " (external) " : " ")
                + (endpoint == null ? "(not started)" : endpoint);
    }

    private static String nonNull(String value) {
        return value == null ? "" : value;
    }

    /**
     * The jar or classes directory of a runtime module (its own code, which its classpath file does
     * not list), found from where its classpath file is loaded.
     */
}
