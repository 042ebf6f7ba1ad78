package dev.changeflow.localstack.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The calls of Flink's REST API that submitting and operating jobs needs (upload a jar, run it,
 * stop it with a savepoint, watch its state and checkpoints), with the JDK's HTTP client. Works
 * against any Flink 1.20 cluster, not only the local stack's.
 */
public final class FlinkRestClient {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String restUrl;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public FlinkRestClient(String restUrl) {
        this.restUrl = restUrl;
    }

    /** {@code GET path}, the answer as JSON. */
    public JsonNode get(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(restUrl + path)).GET());
    }

    /** {@code POST /jars/upload} as multipart/form-data (field {@code jarfile}); the jar id. */
    public String uploadJar(Path jar) throws IOException, InterruptedException {
        String boundary = "----changeflow-" + UUID.randomUUID();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(
                ("--"
                                + boundary
                                + "\r\n"
                                + "Content-Disposition: form-data; name=\"jarfile\"; filename=\""
                                + jar.getFileName()
                                + "\"\r\n"
                                + "Content-Type: application/x-java-archive\r\n\r\n")
                        .getBytes(StandardCharsets.UTF_8));
        body.write(Files.readAllBytes(jar));
        body.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        JsonNode answer =
                send(
                        HttpRequest.newBuilder(URI.create(restUrl + "/jars/upload"))
                                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())));
        if (!"success".equals(answer.path("status").asText())) {
            throw new IllegalStateException("jar upload failed: " + answer);
        }
        // "filename" is the stored file's path; its name is the jar id
        return Path.of(answer.path("filename").asText()).getFileName().toString();
    }

    /** {@code POST /jars/<id>/run}; the job id. */
    public String runJar(String jarId, String entryClass, List<String> args, int parallelism)
            throws IOException, InterruptedException {
        return runJar(jarId, entryClass, args, parallelism, null);
    }

    /**
     * {@code POST /jars/<id>/run}, restoring from {@code savepointPath} (a savepoint or a retained
     * checkpoint) when it is not null; the job id.
     */
    public String runJar(
            String jarId,
            String entryClass,
            List<String> args,
            int parallelism,
            String savepointPath)
            throws IOException, InterruptedException {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("entryClass", entryClass);
        request.put("programArgsList", args);
        request.put("parallelism", parallelism);
        if (savepointPath != null) {
            request.put("savepointPath", savepointPath);
        }
        JsonNode answer =
                send(
                        HttpRequest.newBuilder(URI.create(restUrl + "/jars/" + jarId + "/run"))
                                .header("Content-Type", "application/json")
                                .POST(
                                        HttpRequest.BodyPublishers.ofString(
                                                JSON.writeValueAsString(request))));
        return answer.path("jobid").asText();
    }

    /** The job's state: {@code RUNNING}, {@code FINISHED}, {@code FAILED}, {@code CANCELED}, ... */
    public String jobState(String jobId) throws IOException, InterruptedException {
        return get("/jobs/" + jobId).path("state").asText();
    }

    /** How many checkpoints of the job have completed. */
    public long completedCheckpoints(String jobId) throws IOException, InterruptedException {
        return get("/jobs/" + jobId + "/checkpoints").path("counts").path("completed").asLong();
    }

    /**
     * The path of the job's latest completed checkpoint (a retained checkpoint a new job can start
     * from), or {@code null} if there is none yet.
     */
    public String latestCheckpointPath(String jobId) throws IOException, InterruptedException {
        JsonNode latest = get("/jobs/" + jobId + "/checkpoints").path("latest").path("completed");
        return latest.isObject() ? latest.path("external_path").asText(null) : null;
    }

    /**
     * Stops the job with a savepoint in {@code targetDirectory} ({@code POST /jobs/<id>/stop}) and
     * waits for it.
     *
     * @return the savepoint's path
     * @throws IllegalStateException if the savepoint fails or takes longer than {@code timeout}
     */
    public String stopWithSavepoint(String jobId, String targetDirectory, Duration timeout)
            throws IOException, InterruptedException {
        JsonNode trigger =
                send(
                        HttpRequest.newBuilder(URI.create(restUrl + "/jobs/" + jobId + "/stop"))
                                .header("Content-Type", "application/json")
                                .POST(
                                        HttpRequest.BodyPublishers.ofString(
                                                JSON.writeValueAsString(
                                                        Map.of(
                                                                "targetDirectory",
                                                                targetDirectory,
                                                                "drain",
                                                                false)))));
        String triggerId = trigger.path("request-id").asText();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode status = get("/jobs/" + jobId + "/savepoints/" + triggerId);
            if ("COMPLETED".equals(status.path("status").path("id").asText())) {
                JsonNode operation = status.path("operation");
                if (operation.has("failure-cause")) {
                    throw new IllegalStateException(
                            "savepoint of job "
                                    + jobId
                                    + " failed: "
                                    + operation.path("failure-cause").path("stack-trace").asText());
                }
                return operation.path("location").asText();
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException(
                "savepoint of job " + jobId + " did not complete within " + timeout);
    }

    /** Cancels the job ({@code PATCH /jobs/<id>?mode=cancel}). */
    public void cancel(String jobId) throws IOException, InterruptedException {
        send(
                HttpRequest.newBuilder(URI.create(restUrl + "/jobs/" + jobId + "?mode=cancel"))
                        .method("PATCH", HttpRequest.BodyPublishers.noBody()));
    }

    /**
     * Shuts the cluster down ({@code DELETE /cluster}): the JobManager cancels what runs, stops its
     * TaskManagers' registrations and exits, as Flink's {@code stop-cluster.sh} leaves it.
     */
    public void shutdownCluster() throws IOException, InterruptedException {
        send(HttpRequest.newBuilder(URI.create(restUrl + "/cluster")).DELETE());
    }

    private JsonNode send(HttpRequest.Builder request) throws IOException, InterruptedException {
        HttpResponse<String> response =
                http.send(
                        request.timeout(Duration.ofSeconds(60)).build(),
                        HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw new IllegalStateException(
                    request.build().method()
                            + " "
                            + request.build().uri()
                            + " answered "
                            + response.statusCode()
                            + ": "
                            + response.body());
        }
        return JSON.readTree(response.body());
    }
}
