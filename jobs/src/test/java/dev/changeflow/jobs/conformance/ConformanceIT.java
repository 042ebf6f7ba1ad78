package dev.changeflow.jobs.conformance;

import dev.changeflow.jobs.JobOptions;
import dev.changeflow.jobs.KafkaRecords;
import dev.changeflow.jobs.MiniClusters;
import dev.changeflow.jobs.ingest.IngestJob;
import dev.changeflow.jobs.ingest.IngestOptions.CaptureMethod;
import dev.changeflow.localstack.Service;
import dev.changeflow.localstack.junit.LocalStackTest;
import dev.changeflow.localstack.server.KafkaServer;
import dev.changeflow.localstack.server.MariaDbServer;
import dev.changeflow.localstack.server.PostgresServer;
import dev.changeflow.schemas.ChangeEvent;
import dev.changeflow.schemas.ChangeEventJson;
import dev.changeflow.schemas.Op;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.flink.types.RowKind;
import org.apache.flink.util.CloseableIterator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * One scripted workload, applied to PostgreSQL and to MariaDB while the ingest job captures the
 * same table with every method at once (log, trigger, query: one job each, own topic prefix), and
 * the TaskManager running all of them is killed mid-stream.
 *
 * <p>The workload: seeded rows (snapshot), a long transaction that starts first (lowest new id,
 * earliest timestamp) and commits last, many small transactions of inserts, updates and deletes, a
 * rolled-back transaction, a burst in one transaction, rows with every mapped type and with NULLs.
 *
 * <p>Checked for every method: the final state per key in Kafka ({@code read_committed}, last value
 * per key) equals the table; nothing of the rolled-back transaction appears; the envelopes have the
 * same shape and, per key, the same final row as the log method's; Flink SQL's stock {@code
 * debezium-json} format reads the topic into the table's state. Log and trigger: every committed
 * change exactly once, in commit order per key. Query: the long transaction's row is not missed and
 * deleted rows end with a {@code d}.
 */
@LocalStackTest(services = {Service.POSTGRES, Service.MARIADB, Service.KAFKA})
class ConformanceIT {

    @RegisterExtension static final MiniClusterExtension FLINK = MiniClusters.withSlots(4);

    /** The methods under test: all, or those of {@code -Dconformance.methods=log,query}. */
    static final List<CaptureMethod> METHODS =
            Arrays.stream(System.getProperty("conformance.methods", "log,trigger,query").split(","))
                    .map(m -> CaptureMethod.valueOf(m.strip().toUpperCase()))
                    .collect(Collectors.toList());

    private static final int SEED = 20;
    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir Path checkpoints;

    private final Map<CaptureMethod, JobClient> jobs = new EnumMap<>(CaptureMethod.class);

    @AfterEach
    void cancelJobs() throws Exception {
        for (JobClient job : jobs.values()) {
            if (!job.getJobStatus().get().isGloballyTerminalState()) {
                job.cancel().get(30, TimeUnit.SECONDS);
            }
            // Flink CDC shares connection pools per JVM: let the job end before the next starts
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> job.getJobStatus().get().isGloballyTerminalState());
        }
        jobs.clear();
    }

    @Test
    void postgres(PostgresServer postgres, KafkaServer kafka, @InjectMiniCluster MiniCluster mini)
            throws Exception {
        conform(Dialect.postgres(postgres), "conf-pg", kafka, mini);
    }

    @Test
    void mariaDb(MariaDbServer mariadb, KafkaServer kafka, @InjectMiniCluster MiniCluster mini)
            throws Exception {
        conform(Dialect.mariaDb(mariadb), "conf-my", kafka, mini);
    }

    private void conform(Dialect dialect, String prefix, KafkaServer kafka, MiniCluster mini)
            throws Exception {
        Workload workload = new Workload(dialect);
        try (Connection c = dialect.connect();
                Connection longConnection = dialect.connect()) {
            List<Long> seeded = workload.seed(c, SEED);
            for (CaptureMethod method : METHODS) {
                Methods.prepare(method, dialect, dialect.qualifiedTable());
                jobs.put(method, start(dialect, method, prefix(prefix, method), kafka));
            }
            awaitCommitted(dialect, prefix, kafka, SEED);

            // the long transaction: starts first, commits last
            Workload.Transaction longTransaction = workload.begin(longConnection);
            long longRow = longTransaction.insert();
            longTransaction.update(seeded.get(0), "long-touch", 1);

            smallTransactions(workload, c, seeded, 0, 15);
            Workload.Transaction rolledBack = workload.begin(c);
            rolledBack.insert();
            rolledBack.update(seeded.get(1), "rolled-back", -1);
            rolledBack.delete(seeded.get(2));
            rolledBack.rollback();

            // a checkpoint has committed changes of every job: then the TaskManager dies
            awaitCommitted(dialect, prefix, kafka, SEED + 1);
            mini.terminateTaskManager(0).get(30, TimeUnit.SECONDS);
            mini.startTaskManager();

            smallTransactions(workload, c, seeded, 15, 30);
            Workload.Transaction burst = workload.begin(c);
            List<Long> burstRows = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                burstRows.add(burst.insert());
            }
            for (int i = 0; i < 5; i++) {
                burst.update(burstRows.get(i), "burst-" + i, 1000 + i);
            }
            burst.commit();
            longTransaction.commit();

            Map<Long, String> table = table(c);
            assertThat(table).containsKey(longRow);
            Map<CaptureMethod, List<ChangeEvent>> events = new EnumMap<>(CaptureMethod.class);
            for (CaptureMethod method : METHODS) {
                String topic = dialect.topic(prefix(prefix, method));
                await().atMost(TIMEOUT)
                        .pollInterval(Duration.ofMillis(500))
                        .untilAsserted(
                                () ->
                                        assertThat(summary(finalState(read(kafka, topic))))
                                                .as("%s: final state in Kafka", method)
                                                .isEqualTo(table));
                events.put(method, read(kafka, topic));
            }
            cancelJobs();

            for (CaptureMethod method : METHODS) {
                List<ChangeEvent> captured = events.get(method);
                assertThat(captured.stream().map(e -> id(e)))
                        .as("%s: nothing of the rolled-back transaction", method)
                        .doesNotContainAnyElementsOf(workload.rolledBack());
                assertThat(captured)
                        .allSatisfy(
                                e ->
                                        assertThat(e.source().connector().name())
                                                .isEqualToIgnoringCase(method.name()));
                if (method == CaptureMethod.QUERY) {
                    assertQuery(workload, captured);
                } else {
                    assertThat(changesPerKey(captured))
                            .as("%s: every committed change once, in commit order per key", method)
                            .isEqualTo(workload.expected());
                }
                assertThat(debeziumJsonState(kafka, dialect.topic(prefix(prefix, method))))
                        .as("%s: Flink SQL debezium-json folds the topic into the table", method)
                        .isEqualTo(table);
            }
            assertSameEnvelopes(kafka, dialect, prefix, events);
        }
    }

    private static void smallTransactions(
            Workload workload, Connection c, List<Long> seeded, int from, int to) throws Exception {
        for (int i = from; i < to; i++) {
            Workload.Transaction t = workload.begin(c);
            long inserted = t.insert();
            t.update(seeded.get(3 + i % 8), "small-" + i, i);
            if (i % 5 == 4) {
                t.delete(seeded.get(11 + i / 5));
            }
            if (i % 3 == 0) {
                t.update(inserted, "fresh-" + i, -i);
            }
            t.commit();
        }
    }

    private JobClient start(Dialect dialect, CaptureMethod method, String prefix, KafkaServer kafka)
            throws Exception {
        List<String> args = new ArrayList<>(dialect.sourceArguments(method, prefix));
        args.addAll(
                List.of(
                        "--kafka.bootstrap-servers",
                        kafka.bootstrapServers(),
                        "--topic.prefix",
                        prefix,
                        "--topic.cleanup-policy",
                        "compact",
                        "--transactional-id-prefix",
                        prefix + "-" + System.nanoTime(),
                        "--execution.checkpointing.interval",
                        "500 ms",
                        "--execution.checkpointing.dir",
                        checkpoints.resolve(prefix).toUri().toString()));
        Configuration conf = new Configuration();
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 20);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(500));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(1);
        String name = IngestJob.prepare(JobOptions.fromArgs(args.toArray(String[]::new)), env);
        return env.executeAsync(name);
    }

    private static String prefix(String prefix, CaptureMethod method) {
        return prefix + "-" + method.name().toLowerCase();
    }

    private static void awaitCommitted(
            Dialect dialect, String prefix, KafkaServer kafka, int records) {
        for (CaptureMethod method : METHODS) {
            String topic = dialect.topic(prefix(prefix, method));
            await().atMost(TIMEOUT)
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> KafkaRecords.committedCount(kafka, topic) >= records);
        }
    }

    /** The change events of a topic, in order, without tombstones. */
    private static List<ChangeEvent> read(KafkaServer kafka, String topic) {
        List<ChangeEvent> events = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record :
                KafkaRecords.readCommittedToEnd(kafka, topic)) {
            if (record.value() != null) {
                events.add(ChangeEventJson.fromBytes(record.value()));
            }
        }
        return events;
    }

    private static long id(ChangeEvent event) {
        return ((Number) event.row().get("id")).longValue();
    }

    /** Last row per key; a delete removes the key. */
    private static Map<Long, Map<String, Object>> finalState(List<ChangeEvent> events) {
        Map<Long, Map<String, Object>> state = new TreeMap<>();
        for (ChangeEvent event : events) {
            if (event.op() == Op.DELETE) {
                state.remove(id(event));
            } else {
                state.put(id(event), event.after());
            }
        }
        return state;
    }

    private static Map<Long, String> summary(Map<Long, Map<String, Object>> state) {
        Map<Long, String> summary = new TreeMap<>();
        state.forEach((id, row) -> summary.put(id, row.get("name") + ":" + row.get("qty")));
        return summary;
    }

    private static Map<Long, List<String>> changesPerKey(List<ChangeEvent> events) {
        Map<Long, List<String>> changes = new TreeMap<>();
        for (ChangeEvent event : events) {
            String change =
                    event.op() == Op.DELETE
                            ? "d"
                            : event.op().code()
                                    + ":"
                                    + event.after().get("name")
                                    + ":"
                                    + event.after().get("qty");
            changes.computeIfAbsent(id(event), id -> new ArrayList<>()).add(change);
        }
        return changes;
    }

    /**
     * Query-based capture sees states, not every change: each key's events must end in the row's
     * final state (checked with the table above), deleted rows must end with a delete, and no key
     * may appear that never committed.
     */
    private static void assertQuery(Workload workload, List<ChangeEvent> captured) {
        Map<Long, List<String>> seen = changesPerKey(captured);
        for (Map.Entry<Long, List<String>> entry : workload.expected().entrySet()) {
            List<String> expected = entry.getValue();
            String last = expected.get(expected.size() - 1);
            List<String> changes = seen.get(entry.getKey());
            if (expected.size() == 1 && last.equals("d")) {
                continue; // never seen alive by a poll is fine for a row born and gone between
            }
            assertThat(changes).as("query: changes of row %d", entry.getKey()).isNotNull();
            String lastSeen = changes.get(changes.size() - 1);
            assertThat(lastSeen.equals("d") ? "d" : lastSeen.substring(2))
                    .as("query: last change of row %d", entry.getKey())
                    .isEqualTo(last.equals("d") ? "d" : last.substring(2));
        }
        assertThat(seen.keySet()).isSubsetOf(workload.expected().keySet());
    }

    /**
     * Every method writes the same envelope: the same fields, the same source fields, and per key
     * the same final row as the log method's.
     */
    private static void assertSameEnvelopes(
            KafkaServer kafka,
            Dialect dialect,
            String prefix,
            Map<CaptureMethod, List<ChangeEvent>> events)
            throws Exception {
        Map<CaptureMethod, Set<String>> fields = new EnumMap<>(CaptureMethod.class);
        Map<CaptureMethod, Set<String>> sourceFields = new EnumMap<>(CaptureMethod.class);
        for (CaptureMethod method : METHODS) {
            Set<String> top = new TreeSet<>();
            Set<String> source = new TreeSet<>();
            for (ConsumerRecord<byte[], byte[]> record :
                    KafkaRecords.readCommittedToEnd(kafka, dialect.topic(prefix(prefix, method)))) {
                if (record.value() == null) {
                    continue;
                }
                JsonNode envelope = JSON.readTree(record.value());
                envelope.fieldNames().forEachRemaining(top::add);
                envelope.path("source").fieldNames().forEachRemaining(source::add);
            }
            fields.put(method, top);
            sourceFields.put(method, source);
        }
        CaptureMethod reference = METHODS.get(0);
        Map<Long, Map<String, Object>> referenceState = finalState(events.get(reference));
        for (CaptureMethod method : METHODS) {
            assertThat(fields.get(method))
                    .as("%s: envelope fields", method)
                    .isEqualTo(fields.get(reference));
            assertThat(sourceFields.get(method))
                    .as("%s: source fields", method)
                    .isEqualTo(sourceFields.get(reference));
            assertThat(finalState(events.get(method)))
                    .as(
                            "%s: every column of every row as the %s method wrote it",
                            method, reference)
                    .isEqualTo(referenceState);
        }
    }

    /** The table as {@code id -> name:qty}. */
    private static Map<Long, String> table(Connection c) throws Exception {
        Map<Long, String> rows = new TreeMap<>();
        try (Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT id, name, qty FROM " + Dialect.TABLE)) {
            while (r.next()) {
                rows.put(r.getLong(1), r.getString(2) + ":" + r.getInt(3));
            }
        }
        return rows;
    }

    /**
     * The topic read by Flink SQL's stock {@code debezium-json} format with every column declared,
     * folded into {@code id -> name:qty}.
     */
    private static Map<Long, String> debeziumJsonState(KafkaServer kafka, String topic)
            throws Exception {
        TableEnvironment tEnv = TableEnvironment.create(EnvironmentSettings.inStreamingMode());
        tEnv.executeSql(
                "CREATE TABLE items (id BIGINT, name STRING, qty INT, small SMALLINT,"
                        + " price DECIMAL(12, 2), ratio DOUBLE, active BOOLEAN, born DATE,"
                        + " seen_local TIMESTAMP(6), seen_at TIMESTAMP_LTZ(6), data BYTES,"
                        + " `ref` STRING, doc STRING, updated_at TIMESTAMP_LTZ(6)) WITH ("
                        + " 'connector' = 'kafka', 'topic' = '"
                        + topic
                        + "', 'properties.bootstrap.servers' = '"
                        + kafka.bootstrapServers()
                        + "', 'properties.isolation.level' = 'read_committed',"
                        + " 'scan.startup.mode' = 'earliest-offset',"
                        + " 'scan.bounded.mode' = 'latest-offset',"
                        + " 'format' = 'debezium-json',"
                        + " 'debezium-json.ignore-parse-errors' = 'false')");
        Map<Long, String> state = new TreeMap<>();
        try (CloseableIterator<Row> rows =
                tEnv.executeSql("SELECT id, name, qty FROM items").collect()) {
            while (rows.hasNext()) {
                Row row = rows.next();
                long id = (Long) row.getField(0);
                if (row.getKind() == RowKind.INSERT || row.getKind() == RowKind.UPDATE_AFTER) {
                    state.put(id, row.getField(1) + ":" + row.getField(2));
                } else {
                    state.remove(id);
                }
            }
        }
        return state;
    }
}
