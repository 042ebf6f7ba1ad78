package dev.changeflow.jobs.ingest;

import dev.changeflow.jobs.ClusterJobs;
import dev.changeflow.jobs.KafkaRecords;
import dev.changeflow.jobs.TopicWatch;
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
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
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
import static org.hamcrest.Matchers.greaterThanOrEqualTo;

/**
 * The ingest job as users run it: the fat jar submitted to a standalone Flink cluster over REST
 * ({@code flink run}'s way), PostgreSQL (on the default {@code delete} policy) and MariaDB (on
 * {@code compact}, with tombstones) to Kafka exactly once. The TaskManager process is SIGKILLed
 * during the snapshot and while streaming, each time once the test has seen records committed and
 * more written in an open transaction; then the job is stopped with a savepoint, the table changes
 * while it is down, a new build of the jar resumes from the savepoint, and the job is stopped with
 * a savepoint again. A {@code read_committed} consumer then reads, up to the committed end and
 * again after the broker's retention pass: one snapshot read per row, first for its key, every
 * committed change exactly once (by key, op and position) in commit order per key, every record
 * stamped with its write time, tombstones after deletes where compacted, one dead letter for the
 * row the envelope cannot carry, and a final state per key equal to the table's; the killed
 * attempts' open transactions were aborted.
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

        /** Whether the topics are compacted, with a tombstone after each delete. */
        boolean compacted();

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
                    public boolean compacted() {
                        return false; // users' default: delete
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
                    public boolean compacted() {
                        return true;
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
        String jarId = ClusterJobs.uploadedJar(flink);
        List<String> args = new ArrayList<>(db.sourceArguments());
        args.addAll(jobArguments(db, kafka, flink));

        // 1. the snapshot: kill the TaskManager once some rows are committed and more are in an
        //    open transaction, not all
        long jobStart = System.currentTimeMillis();
        jobId = rest.runJar(jarId, IngestJob.class.getName(), args, 1);
        if (db.compacted()) {
            // the test counts every change: the broker must not compact while it runs (its
            // segments roll within seconds); what compaction keeps is the final state, checked too
            holdCompaction(kafka, topic);
        }
        try (TopicWatch watch = new TopicWatch(kafka, topic, TIMEOUT)) {
            await().atMost(TIMEOUT)
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> watch.poll().committedCount() > 0 && watch.uncommitted() > 0);
            long committedAtKill = watch.committedCount();
            killAndReplaceTaskManager(flink);
            assertThat(committedAtKill)
                    .as("the TaskManager died during the snapshot")
                    .isLessThan(ROWS);
            awaitCommitted(watch, ROWS);

            // 2. streaming: changes before, during and after a TaskManager kill, which comes once a
            //    streamed change is committed and more are written but not committed
            try (Connection c = db.connect();
                    Statement s = c.createStatement()) {
                int step = 1;
                for (; step <= 100; step++) {
                    streamChanges(s, step, step);
                    // all ROWS reads are committed: a record beyond them is a streamed change
                    if (watch.poll().committedCount() > ROWS && watch.uncommitted() > 0) {
                        break;
                    }
                }
                assertThat(step)
                        .as("changes committed and in flight within 100 steps")
                        .isLessThanOrEqualTo(100);
                killAndReplaceTaskManager(flink);
                streamChanges(s, step + 1, 200);
                // a time the envelope cannot carry: a dead letter, and the job goes on
                s.execute("INSERT INTO " + TABLE + " VALUES (900001, 'odd', 1, '24:00:00')");
                streamChanges(s, 201, 250);
            }
            awaitCommitted(watch, ROWS + changeRecords(db, 250));
        }

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
        String upgradedJarId = rest.uploadJar(rebuiltJar(ClusterJobs.fatJar(), db.prefix()));
        assertThat(upgradedJarId).isNotEqualTo(jarId);
        jobId = rest.runJar(upgradedJarId, IngestJob.class.getName(), args, 1, savepoint);
        try (TopicWatch watch = new TopicWatch(kafka, topic, TIMEOUT)) {
            awaitCommitted(watch, ROWS + changeRecords(db, 300));
        }
        // the REST metric store fetches from the TaskManagers every few seconds
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(tableMetric(rest, jobId, "changes")).isPositive());
        // 4. stop again: the last transaction commits, then read what a consumer reads later
        rest.stopWithSavepoint(
                jobId, flink.savepointDir().toUri().toString(), Duration.ofMinutes(1));
        jobId = null;

        verify(db, kafka, jobStart);
    }

    private static void holdCompaction(KafkaServer kafka, String topic) throws Exception {
        try (Admin admin = kafka.admin()) {
            admin.incrementalAlterConfigs(
                            Map.of(
                                    new ConfigResource(ConfigResource.Type.TOPIC, topic),
                                    List.of(
                                            new AlterConfigOp(
                                                    new ConfigEntry(
                                                            "min.compaction.lag.ms", "3600000"),
                                                    AlterConfigOp.OpType.SET))))
                    .all()
                    .get();
        }
    }

    /** Records of the changes 1..upTo: an update, an insert, a delete (and its tombstone). */
    private static long changeRecords(Database db, int upTo) {
        return (db.compacted() ? 4L : 3L) * upTo;
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

    /** Waits until the topic holds {@code records} committed records (tombstones included). */
    private static void awaitCommitted(TopicWatch watch, long records) {
        await().atMost(TIMEOUT)
                .pollInterval(Duration.ofMillis(100))
                .alias(watch.topic() + ": committed records (the test's count)")
                .until(() -> watch.poll().committedCount(), greaterThanOrEqualTo(records));
    }

    private static void killAndReplaceTaskManager(FlinkCluster flink) throws IOException {
        flink.killTaskManager();
        flink.startTaskManager();
    }

    /** The change every row must have had, in order: its id's expected ops. */
    private static List<String> expectedOps(int id) {
        List<String> ops = new ArrayList<>();
        if (id <= ROWS) {
            ops.add("r");
        }
        if (id <= 300) {
            ops.add("u:paid-" + id);
        } else if (id > 5_000 && id <= 5_300) {
            ops.add("d");
        } else if (id > ROWS) {
            ops.add("c:new");
        }
        return ops;
    }

    private static void verify(Database db, KafkaServer kafka, long jobStart) throws Exception {
        String topic = db.topic();
        List<ConsumerRecord<byte[], byte[]>> records =
                KafkaRecords.readCommittedAfterRetention(kafka, topic, jobStart);
        assertThat(records).hasSize(ROWS + (int) changeRecords(db, 300));
        // what was in flight at a kill was aborted, or committed on recovery when its checkpoint
        // had completed just before: the exact multisets below prove no loss and no twin
        assertThat(KafkaRecords.readUncommittedToEnd(kafka, topic).size())
                .as("read_uncommitted holds every committed record")
                .isGreaterThanOrEqualTo(records.size());

        Map<Integer, List<String>> ops = new TreeMap<>();
        Map<String, Map<String, Object>> state = new TreeMap<>();
        Map<String, String> lastPosition = new HashMap<>();
        Set<String> seen = new HashSet<>();
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
            Map<String, Object> row = event.op() == Op.DELETE ? event.before() : event.after();
            int id = ((Number) row.get("id")).intValue();
            assertThat(key).as("Kafka key = primary key").isEqualTo("{\"id\":" + id + "}");
            String position = event.source().position();
            assertThat(seen.add(event.op() + "@" + key + "@" + position))
                    .as("%s of %s at %s seen once", event.op(), key, position)
                    .isTrue();
            assertThat(event.source().snapshot()).isEqualTo(event.op() == Op.READ);
            String before = lastPosition.put(key, position);
            assertThat(before == null || before.compareTo(position) <= 0)
                    .as("position order of %s", key)
                    .isTrue();
            ops.computeIfAbsent(id, k -> new ArrayList<>())
                    .add(
                            event.op() == Op.DELETE
                                    ? "d"
                                    : event.op() == Op.READ
                                            ? "r"
                                            : event.op().code()
                                                    + ":"
                                                    + event.after().get("status"));
            if (event.op() == Op.DELETE) {
                state.remove(key);
            } else {
                state.put(key, event.after());
            }
            previousKey.put(record.partition(), key);
        }
        // every row's snapshot read once and first, every committed change once, in order
        Map<Integer, List<String>> expected = new TreeMap<>();
        for (int id = 1; id <= ROWS + 300; id++) {
            expected.put(id, expectedOps(id));
        }
        assertThat(ops).isEqualTo(expected);
        assertThat(tombstones).isEqualTo(db.compacted() ? 300 : 0);

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
                KafkaRecords.readCommittedAfterRetention(
                        kafka, db.prefix() + ".dead-letters", jobStart);
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
            assertThat(config.get("cleanup.policy").value())
                    .isEqualTo(db.compacted() ? "compact" : "delete");
        }
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

    private static List<String> jobArguments(Database db, KafkaServer kafka, FlinkCluster flink) {
        return List.of(
                "--scan.incremental.snapshot.chunk.size", "500",
                "--kafka.bootstrap-servers", kafka.bootstrapServers(),
                "--topic.prefix", db.prefix(),
                "--topic.cleanup-policy", db.compacted() ? "compact" : "delete",
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
}
