package dev.changeflow.cli.verify;

import dev.changeflow.jobs.ingest.IngestJob;
import dev.changeflow.jobs.views.ViewsJob;
import dev.changeflow.localstack.Service;
import dev.changeflow.localstack.junit.LocalStackTest;
import dev.changeflow.localstack.server.ElasticsearchServer;
import dev.changeflow.localstack.server.KafkaServer;
import dev.changeflow.localstack.server.PostgresServer;
import dev.changeflow.localstack.server.RedisServer;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code changeflow verify} against a real pipeline: the ingest and views jobs capture a PostgreSQL
 * table into Kafka and Redis, and the test indexes its rows in Elasticsearch as a sink would. A
 * clean pipeline verifies clean, also while changes are in flight; then a row cut from the topic, a
 * wrong value in Redis and a missing document are each found and named.
 */
@LocalStackTest(services = {Service.POSTGRES, Service.KAFKA, Service.REDIS, Service.ELASTICSEARCH})
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class VerifyIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int ROWS = 40;
    private static final String RUN = "verifyit" + (System.currentTimeMillis() / 1000 % 1_000_000);
    private static final String TOPIC_PREFIX = RUN;
    private static final String VIEW_PREFIX = RUN + ":view";
    private static final String INDEX = RUN + "-members";

    private static PostgresServer postgres;
    private static KafkaServer kafka;
    private static RedisServer redis;
    private static ElasticsearchServer elasticsearch;
    private static JobClient job;
    @TempDir static Path dir;

    @BeforeAll
    static void startPipeline(
            PostgresServer pg, KafkaServer k, RedisServer r, ElasticsearchServer es)
            throws Exception {
        postgres = pg;
        kafka = k;
        redis = r;
        elasticsearch = es;
        try (Connection c = postgres.connect();
                Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS public.verify_members");
            s.execute(
                    "CREATE TABLE public.verify_members (id bigint PRIMARY KEY, name text NOT"
                            + " NULL, region text, score numeric(6,2), joined timestamp(3),"
                            + " active boolean, tags jsonb)");
            s.execute("ALTER TABLE public.verify_members REPLICA IDENTITY FULL");
            s.execute(
                    "INSERT INTO public.verify_members SELECT g, 'member ' || g, CASE WHEN g % 3"
                            + " = 0 THEN NULL ELSE 'region ' || (g % 4) END, g * 1.25, TIMESTAMP"
                            + " '2026-01-01 00:00:00' + g * INTERVAL '1 minute 1.5 seconds', g % 2"
                            + " = 0, jsonb_build_object('n', g) FROM generate_series(1, "
                            + ROWS
                            + ") g");
            s.execute(
                    "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE"
                            + " slot_name = '"
                            + RUN
                            + "'");
        }
        Configuration jobs = new Configuration();
        jobs.setString("execution.checkpointing.interval", "1 s");
        jobs.setString("execution.checkpointing.dir", dir.resolve("chk").toUri().toString());
        jobs.setString("parallelism.default", "1");
        Configuration ingest = new Configuration(jobs);
        ingest.setString("hostname", postgres.host());
        ingest.setString("port", Integer.toString(postgres.port()));
        ingest.setString("database-name", postgres.database());
        ingest.setString("username", postgres.user());
        ingest.setString("password", postgres.password());
        ingest.setString("table-list", "public.verify_members");
        ingest.setString("slot.name", RUN);
        ingest.setString("kafka.bootstrap-servers", kafka.bootstrapServers());
        ingest.setString("topic.prefix", TOPIC_PREFIX);
        Configuration views = new Configuration(jobs);
        views.setString("kafka.bootstrap-servers", kafka.bootstrapServers());
        views.setString("topics", topic());
        views.setString("group.id", RUN + "-views");
        views.setString("redis.uri", redis.uri());
        views.setString("view.key-prefix", VIEW_PREFIX);
        views.setString("dead-letter.topic", RUN + ".views.dead-letters");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(jobs);
        IngestJob.prepare(ingest, env);
        ViewsJob.prepare(views, env);
        job = env.executeAsync("verify it: ingest + views");
        indexDocuments();
        await().atMost(Duration.ofMinutes(3))
                .pollInterval(Duration.ofSeconds(2))
                .until(() -> verify("kafka,redis", "--wait=0s").code == 0);
    }

    @AfterAll
    static void stopPipeline() throws Exception {
        if (job != null) {
            job.cancel().get(1, TimeUnit.MINUTES);
        }
        try (Connection c = postgres.connect();
                Statement s = c.createStatement()) {
            s.execute(
                    "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE"
                            + " slot_name = '"
                            + RUN
                            + "' AND NOT active");
        }
    }

    @Test
    @Order(1)
    void aCleanPipelineVerifiesCleanEvenWithChangesInFlight() throws Exception {
        java.util.concurrent.atomic.AtomicInteger updates =
                new java.util.concurrent.atomic.AtomicInteger();
        CompletableFuture<Void> writer =
                CompletableFuture.runAsync(
                        () -> {
                            try (Connection c = postgres.connect();
                                    Statement s = c.createStatement()) {
                                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
                                for (int i = 0; System.nanoTime() < end; i++) {
                                    s.execute(
                                            "UPDATE public.verify_members SET score = score + 1"
                                                    + " WHERE id = "
                                                    + (1 + i % 5));
                                    updates.incrementAndGet();
                                    TimeUnit.MILLISECONDS.sleep(50);
                                }
                            } catch (Exception e) {
                                throw new IllegalStateException(e);
                            }
                        });
        // verify while updates are being written, not before the first one
        await().atMost(Duration.ofSeconds(10)).until(() -> updates.get() >= 10);
        Run during = verify("kafka,redis", "--wait=30s", "--json");
        writer.get(10, TimeUnit.SECONDS);
        assertThat(during.code).as(during.output).isZero();
        JsonNode results = JSON.readTree(during.output).get("results");
        assertThat(results).hasSize(2);
        for (JsonNode result : results) {
            assertThat(result.get("databaseRows").asLong()).isEqualTo(ROWS);
            assertThat(result.get("ok").asBoolean()).isTrue();
        }

        // once quiet, everything matches on the first pass, in every sink
        await().atMost(Duration.ofMinutes(1))
                .until(() -> verify("kafka,redis", "--wait=0s").code == 0);
        Run after = verify("kafka,redis", "--wait=0s", "--json");
        assertThat(after.code).as(after.output).isZero();
        for (JsonNode result : JSON.readTree(after.output).get("results")) {
            assertThat(result.get("caughtUp").asLong()).isZero();
            assertThat(result.get("tooRecent").asLong()).isZero();
        }
        reindexDocuments();
        Run documents = verify("elasticsearch", "--wait=0s", "--json");
        assertThat(documents.code).as(documents.output).isZero();
        assertThat(JSON.readTree(documents.output).at("/results/0/columns"))
                .extracting(JsonNode::asText)
                .containsExactly("id", "name", "region", "score", "joined", "active", "tags");
    }

    @Test
    @Order(2)
    void aWrongValueInRedisIsNamedWithItsColumn() throws Exception {
        try (RedisClient client = RedisClient.create(redis.uri());
                StatefulRedisConnection<String, String> c = client.connect()) {
            c.sync().hset(VIEW_PREFIX + ":verify_members:{17}", "name", "someone else");
            Run run = verify("redis", "--wait=1s");
            assertThat(run.code).as(run.output).isEqualTo(1);
            assertThat(run.output)
                    .contains("different {\"id\":17}")
                    .contains("name: database \"member 17\", sink \"someone else\"");
            c.sync().hset(VIEW_PREFIX + ":verify_members:{17}", "name", "member 17");
        }
        assertThat(verify("redis", "--wait=0s").code).isZero();
    }

    @Test
    @Order(3)
    void aMissingDocumentIsNamed() throws Exception {
        http("DELETE", "/" + INDEX + "/_doc/23?refresh=true", null);
        Run run = verify("elasticsearch", "--wait=1s");
        assertThat(run.code).as(run.output).isEqualTo(1);
        assertThat(run.output).contains("missing   {\"id\":23}");
        assertThat(run.output.lines().filter(l -> l.startsWith("  missing")).count()).isEqualTo(1);
    }

    @Test
    @Order(4)
    void rowsCutFromTheTopicAreNamedAsMissing() throws Exception {
        job.cancel().get(1, TimeUnit.MINUTES);
        job = null;
        // the rows whose every change lies before the cut vanish from the folded topic
        TopicPartition partition = new TopicPartition(topic(), 0);
        long cut = 5;
        Map<String, Long> lastOffsetByKey = new HashMap<>();
        for (ConsumerRecord<String, String> record : records(partition)) {
            lastOffsetByKey.put(record.key(), record.offset());
        }
        TreeSet<String> expected = new TreeSet<>();
        lastOffsetByKey.forEach(
                (key, offset) -> {
                    if (offset < cut) {
                        expected.add(key);
                    }
                });
        assertThat(expected).isNotEmpty();
        try (Admin admin =
                Admin.create(
                        Map.of(
                                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                                kafka.bootstrapServers()))) {
            admin.deleteRecords(Map.of(partition, RecordsToDelete.beforeOffset(cut)))
                    .all()
                    .get(30, TimeUnit.SECONDS);
        }
        Run run = verify("kafka", "--wait=1s", "--json");
        assertThat(run.code).as(run.output).isEqualTo(1);
        JsonNode result = JSON.readTree(run.output).at("/results/0");
        assertThat(result.get("missing").asLong()).isEqualTo(expected.size());
        assertThat(result.get("extra").asLong()).isZero();
        assertThat(result.get("different").asLong()).isZero();
        List<String> named = new ArrayList<>();
        result.get("rows").forEach(row -> named.add(row.get("key").toString()));
        assertThat(new TreeSet<>(named)).isEqualTo(expected);
    }

    @Test
    @Order(5)
    void aTableWithoutAPrimaryKeyOrAMissingTopicCannotBeVerified() throws Exception {
        try (Connection c = postgres.connect();
                Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS public.verify_keyless (v int)");
        }
        Run keyless = verify("kafka", "--table-list=public.verify_keyless");
        assertThat(keyless.code).isEqualTo(2);
        assertThat(keyless.errors).contains("public.verify_keyless has no primary key");
        Run unknown = verify("kafka", "--topic.prefix=" + RUN + "-nothing");
        assertThat(unknown.code).isEqualTo(2);
        assertThat(unknown.errors).contains("does not exist");
    }

    private static String topic() {
        return TOPIC_PREFIX + "." + postgres.database() + ".public.verify_members";
    }

    /** What verify printed and returned. */
    private record Run(int code, String output, String errors) {}

    private static Run verify(String against, String... more) {
        VerifyCommand command = new VerifyCommand();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        command.out = new PrintStream(out, true, StandardCharsets.UTF_8);
        command.err = new PrintStream(err, true, StandardCharsets.UTF_8);
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "--hostname=" + postgres.host(),
                                "--port=" + postgres.port(),
                                "--database-name=" + postgres.database(),
                                "--username=" + postgres.user(),
                                "--password=" + postgres.password(),
                                "--table-list=public.verify_members",
                                "--against=" + against,
                                "--kafka.bootstrap-servers=" + kafka.bootstrapServers(),
                                "--topic.prefix=" + TOPIC_PREFIX,
                                "--redis.uri=" + redis.uri(),
                                "--view.key-prefix=" + VIEW_PREFIX,
                                "--elasticsearch.hosts=" + elasticsearch.httpUrl(),
                                "--elasticsearch.index=verify_members=" + INDEX,
                                "--range-rows=7",
                                "--state-dir=" + dir.resolve("verify")));
        args.addAll(List.of(more));
        // a later --table-list or --topic.prefix replaces the default one
        Map<String, String> byName = new java.util.LinkedHashMap<>();
        for (String arg : args) {
            byName.put(
                    arg.substring(0, arg.indexOf('=') > 0 ? arg.indexOf('=') : arg.length()), arg);
        }
        int code = new CommandLine(command).execute(byName.values().toArray(new String[0]));
        return new Run(
                code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static List<ConsumerRecord<String, String>> records(TopicPartition partition) {
        Map<String, Object> props =
                Map.of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        kafka.bootstrapServers(),
                        ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                        "read_committed");
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer =
                new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long end = consumer.endOffsets(List.of(partition)).get(partition);
            while (consumer.position(partition) < end) {
                consumer.poll(Duration.ofMillis(500)).forEach(records::add);
            }
        }
        return records;
    }

    /** The table's rows as documents, id = key, one field per column (as a sink writes them). */
    private static void indexDocuments() throws Exception {
        http("PUT", "/" + INDEX, "{\"settings\":{\"number_of_replicas\":0}}");
        reindexDocuments();
    }

    private static void reindexDocuments() throws Exception {
        StringBuilder bulk = new StringBuilder();
        try (Connection c = postgres.connect();
                Statement s = c.createStatement();
                ResultSet rs =
                        s.executeQuery(
                                "SELECT id, name, region, score, to_char(joined, 'YYYY-MM-DD"
                                        + " HH24:MI:SS.MS') AS joined, active, tags::text FROM"
                                        + " public.verify_members")) {
            while (rs.next()) {
                bulk.append("{\"index\":{\"_id\":\"").append(rs.getLong("id")).append("\"}}\n");
                Map<String, Object> doc = new java.util.LinkedHashMap<>();
                doc.put("id", rs.getLong("id"));
                doc.put("name", rs.getString("name"));
                doc.put("region", rs.getString("region"));
                doc.put("score", rs.getBigDecimal("score"));
                doc.put("joined", rs.getString("joined"));
                doc.put("active", rs.getBoolean("active"));
                doc.put("tags", JSON.readTree(rs.getString("tags")));
                bulk.append(JSON.writeValueAsString(doc)).append('\n');
            }
        }
        http("POST", "/" + INDEX + "/_bulk?refresh=true", bulk.toString());
    }

    private static String http(String method, String path, String body) throws Exception {
        HttpResponse<String> response =
                HttpClient.newHttpClient()
                        .send(
                                HttpRequest.newBuilder(URI.create(elasticsearch.httpUrl() + path))
                                        .header("Content-Type", "application/x-ndjson")
                                        .method(
                                                method,
                                                body == null
                                                        ? HttpRequest.BodyPublishers.noBody()
                                                        : HttpRequest.BodyPublishers.ofString(body))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isLessThan(300);
        return response.body();
    }
}
