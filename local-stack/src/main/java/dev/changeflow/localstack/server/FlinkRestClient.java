package dev.changeflow.localstack;

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
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** The few calls of Flink's REST API the tests make, with the JDK's HTTP client. */
final class FlinkClusterRest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String restUrl;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    FlinkClusterRest(String restUrl) {
        this.restUrl = restUrl;
    }

    JsonNode get(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(restUrl + path)).GET());
    }

    /** {@code POST /jars/upload} as multipart/form-data (field {@code jarfile}); the jar id. */
    String uploadJar(Path jar) throws IOException, InterruptedException {
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
    String runJar(String jarId, String entryClass, List<String> args, int parallelism)
            throws IOException, InterruptedException {
        String request =
                JSON.writeValueAsString(
                        Map.of(
                                "entryClass", entryClass,
                                "programArgsList", args,
                                "parallelism", parallelism));
        JsonNode answer =
                send(
                        HttpRequest.newBuilder(URI.create(restUrl + "/jars/" + jarId + "/run"))
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(request)));
        return answer.path("jobid").asText();
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
