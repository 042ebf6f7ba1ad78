package dev.changeflow.cli.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpConnectTimeoutException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** What the cluster commands share: job names, the fat jar, REST URLs and one-line errors. */
final class ClusterSupport {

    /** The default of {@code --rest}: {@code $CHANGEFLOW_FLINK_REST}, else the local port. */
    static final String DEFAULT_REST = "${env:CHANGEFLOW_FLINK_REST:-http://127.0.0.1:8081}";

    /** The jobs of the fat jar by short name. */
    static final Map<String, String> JOBS = new LinkedHashMap<>();

    static {
        JOBS.put("ingest", "dev.changeflow.jobs.ingest.IngestJob");
        JOBS.put("views", "dev.changeflow.jobs.views.ViewsJob");
        JOBS.put("analytics", "dev.changeflow.jobs.analytics.AnalyticsJob");
        JOBS.put("alerts", "dev.changeflow.jobs.alerts.AlertsJob");
    }

    /** The ingest job's fat jar (databases to Kafka: Flink CDC, Debezium, the JDBC drivers). */
    static final String INGEST_JAR_GLOB = "changeflow-ingest-*.jar";

    /** The other jobs' fat jar (Kafka to Redis, Elasticsearch, S3). */
    static final String JOBS_JAR_GLOB = "changeflow-jobs-*.jar";

    /** The fat jar that holds the libraries of {@code entryClass}'s side of Kafka. */
    static String jarGlob(String entryClass) {
        return entryClass.startsWith("dev.changeflow.jobs.ingest.")
                ? INGEST_JAR_GLOB
                : JOBS_JAR_GLOB;
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private ClusterSupport() {}

    /** A failure the command reports as one line and a non-zero exit code. */
    static final class Failure extends RuntimeException {
        Failure(String message) {
            super(message);
        }
    }

    /**
     * The entry class of {@code job}: a short name ({@code ingest}, {@code views}, {@code
     * analytics}, {@code alerts}) or a fully qualified class name.
     */
    static String entryClass(String job) {
        String name = job.trim();
        String known = JOBS.get(name.toLowerCase(Locale.ROOT));
        if (known != null) {
            return known;
        }
        if (name.matches(
                "[\\p{javaJavaIdentifierStart}][\\p{javaJavaIdentifierPart}]*"
                        + "(\\.[\\p{javaJavaIdentifierStart}][\\p{javaJavaIdentifierPart}]*)+")) {
            return name;
        }
        throw new Failure(
                "unknown job '"
                        + job
                        + "' (known: "
                        + String.join(", ", JOBS.keySet())
                        + ", or a fully qualified class name)");
    }

    /** A REST URL without trailing slashes; {@link Failure} if it is not {@code http(s)://host}. */
    static String restUrl(String url) {
        String trimmed = url.trim().replaceAll("/+$", "");
        URI uri;
        try {
            uri = URI.create(trimmed);
        } catch (IllegalArgumentException e) {
            throw new Failure("not a REST URL (expected http://host:port): " + url);
        }
        if (uri.getHost() == null
                || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
            throw new Failure("not a REST URL (expected http://host:port): " + url);
        }
        return trimmed;
    }

    /**
     * {@code jar} if given (it must exist), else the newest fat jar matching {@code glob} under a
     * jobs/target.
     */
    static Path jar(Path jar, String glob, List<Path> searchDirs) throws IOException {
        if (jar != null) {
            if (!Files.isRegularFile(jar)) {
                throw new Failure("no such jar: " + jar.toAbsolutePath());
            }
            return jar.toAbsolutePath();
        }
        Path newest = null;
        for (Path dir : searchDirs) {
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (DirectoryStream<Path> jars = Files.newDirectoryStream(dir, glob)) {
                for (Path candidate : jars) {
                    String name = candidate.getFileName().toString();
                    if (name.endsWith("-sources.jar")
                            || name.endsWith("-javadoc.jar")
                            || name.endsWith("-tests.jar")) {
                        continue;
                    }
                    if (newest == null
                            || Files.getLastModifiedTime(candidate)
                                            .compareTo(Files.getLastModifiedTime(newest))
                                    > 0) {
                        newest = candidate;
                    }
                }
            }
        }
        if (newest == null) {
            List<String> looked = new ArrayList<>();
            searchDirs.forEach(d -> looked.add(d.toAbsolutePath().normalize().toString()));
            throw new Failure(
                    "no "
                            + glob
                            + " found (looked in "
                            + String.join(", ", looked)
                            + "): build it with mvn package, or pass --jar");
        }
        return newest.toAbsolutePath().normalize();
    }

    /**
     * Where the fat jar is looked for: {@code jobs/target} and {@code ../jobs/target} from the
     * working directory, and {@code jobs/target} of the project these classes were built in.
     */
    static List<Path> jarSearchDirs() {
        List<Path> dirs = new ArrayList<>();
        dirs.add(Path.of("jobs", "target"));
        dirs.add(Path.of("..", "jobs", "target"));
        try {
            // <root>/cli/target/classes
            Path classes =
                    Path.of(
                            ClusterSupport.class
                                    .getProtectionDomain()
                                    .getCodeSource()
                                    .getLocation()
                                    .toURI());
            Path root = classes.getParent() == null ? null : classes.getParent().getParent();
            if (root != null && root.getParent() != null) {
                Path dir = root.getParent().resolve("jobs").resolve("target");
                if (dirs.stream().noneMatch(d -> sameDir(d, dir))) {
                    dirs.add(dir);
                }
            }
        } catch (Exception e) {
            // no code source: only the working directory
        }
        return dirs;
    }

    private static boolean sameDir(Path a, Path b) {
        return a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
    }

    /**
     * A savepoint directory as the cluster takes it: URIs ({@code s3://}, {@code file:///}) as they
     * are, local paths made absolute {@code file:} URIs.
     */
    static String savepointTarget(String dir) {
        if (dir.matches("[a-zA-Z][a-zA-Z0-9+.-]*:/.*")) {
            return dir;
        }
        return Path.of(dir).toAbsolutePath().normalize().toUri().toString();
    }

    /** One line naming what went wrong with a call to the cluster at {@code restUrl}. */
    static String describe(String restUrl, Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConnectException || t instanceof HttpConnectTimeoutException) {
                return "no Flink cluster answers at "
                        + restUrl
                        + " (start one with 'changeflow cluster up', or pass --rest)";
            }
            if (t instanceof Failure) {
                return t.getMessage();
            }
        }
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        return oneLine(message);
    }

    /**
     * The gist of an error: for a REST answer with Flink's {@code errors}, its last {@code Caused
     * by} (the root cause), else the first line.
     */
    static String oneLine(String message) {
        int json = message.indexOf("{\"errors\"");
        if (json >= 0) {
            try {
                JsonNode errors = JSON.readTree(message.substring(json)).path("errors");
                String prefix = message.substring(0, json).replaceAll(":\\s*$", "");
                prefix = prefix.replaceAll("^\\S+ \\S+ answered ", "REST answered ");
                String cause = null;
                String first = null;
                for (JsonNode error : errors) {
                    for (String line : error.asText().split("\n")) {
                        String trimmed = line.trim();
                        if (trimmed.isEmpty() || trimmed.startsWith("at ")) {
                            continue;
                        }
                        if (first == null) {
                            first = trimmed;
                        }
                        if (trimmed.startsWith("Caused by: ")) {
                            cause = trimmed.substring("Caused by: ".length());
                        }
                    }
                }
                String gist = cause != null ? cause : first;
                if (gist != null) {
                    return prefix + ": " + gist;
                }
            } catch (IOException ignored) {
                // not JSON after all
            }
        }
        String first = message.strip().split("\r?\n", 2)[0];
        return first.length() > 400 ? first.substring(0, 400) + " ..." : first;
    }
}
