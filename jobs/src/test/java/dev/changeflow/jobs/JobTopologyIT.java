package dev.changeflow.jobs;

import dev.changeflow.cdc.log.postgres.PostgresLogSource;
import dev.changeflow.jobs.alerts.AlertsJob;
import dev.changeflow.jobs.analytics.AnalyticsJob;
import dev.changeflow.jobs.ingest.IngestJob;
import dev.changeflow.jobs.sinks.KafkaSinks;
import dev.changeflow.jobs.views.ViewsJob;
import dev.changeflow.localstack.Service;
import dev.changeflow.localstack.junit.LocalStackTest;
import dev.changeflow.localstack.server.ElasticsearchServer;
import dev.changeflow.schemas.PrimaryKeyResolver;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamNode;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Savepoint compatibility of every job: each operator has a uid and a name, and the uids are the
 * ones of the released topology ({@code src/test/resources/job-uids/<job>.txt}).
 *
 * <p>A savepoint maps state to operators by uid. A build that renames, drops or forgets a uid
 * cannot resume from the previous build's savepoints (Flink refuses, or with {@code
 * --allowNonRestoredState} silently drops that state: Kafka offsets, CDC positions, windows). So a
 * change of these lists is a breaking change: update the file only together with a note in the
 * README on how to migrate. (An IT because the analytics job puts its Elasticsearch index templates
 * while it is built.)
 */
@LocalStackTest(services = Service.ELASTICSEARCH)
class JobTopologyIT {

    @ParameterizedTest
    @ValueSource(strings = {"ingest", "views", "analytics", "alerts"})
    void everyOperatorHasTheReleasedUidAndAName(String job, ElasticsearchServer es)
            throws IOException {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        topologies(es.httpUrl()).get(job).accept(env);
        StreamGraph graph = env.getStreamGraph(false);

        TreeSet<String> uids = new TreeSet<>();
        for (StreamNode node : graph.getStreamNodes()) {
            assertThat(node.getTransformationUID())
                    .as("uid of operator '%s' in the %s job", node.getOperatorName(), job)
                    .isNotBlank();
            assertThat(node.getOperatorName()).as("name of %s", node).isNotBlank();
            uids.add(node.getTransformationUID());
        }
        assertThat(String.join("\n", uids))
                .as(
                        "uids of the %s job: a changed uid breaks resuming from savepoints of"
                                + " earlier builds",
                        job)
                .isEqualTo(released(job));
    }

    private static Map<String, Consumer<StreamExecutionEnvironment>> topologies(String es) {
        return Map.of(
                "ingest", JobTopologyIT::ingest,
                "views", env -> ViewsJob.prepare(views(), env),
                "analytics", env -> AnalyticsJob.prepare(analytics(es), env),
                "alerts", env -> AlertsJob.prepare(alerts(es), env));
    }

    /** The ingest pipeline around a log source that is built but never started. */
    private static void ingest(StreamExecutionEnvironment env) {
        new IngestJob(
                        PostgresLogSource.builder()
                                .hostname("db.invalid")
                                .port(5432)
                                .database("shop")
                                .username("cdc")
                                .password("secret")
                                .tableList("public.orders")
                                .slotName("topology_test")
                                .preflight(false)
                                .buildWithDeadLetters(),
                        KafkaSinks.changes(
                                "kafka.invalid:9092",
                                "cdc",
                                PrimaryKeyResolver.byTable(Map.of("orders", List.of("id"))),
                                DeliveryGuarantee.EXACTLY_ONCE,
                                "topology-test-changes"),
                        KafkaSinks.deadLetters(
                                "kafka.invalid:9092",
                                "dead-letters",
                                DeliveryGuarantee.EXACTLY_ONCE,
                                "topology-test-dead-letters"),
                        true)
                .build(env);
    }

    private static Configuration views() {
        Configuration options = new Configuration();
        options.setString("kafka.bootstrap-servers", "kafka.invalid:9092");
        options.setString("topics", "cdc.shop.public.products");
        options.setString("redis.uri", "redis://redis.invalid:6379");
        return options;
    }

    /** Every output configured, so every operator is there. */
    private static Configuration analytics(String es) {
        Configuration options = new Configuration();
        options.setString("kafka.bootstrap-servers", "kafka.invalid:9092");
        options.setString("redis.uri", "redis://redis.invalid:6379");
        options.setString("elasticsearch.hosts", es);
        options.setString("s3.path", "s3://changeflow/orders");
        return options;
    }

    /** Every output configured, so every operator is there. */
    private static Configuration alerts(String es) {
        Configuration options = new Configuration();
        options.setString("kafka.bootstrap-servers", "kafka.invalid:9092");
        options.setString("redis.uri", "redis://redis.invalid:6379");
        options.setString("elasticsearch.hosts", es);
        return options;
    }

    private static String released(String job) throws IOException {
        try (InputStream in =
                JobTopologyIT.class.getResourceAsStream("/job-uids/" + job + ".txt")) {
            assertThat(in).as("src/test/resources/job-uids/%s.txt", job).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8)
                    .lines()
                    .filter(line -> !line.isBlank() && !line.startsWith("#"))
                    .collect(Collectors.joining("\n"));
        }
    }
}
