package dev.changeflow.jobs.conformance;

import dev.changeflow.jobs.ClusterJobs;
import dev.changeflow.jobs.KafkaRecords;
import dev.changeflow.jobs.TopicWatch;
import dev.changeflow.jobs.conformance.Workload.Change;
import dev.changeflow.jobs.ingest.IngestJob;
import dev.changeflow.jobs.ingest.IngestOptions.CaptureMethod;
import dev.changeflow.localstack.Service;
import dev.changeflow.localstack.junit.LocalStackTest;
import dev.changeflow.localstack.server.FlinkCluster;
import dev.changeflow.localstack.server.FlinkRestClient;
import dev.changeflow.localstack.server.KafkaServer;
import dev.changeflow.localstack.server.MariaDbServer;
import dev.changeflow.localstack.server.PostgresServer;

import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.types.Row;
import org.apache.flink.types.RowKind;
import org.apache.flink.util.CloseableIterator;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

/**
 * One scripted workload, applied to PostgreSQL and to MariaDB while the ingest job captures the
 * same table with every method at once (log, trigger, query: one job each on the standalone
 * cluster, own topic prefix, the default {@code delete} cleanup policy), and the TaskManager
 * process running all of them is SIGKILLed at a moment the test proves: every job has committed a
 * streamed change and holds more in an open Kafka transaction.
 *
 * <p>The workload: seeded rows last changed in 2001 (snapshot), a long transaction that starts
 * first (lowest new id, earliest timestamp) and commits last, many small transactions of inserts,
 * updates and deletes, a rolled-back transaction, a burst in one transaction, rows with every
 * mapped type and with NULLs. The jobs are then stopped with a savepoint and every topic is read to
 * its committed end, and again after the broker's retention pass.
 *
 * <p>Checked for every method, against an expectation the test renders itself from the rows it
 * wrote ({@link ExpectedRows}, not the production encoder): every record still there after
 * retention, stamped with its write time, keyed by the primary key; one {@code r} per seeded row,
 * first for its key; envelopes with the right {@code op}, {@code source} and {@code ts_ms}; per key
 * positions that never go back and no change twice; the final state per key (every column) equal to
 * the table; nothing of the rolled-back transaction; records of the killed attempt aborted; Flink
 * SQL's stock {@code debezium-json} folds the topic into the table. Log and trigger: exactly the
 * committed changes, in commit order per key, with the full {@code before} row. Query: row states
 * in commit order, {@code before} = the previous state it wrote, deleted rows end with a {@code d}.
 */
@LocalStackTest(services = {Service.POSTGRES, Service.MARIADB, Service.KAFKA, Service.FLINK})
class ConformanceIT {

    /** The methods under test: all, or those of {@code -Dconformance.methods=log,query}. */
    static final List<CaptureMethod> METHODS =
            Arrays.stream(System.getProperty("conformance.methods", "log,trigger,query").split(","))
                    .map(m -> CaptureMethod.valueOf(m.strip().toUpperCase()))
                    .collect(Collectors.toList());

    private static final int SEED = 20;
    private static final Duration TIMEOUT = Duration.ofMinutes(3);

    /** Reads numbers as written: 12.50 stays 12.50, 1.0 stays 1.0. */
    private static final ObjectMapper JSON =
            new ObjectMapper()
                    .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                    .setNodeFactory(JsonNodeFactory.withExactBigDecimals(true));

    private FlinkRestClient rest;
    private final Map<CaptureMethod, String> jobs = new EnumMap<>(CaptureMethod.class);

    @AfterEach
    void cancelJobs() throws Exception {
        for (String job : jobs.values()) {
            // Flink CDC shares connection pools per JVM: let the job end before the next starts
            ClusterJobs.cancel(rest, job);
        }
        jobs.clear();
    }

    @Test
    void postgres(PostgresServer postgres, KafkaServer kafka, FlinkCluster flink) throws Exception {
        conform(Dialect.postgres(postgres), "conf-pg", kafka, flink);
    }

    @Test
    void mariaDb(MariaDbServer mariadb, KafkaServer kafka, FlinkCluster flink) throws Exception {
        conform(Dialect.mariaDb(mariadb), "conf-my", kafka, flink);
    }

    private void conform(Dialect dialect, String prefix, KafkaServer kafka, FlinkCluster flink)
            throws Exception {
        rest = new FlinkRestClient(flink.restUrl());
        String jar = ClusterJobs.uploadedJar(flink);
        Workload workload = new Workload(dialect);
        Map<CaptureMethod, TopicWatch> watches = new EnumMap<>(CaptureMethod.class);
        long jobStart;
        Map<Long, JsonNode> table;
        try (Connection c = dialect.connect();
                Connection longConnection = dialect.connect()) {
            List<Long> seeded = workload.seed(c, SEED);
            jobStart = System.currentTimeMillis();
            for (CaptureMethod method : METHODS) {
                Methods.prepare(method, dialect, dialect.qualifiedTable());
                jobs.put(
                        method,
                        rest.runJar(
                                jar,
                                IngestJob.class.getName(),
                                arguments(dialect, method, prefix(prefix, method), kafka, flink),
                                1));
            }
            for (CaptureMethod method : METHODS) {
                watches.put(
                        method,
                        new TopicWatch(kafka, dialect.topic(prefix(prefix, method)), TIMEOUT));
            }
            // nothing is streamed yet: every record is a snapshot read (counted exactly below)
            awaitAll(watches, w -> w.committedCount() >= SEED, "every snapshot row committed");

            smallTransactions(workload, c, seeded, 0, 15);
            Workload.Transaction rolledBack = workload.begin(c);
            rolledBack.insert();
            rolledBack.update(seeded.get(1), "rolled-back", -1);
            rolledBack.delete(seeded.get(2));
            rolledBack.rollback();

            // the kill: once every job has committed a streamed change and has written more that
            // is not committed yet (records, not offsets: transaction markers are no records)
            for (int k = 0; !inFlightEverywhere(watches, SEED); k++) {
                if (k > 300) {
                    fail(
                            "no moment with changes committed and in flight in every job: %s",
                            counts(watches));
                }
                Workload.Transaction t = workload.begin(c);
                t.insert();
                t.update(seeded.get(3 + k % 8), "kill-" + k, 100 + k);
                t.commit();
            }
            flink.killTaskManager();

            // the long transaction: starts first (while the jobs are down), commits last; the
            // query method (and MariaDB's trigger method) hold their horizon behind it
            Workload.Transaction longTransaction = workload.begin(longConnection);
            long longRow = longTransaction.insert();
            longTransaction.update(seeded.get(0), "long-touch", 1);
            flink.startTaskManager();

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

            table = table(dialect, workload, c);
            assertThat(table).containsKey(longRow);
            awaitAll(
                    watches,
                    w -> summary(finalState(events(w.committedRecords()))).equals(summary(table)),
                    "the table's state committed");
            // stop with a savepoint: the last transactions commit, nothing more can come
            for (CaptureMethod method : METHODS) {
                rest.stopWithSavepoint(
                        jobs.remove(method),
                        flink.savepointDir().toUri().toString(),
                        Duration.ofMinutes(2));
            }
        } finally {
            watches.values().forEach(TopicWatch::close);
        }

        Map<CaptureMethod, Set<String>> fields = new EnumMap<>(CaptureMethod.class);
        for (CaptureMethod method : METHODS) {
            String topic = dialect.topic(prefix(prefix, method));
            List<ConsumerRecord<byte[], byte[]>> records =
                    KafkaRecords.readCommittedAfterRetention(kafka, topic, jobStart);
            // the records in flight at the kill were aborted, or committed on recovery when the
            // checkpoint they belong to had completed before the kill; never lost or doubled
            assertThat(KafkaRecords.readUncommittedToEnd(kafka, topic).size())
                    .as("%s: read_uncommitted holds every committed record", method)
                    .isGreaterThanOrEqualTo(records.size());
            List<JsonNode> events = events(records);
            assertRecords(method, records, jobStart);
            assertEnvelopes(method, dialect, workload, events, jobStart);
            if (method == CaptureMethod.QUERY) {
                assertRowStates(workload, events);
            } else {
                assertChanges(method, workload, events);
            }
            Map<Long, JsonNode> state = finalState(events);
            assertThat(state.keySet()).as("%s: rows in Kafka", method).isEqualTo(table.keySet());
            state.forEach(
                    (id, row) ->
                            assertThat(row.equals(ExpectedRows.SAME_JSON, table.get(id)))
                                    .as(
                                            "%s: row %d in Kafka is %s, the table holds %s",
                                            method, id, row, table.get(id))
                                    .isTrue());
            assertThat(debeziumJsonState(kafka, topic))
                    .as("%s: Flink SQL debezium-json folds the topic into the table", method)
                    .isEqualTo(summary(table));
            fields.put(method, fieldNames(events));
        }
        assertThat(new HashSet<>(fields.values()))
                .as("every method writes the same envelope and source fields: %s", fields)
                .hasSize(1);
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

    private static List<String> arguments(
            Dialect dialect,
            CaptureMethod method,
            String prefix,
            KafkaServer kafka,
            FlinkCluster flink) {
        List<String> args = new ArrayList<>(dialect.sourceArguments(method, prefix));
        args.addAll(
                List.of(
                        "--kafka.bootstrap-servers",
                        kafka.bootstrapServers(),
                        "--topic.prefix",
                        prefix,
                        "--sink.transactional-id-prefix",
                        prefix + "-" + System.nanoTime(),
                        "--execution.checkpointing.interval",
                        "2 s",
                        "--execution.checkpointing.dir",
                        flink.checkpointDir().toUri().toString()));
        return args;
    }

    private static String prefix(String prefix, CaptureMethod method) {
        return prefix + "-" + method.name().toLowerCase();
    }

    private static void awaitAll(
            Map<CaptureMethod, TopicWatch> watches, Predicate<TopicWatch> done, String what) {
        await().atMost(TIMEOUT)
                .pollInterval(Duration.ofMillis(100))
                .alias(what)
                .until(() -> watches.values().stream().map(TopicWatch::poll).allMatch(done));
    }

    /**
     * Whether every job has committed a streamed change (a record beyond the {@code reads} snapshot
     * reads, all committed before anything streamed) and holds more in an open transaction.
     */
    private static boolean inFlightEverywhere(Map<CaptureMethod, TopicWatch> watches, int reads) {
        return watches.values().stream()
                .map(TopicWatch::poll)
                .allMatch(w -> w.committedCount() > reads && w.uncommitted() >= 1);
    }

    private static Map<CaptureMethod, String> counts(Map<CaptureMethod, TopicWatch> watches) {
        Map<CaptureMethod, String> counts = new EnumMap<>(CaptureMethod.class);
        watches.forEach(
                (m, w) ->
                        counts.put(
                                m,
                                "committed " + w.committedCount() + ", open " + w.uncommitted()));
        return counts;
    }

    private static JsonNode parse(byte[] value) {
        try {
            return JSON.readTree(value);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + new String(value, StandardCharsets.UTF_8), e);
        }
    }

    private static List<JsonNode> events(List<ConsumerRecord<byte[], byte[]>> records) {
        List<JsonNode> events = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record : records) {
            if (record.value() != null) {
                events.add(parse(record.value()));
            }
        }
        return events;
    }

    private static long id(JsonNode event) {
        JsonNode row =
                event.path("op").asText().equals("d") ? event.get("before") : event.get("after");
        return row.path("id").asLong();
    }

    /** Last row per key; a delete removes the key. */
    private static Map<Long, JsonNode> finalState(List<JsonNode> events) {
        Map<Long, JsonNode> state = new TreeMap<>();
        for (JsonNode event : events) {
            if (event.path("op").asText().equals("d")) {
                state.remove(id(event));
            } else {
                state.put(id(event), event.get("after"));
            }
        }
        return state;
    }

    private static Map<Long, String> summary(Map<Long, JsonNode> state) {
        Map<Long, String> summary = new TreeMap<>();
        state.forEach(
                (id, row) ->
                        summary.put(id, row.path("name").asText() + ":" + row.path("qty").asInt()));
        return summary;
    }

    private static Map<Long, List<JsonNode>> perKey(List<JsonNode> events) {
        Map<Long, List<JsonNode>> perKey = new TreeMap<>();
        events.forEach(e -> perKey.computeIfAbsent(id(e), k -> new ArrayList<>()).add(e));
        return perKey;
    }

    /** No tombstone (delete policy), Kafka key = primary key. */
    private static void assertRecords(
            CaptureMethod method, List<ConsumerRecord<byte[], byte[]>> records, long jobStart) {
        assertThat(records).as("%s: records", method).isNotEmpty();
        for (ConsumerRecord<byte[], byte[]> record : records) {
            assertThat(record.value())
                    .as("%s: no tombstones on a delete-policy topic", method)
                    .isNotNull();
            assertThat(new String(record.key(), StandardCharsets.UTF_8))
                    .as("%s: Kafka key of %s", method, record.offset())
                    .isEqualTo("{\"id\":" + id(parse(record.value())) + "}");
        }
    }

    /**
     * The envelope of every event: op and images, source fields, times; per key, one {@code r} for
     * each seeded row and first, positions that never go back, no (op, position) twice.
     */
    private static void assertEnvelopes(
            CaptureMethod method,
            Dialect dialect,
            Workload workload,
            List<JsonNode> events,
            long jobStart) {
        long now = System.currentTimeMillis();
        Set<Long> seeded = new HashSet<>();
        workload.expected()
                .forEach(
                        (id, changes) -> {
                            if (changes.get(0).op().equals("r")) {
                                seeded.add(id);
                            }
                        });
        for (JsonNode e : events) {
            String op = e.path("op").asText();
            JsonNode source = e.path("source");
            assertThat(op).as("%s: op", method).isIn("r", "c", "u", "d");
            assertThat(e.path("after").isObject())
                    .as("%s: after of %s", method, op)
                    .isEqualTo(!op.equals("d"));
            assertThat(e.path("before").isObject())
                    .as("%s: before of %s", method, op)
                    .isEqualTo(op.equals("u") || op.equals("d"));
            assertThat(e.path("ts_ms").asLong()).as("%s: ts_ms", method).isBetween(jobStart, now);
            assertThat(source.path("connector").asText()).isEqualTo(method.name().toLowerCase());
            assertThat(source.path("table").asText()).isEqualTo(Dialect.TABLE);
            assertThat(source.path("db").asText()).isEqualTo(dialect.server().database());
            assertThat(source.path("snapshot").asText())
                    .as("%s: source.snapshot of %s", method, op)
                    .isEqualTo(op.equals("r") ? "true" : "false");
            assertThat(source.path("position").asText()).as("%s: position", method).isNotEmpty();
            if (!op.equals("r") && method != CaptureMethod.QUERY) {
                // the commit time, by the database's clock on this machine (binlog: seconds)
                assertThat(source.path("ts_ms").asLong())
                        .as("%s: source.ts_ms of a streamed %s", method, op)
                        .isBetween(jobStart - 1_000, now);
            }
        }
        Map<Long, List<JsonNode>> perKey = perKey(events);
        for (Map.Entry<Long, List<JsonNode>> entry : perKey.entrySet()) {
            List<JsonNode> changes = entry.getValue();
            long reads = changes.stream().filter(e -> e.path("op").asText().equals("r")).count();
            assertThat(reads)
                    .as("%s: snapshot reads of row %d", method, entry.getKey())
                    .isEqualTo(seeded.contains(entry.getKey()) ? 1 : 0);
            if (reads == 1) {
                assertThat(changes.get(0).path("op").asText())
                        .as("%s: row %d's r comes first", method, entry.getKey())
                        .isEqualTo("r");
            }
            Set<String> seen = new HashSet<>();
            String previous = "";
            for (JsonNode e : changes) {
                String position = e.path("source").path("position").asText();
                assertThat(position.compareTo(previous))
                        .as("%s: position of row %d never goes back", method, entry.getKey())
                        .isGreaterThanOrEqualTo(0);
                assertThat(seen.add(e.path("op").asText() + "@" + position))
                        .as(
                                "%s: %s of row %d at %s once",
                                method, e.path("op"), entry.getKey(), position)
                        .isTrue();
                previous = position;
            }
        }
        assertThat(perKey.keySet())
                .as("%s: nothing of the rolled-back transaction", method)
                .doesNotContainAnyElementsOf(workload.rolledBack());
    }

    /**
     * Log and trigger: per key exactly the committed changes, in commit order, every column of
     * {@code after} and {@code before} as the workload wrote it, and {@code before} equal to the
     * previous change's {@code after} ({@code updated_at} included).
     */
    private static void assertChanges(
            CaptureMethod method, Workload workload, List<JsonNode> events) {
        Map<Long, List<JsonNode>> perKey = perKey(events);
        assertThat(perKey.keySet())
                .as("%s: rows with changes", method)
                .isEqualTo(workload.expected().keySet());
        for (Map.Entry<Long, List<Change>> entry : workload.expected().entrySet()) {
            long id = entry.getKey();
            List<Change> expected = entry.getValue();
            List<JsonNode> actual = perKey.get(id);
            assertThat(actual.stream().map(e -> e.path("op").asText()).toList())
                    .as("%s: ops of row %d", method, id)
                    .isEqualTo(expected.stream().map(Change::op).toList());
            JsonNode previousAfter = null;
            for (int n = 0; n < expected.size(); n++) {
                Change change = expected.get(n);
                JsonNode event = actual.get(n);
                if (change.after() != null) {
                    assertSameRow(method, id, n, "after", event.get("after"), change.after());
                }
                if (change.before() != null) {
                    assertSameRow(method, id, n, "before", event.get("before"), change.before());
                    if (previousAfter != null) {
                        assertThat(event.get("before"))
                                .as(
                                        "%s: row %d change %d: before = the previous after",
                                        method, id, n)
                                .isEqualTo(previousAfter);
                    }
                }
                previousAfter = event.get("after");
            }
        }
    }

    /**
     * Query: states, not every change. Per key the states it wrote come in commit order (a
     * subsequence of the row's versions), {@code before} is the previous state it wrote, a row it
     * never saw before starts with {@code c} (or {@code r}), and deleted rows end with {@code d}.
     */
    private static void assertRowStates(Workload workload, List<JsonNode> events) {
        Map<Long, List<JsonNode>> perKey = perKey(events);
        assertThat(perKey.keySet()).isSubsetOf(workload.expected().keySet());
        for (Map.Entry<Long, List<Change>> entry : workload.expected().entrySet()) {
            long id = entry.getKey();
            List<Change> expected = entry.getValue();
            List<JsonNode> actual = perKey.getOrDefault(id, List.of());
            boolean deleted = expected.get(expected.size() - 1).op().equals("d");
            if (actual.isEmpty()) {
                assertThat(deleted && expected.size() <= 2 && !expected.get(0).op().equals("r"))
                        .as(
                                "query: row %d may only be missed if it was born and gone between polls",
                                id)
                        .isTrue();
                continue;
            }
            int version = 0;
            JsonNode previousAfter = null;
            for (int n = 0; n < actual.size(); n++) {
                JsonNode event = actual.get(n);
                String op = event.path("op").asText();
                if (n == 0) {
                    assertThat(op).as("query: row %d's first event", id).isIn("r", "c");
                } else {
                    assertThat(op).as("query: row %d event %d", id, n).isIn("u", "d");
                    assertThat(event.get("before"))
                            .as("query: row %d event %d: before = the previous state", id, n)
                            .isEqualTo(previousAfter);
                }
                if (op.equals("d")) {
                    assertThat(n)
                            .as("query: row %d: d is its last event", id)
                            .isEqualTo(actual.size() - 1);
                    assertThat(deleted).as("query: row %d was deleted", id).isTrue();
                    continue;
                }
                JsonNode after = ExpectedRows.withoutUpdatedAt(event.get("after"));
                while (version < expected.size()
                        && (expected.get(version).after() == null
                                || !after.equals(
                                        ExpectedRows.SAME_JSON,
                                        ExpectedRows.row(expected.get(version).after())))) {
                    version++;
                }
                assertThat(version)
                        .as("query: row %d event %d %s is a later version of the row", id, n, after)
                        .isLessThan(expected.size());
                previousAfter = event.get("after");
            }
            if (deleted) {
                assertThat(actual.get(actual.size() - 1).path("op").asText())
                        .as("query: deleted row %d ends with d", id)
                        .isEqualTo("d");
            }
        }
    }

    private static void assertSameRow(
            CaptureMethod method,
            long id,
            int n,
            String image,
            JsonNode actual,
            Workload.Version version) {
        JsonNode expected = ExpectedRows.row(version);
        assertThat(actual.path(ExpectedRows.UPDATED_AT).asText())
                .as("%s: row %d change %d: %s.updated_at", method, id, n, image)
                .matches("\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}(\\.\\d{1,6})?Z");
        assertThat(ExpectedRows.withoutUpdatedAt(actual).equals(ExpectedRows.SAME_JSON, expected))
                .as(
                        "%s: row %d change %d: %s is %s, expected %s",
                        method, id, n, image, actual, expected)
                .isTrue();
    }

    private static Set<String> fieldNames(List<JsonNode> events) {
        Set<String> names = new TreeSet<>();
        for (JsonNode e : events) {
            e.fieldNames().forEachRemaining(names::add);
            e.path("source").fieldNames().forEachRemaining(f -> names.add("source." + f));
        }
        return names;
    }

    /**
     * The table, every row as its envelope must end: the columns rendered from the workload's
     * versions plus {@code updated_at} as the database holds it, in UTC.
     */
    private static Map<Long, JsonNode> table(Dialect dialect, Workload workload, Connection c)
            throws Exception {
        Map<Long, JsonNode> rows = new TreeMap<>();
        try (Statement s = c.createStatement();
                ResultSet r =
                        s.executeQuery(
                                "SELECT id, name, qty, "
                                        + dialect.updatedAtUtc()
                                        + " FROM "
                                        + Dialect.TABLE)) {
            while (r.next()) {
                long id = r.getLong(1);
                Workload.Version version = workload.rows().get(id);
                assertThat(version).as("row %d is one the workload wrote", id).isNotNull();
                assertThat(r.getString(2) + ":" + r.getInt(3))
                        .as("row %d", id)
                        .isEqualTo(version.name() + ":" + version.qty());
                ObjectNode row = ExpectedRows.row(version);
                String updatedAt = r.getString(4).replaceAll("\\.?0+$", "");
                row.put(ExpectedRows.UPDATED_AT, updatedAt + "Z");
                rows.put(id, row);
            }
        }
        assertThat(rows.keySet()).isEqualTo(workload.rows().keySet());
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
