package dev.changeflow.jobs.sinks;

import dev.changeflow.jobs.FailOnceAfterCheckpoint;
import dev.changeflow.jobs.MiniClusters;
import dev.changeflow.jobs.sinks.ElasticsearchTemplates.IndexTemplate;
import dev.changeflow.localstack.Service;
import dev.changeflow.localstack.junit.LocalStackTest;
import dev.changeflow.localstack.server.ElasticsearchServer;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Elasticsearch sink against a real node: the job fails mid-stream after its sink wrote past
 * the last checkpoint, restarts and replays; afterwards every id exists once with its final value,
 * and the index has the template's mapping. With a version field, older values sent after newer
 * ones (by the generator, and by the replay) never overwrite them.
 */
@LocalStackTest(services = Service.ELASTICSEARCH)
class ElasticsearchSinksIT {

    @RegisterExtension static final MiniClusterExtension FLINK = MiniClusters.withSlots(2);

    private static final int KEYS = 40;
    private static final int VERSIONS = 30;
    private static final int INPUTS = KEYS * VERSIONS;

    /** In the guarded run, the inputs are followed by an old value of every key. */
    private static final int STALE_TAIL = KEYS;

    private static final String MAPPINGS =
            """
            {"dynamic": "strict",
             "properties": {
               "id": {"type": "long"},
               "version": {"type": "long"},
               "status": {"type": "keyword"},
               "amount": {"type": "scaled_float", "scaling_factor": 100},
               "updated": {"type": "date", "format": "epoch_millis"}}}
            """;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /** What the analytics job would write: one order, its version and a few fields. */
    public record Order(long id, long version, String status, double amount, long updated) {

        Map<String, Object> document() {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("id", id);
            doc.put("version", version);
            doc.put("status", status);
            doc.put("amount", amount);
            doc.put("updated", updated);
            return doc;
        }

        static Order of(long id, long version, boolean stale) {
            return new Order(
                    id,
                    version,
                    (stale ? "stale-v" : "v") + version,
                    id * 10 + version + 0.25,
                    1_735_689_600_000L + version * 1_000);
        }
    }

    @BeforeAll
    static void putTemplate(ElasticsearchServer es) {
        ElasticsearchTemplates.put(
                ElasticsearchConnection.of(es.httpUrl()),
                IndexTemplate.of("it-orders", List.of("it-orders-*"), MAPPINGS)
                        .withSettings("{\"number_of_shards\": 2, \"number_of_replicas\": 0}"));
    }

    @Test
    void replayAfterAFailureOverwritesInsteadOfDuplicating(ElasticsearchServer es)
            throws Exception {
        String index = "it-orders-plain";
        long started = System.nanoTime();
        run(es, index, new Orders(false), INPUTS, null, "es-plain");

        assertThat(FailOnceAfterCheckpoint.failed("es-plain"))
                .as("the job failed mid-stream")
                .isTrue();
        Map<String, JsonNode> docs = documents(es, index);
        assertThat(docs.keySet())
                .as("one document per id")
                .containsExactlyInAnyOrderElementsOf(ids());
        for (long id = 0; id < KEYS; id++) {
            JsonNode doc = docs.get(Long.toString(id)).path("_source");
            assertThat(doc.path("status").asText()).isEqualTo("v" + (VERSIONS - 1));
            assertThat(doc.path("version").asLong()).isEqualTo(VERSIONS - 1);
            assertThat(doc.path("id").asLong()).isEqualTo(id);
        }
        long writes = docs.values().stream().mapToLong(d -> d.path("_version").asLong()).sum();
        assertThat(writes)
                .as("index operations, counted by Elasticsearch's _version: the replay rewrote")
                .isGreaterThan(INPUTS);

        JsonNode mapping = get(es, "/" + index + "/_mapping").path(index).path("mappings");
        assertThat(mapping.path("dynamic").asText()).isEqualTo("strict");
        assertThat(mapping.at("/properties/status/type").asText()).isEqualTo("keyword");
        assertThat(mapping.at("/properties/amount/type").asText()).isEqualTo("scaled_float");
        assertThat(mapping.at("/properties/updated/type").asText()).isEqualTo("date");
        JsonNode settings = get(es, "/" + index + "/_settings").at("/" + index + "/settings/index");
        assertThat(settings.path("number_of_shards").asText()).isEqualTo("2");
        System.out.printf(
                "es plain: %d inputs, %d index operations, %d documents, %d ms%n",
                INPUTS, writes, docs.size(), (System.nanoTime() - started) / 1_000_000);
    }

    @Test
    void aVersionFieldKeepsOlderValuesFromOverwritingNewerOnes(ElasticsearchServer es)
            throws Exception {
        String index = "it-orders-guarded";
        Orders orders = new Orders(true);
        int inputs = INPUTS + STALE_TAIL;
        Map<Long, Order> newest = new HashMap<>();
        Map<Long, Order> last = new HashMap<>();
        for (long i = 0; i < inputs; i++) {
            Order order = orders.map(i);
            newest.merge(order.id(), order, (a, b) -> b.version() > a.version() ? b : a);
            last.put(order.id(), order);
        }
        assertThat(last.values())
                .as("without the guard, the last write of every id would be a stale value")
                .allMatch(order -> order.status().startsWith("stale"));
        long started = System.nanoTime();
        run(es, index, orders, inputs, "version", "es-guarded");

        assertThat(FailOnceAfterCheckpoint.failed("es-guarded"))
                .as("the job failed mid-stream")
                .isTrue();
        Map<String, JsonNode> docs = documents(es, index);
        assertThat(docs.keySet()).containsExactlyInAnyOrderElementsOf(ids());
        for (Order expected : newest.values()) {
            JsonNode doc = docs.get(Long.toString(expected.id())).path("_source");
            assertThat(doc.path("status").asText())
                    .as("id %d", expected.id())
                    .isEqualTo(expected.status());
            assertThat(doc.path("version").asLong()).isEqualTo(expected.version());
            assertThat(doc.path("amount").asDouble()).isEqualTo(expected.amount());
        }
        System.out.printf(
                "es guarded: %d inputs, %d documents, %d ms%n",
                inputs, docs.size(), (System.nanoTime() - started) / 1_000_000);
    }

    /** Writes {@code count} generated orders, failing once mid-stream, and waits for the end. */
    private static void run(
            ElasticsearchServer es,
            String index,
            Orders orders,
            int count,
            String versionField,
            String failure)
            throws Exception {
        // the node keeps its data between test runs
        send(es, "DELETE", "/" + index + "?ignore_unavailable=true");
        StreamExecutionEnvironment env = MiniClusters.restartingEnvironment(2);

        // one reader, like a CDC source: the versions of an id arrive in order
        DataStream<Order> input =
                env.fromSource(
                                new DataGeneratorSource<>(
                                        orders,
                                        count,
                                        RateLimiterStrategy.perSecond(600),
                                        TypeInformation.of(Order.class)),
                                WatermarkStrategy.noWatermarks(),
                                "orders")
                        .setParallelism(1);
        ElasticsearchSinks.Builder<Order> sink =
                ElasticsearchSinks.<Order>documents()
                        .connection(ElasticsearchConnection.of(es.httpUrl()))
                        .index(index)
                        .id(order -> DocumentIds.of(order.id()))
                        .document(Order::document)
                        .bulkFlushMaxActions(10)
                        .bulkFlushInterval(Duration.ofMillis(100));
        if (versionField != null) {
            sink.versionField(versionField);
        }
        // what addTo does, with the failure chained in front of the writer
        sink.keyedById(input)
                .map(new FailOnceAfterCheckpoint<Order>(failure, count / 4, 30))
                .returns(Order.class)
                .sinkTo(sink.build())
                .name("es-sink");
        env.execute(failure);
    }

    /**
     * Order {@code i}: id {@code i % KEYS}, version {@code i / KEYS}. With {@code stale}, every 9th
     * one instead re-sends an older version, and the last {@value #STALE_TAIL} re-send version 2 of
     * every id.
     */
    static final class Orders implements GeneratorFunction<Long, Order> {
        private final boolean stale;

        Orders(boolean stale) {
            this.stale = stale;
        }

        @Override
        public Order map(Long index) {
            long i = index;
            if (i >= INPUTS) {
                return Order.of(i - INPUTS, 2, true);
            }
            long id = i % KEYS;
            long version = i / KEYS;
            if (stale && i % 9 == 8 && version >= 3) {
                return Order.of(id, version - 3, true);
            }
            return Order.of(id, version, false);
        }
    }

    private static Set<String> ids() {
        return LongStream.range(0, KEYS).mapToObj(Long::toString).collect(Collectors.toSet());
    }

    /** Every document of {@code index} by id, with {@code _version}, after a refresh. */
    private static Map<String, JsonNode> documents(ElasticsearchServer es, String index)
            throws IOException, InterruptedException {
        send(es, "POST", "/" + index + "/_refresh");
        JsonNode hits =
                get(es, "/" + index + "/_search?size=1000&version=true").path("hits").path("hits");
        Map<String, JsonNode> docs = new TreeMap<>();
        for (JsonNode hit : hits) {
            assertThat(docs.put(hit.path("_id").asText(), hit))
                    .as("id %s twice", hit.path("_id"))
                    .isNull();
        }
        assertThat(get(es, "/" + index + "/_count").path("count").asInt()).isEqualTo(docs.size());
        return docs;
    }

    private static JsonNode get(ElasticsearchServer es, String path)
            throws IOException, InterruptedException {
        return send(es, "GET", path);
    }

    private static JsonNode send(ElasticsearchServer es, String method, String path)
            throws IOException, InterruptedException {
        HttpResponse<String> response =
                HTTP.send(
                        HttpRequest.newBuilder(URI.create(es.httpUrl() + path))
                                .method(method, HttpRequest.BodyPublishers.noBody())
                                .timeout(Duration.ofSeconds(30))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(method + " " + path).isEqualTo(200);
        return JSON.readTree(response.body());
    }
}
