package dev.changeflow.cdc.log.mysql;

import dev.changeflow.cdc.log.CdcSetupException;
import dev.changeflow.cdc.log.MariaDbTypeRows;
import dev.changeflow.cdc.log.RunningJob;
import dev.changeflow.cdc.log.mysql.config.StartupMode;
import dev.changeflow.localstack.Service;
import dev.changeflow.localstack.junit.LocalStackTest;
import dev.changeflow.localstack.server.MariaDbServer;
import dev.changeflow.schemas.ChangeEvent;
import dev.changeflow.schemas.ColumnValues;
import dev.changeflow.schemas.Connector;
import dev.changeflow.schemas.JsonText;
import dev.changeflow.schemas.Op;
import dev.changeflow.schemas.Positions;

import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.ExceptionUtils;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * {@link MySqlLogSource} against the local stack's real MariaDB 10.11 (ROW binlog) on a Flink
 * MiniCluster. Each test uses its own tables and binlog client id. The source connects as {@value
 * #CDC_USER}, a user holding only what the preflight demands (SELECT on the database, REPLICATION
 * SLAVE, REPLICATION CLIENT), which shows that RELOAD and SHOW DATABASES are not needed.
 */
@LocalStackTest(services = Service.MARIADB)
class MySqlLogSourceIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final Duration QUIET = Duration.ofSeconds(2);
    private static final String CDC_USER = "it_cdc";
    private static final String CDC_PASSWORD = "it_cdc_secret";

    @RegisterExtension static final MiniClusterExtension MINI_CLUSTER = RunningJob.miniCluster();

    @BeforeAll
    static void minimalCdcUser(MariaDbServer mariadb) throws Exception {
        try (Connection c = admin(mariadb)) {
            exec(
                    c,
                    "DROP USER IF EXISTS '" + CDC_USER + "'@'%'",
                    "CREATE USER '" + CDC_USER + "'@'%' IDENTIFIED BY '" + CDC_PASSWORD + "'",
                    "GRANT SELECT ON " + mariadb.database() + ".* TO '" + CDC_USER + "'@'%'",
                    "GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO '" + CDC_USER + "'@'%'",
                    "CREATE TABLE IF NOT EXISTS it_fixed (id INT PRIMARY KEY)");
        }
    }

    @Test
    void snapshotThenInsertUpdateDeleteInOrder(MariaDbServer mariadb) throws Exception {
        String db = mariadb.database();
        try (Connection c = admin(mariadb)) {
            exec(
                    c,
                    "DROP TABLE IF EXISTS it_crud",
                    "CREATE TABLE it_crud (id INT PRIMARY KEY, name VARCHAR(20), qty INT)",
                    "INSERT INTO it_crud VALUES (1, 'one', 10), (2, 'two', 20), (3, 'three', 30)");
        }

        try (RunningJob job = RunningJob.start(source(mariadb, "it_crud", "5401").build())) {
            List<ChangeEvent> snapshot = job.take(3, TIMEOUT);
            assertThat(snapshot).allSatisfy(e -> assertThat(e.op()).isEqualTo(Op.READ));
            assertThat(snapshot)
                    .extracting(ChangeEvent::after)
                    .containsExactlyInAnyOrder(
                            row(1, "one", 10), row(2, "two", 20), row(3, "three", 30));
            assertThat(snapshot)
                    .allSatisfy(
                            e -> {
                                assertThat(e.before()).isNull();
                                assertThat(e.source().connector()).isEqualTo(Connector.LOG);
                                assertThat(e.source().db()).isEqualTo(db);
                                assertThat(e.source().schema()).isNull();
                                assertThat(e.source().table()).isEqualTo("it_crud");
                                assertThat(e.source().snapshot()).isTrue();
                                assertThat(e.source().position())
                                        .isEqualTo(Positions.BINLOG_SNAPSHOT);
                                assertThat(e.source().txId()).isNull();
                            });

            try (Connection c = admin(mariadb)) {
                exec(
                        c,
                        "INSERT INTO it_crud VALUES (4, 'four', 40)",
                        "UPDATE it_crud SET qty = 41 WHERE id = 4",
                        // one statement, two rows: one binlog event
                        "UPDATE it_crud SET name = UPPER(name) WHERE id IN (1, 2)",
                        "DELETE FROM it_crud WHERE id = 3");
                // one transaction, two statements: two binlog events
                c.setAutoCommit(false);
                exec(
                        c,
                        "INSERT INTO it_crud VALUES (5, 'five', 50)",
                        "DELETE FROM it_crud WHERE id = 4");
                c.commit();
            }
            List<ChangeEvent> changes = job.take(7, TIMEOUT);
            assertThat(changes)
                    .extracting(ChangeEvent::op, ChangeEvent::before, ChangeEvent::after)
                    .containsExactly(
                            tuple(Op.CREATE, null, row(4, "four", 40)),
                            tuple(Op.UPDATE, row(4, "four", 40), row(4, "four", 41)),
                            tuple(Op.UPDATE, row(1, "one", 10), row(1, "ONE", 10)),
                            tuple(Op.UPDATE, row(2, "two", 20), row(2, "TWO", 20)),
                            tuple(Op.DELETE, row(3, "three", 30), null),
                            tuple(Op.CREATE, null, row(5, "five", 50)),
                            tuple(Op.DELETE, row(4, "four", 41), null));
            List<String> positions = new ArrayList<>();
            for (ChangeEvent e : changes) {
                assertThat(e.source().snapshot()).isFalse();
                assertThat(e.source().schema()).isNull();
                assertThat(e.source().tsMs()).isPositive();
                assertThat(e.source().position())
                        .matches("mysql-bin\\.[0-9]{10}:[0-9]{19}:[0-9]{10}")
                        .isGreaterThan(Positions.BINLOG_SNAPSHOT);
                positions.add(e.source().position());
            }
            assertThat(positions).isSorted().doesNotHaveDuplicates();
            // the two rows of the multi-row UPDATE share the event and differ in the row
            assertThat(positions.get(2).substring(0, 40))
                    .isEqualTo(positions.get(3).substring(0, 40));
            assertThat(job.extra(QUIET)).isEmpty();
        }
    }

    /**
     * Every MariaDB type of {@code common-schemas/TYPES.md}, in the snapshot ({@code r}) and the
     * binlog ({@code c}) paths, equals the inserted Java values through {@link ColumnValues}; the
     * columns the PostgreSQL type matrix also has carry the same values and must encode exactly as
     * that test pins them.
     */
    @Test
    void everyTypeOfTheMappingEncodesLikeColumnValues(MariaDbServer mariadb) throws Exception {
        try (Connection c = admin(mariadb)) {
            exec(
                    c,
                    "DROP TABLE IF EXISTS it_types",
                    "CREATE TABLE it_types (id INT PRIMARY KEY, c_numeric DECIMAL(12,3),"
                            + " c_int INT, c_bigint BIGINT, c_bool BOOLEAN, c_text TEXT,"
                            + " c_varchar VARCHAR(20), c_date DATE, c_time TIME(6),"
                            + " c_ts DATETIME(6), c_tstz TIMESTAMP(6) NULL, c_json JSON,"
                            + " c_uuid CHAR(36), c_bytea VARBINARY(16),"
                            + " c_tinyint TINYINT, c_smallint SMALLINT, c_mediumint MEDIUMINT,"
                            + " c_int_unsigned INT UNSIGNED, c_bigint_unsigned BIGINT UNSIGNED,"
                            + " c_float FLOAT, c_double DOUBLE, c_char CHAR(3),"
                            + " c_enum ENUM('a', 'b'), c_set SET('x', 'y'), c_bit1 BIT(1),"
                            + " c_bit BIT(12), c_blob BLOB, c_binary BINARY(4),"
                            + " c_ts3 DATETIME(3), c_ts0 DATETIME, c_time0 TIME)");
            MariaDbTypeRows.insert(c, "it_types", 1, MariaDbTypeRows.valuesA());
            MariaDbTypeRows.insert(
                    c, "it_types", 2, MariaDbTypeRows.nulls(MariaDbTypeRows.valuesA()));
        }

        try (RunningJob job = RunningJob.start(source(mariadb, "it_types", "5404").build())) {
            List<ChangeEvent> snapshot = job.take(2, TIMEOUT);
            try (Connection c = admin(mariadb)) {
                MariaDbTypeRows.insert(c, "it_types", 3, MariaDbTypeRows.valuesA());
                MariaDbTypeRows.insert(
                        c, "it_types", 4, MariaDbTypeRows.nulls(MariaDbTypeRows.valuesA()));
                MariaDbTypeRows.insert(c, "it_types", 5, valuesB());
            }
            List<ChangeEvent> stream = job.take(3, TIMEOUT);

            Map<Integer, ChangeEvent> byId = new LinkedHashMap<>();
            for (ChangeEvent e : snapshot) {
                assertThat(e.op()).isEqualTo(Op.READ);
                byId.put(((Long) e.after().get("id")).intValue(), e);
            }
            for (ChangeEvent e : stream) {
                assertThat(e.op()).isEqualTo(Op.CREATE);
                byId.put(((Long) e.after().get("id")).intValue(), e);
            }
            for (int id = 1; id <= 5; id++) {
                Map<String, Object> java =
                        id == 2 || id == 4
                                ? MariaDbTypeRows.nulls(MariaDbTypeRows.valuesA())
                                : id == 5 ? valuesB() : MariaDbTypeRows.valuesA();
                Map<String, Object> expected = new LinkedHashMap<>();
                expected.put("id", id);
                for (Map.Entry<String, Object> column : java.entrySet()) {
                    Object value = column.getValue();
                    expected.put(
                            column.getKey(),
                            column.getKey().equals("c_json") && value != null
                                    ? new JsonText((String) value)
                                    : value);
                }
                assertThat(byId.get(id).after())
                        .as("row %d (%s)", id, id <= 2 ? "snapshot" : "binlog")
                        .containsExactlyEntriesOf(ColumnValues.toJsonRow(expected));
            }
            // the encodings PostgresLogSourceIT pins for the same values of the same column
            for (int id : new int[] {1, 3}) {
                Map<String, Object> a = byId.get(id).after();
                assertThat(a.get("c_numeric")).isEqualTo(new BigDecimal("-12345.678"));
                assertThat(a.get("c_bool")).isEqualTo(true);
                assertThat(a.get("c_ts")).isEqualTo("2024-01-02 03:04:05.123456");
                assertThat(a.get("c_tstz")).isEqualTo("2024-01-02 01:04:05.123456Z");
                assertThat(a.get("c_date")).isEqualTo("2024-02-29");
                assertThat(a.get("c_time")).isEqualTo("13:14:15.123456");
                assertThat(a.get("c_bytea")).isEqualTo("AAH/fw==");
                assertThat(a.get("c_json")).isEqualTo("{\"b\": 1,  \"a\": [1, 2]}");
                assertThat(a.get("c_uuid")).isEqualTo("123e4567-e89b-12d3-a456-426614174000");
                assertThat(a.get("c_bigint")).isEqualTo(9007199254740993L);
                // and the MariaDB-only ones
                assertThat(a.get("c_bigint_unsigned"))
                        .isEqualTo(new BigInteger("18446744073709551615"));
                assertThat(a.get("c_float")).isEqualTo(new BigDecimal("36.6"));
                assertThat(a.get("c_bit1")).isEqualTo(true);
                assertThat(a.get("c_bit")).isEqualTo("Crw=");
                assertThat(a.get("c_ts0")).isEqualTo("2024-01-02 03:04:05");
            }
            assertThat(byId.get(5).after().get("c_ts")).isEqualTo("1969-12-31 23:59:59.999999");
            assertThat(byId.get(5).after().get("c_bool")).isEqualTo(false);
            assertThat(job.extra(QUIET)).isEmpty();
        }
    }

    @Test
    void addedColumnAppearsInLaterEventsWithoutRestart(MariaDbServer mariadb) throws Exception {
        try (Connection c = admin(mariadb)) {
            exec(
                    c,
                    "DROP TABLE IF EXISTS it_ddl",
                    "CREATE TABLE it_ddl (id INT PRIMARY KEY, name VARCHAR(20))",
                    "INSERT INTO it_ddl VALUES (1, 'one')");
        }
        try (RunningJob job = RunningJob.start(source(mariadb, "it_ddl", "5402").build())) {
            assertThat(job.take(1, TIMEOUT))
                    .extracting(ChangeEvent::after)
                    .containsExactly(json("id", 1, "name", "one"));
            try (Connection c = admin(mariadb)) {
                exec(
                        c,
                        "INSERT INTO it_ddl VALUES (2, 'two')",
                        "ALTER TABLE it_ddl ADD COLUMN qty INT NULL",
                        "INSERT INTO it_ddl VALUES (3, 'three', 30)",
                        "UPDATE it_ddl SET qty = 2 WHERE id = 2");
            }
            assertThat(job.take(3, TIMEOUT))
                    .extracting(ChangeEvent::op, ChangeEvent::before, ChangeEvent::after)
                    .containsExactly(
                            tuple(Op.CREATE, null, json("id", 2, "name", "two")),
                            tuple(Op.CREATE, null, json("id", 3, "name", "three", "qty", 30)),
                            tuple(
                                    Op.UPDATE,
                                    json("id", 2, "name", "two", "qty", null),
                                    json("id", 2, "name", "two", "qty", 2)));
            assertThat(job.extra(QUIET)).isEmpty();
        }
    }

    @Test
    void stopWithSavepointAndRestoreLosesAndRepeatsNothing(
            MariaDbServer mariadb, @TempDir Path savepoints) throws Exception {
        try (Connection c = admin(mariadb)) {
            exec(
                    c,
                    "DROP TABLE IF EXISTS it_restore",
                    "CREATE TABLE it_restore (id INT PRIMARY KEY, name VARCHAR(20), qty INT)",
                    "INSERT INTO it_restore VALUES (1, 'one', 1), (2, 'two', 2), (3, 'three', 3)");
        }
        String savepoint;
        try (RunningJob job = RunningJob.start(source(mariadb, "it_restore", "5403").build())) {
            assertThat(job.take(3, TIMEOUT)).extracting(ChangeEvent::op).containsOnly(Op.READ);
            try (Connection c = admin(mariadb)) {
                exec(
                        c,
                        "INSERT INTO it_restore VALUES (4, 'four', 4)",
                        "UPDATE it_restore SET qty = 10 WHERE id = 1");
            }
            assertThat(job.take(2, TIMEOUT))
                    .extracting(ChangeEvent::op)
                    .containsExactly(Op.CREATE, Op.UPDATE);
            savepoint = job.stopWithSavepoint(savepoints);
            assertThat(job.extra(Duration.ZERO)).isEmpty();
        }
        // while no job runs
        try (Connection c = admin(mariadb)) {
            exec(
                    c,
                    "INSERT INTO it_restore VALUES (5, 'five', 5)",
                    "UPDATE it_restore SET qty = 40 WHERE id = 4",
                    "DELETE FROM it_restore WHERE id = 2");
        }
        try (RunningJob job =
                RunningJob.startFromSavepoint(
                        source(mariadb, "it_restore", "5403").build(), savepoint)) {
            try (Connection c = admin(mariadb)) {
                exec(c, "INSERT INTO it_restore VALUES (6, 'six', 6)");
            }
            assertThat(job.take(4, TIMEOUT))
                    .extracting(ChangeEvent::op, ChangeEvent::before, ChangeEvent::after)
                    .containsExactly(
                            tuple(Op.CREATE, null, row(5, "five", 5)),
                            tuple(Op.UPDATE, row(4, "four", 4), row(4, "four", 40)),
                            tuple(Op.DELETE, row(2, "two", 2), null),
                            tuple(Op.CREATE, null, row(6, "six", 6)));
            assertThat(job.extra(QUIET)).isEmpty();
        }
    }

    @Test
    void snapshotOnlyFinishesAndTimestampStartSkipsEarlierChanges(MariaDbServer mariadb)
            throws Exception {
        try (Connection c = admin(mariadb)) {
            exec(
                    c,
                    "DROP TABLE IF EXISTS it_modes",
                    "CREATE TABLE it_modes (id INT PRIMARY KEY, name VARCHAR(20), qty INT)",
                    "INSERT INTO it_modes VALUES (1, 'one', 1), (2, 'two', 2)");
        }
        try (RunningJob job =
                RunningJob.start(
                        source(mariadb, "it_modes", "5405")
                                .startupMode(StartupMode.SNAPSHOT_ONLY)
                                .build())) {
            assertThat(job.take(2, TIMEOUT))
                    .extracting(ChangeEvent::op, ChangeEvent::after)
                    .containsExactlyInAnyOrder(
                            tuple(Op.READ, row(1, "one", 1)), tuple(Op.READ, row(2, "two", 2)));
            await("the snapshot-only job finishes")
                    .atMost(TIMEOUT)
                    .until(() -> job.client().getJobStatus().get() == JobStatus.FINISHED);
        }

        long startMillis;
        try (Connection c = admin(mariadb)) {
            exec(c, "INSERT INTO it_modes VALUES (3, 'three', 3)");
            long insertSecond = serverEpochSecond(c);
            // binlog events carry whole seconds: start at the next one
            await("the server's clock passes " + insertSecond)
                    .atMost(Duration.ofSeconds(5))
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> serverEpochSecond(c) > insertSecond);
            startMillis = (insertSecond + 1) * 1000;
            exec(
                    c,
                    "INSERT INTO it_modes VALUES (4, 'four', 4)",
                    "UPDATE it_modes SET qty = 10 WHERE id = 1");
        }
        try (RunningJob job =
                RunningJob.start(
                        source(mariadb, "it_modes", "5405")
                                .startupTimestamp(startMillis)
                                .build())) {
            assertThat(job.take(2, TIMEOUT))
                    .extracting(ChangeEvent::op, ChangeEvent::before, ChangeEvent::after)
                    .containsExactly(
                            tuple(Op.CREATE, null, row(4, "four", 4)),
                            tuple(Op.UPDATE, row(1, "one", 1), row(1, "one", 10)));
            assertThat(job.extra(QUIET)).isEmpty();
        }
    }

    private static long serverEpochSecond(Connection c) throws SQLException {
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT UNIX_TIMESTAMP()")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    // ---------------------------------------------------------------------------------------
    // fail fast

    @Test
    void wrongPasswordFailsFastNamingTheProblem(MariaDbServer mariadb) {
        assertThatThrownBy(() -> source(mariadb, "it_fixed", "5410").password("wrong").build())
                .isInstanceOf(CdcSetupException.class)
                .hasMessageContaining("access denied")
                .hasMessageContaining("'" + CDC_USER + "'")
                .hasMessageContaining("'password'");
    }

    @Test
    void missingTableFailsFast(MariaDbServer mariadb) {
        assertThatThrownBy(() -> source(mariadb, "it_no_such_table", "5410").build())
                .isInstanceOf(CdcSetupException.class)
                .hasMessageContaining("not found")
                .hasMessageContaining(mariadb.database() + ".it_no_such_table");
    }

    @Test
    void userWithoutReplicationPrivilegesFailsFast(MariaDbServer mariadb) throws Exception {
        try (Connection c = admin(mariadb)) {
            exec(
                    c,
                    "DROP TABLE IF EXISTS it_grants",
                    "CREATE TABLE it_grants (id INT PRIMARY KEY)",
                    "DROP USER IF EXISTS 'it_norepl'@'%'",
                    "CREATE USER 'it_norepl'@'%' IDENTIFIED BY 'pw'",
                    "GRANT SELECT ON " + mariadb.database() + ".* TO 'it_norepl'@'%'",
                    "DROP USER IF EXISTS 'it_noselect'@'%'",
                    "CREATE USER 'it_noselect'@'%' IDENTIFIED BY 'pw'",
                    "GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO 'it_noselect'@'%'");
        }
        assertThatThrownBy(
                        () ->
                                source(mariadb, "it_grants", "5410")
                                        .username("it_norepl")
                                        .password("pw")
                                        .build())
                .isInstanceOf(CdcSetupException.class)
                .hasMessageContaining("'it_norepl'@'%'")
                .hasMessageContaining("lacks REPLICATION SLAVE, REPLICATION CLIENT")
                .hasMessageContaining("GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.*");
        assertThatThrownBy(
                        () ->
                                source(mariadb, "it_grants", "5410")
                                        .username("it_noselect")
                                        .password("pw")
                                        .build())
                .isInstanceOf(CdcSetupException.class)
                .hasMessageContaining("'it_noselect'@'%' lacks SELECT")
                .hasMessageContaining(mariadb.database() + ".it_grants");
    }

    @Test
    void statementBinlogFormatFailsFast(MariaDbServer mariadb) throws Exception {
        try (Connection c = admin(mariadb)) {
            exec(c, "SET GLOBAL binlog_format = 'STATEMENT'");
            try {
                assertThatThrownBy(() -> source(mariadb, "it_fixed", "5410").build())
                        .isInstanceOf(CdcSetupException.class)
                        .hasMessageContaining("binlog_format = STATEMENT")
                        .hasMessageContaining("binlog_format = ROW");
            } finally {
                exec(c, "SET GLOBAL binlog_format = 'ROW'");
            }
        }
    }

    @Test
    void tableWithoutPrimaryKeyAndWrongTimeZoneFailFast(MariaDbServer mariadb) throws Exception {
        try (Connection c = admin(mariadb)) {
            exec(
                    c,
                    "DROP TABLE IF EXISTS it_nokey",
                    "CREATE TABLE it_nokey (id INT, name VARCHAR(20))");
        }
        assertThatThrownBy(() -> source(mariadb, "it_nokey", "5410").build())
                .isInstanceOf(CdcSetupException.class)
                .hasMessageContaining("without a primary key")
                .hasMessageContaining(mariadb.database() + ".it_nokey");
        assertThatThrownBy(
                        () ->
                                source(mariadb, "it_fixed", "5410")
                                        .serverTimeZone("Asia/Kolkata")
                                        .build())
                .isInstanceOf(CdcSetupException.class)
                .hasMessageContaining("runs at UTC+00:00")
                .hasMessageContaining("'server-time-zone' = 'Asia/Kolkata' is UTC+05:30");
    }

    @Test
    void serverIdRangeSmallerThanParallelismFailsTheJobAtStart(MariaDbServer mariadb)
            throws Exception {
        try (Connection c = admin(mariadb)) {
            exec(
                    c,
                    "DROP TABLE IF EXISTS it_ids",
                    "CREATE TABLE it_ids (id INT PRIMARY KEY)",
                    "INSERT INTO it_ids VALUES (1), (2)");
        }
        Source<ChangeEvent, ?, ?> source = source(mariadb, "it_ids", "5420-5420").build();
        try (RunningJob job = RunningJob.start(source, stream -> stream, 2, 0)) {
            Optional<Throwable> failure = Optional.empty();
            try {
                job.client().getJobExecutionResult().get();
            } catch (Exception e) {
                failure = ExceptionUtils.findThrowable(e, CdcSetupException.class).map(t -> t);
            }
            assertThat(failure)
                    .get()
                    .extracting(Throwable::getMessage)
                    .asString()
                    .contains("'server-id' = '5420' holds 1 server id(s)")
                    .contains("parallelism 2")
                    .contains("'5420-5421'");
        }
    }

    // ---------------------------------------------------------------------------------------

    static MySqlLogSource.Builder source(MariaDbServer mariadb, String table, String serverId) {
        return MySqlLogSource.builder()
                .hostname(mariadb.host())
                .port(mariadb.port())
                .username(CDC_USER)
                .password(CDC_PASSWORD)
                .tableList(mariadb.database() + "." + table)
                .serverId(serverId)
                .splitSize(2)
                .heartbeatInterval(Duration.ofSeconds(1));
    }

    /** An admin connection whose session reads and writes TIMESTAMP values in UTC. */
    static Connection admin(MariaDbServer mariadb) throws SQLException {
        Connection c = mariadb.connect();
        exec(c, "SET time_zone = '+00:00'");
        return c;
    }

    static void exec(Connection c, String... sqls) throws SQLException {
        try (Statement st = c.createStatement()) {
            for (String sql : sqls) {
                st.execute(sql);
            }
        }
    }

    private static Map<String, Object> valuesB() {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("c_numeric", new BigDecimal("123456789.001"));
        v.put("c_int", Integer.MIN_VALUE);
        v.put("c_bigint", Long.MAX_VALUE);
        v.put("c_bool", false);
        v.put("c_text", "");
        v.put("c_varchar", "z");
        v.put("c_date", LocalDate.of(1969, 12, 31));
        v.put("c_time", LocalTime.of(0, 0));
        v.put("c_ts", LocalDateTime.of(1969, 12, 31, 23, 59, 59, 999_999_000));
        v.put("c_tstz", OffsetDateTime.of(1999, 12, 31, 23, 0, 0, 0, ZoneOffset.ofHours(-5)));
        v.put("c_json", "[]");
        v.put("c_uuid", "00000000-0000-0000-0000-000000000000");
        v.put("c_bytea", new byte[0]);
        v.put("c_tinyint", (byte) 0);
        v.put("c_smallint", (short) -32768);
        v.put("c_mediumint", 8388607);
        v.put("c_int_unsigned", 0L);
        v.put("c_bigint_unsigned", BigInteger.ZERO);
        v.put("c_float", -1.5f);
        v.put("c_double", -1.0E300d);
        v.put("c_char", "");
        v.put("c_enum", "a");
        v.put("c_set", "");
        v.put("c_bit1", false);
        v.put("c_bit", new byte[] {0, 1});
        v.put("c_blob", new byte[0]);
        v.put("c_binary", new byte[] {0, 0, 0, 0});
        v.put("c_ts3", LocalDateTime.of(2038, 1, 19, 3, 14, 7, 999_000_000));
        v.put("c_ts0", LocalDateTime.of(1000, 1, 1, 0, 0));
        v.put("c_time0", LocalTime.of(0, 0, 1));
        return v;
    }

    private static Map<String, Object> row(int id, String name, int qty) {
        return json("id", id, "name", name, "qty", qty);
    }

    /** A row in the JSON value model from alternating column names and Java values. */
    private static Map<String, Object> json(Object... namesAndValues) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            row.put((String) namesAndValues[i], namesAndValues[i + 1]);
        }
        return ColumnValues.toJsonRow(row);
    }

    private static org.assertj.core.groups.Tuple tuple(Object... values) {
        return org.assertj.core.groups.Tuple.tuple(values);
    }
}
