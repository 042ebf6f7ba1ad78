package dev.changeflow.cli.sql;

import dev.changeflow.cli.sql.SqlTestSupport.Change;
import dev.changeflow.cli.sql.SqlTestSupport.Result;
import dev.changeflow.localstack.Service;
import dev.changeflow.localstack.junit.LocalStackTest;
import dev.changeflow.localstack.server.FlinkCluster;
import dev.changeflow.localstack.server.FlinkRestClient;
import dev.changeflow.localstack.server.KafkaServer;
import dev.changeflow.localstack.server.PostgresServer;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static dev.changeflow.cli.sql.SqlTestSupport.changeflow;
import static dev.changeflow.cli.sql.SqlTestSupport.createShopTables;
import static dev.changeflow.cli.sql.SqlTestSupport.readCommitted;
import static dev.changeflow.cli.sql.SqlTestSupport.replay;
import static dev.changeflow.cli.sql.SqlTestSupport.submitShopScript;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code sql/trigger-to-kafka.sql} ({@code 'connector' = 'trigger-cdc'}) and {@code
 * sql/query-to-kafka.sql} ({@code 'query-cdc'}) through {@code changeflow sql run --cluster} on the
 * stack's Flink cluster (Changeflow's connector jars shipped with the job): the snapshot and then
 * an insert, an update and a delete of the shop tables land in Kafka as the same debezium-json
 * envelopes as {@code postgres-to-kafka.sql}, each once although the TaskManager is killed among
 * them, and replaying each topic gives the table.
 */
@LocalStackTest(services = {Service.KAFKA, Service.POSTGRES, Service.FLINK})
class TriggerQuerySqlIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final List<String> TABLES = List.of("customers", "products", "orders");
    private static final String ORDER_COLUMNS =
            "id, customer_id, product_id, amount, status, created_at";

    @Test
    void triggerCdcScriptCapturesTheShopTables(
            KafkaServer kafka, PostgresServer postgres, FlinkCluster flink) throws Exception {
        String schema = "sql_trg";
        createShopTables(postgres, schema);
        Result install =
                changeflow(
                        "triggers",
                        "install",
                        "--source",
                        "postgres",
                        "--hostname",
                        postgres.host(),
                        "--port",
                        String.valueOf(postgres.port()),
                        "--database-name",
                        postgres.database(),
                        "--username",
                        postgres.user(),
                        "--password",
                        postgres.password(),
                        "--tables",
                        schema + ".customers," + schema + ".products," + schema + ".orders");
        assertThat(install.code()).as(install.err()).isZero();

        capturesSnapshotAndChanges(
                "trigger-to-kafka.sql", schema, "sqltrg", kafka, postgres, flink);
    }

    @Test
    void queryCdcScriptCapturesTheShopTables(
            KafkaServer kafka, PostgresServer postgres, FlinkCluster flink) throws Exception {
        String schema = "sql_qry";
        createShopTables(postgres, schema);
        // the script header's set-up: a last-modified column kept by the database, indexed
        try (Connection db = postgres.connect();
                Statement s = db.createStatement()) {
            s.execute(
                    "CREATE FUNCTION "
                            + schema
                            + ".touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS"
                            + " $$ BEGIN NEW.updated_at := now(); RETURN NEW; END $$");
            for (String table : TABLES) {
                String t = schema + "." + table;
                s.execute(
                        "ALTER TABLE "
                                + t
                                + " ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now()");
                s.execute("CREATE INDEX ON " + t + " (updated_at, id)");
                s.execute(
                        "CREATE TRIGGER "
                                + table
                                + "_updated_at BEFORE UPDATE ON "
                                + t
                                + " FOR EACH ROW EXECUTE FUNCTION "
                                + schema
                                + ".touch_updated_at()");
            }
        }

        capturesSnapshotAndChanges("query-to-kafka.sql", schema, "sqlqry", kafka, postgres, flink);
    }

    /**
     * Runs the script, waits for the snapshot, inserts, updates and deletes orders, and checks that
     * each topic replays to its table (its captured columns: not the query tables' {@code
     * updated_at}).
     */
    private static void capturesSnapshotAndChanges(
            String script,
            String schema,
            String prefix,
            KafkaServer kafka,
            PostgresServer postgres,
            FlinkCluster flink)
            throws Exception {
        String jobId = submitShopScript(script, schema, prefix, kafka, postgres, flink);
        FlinkRestClient rest = new FlinkRestClient(flink.restUrl());
        String topic = prefix + "." + postgres.database() + "." + schema + ".";
        try {
            await().atMost(TIMEOUT)
                    .untilAsserted(
                            () -> assertThat(readCommitted(kafka, topic + "orders")).hasSize(3));
            try (Connection db = postgres.connect();
                    Statement s = db.createStatement()) {
                s.execute(
                        "INSERT INTO "
                                + schema
                                + ".orders ("
                                + ORDER_COLUMNS
                                + ") VALUES (4, 2, 1, 1.50, 'new', '2024-05-01 10:03:00')");
                // mid-stream, before a checkpoint covers the insert: the job restarts from the
                // last one on a new TaskManager and must neither lose nor repeat a change
                flink.killTaskManager();
                s.execute(
                        "UPDATE "
                                + schema
                                + ".orders SET status = 'paid', amount = 2.50 WHERE id = 1");
                s.execute("DELETE FROM " + schema + ".orders WHERE id = 2");
                flink.startTaskManager();
            }
            Map<Long, Map<String, Object>> table =
                    rows(postgres, ORDER_COLUMNS, schema + ".orders");
            assertThat(table).containsOnlyKeys(1L, 3L, 4L);
            await().atMost(TIMEOUT)
                    .untilAsserted(
                            () ->
                                    assertThat(replay(readCommitted(kafka, topic + "orders")))
                                            .isEqualTo(table));
            List<Change> orders = readCommitted(kafka, topic + "orders");
            for (Change change : orders) {
                boolean delete = change.value().path("op").asText().equals("d");
                JsonNode row = change.value().get(delete ? "before" : "after");
                assertThat(change.key().get("id").asLong()).isEqualTo(row.get("id").asLong());
                // full rows, also in the deletes of the query source's key-only delete events
                assertThat(row.get("status").isNull()).as(change.value().toString()).isFalse();
            }
            // each change once: 3 snapshot rows, the insert, the update (as d + c: debezium-json
            // writes an update as its retraction and its new row), the delete
            Map<Long, List<String>> opsByKey = new TreeMap<>();
            for (Change change : orders) {
                opsByKey.computeIfAbsent(change.key().get("id").asLong(), k -> new ArrayList<>())
                        .add(change.value().path("op").asText());
            }
            assertThat(opsByKey)
                    .isEqualTo(
                            Map.of(
                                    1L, List.of("c", "d", "c"),
                                    2L, List.of("c", "d"),
                                    3L, List.of("c"),
                                    4L, List.of("c")));
            assertThat(replay(readCommitted(kafka, topic + "customers")))
                    .isEqualTo(rows(postgres, "id, name, region", schema + ".customers"));
            assertThat(replay(readCommitted(kafka, topic + "products")))
                    .isEqualTo(rows(postgres, "id, title, category, price", schema + ".products"));
        } finally {
            rest.cancel(jobId);
            await().atMost(TIMEOUT).until(() -> "CANCELED".equals(rest.jobState(jobId)));
        }
    }

    private static Map<Long, Map<String, Object>> rows(
            PostgresServer postgres, String columns, String table) throws Exception {
        return SqlTestSupport.rows(
                postgres.connect(), "(SELECT " + columns + " FROM " + table + ") AS t");
    }
}
