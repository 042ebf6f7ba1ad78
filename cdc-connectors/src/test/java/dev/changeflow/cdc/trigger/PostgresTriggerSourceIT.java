package dev.changeflow.cdc.trigger;

import dev.changeflow.cdc.log.CdcSetupException;
import dev.changeflow.cdc.log.FailOnce;
import dev.changeflow.cdc.log.RunningJob;
import dev.changeflow.cdc.log.postgres.PostgresLogSource;
import dev.changeflow.cdc.trigger.TriggerSourceConfig.TableId;
import dev.changeflow.cdc.trigger.TriggerSourceOptions.DialectKind;
import dev.changeflow.localstack.Service;
import dev.changeflow.localstack.junit.LocalStackTest;
import dev.changeflow.localstack.server.PostgresServer;
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

import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static dev.changeflow.cdc.trigger.TriggerItSupport.count;
import static dev.changeflow.cdc.trigger.TriggerItSupport.exec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link TriggerSource} and {@link TriggerInstaller} against the local stack's PostgreSQL. */
@LocalStackTest(services = Service.POSTGRES)
class PostgresTriggerSourceIT {

    private static final Duration TIMEOUT = TriggerItSupport.TIMEOUT;
    private static final Duration QUIET = TriggerItSupport.QUIET;

    @RegisterExtension static final MiniClusterExtension MINI_CLUSTER = RunningJob.miniCluster();

    private static TriggerSource.Builder source(PostgresServer pg, String audit, String... tables) {
        return TriggerSource.builder()
                .dialect(DialectKind.POSTGRES)
                .hostname(pg.host())
                .port(pg.port())
                .database(pg.database())
                .username(pg.user())
                .password(pg.password())
                .auditTable(audit)
                .tableList(tables)
                .pollInterval(Duration.ofMillis(50));
    }

    private static TriggerItSupport.Db db(PostgresServer pg) {
        return new TriggerItSupport.Db(
                pg::connect,
                (audit, table) -> source(pg, audit, table),
                PostgresTriggerSourceIT::table);
    }

    private static void table(Connection c, String table) throws Exception {
        exec(
                c,
                "DROP TABLE IF EXISTS " + table,
                "CREATE TABLE " + table + " (id int PRIMARY KEY, v text)");
    }

    @Test
    void installIsIdempotentAndUninstallRemovesTriggersAndAuditTable(PostgresServer pg)
            throws Exception {
        String audit = "it_cf.audit_install";
        try (Connection c = pg.connect()) {
            table(c, "public.trg_install");
        }
        TriggerSourceConfig config = source(pg, audit, "public.trg_install").config();
        TriggerInstaller installer = new TriggerInstaller(config);
        installer.install();
        installer.install();
        try (Connection c = pg.connect()) {
            assertThat(
                            count(
                                    c,
                                    "SELECT count(*) FROM pg_trigger"
                                            + " WHERE tgrelid = 'public.trg_install'::regclass"))
                    .isEqualTo(1);
            exec(c, "INSERT INTO public.trg_install VALUES (1, 'a')");
        }
        assertThat(installer.status())
                .containsExactly(
                        new TriggerDialect.TableStatus(
                                new TableId("public", "trg_install"), true, 1));
        installer.uninstall(config.tables());
        assertThat(installer.status())
                .containsExactly(
                        new TriggerDialect.TableStatus(
                                new TableId("public", "trg_install"), false, 0));
        try (Connection c = pg.connect()) {
            assertThat(
                            count(
                                    c,
                                    "SELECT count(*) FROM pg_trigger WHERE tgrelid ="
                                            + " 'public.trg_install'::regclass"))
                    .isZero();
            assertThat(count(c, "SELECT count(*) FROM pg_class WHERE relname = 'audit_install'"))
                    .isZero();
        }
        assertThatThrownBy(() -> source(pg, audit, "public.trg_install").build())
                .isInstanceOf(CdcSetupException.class)
                .hasMessageContaining("changeflow triggers install --source postgres");
    }

    @Test
    void installWithoutPrivilegesNamesTheMissingGrants(PostgresServer pg) throws Exception {
        try (Connection c = pg.connect()) {
            table(c, "public.trg_noprivs");
            exec(
                    c,
                    "DROP ROLE IF EXISTS trg_weak",
                    "CREATE ROLE trg_weak LOGIN PASSWORD 'weak'",
                    "GRANT SELECT ON public.trg_noprivs TO trg_weak");
        }
        TriggerSourceConfig config =
                source(pg, "it_cf_weak.audit", "public.trg_noprivs")
                        .username("trg_weak")
                        .password("weak")
                        .config();
        assertThatThrownBy(() -> new TriggerInstaller(config).install())
                .isInstanceOf(CdcSetupException.class)
                .hasMessageContaining("TRIGGER on public.trg_noprivs")
                .hasMessageContaining("GRANT TRIGGER ON \"public\".\"trg_noprivs\" TO \"trg_weak\"")
                .hasMessageContaining("GRANT CREATE ON DATABASE");
    }

    @Test
    void snapshotThenChangesInOrderWithTheLogSourcesEncoding(PostgresServer pg) throws Exception {
        String table = "public.trg_types";
        String audit = "it_cf.audit_types";
        try (Connection c = pg.connect()) {
            exec(
                    c,
                    "CREATE EXTENSION IF NOT EXISTS hstore",
                    "DROP TABLE IF EXISTS " + table,
                    "CREATE TABLE "
                            + table
                            + " (id bigint PRIMARY KEY, qty int, small smallint, active boolean,"
                            + " price numeric(12, 4), big numeric, ratio double precision,"
                            + " weight real, name text, code char(4), created timestamp(6),"
                            + " seen_at timestamptz, birthday date, opens time, opens_tz timetz,"
                            + " photo bytea, attrs jsonb, uid uuid, tags text[], scores int[],"
                            + " labels hstore, note varchar(20))",
                    "ALTER TABLE " + table + " REPLICA IDENTITY FULL",
                    "INSERT INTO "
                            + table
                            + " VALUES (1, -7, 3, true, -1234.5600, 100, 0.1, 36.6, 'Grüße \"q\"',"
                            + " 'ab', '2024-02-29 23:59:59.123456', '2024-01-02 03:04:05.5+02',"
                            + " '2024-02-29', '09:30:00.25', '22:30:00+02', '\\x0001ff',"
                            + " '{\"color\": \"red\", \"n\": [1, 2.50, {\"a\": null}]}',"
                            + " '123E4567-E89B-12D3-A456-426614174000', '{a,NULL,c}', '{1,2}',"
                            + " 'zz=>1, k=>v, \u00e4=>2, x=>NULL', NULL)");
        }
        new TriggerInstaller(source(pg, audit, table).config()).install();
        assertThat(source(pg, audit, table).primaryKeys())
                .isEqualTo(Map.of("public.trg_types", List.of("id")));
        ChangeEvent snapshot;
        try (RunningJob job = RunningJob.start(source(pg, audit, table).build());
                Connection c = pg.connect()) {
            snapshot = job.take(1, TIMEOUT).get(0);
            assertThat(snapshot.op()).isEqualTo(Op.READ);
            assertThat(snapshot.source().connector()).isEqualTo(Connector.TRIGGER);
            assertThat(snapshot.source().snapshot()).isTrue();
            assertThat(snapshot.source().schema()).isEqualTo("public");
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
            assertThat(changes)
                    .extracting(e -> e.source().position())
                    .isSorted()
                    .allMatch(p -> p.compareTo(snapshot.source().position()) > 0);
            assertThat(changes).allMatch(e -> e.source().txId() != null);
            // a key change comes out as a delete of the old key and a create of the new one
            exec(
                    c,
                    "UPDATE " + table + " SET id = 10 WHERE id = 1",
                    "UPDATE " + table + " SET id = 1 WHERE id = 10");
            List<ChangeEvent> moved = job.take(4, TIMEOUT);
            assertThat(moved)
                    .extracting(e -> e.op().code() + ":" + e.row().get("id"))
                    .containsExactly("d:1", "c:10", "d:10", "c:1");
            assertThat(job.extra(QUIET)).isEmpty();
        }
        // the same row through the log source: byte-identical row JSON
        ChangeEvent logged;
        try (RunningJob job =
                RunningJob.start(
                        PostgresLogSource.builder()
                                .hostname(pg.host())
                                .port(pg.port())
                                .database(pg.database())
                                .username(pg.user())
                                .password(pg.password())
                                .tableList(table)
                                .slotName("trg_types_compare")
                                .debeziumProperties(props("slot.drop.on.stop", "true"))
                                .build())) {
            logged = job.take(1, TIMEOUT).get(0);
            // streamed (pgoutput text, not the snapshot's JDBC map): the same hstore rule
            try (Connection c = pg.connect()) {
                exec(c, "UPDATE " + table + " SET labels = 'bb=>1, a=>NULL' WHERE id = 1");
            }
            Map<String, Object> streamed = job.take(1, TIMEOUT).get(0).after();
            assertThat(rowJson(Map.of("labels", streamed.get("labels"))))
                    .isEqualTo("{\"labels\":{\"a\":null,\"bb\":\"1\"}}");
        }
        assertThat(logged.op()).isEqualTo(Op.READ);
        // hstore: a JSON object in PostgreSQL's key order (shorter UTF-8 key first, then
        // bytewise), from the trigger's to_jsonb and from Debezium's unordered map alike
        assertThat(rowJson(snapshot.after()))
                .contains("\"labels\":{\"k\":\"v\",\"x\":null,\"zz\":\"1\",\"\u00e4\":\"2\"}")
                .isEqualTo(rowJson(logged.after()));
    }

    private static String rowJson(Map<String, Object> row) {
        return new String(ChangeEventJson.keyToBytes(row), java.nio.charset.StandardCharsets.UTF_8);
    }

    private static Properties props(String key, String value) {
        Properties p = new Properties();
        p.setProperty(key, value);
        return p;
    }

    @Test
    void aLongTransactionIsEmittedWhenItCommitsAndARollbackNever(PostgresServer pg)
            throws Exception {
        String table = "public.trg_long";
        String audit = "it_cf.audit_long";
        try (Connection c = pg.connect()) {
            table(c, table);
        }
        new TriggerInstaller(source(pg, audit, table).config()).install();
        try (Connection c = pg.connect()) {
            exec(c, "INSERT INTO " + table + " VALUES (0, 'snapshot')");
        }
        try (RunningJob job = RunningJob.start(source(pg, audit, table).build());
                Connection c = pg.connect();
                Connection longTx = pg.connect();
                Connection rollback = pg.connect()) {
            // the snapshot fixes the start position
            assertThat(job.take(1, TIMEOUT)).extracting(ChangeEvent::op).containsExactly(Op.READ);

            longTx.setAutoCommit(false);
            exec(longTx, "INSERT INTO " + table + " VALUES (1, 'long')"); // lowest audit id
            rollback.setAutoCommit(false);
            exec(rollback, "INSERT INTO " + table + " VALUES (3, 'rolled back')");
            exec(c, "INSERT INTO " + table + " VALUES (2, 'short')");
            assertThat(job.take(1, TIMEOUT))
                    .extracting(e -> e.after().get("id"))
                    .containsExactly(2L);
            rollback.rollback();
            assertThat(job.extra(QUIET)).isEmpty();
            longTx.commit();
            List<ChangeEvent> late = job.take(1, TIMEOUT);
            assertThat(late).extracting(e -> e.after().get("v")).containsExactly("long");
            exec(c, "INSERT INTO " + table + " VALUES (4, 'after')");
            assertThat(job.take(1, TIMEOUT))
                    .extracting(e -> e.after().get("id"))
                    .containsExactly(4L);
            assertThat(job.extra(QUIET)).isEmpty();
        }
    }

    @Test
    void restartFromASavepointLosesNothingAndRepeatsNothing(PostgresServer pg, @TempDir Path dir)
            throws Exception {
        TriggerItSupport.restartFromASavepointLosesNothingAndRepeatsNothing(
                db(pg), "public.trg_restart", "it_cf.audit_restart", dir);
    }

    @Test
    void auditRowsArePurgedOnlyAfterACheckpointCoversThem(
            PostgresServer pg, @InjectClusterClient ClusterClient<?> cluster) throws Exception {
        TriggerItSupport.auditRowsArePurgedOnlyAfterACheckpointCoversThem(
                db(pg), "public.trg_purge", "it_cf.audit_purge", cluster);
    }

    @Test
    void aRowThatCannotBeConvertedIsADeadLetterOrFailsTheJobNamingTheColumn(PostgresServer pg)
            throws Exception {
        String table = "public.trg_dead";
        String audit = "it_cf.audit_dead";
        try (Connection c = pg.connect()) {
            exec(
                    c,
                    "DROP TABLE IF EXISTS " + table,
                    "CREATE TABLE " + table + " (id int PRIMARY KEY, d date)",
                    "INSERT INTO " + table + " VALUES (1, 'infinity'), (2, '2024-01-02')");
        }
        new TriggerInstaller(source(pg, audit, table).config()).install();
        org.apache.flink.streaming.api.environment.StreamExecutionEnvironment env =
                org.apache.flink.streaming.api.environment.StreamExecutionEnvironment
                        .getExecutionEnvironment();
        env.setParallelism(1);
        env.enableCheckpointing(200);
        var results =
                env.fromSource(
                                source(pg, audit, table).buildWithDeadLetters(),
                                org.apache.flink.api.common.eventtime.WatermarkStrategy
                                        .noWatermarks(),
                                "trigger-source")
                        .executeAndCollect("dead-letters", 2);
        assertThat(results).hasSize(2);
        var left = results.stream().filter(e -> e.isLeft()).findFirst().orElseThrow().left();
        assertThat(left.origin()).isEqualTo("trigger:" + pg.database() + ".public.trg_dead");
        assertThat(left.reason()).contains("column 'd'").contains("public.trg_dead");
        assertThat(left.payloadText()).contains("infinity");
        assertThat(
                        results.stream()
                                .filter(e -> e.isRight())
                                .findFirst()
                                .orElseThrow()
                                .right()
                                .after())
                .containsEntry("d", "2024-01-02");
        try (RunningJob job = RunningJob.start(source(pg, audit, table).build())) {
            assertThatThrownBy(() -> job.take(2, TIMEOUT))
                    .hasStackTraceContaining("column 'd' of type date")
                    .hasStackTraceContaining("public.trg_dead");
        }
    }

    @Test
    void aFailureAfterACheckpointResumesWithNothingLostAndNothingTwice(PostgresServer pg)
            throws Exception {
        String table = "public.trg_failover";
        String audit = "it_cf.audit_failover";
        try (Connection c = pg.connect()) {
            table(c, table);
            exec(c, "INSERT INTO " + table + " VALUES (0, 'snapshot')");
        }
        new TriggerInstaller(source(pg, audit, table).config()).install();
        FailOnce.FAILED.set(false);
        try (RunningJob job =
                        RunningJob.with(source(pg, audit, table).batchSize(3).build())
                                .pipeline(s -> s.map(new FailOnce(13)))
                                .checkpointInterval(Duration.ofMillis(200))
                                .restarts(3)
                                .start();
                Connection c = pg.connect()) {
            assertThat(job.take(1, TIMEOUT)).extracting(ChangeEvent::op).containsExactly(Op.READ);
            for (int i = 1; i <= 10; i++) {
                exec(c, "INSERT INTO " + table + " VALUES (" + i + ", 'x')");
            }
            assertThat(job.take(10, TIMEOUT))
                    .extracting(e -> e.after().get("id"))
                    .containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
            // the failure comes after checkpoints covered 1..10; the job restores from the last one
            for (int i = 11; i <= 15; i++) {
                exec(c, "INSERT INTO " + table + " VALUES (" + i + ", 'y')");
            }
            assertThat(job.take(5, TIMEOUT))
                    .extracting(e -> e.after().get("id"))
                    .containsExactly(11L, 12L, 13L, 14L, 15L);
            assertThat(FailOnce.FAILED).isTrue();
            assertThat(job.extra(QUIET)).isEmpty();
        }
    }
}
