package dev.changeflow.jobs.ingest;

import dev.changeflow.jobs.KafkaRecords;
import dev.changeflow.localstack.Service;
import dev.changeflow.localstack.junit.LocalStackTest;
import dev.changeflow.localstack.server.FlinkCluster;
import dev.changeflow.localstack.server.FlinkRestClient;
import dev.changeflow.localstack.server.KafkaServer;
import dev.changeflow.localstack.server.MariaDbServer;
import dev.changeflow.localstack.server.PostgresServer;
import dev.changeflow.schemas.ChangeEvent;
import dev.changeflow.schemas.ChangeEventJson;
import dev.changeflow.schemas.DeadLetter;
import dev.changeflow.schemas.DeadLetterJson;
import dev.changeflow.schemas.Op;

import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.types.Row;
import org.apache.flink.types.RowKind;
import org.apache.flink.util.CloseableIterator;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The ingest job as users run it: the fat jar submitted to a standalone Flink cluster over REST
 * ({@code flink run}'s way), PostgreSQL to Kafka exactly once. The TaskManager is killed once
 * during the snapshot and once during streaming, then the job is stopped with a savepoint, the
 * table changes while it is down, and a new build of the jar resumes from the savepoint. A {@code
 * read_committed} consumer then sees every row's snapshot read and every committed change exactly
 * once, in order per key, tombstones after deletes, one dead letter for the row the envelope cannot
 * carry, and a final state per key equal to the table's.
 */
@LocalStackTest(services = {Service.POSTGRES, Service.MARIADB, Service.KAFKA, Service.FLINK})
class IngestClusterIT {

    private static final String TABLE = "ic_orders";
    private static final int ROWS = 20_000;
    private static final Duration TIMEOUT = Duration.ofMinutes(2);

    private FlinkRestClient rest;
    private String jobId;

    /** What differs between the databases: DDL, bulk insert, source options, names. */
    private interface Database {
        /** The topic prefix, one per database so the tests do not share topics. */
        String prefix();

        /** The table as the source names it: {@code schema.table} or {@code db.table}. */
        String qualifiedTable();

        Connection connect() throws SQLException;

        /** Recreates the table with {@link #ROWS} rows. */
        void create(Statement s) throws SQLException;

        List<String> sourceArguments();

        default String topic() {
            return prefix()
                    + "."
                    + qualifiedTable().replaceFirst("^public\\.", "changeflow.public.");
        }
    }

    @AfterEach
    void cancel() throws Exception {
        if (jobId != null && "RUNNING".equals(rest.jobState(jobId))) {
            rest.cancel(jobId);
        }
    }

    @Test
    void postgresSurvivesTaskManagerKillsAndASavepointRestartExactlyOnce(
            PostgresServer postgres, KafkaServer kafka, FlinkCluster flink) throws Exception {
        String slot = "ic_slot";
        run(
                new Database() {
                    @Override
                    public String prefix() {
                        return "icpg";
                    }

                    @Override
                    public String qualifiedTable() {
                        return "public." + TABLE;
                    }

                    @Override
                    public Connection connect() throws SQLException {
                        return postgres.connect();
                    }

                    @Override
                    public void create(Statement s) throws SQLException {
                        s.execute(
                                "SELECT pg_drop_replication_slot(slot_name) FROM"
                                        + " pg_replication_slots WHERE slot_name = '"
                                        + slot
                                        + "'");
                        s.execute("DROP TABLE IF EXISTS " + TABLE);
                        s.execute(
                                "CREATE TABLE "
                                        + TABLE
                                        + " (id int PRIMARY KEY, status text NOT NULL,"
                                        + " amount numeric(10,2), due time)");
                        s.execute("ALTER TABLE " + TABLE + " REPLICA IDENTITY FULL");
                        s.execute(
                                "INSERT INTO "
                                        + TABLE
                                        + " SELECT g, 'new', g * 1.25, '12:00' FROM"
                                        + " generate_series(1, "
                                        + ROWS
                                        + ") g");
                    }

                    @Override
                    public List<String> sourceArguments() {
                        return List.of(
                                "--source", "postgres",
                                "--hostname", postgres.host(),
                                "--port", Integer.toString(postgres.port()),
                                "--database-name", postgres.database(),
                                "--username", postgres.user(),
                                "--password", postgres.password(),
                                "--table-list", qualifiedTable(),
                                "--slot.name", slot);
                    }
                },
                kafka,
                flink);
    }

    @Test
    void mariaDbSurvivesTaskManagerKillsAndASavepointRestartExactlyOnce(
            MariaDbServer mariadb, KafkaServer kafka, FlinkCluster flink) throws Exception {
        run(
                new Database() {
                    @Override
                    public String prefix() {
                        return "icmy";
                    }

                    @Override
                    public String qualifiedTable() {
                        return mariadb.database() + "." + TABLE;
                    }

                    @Override
                    public Connection connect() throws SQLException {
                        return mariadb.connect();
                    }

                    @Override
                    public void create(Statement s) throws SQLException {
                        s.execute("DROP TABLE IF EXISTS " + TABLE);
                        s.execute(
                                "CREATE TABLE "
                                        + TABLE
                                        + " (id int PRIMARY KEY, status varchar(64) NOT NULL,"
                                        + " amount decimal(10,2), due time(6))");
                        // MariaDB's Sequence engine: seq_1_to_N is a table of 1..N
                        s.execute(
                                "INSERT INTO "
                                        + TABLE
                                        + " SELECT seq, 'new', seq * 1.25, '12:00' FROM seq_1_to_"
                                        + ROWS);
                    }

                    @Override
                    public List<String> sourceArguments() {
                        return List.of(
                                "--source",
                                "mysql",
                                "--hostname",
                                mariadb.host(),
                                "--port",
                                Integer.toString(mariadb.port()),
                                "--username",
                                MariaDbServer.CDC_USER,
                                "--password",
                                MariaDbServer.CDC_PASSWORD,
                                "--table-list",
                                qualifiedTable(),
                                "--server-id",
                                "5601");
                    }
                },
                kafka,
                flink);
    }

    private void run(Database db, KafkaServer kafka, FlinkCluster flink) throws Exception {
        rest = new FlinkRestClient(flink.restUrl());
        String topic = db.topic();
        try (Connection c = db.connect();
                Statement s = c.createStatement()) {
            db.create(s);
        }
        String jarId = rest.uploadJar(fatJar());
        List<String> args = new ArrayList<>(db.sourceArguments());
        args.addAll(jobArguments(db.prefix(), kafka, flink));

        // 1. the snapshot: kill the TaskManager once some chunks are committed, not all
        jobId = rest.runJar(jarId, IngestJob.class.getName(), args, 1);
        await().atMost(TIMEOUT)
                .pollInterval(Duration.ofMillis(100))
                .until(() -> KafkaRecords.committedCount(kafka, topic) > 0);
        long committedAtKill = KafkaRecords.committedCount(kafka, topic);
        killAndReplaceTaskManager(flink);
        assertThat(committedAtKill)
                .as("the TaskManager died during the snapshot")
                .isPositive()
                .isLessThan(ROWS);
        await().atMost(TIMEOUT).until(() -> KafkaRecords.committedCount(kafka, topic) >= ROWS);

        // 2. streaming: changes before, during and after a TaskManager kill
        try (Connection c = db.connect();
                Statement s = c.createStatement()) {
            streamChanges(s, 1, 100);
            killAndReplaceTaskManager(flink);
            streamChanges(s, 101, 200);
            // a time the envelope cannot carry: a dead letter, and the job goes on
            s.execute("INSERT INTO " + TABLE + " VALUES (900001, 'odd', 1, '24:00:00')");
            streamChanges(s, 201, 250);
        }
        awaitCommittedChanges(kafka, topic, 250);

        // 3. stop with a savepoint, change the table, resume from the savepoint
        String savepoint =
                rest.stopWithSavepoint(
                        jobId, flink.savepointDir().toUri().toString(), Duration.ofMinutes(1));
        try (Connection c = db.connect();
                Statement s = c.createStatement()) {
            streamChanges(s, 251, 300);
        }
        // the upgrade: a new build of the jar (other bytes, another upload) resumes the state by
        // operator uid; Flink refuses state it cannot map (allowNonRestoredState stays false)
        String upgradedJarId = rest.uploadJar(rebuiltJar(fatJar(), db.prefix()));
        assertThat(upgradedJarId).isNotEqualTo(jarId);
        jobId = rest.runJar(upgradedJarId, IngestJob.class.getName(), args, 1, savepoint);
        awaitCommittedChanges(kafka, topic, 300);

        verify(db, kafka, rest, jobId);
    }

    /** Changes {@code from..to}: update row i, insert row ROWS+i, delete row i+5000 (and so on). */
    private static void streamChanges(Statement s, int from, int to) throws SQLException {
        for (int i = from; i <= to; i++) {
            s.execute("UPDATE " + TABLE + " SET status = 'paid-" + i + "' WHERE id = " + i);
            s.execute(
                    "INSERT INTO "
                            + TABLE
                            + " VALUES ("
                            + (ROWS + i)
                            + ", 'new', "
                            + i
                            + ", '08:30:00.123456')");
            s.execute("DELETE FROM " + TABLE + " WHERE id = " + (5_000 + i));
        }
    }

    private static void awaitCommittedChanges(KafkaServer kafka, String topic, int upTo) {
        // ROWS reads + 3 changes and 1 tombstone per step
        await().atMost(TIMEOUT)
                .until(() -> KafkaRecords.committedCount(kafka, topic) >= ROWS + 4L * upTo);
    }

    private static void killAndReplaceTaskManager(FlinkCluster flink) throws IOException {
        flink.killTaskManager();
        flink.startTaskManager();
    }

    private static void verify(Database db, KafkaServer kafka, FlinkRestClient rest, String jobId)
            throws Exception {
        String topic = db.topic();
        int expected = ROWS + 4 * 300;
        List<ConsumerRecord<byte[], byte[]>> records =
                KafkaRecords.readCommitted(kafka, topic, expected);
        assertThat(records).hasSize(expected);

        Map<String, Map<String, Object>> state = new TreeMap<>();
        Map<String, String> lastPosition = new HashMap<>();
        Set<String> seen = new HashSet<>();
        int reads = 0;
        int tombstones = 0;
        Map<Integer, String> previousKey = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> record : records) {
            String key = new String(record.key(), StandardCharsets.UTF_8);
            if (record.value() == null) {
                tombstones++;
                assertThat(key)
                        .as("a tombstone follows its delete")
                        .isEqualTo(previousKey.get(record.partition()));
                assertThat(state).doesNotContainKey(key);
                continue;
            }
            ChangeEvent event = ChangeEventJson.fromBytes(record.value());
            String position = event.source().position();
            assertThat(seen.add(event.op() + "@" + key + "@" + position))
                    .as("%s of %s at %s seen once", event.op(), key, position)
                    .isTrue();
            if (event.op() == Op.READ) {
                reads++;
            } else {
                String before = lastPosition.put(key, position);
                assertThat(before == null || before.compareTo(position) < 0)
                        .as("order of %s", key)
                        .isTrue();
            }
            if (event.op() == Op.DELETE) {
                state.remove(key);
            } else {
                state.put(key, event.after());
            }
            previousKey.put(record.partition(), key);
        }
        assertThat(reads).isEqualTo(ROWS);
        assertThat(tombstones).isEqualTo(300);

        Map<String, Map<String, Object>> table = new TreeMap<>();
        try (Connection c = db.connect();
                Statement s = c.createStatement();
                var rs =
                        s.executeQuery(
                                "SELECT id, status, amount FROM "
                                        + TABLE
                                        + " WHERE id <> 900001")) {
            while (rs.next()) {
                table.put(
                        "{\"id\":" + rs.getInt(1) + "}",
                        Map.of("status", rs.getString(2), "amount", rs.getBigDecimal(3)));
            }
        }
        assertThat(state.keySet()).isEqualTo(table.keySet());
        assertThat(debeziumJsonState(kafka, topic)).isEqualTo(statusById(table));
        for (var row : table.entrySet()) {
            Map<String, Object> event = state.get(row.getKey());
            assertThat(event.get("status")).isEqualTo(row.getValue().get("status"));
            assertThat(new BigDecimal(event.get("amount").toString()))
                    .isEqualByComparingTo((BigDecimal) row.getValue().get("amount"));
        }

        List<ConsumerRecord<byte[], byte[]>> letters =
                KafkaRecords.readCommitted(kafka, db.prefix() + ".dead-letters", 1);
        assertThat(letters).hasSize(1);
        DeadLetter letter = DeadLetterJson.fromBytes(letters.get(0).value());
        assertThat(letter.reason()).contains("column 'due'");
        assertThat(letter.origin()).isEqualTo("log:" + topic.substring(db.prefix().length() + 1));
        assertThat(letter.payloadText()).contains("900001");

        try (Admin admin =
                Admin.create(
                        Map.of(
                                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                                kafka.bootstrapServers()))) {
            var description = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
            assertThat(description.partitions()).hasSize(3);
            var config =
                    admin.describeConfigs(
                                    List.of(new ConfigResource(ConfigResource.Type.TOPIC, topic)))
                            .all()
                            .get()
                            .values()
                            .iterator()
                            .next();
            assertThat(config.get("cleanup.policy").value()).isEqualTo("compact");
        }

        // the REST metric store fetches from the TaskManagers every few seconds
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(tableMetric(rest, jobId, "changes")).isPositive());
    }

    /**
     * The topic read by Flink SQL's stock {@code debezium-json} format (+I, -U/+U, -D), folded into
     * the final status per id.
     */
    private static Map<Integer, String> debeziumJsonState(KafkaServer kafka, String topic)
            throws Exception {
        TableEnvironment tEnv = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
        tEnv.executeSql(
                "CREATE TABLE orders (id INT, status STRING, amount DECIMAL(10, 2)) WITH ("
                        + " 'connector' = 'kafka',"
                        + " 'topic' = '"
                        + topic
                        + "',"
                        + " 'properties.bootstrap.servers' = '"
                        + kafka.bootstrapServers()
                        + "',"
                        + " 'properties.isolation.level' = 'read_committed',"
                        + " 'scan.startup.mode' = 'earliest-offset',"
                        + " 'scan.bounded.mode' = 'latest-offset',"
                        + " 'format' = 'debezium-json')");
        Map<Integer, String> state = new TreeMap<>();
        try (CloseableIterator<Row> rows =
                tEnv.executeSql("SELECT id, status FROM orders").collect()) {
            while (rows.hasNext()) {
                Row row = rows.next();
                RowKind kind = row.getKind();
                if (kind == RowKind.INSERT || kind == RowKind.UPDATE_AFTER) {
                    state.put((Integer) row.getField(0), (String) row.getField(1));
                } else {
                    state.remove((Integer) row.getField(0));
                }
            }
        }
        return state;
    }

    private static Map<Integer, String> statusById(Map<String, Map<String, Object>> table) {
        Map<Integer, String> status = new TreeMap<>();
        table.forEach(
                (key, row) ->
                        status.put(
                                Integer.valueOf(key.replaceAll("[^0-9]", "")),
                                (String) row.get("status")));
        return status;
    }

    /** A per-table metric of the routing operator, summed over its subtasks. */
    private static long tableMetric(FlinkRestClient rest, String jobId, String name)
            throws Exception {
        List<String> ids = new ArrayList<>();
        for (JsonNode vertex : rest.get("/jobs/" + jobId).path("vertices")) {
            String path = "/jobs/" + jobId + "/vertices/" + vertex.path("id").asText() + "/metrics";
            for (JsonNode metric : rest.get(path)) {
                String id = metric.path("id").asText();
                ids.add(id);
                if (id.contains(TABLE) && id.endsWith("." + name)) {
                    JsonNode value = rest.get(path + "?get=" + id);
                    return value.get(0).path("value").asLong();
                }
            }
        }
        throw new AssertionError("no metric " + name + " for " + TABLE + " among " + ids);
    }

    private static List<String> jobArguments(String prefix, KafkaServer kafka, FlinkCluster flink) {
        return List.of(
                "--scan.incremental.snapshot.chunk.size", "500",
                "--kafka.bootstrap-servers", kafka.bootstrapServers(),
                "--topic.prefix", prefix,
                "--topic.cleanup-policy", "compact",
                "--execution.checkpointing.interval", "1 s",
                "--execution.checkpointing.dir", flink.checkpointDir().toUri().toString(),
                "--restart-strategy.type", "fixed-delay",
                "--restart-strategy.fixed-delay.attempts", "10",
                "--restart-strategy.fixed-delay.delay", "1 s");
    }

    /**
     * A new build of {@code jar}: the same classes with a new build stamp ({@code
     * META-INF/changeflow/build.properties}), so the cluster gets a different jar. That code
     * changes keep the operator uids is {@link dev.changeflow.jobs.JobTopologyIT}'s part.
     */
    private static Path rebuiltJar(Path jar, String build) throws IOException {
        Path rebuilt = Path.of("target", "upgrade-" + build, jar.getFileName().toString());
        Files.createDirectories(rebuilt.getParent());
        try (JarInputStream in = new JarInputStream(Files.newInputStream(jar));
                JarOutputStream out =
                        new JarOutputStream(Files.newOutputStream(rebuilt), in.getManifest())) {
            for (JarEntry entry = in.getNextJarEntry();
                    entry != null;
                    entry = in.getNextJarEntry()) {
                out.putNextEntry(new JarEntry(entry.getName()));
                in.transferTo(out);
                out.closeEntry();
            }
            out.putNextEntry(new JarEntry("META-INF/changeflow/build.properties"));
            out.write(
                    ("build=" + build + "-upgrade-" + System.nanoTime() + "\n")
                            .getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
        }
        return rebuilt.toAbsolutePath();
    }

    private static Path fatJar() throws IOException {
        try (DirectoryStream<Path> jars =
                Files.newDirectoryStream(Path.of("target"), "changeflow-jobs-*.jar")) {
            for (Path jar : jars) {
                return jar.toAbsolutePath();
            }
        }
        throw new IllegalStateException("no target/changeflow-jobs-*.jar: run mvn package first");
    }
}
