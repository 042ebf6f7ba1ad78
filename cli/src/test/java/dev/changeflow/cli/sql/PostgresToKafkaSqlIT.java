package dev.changeflow.cli.sql;

import dev.changeflow.localstack.Service;
import dev.changeflow.localstack.junit.LocalStackTest;
import dev.changeflow.localstack.server.FlinkCluster;
import dev.changeflow.localstack.server.FlinkRestClient;
import dev.changeflow.localstack.server.KafkaServer;
import dev.changeflow.localstack.server.PostgresServer;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static dev.changeflow.cli.sql.SqlTestSupport.assertCapturesShopChanges;
import static dev.changeflow.cli.sql.SqlTestSupport.createShopTables;
import static dev.changeflow.cli.sql.SqlTestSupport.submitShopScript;
import static org.awaitility.Awaitility.await;

/**
 * {@code sql/postgres-to-kafka.sql} through {@code changeflow sql run --cluster} on the stack's
 * standalone Flink cluster (connector jars shipped with the job): the snapshot and then an insert,
 * an update and a delete of the demo shop tables land in Kafka as debezium-json envelopes keyed by
 * primary key, and replaying the orders topic gives the table.
 */
@LocalStackTest(services = {Service.KAFKA, Service.POSTGRES, Service.FLINK})
class PostgresToKafkaSqlIT {

    private static final String SCHEMA = "sql_pg";
    private static final String PREFIX = "sqlit";
    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    @Test
    void capturesTheShopTablesIntoDebeziumJsonTopics(
            KafkaServer kafka, PostgresServer postgres, FlinkCluster flink) throws Exception {
        createShopTables(postgres, SCHEMA);

        String jobId =
                submitShopScript("postgres-to-kafka.sql", SCHEMA, PREFIX, kafka, postgres, flink);
        FlinkRestClient rest = new FlinkRestClient(flink.restUrl());
        try {
            assertCapturesShopChanges(kafka, postgres, SCHEMA, PREFIX, TIMEOUT);
        } finally {
            rest.cancel(jobId);
            await().atMost(TIMEOUT).until(() -> "CANCELED".equals(rest.jobState(jobId)));
        }
    }
}
