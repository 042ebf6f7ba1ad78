package dev.changeflow.localstack;

import dev.changeflow.localstack.process.Ports;
import dev.changeflow.localstack.server.ElasticsearchServer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ElasticsearchServerIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir static Path baseDir;

    static ElasticsearchServer server;

    @BeforeAll
    static void start() throws Exception {
        server = new ElasticsearchServer(baseDir);
        long started = System.nanoTime();
        server.start();
        long millis = (System.nanoTime() - started) / 1_000_000;
        System.out.printf(
                "elasticsearch: started in %d ms, RSS %s, %s%n",
                millis, rss(server.pid().getAsLong()), server.httpUrl());
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    @Order(1)
    void indexesADocumentAndSearchesItBack() throws Exception {
        String base = server.httpUrl();
        JsonNode created =
                send(
                        "PUT",
                        base + "/it-orders",
                        "{\"mappings\":{\"properties\":{"
                                + "\"customer\":{\"type\":\"keyword\"},\"amount\":{\"type\":\"double\"}}}}",
                        200);
        assertThat(created.path("acknowledged").asBoolean()).isTrue();

        JsonNode indexed =
                send(
                        "PUT",
                        base + "/it-orders/_doc/order-42",
                        "{\"customer\":\"ada\",\"amount\":12.5,\"items\":3}",
                        201);
        assertThat(indexed.path("_id").asText()).isEqualTo("order-42");
        assertThat(indexed.path("result").asText()).isEqualTo("created");

        send("POST", base + "/it-orders/_refresh", "", 200);

        JsonNode found =
                send(
                        "POST",
                        base + "/it-orders/_search",
                        "{\"query\":{\"term\":{\"customer\":\"ada\"}}}",
                        200);
        assertThat(found.path("hits").path("total").path("value").asInt()).isEqualTo(1);
        JsonNode hit = found.path("hits").path("hits").get(0);
        assertThat(hit.path("_id").asText()).isEqualTo("order-42");
        assertThat(hit.path("_source").path("customer").asText()).isEqualTo("ada");
        assertThat(hit.path("_source").path("amount").asDouble()).isEqualTo(12.5);
        assertThat(hit.path("_source").path("items").asInt()).isEqualTo(3);

        // single node: the stack's template gives indices no replicas, so the index is green
        JsonNode health = send("GET", base + "/_cluster/health/it-orders", null, 200);
        assertThat(health.path("status").asText()).isEqualTo("green");
    }

    @Test
    @Order(2)
    void clusterHealthReportsOneNode() throws Exception {
        JsonNode health = send("GET", server.httpUrl() + "/_cluster/health", null, 200);
        assertThat(health.path("number_of_nodes").asInt()).isEqualTo(1);
        assertThat(health.path("number_of_data_nodes").asInt()).isEqualTo(1);
        assertThat(health.path("status").asText()).isIn("green", "yellow");
        JsonNode root = send("GET", server.httpUrl() + "/", null, 200);
        assertThat(root.path("version").path("number").asText()).isEqualTo("7.10.2");
    }

    @Test
    @Order(3)
    void describesItselfAndAnExternalNode() throws Exception {
        assertThat(server.name()).isEqualTo("elasticsearch");
        assertThat(server.external()).isFalse();
        assertThat(server.httpUrl()).matches("http://127\\.0\\.0\\.1:\\d+");
        assertThat(server.endpoints()).isEqualTo(Map.of("http", server.httpUrl()));
        assertThat(server.log()).get().satisfies(log -> assertThat(Files.size(log)).isPositive());

        try (ElasticsearchServer external = ElasticsearchServer.external(server.httpUrl() + "/")) {
            external.start();
            assertThat(external.external()).isTrue();
            assertThat(external.httpUrl()).isEqualTo(server.httpUrl());
            assertThat(external.endpoints()).isEqualTo(server.endpoints());
            assertThat(external.pid()).isEmpty();
        }
        // closing the external handle leaves the node alone
        assertThat(Ports.httpGet(server.httpUrl() + "/_cluster/health")).isNotNull();
    }

    @Test
    @Order(4)
    void closeStopsTheJvmAndFreesThePort() {
        long pid = server.pid().getAsLong();
        int port = URI.create(server.httpUrl()).getPort();

        System.out.printf("elasticsearch: RSS after the tests %s%n", rss(pid));
        long started = System.nanoTime();
        server.close();
        System.out.printf(
                "elasticsearch: stopped in %d ms%n", (System.nanoTime() - started) / 1_000_000);
        server.log().ifPresent(log -> printTail(log, 8));

        assertThat(ProcessHandle.of(pid).filter(ProcessHandle::isAlive)).isEmpty();
        assertThat(Ports.isOpen("127.0.0.1", port)).isFalse();
        assertThat(server.endpoints()).isEmpty();
        assertThatThrownBy(server::httpUrl).isInstanceOf(IllegalStateException.class);
        server.close(); // idempotent
    }

    private static JsonNode send(String method, String url, String body, int expectedStatus)
            throws Exception {
        HttpRequest.Builder request =
                HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(body));
        }
        HttpResponse<String> response =
                HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode())
                .as(method + " " + url + ": " + response.body())
                .isEqualTo(expectedStatus);
        return JSON.readTree(response.body());
    }

    /** Resident set size of a process, from /proc (Linux). */
    static String rss(long pid) {
        try {
            return Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")).stream()
                    .filter(line -> line.startsWith("VmRSS:"))
                    .map(line -> line.substring("VmRSS:".length()).trim())
                    .findFirst()
                    .orElse("?");
        } catch (Exception e) {
            return "?";
        }
    }

    private static void printTail(Path log, int lines) {
        try {
            List<String> all = Files.readAllLines(log);
            all.subList(Math.max(0, all.size() - lines), all.size()).forEach(System.out::println);
        } catch (java.io.IOException e) {
            System.out.println("(no log: " + e + ")");
        }
    }
}
