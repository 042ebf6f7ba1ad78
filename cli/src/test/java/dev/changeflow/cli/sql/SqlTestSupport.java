package dev.changeflow.cli.sql;

import dev.changeflow.cli.Changeflow;
import dev.changeflow.localstack.server.FlinkCluster;
import dev.changeflow.localstack.server.KafkaServer;
import dev.changeflow.localstack.server.PostgresServer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Running {@code changeflow sql run} in the test JVM and reading what the scripts wrote. */
final class SqlTestSupport {

    static final ObjectMapper JSON = new ObjectMapper();

    private SqlTestSupport() {}

    /** A script of the repository's sql/ directory (tests run in cli/). */
    static Path script(String name) {
        return Path.of("..", "sql", name).toAbsolutePath().normalize();
    }

    record Result(int code, String out, String err) {}

    private static final java.time.format.DateTimeFormatter TIMESTAMP =
            java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS")
                    .withZone(java.time.ZoneOffset.UTC);

    /** A row of the demo shop's {@code orders} table, created at epoch ms {@code time}. */
    static java.util.Map<String, Object> order(
            long id, long customer, long product, String amount, String status, long time) {
        java.util.Map<String, Object> row = new java.util.LinkedHashMap<>();
        row.put("id", id);
        row.put("customer_id", customer);
        row.put("product_id", product);
        row.put("amount", new java.math.BigDecimal(amount));
        row.put("status", status);
        row.put("created_at", TIMESTAMP.format(java.time.Instant.ofEpochMilli(time)));
        return row;
    }

    static Result changeflow(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code =
                Changeflow.commandLine()
                        .setOut(new PrintWriter(out, true))
                        .setErr(new PrintWriter(err, true))
                        .execute(args);
        System.out.printf(
                "$ changeflow %s%n%s%s(exit %d)%n", String.join(" ", args), out, err, code);
        return new Result(code, out.toString(), err.toString());
    }

    /** A JSON key as JSON, a raw key (upsert-kafka 'raw', the jobs' window ids) as text. */
    private static JsonNode key(byte[] key) {
        try {
            return JSON.readTree(key);
        } catch (IOException e) {
            return JSON.getNodeFactory().textNode(new String(key, StandardCharsets.UTF_8));
        }
    }

    /** A committed record: key and value as JSON (null value for a tombstone). */
    record Change(JsonNode key, JsonNode value) {}

    /**
     * Every committed record of the topic so far: read_committed from the beginning up to the end
     * offsets (last stable offsets) of now, partition by partition.
     */
    static List<Change> readCommitted(KafkaServer kafka, String topic) throws IOException {
        List<Change> changes = new ArrayList<>();
        List<ConsumerRecord<byte[], byte[]>> records;
        try {
            records = kafka.readToEnd(topic, "read_committed");
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            return changes; // the topic does not exist yet
        }
        for (ConsumerRecord<byte[], byte[]> r : records) {
            changes.add(
                    new Change(
                            r.key() == null ? null : key(r.key()),
                            r.value() == null ? null : JSON.readTree(r.value())));
        }
        return changes;
    }

    /**
     * Submits one of the shop scripts ({@code sql/<script>}) with {@code changeflow sql run
     * --cluster} against the stack's PostgreSQL and Kafka, with {@code schema} and the topic prefix
     * as variables.
     *
     * @return the id of the submitted job
     */
    static String submitShopScript(
            String script,
            String schema,
            String topicPrefix,
            KafkaServer kafka,
            PostgresServer postgres,
            FlinkCluster flink)
            throws Exception {
        Result run =
                changeflow(
                        "sql",
                        "run",
                        "-f",
                        script(script).toString(),
                        "--cluster",
                        flink.host() + ":" + flink.restPort(),
                        "--var",
                        "KAFKA_BOOTSTRAP=" + kafka.bootstrapServers(),
                        "--var",
                        "PG_HOST=" + postgres.host(),
                        "--var",
                        "PG_PORT=" + postgres.port(),
                        "--var",
                        "PG_USER=" + postgres.user(),
                        "--var",
                        "PG_PASSWORD=" + postgres.password(),
                        "--var",
                        "PG_DATABASE=" + postgres.database(),
                        "--var",
                        "PG_SCHEMA=" + schema,
                        "--var",
                        "TOPIC_PREFIX=" + topicPrefix);
        assertThat(run.code()).as(run.err()).isZero();
        Matcher job = Pattern.compile("Job ([0-9a-f]{32}) submitted").matcher(run.out());
        assertThat(job.find()).as(run.out()).isTrue();
        return job.group(1);
    }

    /**
     * The demo shop's customers, products and orders (2, 2 and 3 rows, REPLICA IDENTITY FULL) in a
     * fresh schema, after dropping the slots and publications {@code postgres-to-kafka.sql} made
     * for it on an earlier run.
     */
    static void createShopTables(PostgresServer postgres, String schema) throws Exception {
        try (Connection db = postgres.connect();
                Statement s = db.createStatement()) {
            for (String table : List.of("customers", "products", "orders")) {
                s.execute(
                        "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots"
                                + " WHERE slot_name = 'changeflow_sql_"
                                + schema
                                + "_"
                                + table
                                + "'");
                s.execute("DROP PUBLICATION IF EXISTS changeflow_sql_" + schema + "_" + table);
            }
            s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            s.execute("CREATE SCHEMA " + schema);
            s.execute(
                    "CREATE TABLE "
                            + schema
                            + ".customers (id bigint PRIMARY KEY, name text NOT NULL,"
                            + " region text NOT NULL)");
            s.execute(
                    "CREATE TABLE "
                            + schema
                            + ".products (id bigint PRIMARY KEY, title text NOT NULL,"
                            + " category text NOT NULL, price numeric(10,2) NOT NULL)");
            s.execute(
                    "CREATE TABLE "
                            + schema
                            + ".orders (id bigint PRIMARY KEY, customer_id bigint NOT"
                            + " NULL, product_id bigint NOT NULL, amount numeric(10,2) NOT NULL,"
                            + " status text NOT NULL, created_at timestamp(3) NOT NULL)");
            for (String table : List.of("customers", "products", "orders")) {
                s.execute("ALTER TABLE " + schema + "." + table + " REPLICA IDENTITY FULL");
            }
            s.execute(
                    "INSERT INTO "
                            + schema
                            + ".customers VALUES (1, 'ann', 'eu'), (2, 'bob', 'us')");
            s.execute(
                    "INSERT INTO "
                            + schema
                            + ".products VALUES (1, 'pen', 'office', 1.50),"
                            + " (2, 'lamp', 'home', 24.99)");
            s.execute(
                    "INSERT INTO "
                            + schema
                            + ".orders VALUES"
                            + " (1, 1, 1, 3.00, 'new', '2024-05-01 10:00:00.125'),"
                            + " (2, 2, 2, 24.99, 'new', '2024-05-01 10:01:00'),"
                            + " (3, 1, 2, 49.98, 'new', '2024-05-01 10:02:00')");
        }
    }

    /**
     * With {@code postgres-to-kafka.sql} running on {@link #createShopTables}' schema: the snapshot
     * of orders arrives, then an insert, an update and a delete; replaying each topic gives its
     * table, every key is the row's id and the orders topic holds only creates and deletes
     * (upsert-style debezium-json: an update is a delete and a create).
     */
    static void assertCapturesShopChanges(
            KafkaServer kafka,
            PostgresServer postgres,
            String schema,
            String topicPrefix,
            Duration timeout)
            throws Exception {
        String topic = topicPrefix + "." + postgres.database() + "." + schema + ".";
        await().atMost(timeout)
                .untilAsserted(() -> assertThat(readCommitted(kafka, topic + "orders")).hasSize(3));
        try (Connection db = postgres.connect();
                Statement s = db.createStatement()) {
            s.execute(
                    "INSERT INTO "
                            + schema
                            + ".orders VALUES (4, 2, 1, 1.50, 'new', '2024-05-01 10:03:00')");
            s.execute(
                    "UPDATE " + schema + ".orders SET status = 'paid', amount = 2.50 WHERE id = 1");
            s.execute("DELETE FROM " + schema + ".orders WHERE id = 2");
        }
        Map<Long, Map<String, Object>> table = rows(postgres.connect(), schema + ".orders");
        await().atMost(timeout)
                .untilAsserted(
                        () ->
                                assertThat(replay(readCommitted(kafka, topic + "orders")))
                                        .isEqualTo(table));
        List<Change> orders = readCommitted(kafka, topic + "orders");
        for (Change change : orders) {
            JsonNode row =
                    change.value().path("op").asText().equals("d")
                            ? change.value().get("before")
                            : change.value().get("after");
            assertThat(change.key().get("id").asLong()).isEqualTo(row.get("id").asLong());
        }
        assertThat(orders).extracting(c -> c.value().path("op").asText()).containsOnly("c", "d");
        assertThat(replay(readCommitted(kafka, topic + "customers")))
                .isEqualTo(rows(postgres.connect(), schema + ".customers"));
        assertThat(replay(readCommitted(kafka, topic + "products")))
                .isEqualTo(rows(postgres.connect(), schema + ".products"));
    }

    /** The table's rows by id, values as the envelope carries them (text, numbers). */
    static Map<Long, Map<String, Object>> rows(Connection connection, String table)
            throws Exception {
        Map<Long, Map<String, Object>> rows = new TreeMap<>();
        try (Connection db = connection;
                Statement s = db.createStatement();
                ResultSet rs = s.executeQuery("SELECT * FROM " + table)) {
            int columns = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                Map<String, Object> row = new TreeMap<>();
                for (int c = 1; c <= columns; c++) {
                    Object value = rs.getObject(c);
                    if (value instanceof java.sql.Timestamp ts) {
                        value = ts.toLocalDateTime().toString();
                    } else if (value instanceof BigDecimal d) {
                        value = d.stripTrailingZeros().toPlainString();
                    } else if (value != null) {
                        value = value.toString();
                    }
                    row.put(rs.getMetaData().getColumnName(c), value);
                }
                rows.put(rs.getLong("id"), row);
            }
        }
        return rows;
    }

    /** The table a consumer gets by applying the envelopes in order. */
    static Map<Long, Map<String, Object>> replay(List<Change> changes) {
        Map<Long, Map<String, Object>> rows = new TreeMap<>();
        for (Change change : changes) {
            if (change.value() == null) {
                continue;
            }
            String op = change.value().path("op").asText();
            if (op.equals("d")) {
                rows.remove(change.value().get("before").get("id").asLong());
                continue;
            }
            JsonNode after = change.value().get("after");
            Map<String, Object> row = new TreeMap<>();
            List<String> names = new ArrayList<>();
            after.fieldNames().forEachRemaining(names::add);
            for (String name : names) {
                JsonNode v = after.get(name);
                Object value;
                if (v.isNull()) {
                    value = null;
                } else if (v.isNumber() && !v.isIntegralNumber()) {
                    value = v.decimalValue().stripTrailingZeros().toPlainString();
                } else if (v.isIntegralNumber()) {
                    value = v.asText();
                } else if (v.asText().matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:.*")) {
                    // debezium-json's SQL timestamp text, compared as a LocalDateTime
                    value = java.time.LocalDateTime.parse(v.asText().replace(' ', 'T')).toString();
                } else {
                    value = v.asText();
                }
                row.put(name, value);
            }
            rows.put(after.get("id").asLong(), row);
        }
        return rows;
    }
}
