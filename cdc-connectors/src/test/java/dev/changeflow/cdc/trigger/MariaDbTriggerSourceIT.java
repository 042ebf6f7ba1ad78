package dev.changeflow.cdc.trigger;

import dev.changeflow.cdc.log.CdcSetupException;
import dev.changeflow.cdc.log.RunningJob;
import dev.changeflow.cdc.log.mysql.MySqlLogSource;
import dev.changeflow.cdc.trigger.TriggerSourceConfig.TableId;
import dev.changeflow.cdc.trigger.TriggerSourceOptions.DialectKind;
import dev.changeflow.localstack.Service;
import dev.changeflow.localstack.junit.LocalStackTest;
import dev.changeflow.localstack.server.MariaDbServer;
import dev.changeflow.schemas.ChangeEvent;
import dev.changeflow.schemas.ChangeEventJson;
import dev.changeflow.schemas.Connector;
import dev.changeflow.schemas.Op;

import org.apache.flink.client.program.ClusterClient;
import org.apache.flink.test.junit5.InjectClusterClient;
import org.apache.flink.test.junit5.MiniClusterExtension;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static dev.changeflow.cdc.trigger.TriggerItSupport.count;
import static dev.changeflow.cdc.trigger.TriggerItSupport.exec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link TriggerSource} and {@link TriggerInstaller} against the local stack's MariaDB 10.11. */
@LocalStackTest(services = Service.MARIADB)
class MariaDbTriggerSourceIT {

    private static final Duration TIMEOUT = TriggerItSupport.TIMEOUT;
    private static final Duration QUIET = TriggerItSupport.QUIET;

    @RegisterExtension static final MiniClusterExtension MINI_CLUSTER = RunningJob.miniCluster();

    private static TriggerSource.Builder source(MariaDbServer db, String audit, String... tables) {
        String[] qualified = new String[tables.length];
        for (int i = 0; i < tables.length; i++) {
            qualified[i] = db.database() + "." + tables[i];
        }
        return TriggerSource.builder()
                .dialect(DialectKind.MYSQL)
                .hostname(db.host())
                .port(db.port())
                .database(db.database())
                .username(db.user())
                .password(db.password())
                .auditTable(audit)
                .tableList(qualified)
                .pollInterval(Duration.ofMillis(50));
    }

    private static Connection admin(MariaDbServer db) throws Exception {
        Connection c = db.connect();
        exec(c, "SET time_zone = '+00:00'");
        return c;
    }

    private static TriggerItSupport.Db db(MariaDbServer db) {
        return new TriggerItSupport.Db(
                () -> admin(db),
                (audit, table) -> source(db, audit, table),
                MariaDbTriggerSourceIT::table);
    }

    private static void table(Connection c, String table) throws Exception {
        exec(
                c,
                "DROP TABLE IF EXISTS " + table,
                "CREATE TABLE " + table + " (id INT PRIMARY KEY, v VARCHAR(40))");
    }

    @Test
    void installIsIdempotentRegeneratesAfterANewColumnAndUninstalls(MariaDbServer db)
            throws Exception {
        String audit = "audit_install";
        try (Connection c = admin(db)) {
            table(c, "trg_install");
            exec(c, "DROP TABLE IF EXISTS " + audit);
        }
        TriggerSourceConfig config = source(db, audit, "trg_install").config();
        TriggerInstaller installer = new TriggerInstaller(config);
        installer.install();
        installer.install();
        String triggers =
                "SELECT COUNT(*) FROM information_schema.TRIGGERS WHERE EVENT_OBJECT_SCHEMA ="
                        + " DATABASE() AND EVENT_OBJECT_TABLE = 'trg_install'";
        try (Connection c = admin(db)) {
            assertThat(count(c, triggers)).isEqualTo(3);
            exec(c, "ALTER TABLE trg_install ADD COLUMN extra INT");
        }
        installer.install();
        try (Connection c = admin(db)) {
            assertThat(count(c, triggers)).isEqualTo(3);
            exec(c, "INSERT INTO trg_install VALUES (1, 'a', 42)");
            assertThat(
                            count(
                                    c,
                                    "SELECT COUNT(*) FROM "
                                            + audit
                                            + " WHERE JSON_VALUE(new_row, '$.extra') = 42"))
                    .isEqualTo(1);
        }
        assertThat(installer.status())
                .containsExactly(
                        new TriggerDialect.TableStatus(
                                new TableId(db.database(), "trg_install"), true, 1));
        installer.uninstall(config.tables());
        try (Connection c = admin(db)) {
            assertThat(count(c, triggers)).isZero();
            assertThat(
                            count(
                                    c,
                                    "SELECT COUNT(*) FROM information_schema.TABLES WHERE"
                                            + " TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '"
                                            + audit
                                            + "'"))
                    .isZero();
        }
        assertThatThrownBy(() -> source(db, audit, "trg_install").build())
                .isInstanceOf(CdcSetupException.class)
                .hasMessageContaining("changeflow triggers install --source mysql");
    }

    @Test
    void installWithoutTriggerPrivilegeNamesTheGrant(MariaDbServer db) throws Exception {
        try (Connection c = admin(db)) {
            table(c, "trg_noprivs");
            exec(
                    c,
                    "DROP USER IF EXISTS 'trg_weak'@'%'",
                    "CREATE USER 'trg_weak'@'%' IDENTIFIED BY 'weak'",
                    "GRANT SELECT, INSERT, CREATE ON " + db.database() + ".* TO 'trg_weak'@'%'");
        }
        TriggerSourceConfig config =
                source(db, "audit_weak", "trg_noprivs")
                        .username("trg_weak")
                        .password("weak")
                        .config();
        // without SUPER and with the binlog on, creating any trigger needs this first
        assertThatThrownBy(() -> new TriggerInstaller(config).install())
                .isInstanceOf(CdcSetupException.class)
                .hasMessageContaining("SET GLOBAL log_bin_trust_function_creators = 1");
        try (Connection c = admin(db)) {
            exec(c, "SET GLOBAL log_bin_trust_function_creators = 1");
            assertThatThrownBy(() -> new TriggerInstaller(config).install())
                    .isInstanceOf(CdcSetupException.class)
                    .hasMessageContaining("TRIGGER command denied")
                    .hasMessageContaining(
                            "GRANT TRIGGER ON `" + db.database() + "`.* TO 'trg_weak'");
        } finally {
            try (Connection c = admin(db)) {
                exec(c, "SET GLOBAL log_bin_trust_function_creators = 0");
            }
        }
    }

    @Test
    void snapshotThenChangesInOrderWithTheLogSourcesEncoding(MariaDbServer db) throws Exception {
        String table = "trg_types";
        String audit = "audit_types";
        try (Connection c = admin(db)) {
            exec(
                    c,
                    "DROP TABLE IF EXISTS " + table,
                    "CREATE TABLE "
                            + table
                            + " (id INT PRIMARY KEY, qty INT, small SMALLINT, flag TINYINT(1),"
                            + " price DECIMAL(12, 4), big BIGINT UNSIGNED, ratio DOUBLE,"
                            + " weight FLOAT, name VARCHAR(40), code CHAR(4),"
                            + " created DATETIME(6), created0 DATETIME, seen_at TIMESTAMP(6) NULL,"
                            + " birthday DATE, opens TIME(2), photo VARBINARY(8), attrs JSON,"
                            + " color ENUM('red', 'green'), note TEXT)",
                    "INSERT INTO "
                            + table
                            + " VALUES (1, -7, 3, 1, -1234.5600, 18446744073709551615, 0.1, 36.6,"
                            + " 'Grüße \"q\"', 'ab', '2024-02-29 23:59:59.123456',"
                            + " '2024-01-02 03:04:05', '2024-01-02 03:04:05.5', '2024-02-29',"
                            + " '09:30:00.25', X'0001FF', '{\"color\": \"red\", \"n\": [1, 2.50]}',"
                            + " 'green', NULL)");
        }
        new TriggerInstaller(source(db, audit, table).config()).install();
        assertThat(source(db, audit, table).primaryKeys())
                .isEqualTo(Map.of(db.database() + ".trg_types", List.of("id")));
        ChangeEvent snapshot;
        try (RunningJob job = RunningJob.start(source(db, audit, table).build());
                Connection c = admin(db)) {
            snapshot = job.take(1, TIMEOUT).get(0);
            assertThat(snapshot.op()).isEqualTo(Op.READ);
            assertThat(snapshot.source().connector()).isEqualTo(Connector.TRIGGER);
            assertThat(snapshot.source().schema()).isNull();
            assertThat(snapshot.source().db()).isEqualTo(db.database());
            exec(
                    c,
                    "INSERT INTO " + table + " (id, qty) VALUES (2, 1)",
                    "UPDATE " + table + " SET qty = 2 WHERE id = 2",
                    "DELETE FROM " + table + " WHERE id = 2");
            List<ChangeEvent> changes = job.take(3, TIMEOUT);
            assertThat(changes)
                    .extracting(ChangeEvent::op)
                    .containsExactly(Op.CREATE, Op.UPDATE, Op.DELETE);
            assertThat(changes.get(1).before()).containsEntry("qty", 1L);
            assertThat(changes.get(1).after()).containsEntry("qty", 2L);
            assertThat(changes.get(2).before()).containsEntry("qty", 2L);
            assertThat(changes).extracting(e -> e.source().position()).isSorted();
            assertThat(job.extra(QUIET)).isEmpty();
        }
        ChangeEvent logged;
        try (RunningJob job =
                RunningJob.start(
                        MySqlLogSource.builder()
                                .hostname(db.host())
                                .port(db.port())
                                .username(db.user())
                                .password(db.password())
                                .tableList(db.database() + "." + table)
                                .serverId("5791")
                                .build())) {
            logged = job.take(1, TIMEOUT).get(0);
        }
        assertThat(logged.op()).isEqualTo(Op.READ);
        assertThat(rowJson(snapshot.after())).isEqualTo(rowJson(logged.after()));
    }

    private static String rowJson(Map<String, Object> row) {
        return new String(ChangeEventJson.keyToBytes(row), StandardCharsets.UTF_8);
    }

    @Test
    void aLongTransactionIsEmittedWhenItCommitsAndARollbackNever(MariaDbServer db)
            throws Exception {
        String table = "trg_long";
        String audit = "audit_long";
        try (Connection c = admin(db)) {
            table(c, table);
            exec(c, "INSERT INTO " + table + " VALUES (0, 'snapshot')");
        }
        new TriggerInstaller(source(db, audit, table).config()).install();
        try (RunningJob job = RunningJob.start(source(db, audit, table).build());
                Connection c = admin(db);
                Connection longTx = admin(db);
                Connection rollback = admin(db)) {
            assertThat(job.take(1, TIMEOUT)).extracting(ChangeEvent::op).containsExactly(Op.READ);
            longTx.setAutoCommit(false);
            exec(longTx, "INSERT INTO " + table + " VALUES (1, 'long')"); // lowest audit id
            rollback.setAutoCommit(false);
            exec(rollback, "INSERT INTO " + table + " VALUES (3, 'rolled back')");
            exec(c, "INSERT INTO " + table + " VALUES (2, 'short')");
            // the horizon waits for the open transactions: nothing is emitted yet
            assertThat(job.extra(QUIET)).isEmpty();
            rollback.rollback();
            longTx.commit();
            assertThat(job.take(2, TIMEOUT))
                    .extracting(e -> e.after().get("id"))
                    .containsExactly(1L, 2L);
            exec(c, "INSERT INTO " + table + " VALUES (4, 'after')");
            assertThat(job.take(1, TIMEOUT))
                    .extracting(e -> e.after().get("id"))
                    .containsExactly(4L);
            assertThat(job.extra(QUIET)).isEmpty();
        }
    }

    @Test
    void restartFromASavepointLosesNothingAndRepeatsNothing(MariaDbServer db, @TempDir Path dir)
            throws Exception {
        TriggerItSupport.restartFromASavepointLosesNothingAndRepeatsNothing(
                db(db), "trg_restart", "audit_restart", dir);
    }

    @Test
    void auditRowsArePurgedOnlyAfterACheckpointCoversThem(
            MariaDbServer db, @InjectClusterClient ClusterClient<?> cluster) throws Exception {
        TriggerItSupport.auditRowsArePurgedOnlyAfterACheckpointCoversThem(
                db(db), "trg_purge", "audit_purge", cluster);
    }
}
