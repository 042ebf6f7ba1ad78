package dev.changeflow.cdc.query;

import dev.changeflow.cdc.log.CdcSetupException;
import dev.changeflow.cdc.log.MariaDbTypeRows;
import dev.changeflow.cdc.log.RunningJob;
import dev.changeflow.cdc.query.config.QueryDialect;
import dev.changeflow.localstack.Service;
import dev.changeflow.localstack.junit.LocalStackTest;
import dev.changeflow.localstack.server.MariaDbServer;
import dev.changeflow.schemas.ChangeEvent;
import dev.changeflow.schemas.ColumnValues;
import dev.changeflow.schemas.Connector;
import dev.changeflow.schemas.JsonText;
import dev.changeflow.schemas.Op;

import org.apache.flink.test.junit5.MiniClusterExtension;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.changeflow.cdc.query.QueryItSupport.exec;
import static dev.changeflow.cdc.query.QueryItSupport.ids;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link QuerySource} against the local stack's real MariaDB on a Flink MiniCluster: snapshot, c/u
 * from ON UPDATE CURRENT_TIMESTAMP columns, soft and scanned deletes, the commit-safe horizon
 * (innodb_trx) against a long transaction and a rollback, the TYPES.md encodings (the same
 * expectations as MySqlLogSourceIT's) and the PROCESS privilege check.
 */
@LocalStackTest(services = Service.MARIADB)
class QuerySourceMariaDbIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final Duration QUIET = Duration.ofSeconds(3);

    @RegisterExtension static final MiniClusterExtension MINI_CLUSTER = RunningJob.miniCluster();

    static QuerySource.Builder source(MariaDbServer db, String tables) {
        return QuerySource.builder()
                .dialect(QueryDialect.MARIADB)
                .hostname(db.host())
                .port(db.port())
                .database(db.database())
                .username(db.user())
                .password(db.password())
                .tables(tables)
                .pollInterval(Duration.ofMillis(100))
                .horizonMargin(Duration.ofMillis(300))
                .batchSize(2);
    }

    static Connection admin(MariaDbServer db) throws SQLException {
        Connection c = db.connect();
        exec(c, "SET time_zone = '+00:00'");
        return c;
    }

    private static void customers(Connection c, String table) throws SQLException {
        exec(
                c,
                "DROP TABLE IF EXISTS " + table,
                "CREATE TABLE "
                        + table
                        + " (id BIGINT PRIMARY KEY, name VARCHAR(20), qty INT, deleted BOOLEAN"
                        + " NOT NULL DEFAULT FALSE, created_at TIMESTAMP(6) NOT NULL DEFAULT"
                        + " CURRENT_TIMESTAMP(6), updated_at TIMESTAMP(6) NOT NULL DEFAULT"
                        + " CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),"
                        + " INDEX (updated_at, id))");
    }

    @Test
    void snapshotThenCreatesUpdatesSoftAndScannedDeletes(MariaDbServer db) throws Exception {
        String table = db.database() + ".q_crud";
        try (Connection c = admin(db)) {
            customers(c, "q_crud");
            // written a minute ago: well below the start horizon, so read by the snapshot only (a
            // row written within the horizon margin of the start comes again as a change)
            exec(
                    c,
                    "INSERT INTO q_crud (id, name, qty, created_at, updated_at) VALUES"
                            + " (1, 'a', 1, NOW(6) - INTERVAL 1 MINUTE, NOW(6) - INTERVAL 1 MINUTE),"
                            + " (2, 'b', 2, NOW(6) - INTERVAL 1 MINUTE, NOW(6) - INTERVAL 1 MINUTE),"
                            + " (3, 'c', 3, NOW(6) - INTERVAL 1 MINUTE, NOW(6) - INTERVAL 1 MINUTE)");
        }
        try (RunningJob job =
                RunningJob.start(
                        source(db, table + ":timestamp=updated_at,id")
                                .softDeleteColumn("deleted")
                                .createdColumn("created_at")
                                .deleteScanInterval(Duration.ofMillis(300))
                                .build())) {
            List<ChangeEvent> snapshot = job.take(3, TIMEOUT);
            assertThat(snapshot).extracting(ChangeEvent::op).containsOnly(Op.READ);
            assertThat(ids(snapshot)).containsExactly(1L, 2L, 3L);
            assertThat(snapshot)
                    .allSatisfy(
                            e -> {
                                assertThat(e.source().connector()).isEqualTo(Connector.QUERY);
                                assertThat(e.source().db()).isEqualTo(db.database());
                                assertThat(e.source().schema()).isNull();
                                assertThat(e.source().table()).isEqualTo("q_crud");
                            });

            try (Connection c = admin(db)) {
                exec(c, "INSERT INTO q_crud (id, name, qty) VALUES (4, 'd', 4)");
                exec(c, "UPDATE q_crud SET qty = 10 WHERE id = 1");
                exec(c, "UPDATE q_crud SET deleted = TRUE WHERE id = 2");
            }
            List<ChangeEvent> changes = job.take(3, TIMEOUT);
            assertThat(changes)
                    .extracting(ChangeEvent::op)
                    .containsExactly(Op.CREATE, Op.UPDATE, Op.DELETE);
            assertThat(ids(changes)).containsExactly(4L, 1L, 2L);
            assertThat(changes.get(1).before()).isNull();
            assertThat(changes.get(1).after()).containsEntry("qty", 10L);
            assertThat(changes.get(2).before()).containsEntry("deleted", true);

            try (Connection c = admin(db)) {
                exec(c, "DELETE FROM q_crud WHERE id = 3");
            }
            ChangeEvent scanned = job.take(1, TIMEOUT).get(0);
            assertThat(scanned.op()).isEqualTo(Op.DELETE);
            assertThat(scanned.before()).isEqualTo(Map.of("id", 3L));
            assertThat(job.extra(QUIET)).isEmpty();
        }
    }

    @Test
    void longTransactionIsNotMissedAndRollbackEmitsNothing(MariaDbServer db) throws Exception {
        try (Connection c = admin(db)) {
            customers(c, "q_long_ts");
            exec(
                    c,
                    "DROP TABLE IF EXISTS q_long_inc",
                    "CREATE TABLE q_long_inc (id BIGINT AUTO_INCREMENT PRIMARY KEY, name"
                            + " VARCHAR(20))");
        }
        String tables =
                db.database()
                        + ".q_long_ts:timestamp=updated_at,id;"
                        + db.database()
                        + ".q_long_inc:incrementing=id";
        try (RunningJob job =
                        RunningJob.start(source(db, tables).createdColumn("created_at").build());
                Connection longTx = admin(db);
                Connection other = admin(db);
                Connection rolledBack = admin(db)) {
            // the source is running once it has seen a row of each (by snapshot or poll)
            exec(
                    other,
                    "INSERT INTO q_long_ts (id, name) VALUES (0, 'sentinel')",
                    "INSERT INTO q_long_inc (name) VALUES ('sentinel')");
            assertThat(ids(job.take(2, TIMEOUT))).hasSize(2);
            // a sentinel the snapshot read may come once more as a 'c' (documented overlap)
            assertThat(job.extra(QUIET))
                    .allSatisfy(e -> assertThat(e.after().get("name")).isEqualTo("sentinel"));

            // the long transaction starts first: earliest timestamp, lowest id
            longTx.setAutoCommit(false);
            exec(
                    longTx,
                    "INSERT INTO q_long_ts (id, name) VALUES (1, 'long')",
                    "INSERT INTO q_long_inc (name) VALUES ('long')");
            exec(
                    other,
                    "INSERT INTO q_long_ts (id, name) VALUES (2, 'later')",
                    "INSERT INTO q_long_inc (name) VALUES ('later')");
            rolledBack.setAutoCommit(false);
            exec(
                    rolledBack,
                    "INSERT INTO q_long_ts (id, name) VALUES (3, 'rolled back')",
                    "INSERT INTO q_long_inc (name) VALUES ('rolled back')");
            rolledBack.rollback();
            assertThat(job.extra(QUIET)).isEmpty();

            longTx.commit();
            List<ChangeEvent> events = job.take(4, TIMEOUT);
            assertThat(events).extracting(ChangeEvent::op).containsOnly(Op.CREATE);
            List<ChangeEvent> ts =
                    events.stream().filter(e -> e.source().table().equals("q_long_ts")).toList();
            List<ChangeEvent> inc =
                    events.stream().filter(e -> e.source().table().equals("q_long_inc")).toList();
            assertThat(ids(ts)).containsExactly(1L, 2L);
            assertThat(inc).extracting(e -> e.after().get("name")).containsExactly("long", "later");
            assertThat(job.extra(QUIET)).isEmpty();
        }
    }

    @Test
    void restoreFromSavepointLosesNothing(MariaDbServer db, @TempDir Path savepoints)
            throws Exception {
        try (Connection c = admin(db)) {
            customers(c, "q_restore");
            exec(c, "INSERT INTO q_restore (id, name) VALUES (1, 'a'), (2, 'b'), (3, 'c')");
        }
        QuerySource.Builder builder =
                source(db, db.database() + ".q_restore:timestamp=updated_at,id")
                        .createdColumn("created_at");
        List<ChangeEvent> first = new ArrayList<>();
        String savepoint;
        try (RunningJob job = RunningJob.start(builder.build())) {
            first.addAll(job.take(3, TIMEOUT));
            // rows written within the horizon margin before the start come once more as 'c'
            // (the documented overlap of snapshot and stream)
            assertThat(job.extra(QUIET)).allSatisfy(e -> assertThat(e.op()).isEqualTo(Op.CREATE));
            try (Connection c = admin(db)) {
                exec(c, "UPDATE q_restore SET qty = 20 WHERE id = 2");
            }
            first.addAll(job.take(1, TIMEOUT));
            savepoint = job.stopWithSavepoint(savepoints);
            first.addAll(job.available());
        }
        try (Connection c = admin(db)) {
            exec(
                    c,
                    "UPDATE q_restore SET qty = 30 WHERE id = 3",
                    "INSERT INTO q_restore (id, name) VALUES (4, 'd')");
        }
        try (RunningJob job = RunningJob.startFromSavepoint(builder.build(), savepoint)) {
            List<ChangeEvent> second = job.take(2, TIMEOUT);
            assertThat(second)
                    .extracting(ChangeEvent::op, e -> e.after().get("id"))
                    .containsExactly(
                            org.assertj.core.groups.Tuple.tuple(Op.UPDATE, 3L),
                            org.assertj.core.groups.Tuple.tuple(Op.CREATE, 4L));
            assertThat(second.get(0).after()).containsEntry("qty", 30L);
            assertThat(job.extra(QUIET)).isEmpty();
        }
        assertThat(first)
                .extracting(ChangeEvent::op)
                .containsExactly(Op.READ, Op.READ, Op.READ, Op.UPDATE);
        assertThat(first.get(3).after()).containsEntry("qty", 20L);
    }

    @Test
    void everyTypeEncodesLikeTheLogSource(MariaDbServer db) throws Exception {
        try (Connection c = admin(db)) {
            exec(
                    c,
                    "DROP TABLE IF EXISTS q_types",
                    "CREATE TABLE q_types (id INT AUTO_INCREMENT PRIMARY KEY, c_numeric DECIMAL(12,3),"
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
            MariaDbTypeRows.insert(c, "q_types", 1, MariaDbTypeRows.valuesA());
            MariaDbTypeRows.insert(
                    c, "q_types", 2, MariaDbTypeRows.nulls(MariaDbTypeRows.valuesA()));
        }
        try (RunningJob job =
                RunningJob.start(
                        source(db, db.database() + ".q_types:incrementing=id")
                                .requireIndex(true)
                                .build())) {
            List<ChangeEvent> snapshot = job.take(2, TIMEOUT);
            for (ChangeEvent e : snapshot) {
                int id = ((Long) e.after().get("id")).intValue();
                Map<String, Object> expected = new LinkedHashMap<>();
                expected.put("id", id);
                for (Map.Entry<String, Object> column :
                        (id == 1
                                        ? MariaDbTypeRows.valuesA()
                                        : MariaDbTypeRows.nulls(MariaDbTypeRows.valuesA()))
                                .entrySet()) {
                    Object value = column.getValue();
                    expected.put(
                            column.getKey(),
                            column.getKey().equals("c_json") && value != null
                                    ? new JsonText((String) value)
                                    : value);
                }
                assertThat(e.after()).containsExactlyEntriesOf(ColumnValues.toJsonRow(expected));
            }
            Map<String, Object> a = snapshot.get(0).after();
            assertThat(a.get("c_tstz")).isEqualTo("2024-01-02 01:04:05.123456Z");
            assertThat(a.get("c_ts")).isEqualTo("2024-01-02 03:04:05.123456");
            assertThat(a.get("c_time")).isEqualTo("13:14:15.123456");
            assertThat(a.get("c_bool")).isEqualTo(true);
            assertThat(a.get("c_bigint_unsigned"))
                    .isEqualTo(new BigInteger("18446744073709551615"));
            assertThat(a.get("c_float")).isEqualTo(new BigDecimal("36.6"));
            assertThat(a.get("c_bit")).isEqualTo("Crw=");
        }
    }

    @Test
    void userWithoutProcessFailsFastNamingTheGrant(MariaDbServer db) throws Exception {
        try (Connection c = admin(db)) {
            exec(
                    c,
                    "CREATE TABLE IF NOT EXISTS q_pre (id BIGINT AUTO_INCREMENT PRIMARY KEY)",
                    "DROP USER IF EXISTS 'it_q_noproc'@'%'",
                    "CREATE USER 'it_q_noproc'@'%' IDENTIFIED BY 'secret'",
                    "GRANT SELECT ON " + db.database() + ".* TO 'it_q_noproc'@'%'");
        }
        assertThatThrownBy(
                        () ->
                                source(db, db.database() + ".q_pre:incrementing=id")
                                        .username("it_q_noproc")
                                        .password("secret")
                                        .build())
                .isInstanceOf(CdcSetupException.class)
                .hasMessageContaining("GRANT PROCESS ON *.* TO 'it_q_noproc'@'%'");
    }
}
