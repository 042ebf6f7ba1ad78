package dev.changeflow.jobs;

import dev.changeflow.localstack.server.FlinkCluster;
import dev.changeflow.localstack.server.FlinkRestClient;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.awaitility.Awaitility.await;

/** The job jar as users submit it to a standalone cluster: {@code flink run}'s REST calls. */
public final class ClusterJobs {

    private static final Map<String, String> UPLOADED = new ConcurrentHashMap<>();

    private ClusterJobs() {}

    /**
     * The ingest job's fat jar {@code mvn package} built ({@code target/changeflow-ingest-*.jar}).
     */
    public static Path fatJar() throws IOException {
        try (DirectoryStream<Path> jars =
                Files.newDirectoryStream(Path.of("target"), "changeflow-ingest-*.jar")) {
            for (Path jar : jars) {
                return jar.toAbsolutePath();
            }
        }
        throw new IllegalStateException("no target/changeflow-ingest-*.jar: run mvn package first");
    }

    /** The ingest job's fat jar's id on {@code flink}, uploaded once per JVM. */
    public static String uploadedJar(FlinkCluster flink) throws Exception {
        String id = UPLOADED.get(flink.restUrl());
        if (id == null) {
            id = new FlinkRestClient(flink.restUrl()).uploadJar(fatJar());
            UPLOADED.put(flink.restUrl(), id);
        }
        return id;
    }

    /** Cancels the job if it still runs and waits until it has ended. */
    public static void cancel(FlinkRestClient rest, String jobId) throws Exception {
        if (!terminal(rest.jobState(jobId))) {
            rest.cancel(jobId);
        }
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> terminal(rest.jobState(jobId)));
    }

    private static boolean terminal(String state) {
        return state.equals("FINISHED") || state.equals("CANCELED") || state.equals("FAILED");
    }
}
