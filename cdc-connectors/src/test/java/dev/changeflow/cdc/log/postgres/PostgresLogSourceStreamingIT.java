package dev.changeflow.cdc.log.postgres;

import dev.changeflow.cdc.log.RunningJob;
import dev.changeflow.localstack.Service;
import dev.changeflow.localstack.junit.LocalStackTest;
import dev.changeflow.localstack.server.PostgresServer;
import dev.changeflow.schemas.ChangeEvent;
import dev.changeflow.schemas.ColumnValues;
import dev.changeflow.schemas.Op;

import org.apache.flink.test.junit5.MiniClusterExtension;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import static dev.changeflow.cdc.log.postgres.PostgresItSupport.confirmedFlushLsn;
import static dev.changeflow.cdc.log.postgres.PostgresItSupport.exec;
import static dev.changeflow.cdc.log.postgres.PostgresItSupport.lsnText;
import static dev.changeflow.cdc.log.postgres.PostgresItSupport.props;
import static dev.changeflow.cdc.log.postgres.PostgresItSupport.resetSlot;
import static dev.changeflow.cdc.log.postgres.PostgresItSupport.restartLsn;
import static dev.changeflow.cdc.log.postgres.PostgresItSupport.source;
import static dev.changeflow.cdc.log.postgres.PostgresItSupport.walInsertLsn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A running {@link PostgresLogSource}: idle tables, heartbeats and schema changes. */
@LocalStackTest(services = Service.POSTGRES)
class PostgresLogSourceStreamingIT {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresLogSourceStreamingIT.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final Duration QUIET = Duration.ofSeconds(2);

    @RegisterExtension static final MiniClusterExtension MINI_CLUSTER = RunningJob.miniCluster();

    @Test
    void slotAdvancesWhileTheCapturedTableIsIdleAndAnotherTableIsBusy(PostgresServer postgres)
            throws Exception {
        String slot = "it_idle_slot";
        try (Connection c = postgres.connect()) {
            resetSlot(c, slot);
            exec(
                    c,
                    "DROP TABLE IF EXISTS public.it_idle",
                    "DROP TABLE IF EXISTS public.it_busy",
                    "CREATE TABLE public.it_idle (id int PRIMARY KEY, v text)",
                    "ALTER TABLE public.it_idle REPLICA IDENTITY FULL",
                    "CREATE TABLE public.it_busy (id serial PRIMARY KEY, v text)",
                    "INSERT INTO public.it_idle VALUES (1, 'one')");
        }
        try (RunningJob job =
                        RunningJob.with(
                                        source(postgres, "public.it_idle", slot)
                                                .heartbeatInterval(Duration.ofMillis(200))
                                                // how often pgjdbc reports the flushed LSN
                                                // (Debezium's default is 10 s)
                                                .debeziumProperties(
                                                        props("status.update.interval.ms", "500"))
                                                .build())
                                .checkpointInterval(Duration.ofMillis(200))
                                .start();
                Connection c = postgres.connect()) {
            assertThat(job.take(1, TIMEOUT)).extracting(ChangeEvent::op).containsOnly(Op.READ);
            exec(c, "INSERT INTO public.it_idle VALUES (2, 'two')");
            assertThat(job.take(1, TIMEOUT)).extracting(ChangeEvent::op).containsOnly(Op.CREATE);
            long lastCaptured = walInsertLsn(c);

            for (int i = 0; i < 20; i++) {
                exec(c, "INSERT INTO public.it_busy (v) VALUES (repeat('x', 1000))");
            }
            long busy = walInsertLsn(c);
            LOG.info(
                    "last captured change ended at {}, the other table's writes at {}",
                    lsnText(lastCaptured),
                    lsnText(busy));
            await("confirmed_flush_lsn of " + slot + " past the other table's writes")
                    .atMost(TIMEOUT)
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> confirmedFlushLsn(c, slot) >= busy);
            LOG.info("confirmed_flush_lsn passed {}", lsnText(busy));
            // the retained WAL follows at the next running-transactions record (a checkpoint)
            exec(c, "CHECKPOINT");
            await("restart_lsn of " + slot + " past the last captured change")
                    .atMost(TIMEOUT)
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> restartLsn(c, slot) > lastCaptured);
            LOG.info("restart_lsn passed {}", lsnText(lastCaptured));
            assertThat(job.extra(QUIET)).isEmpty();
        } finally {
            try (Connection c = postgres.connect()) {
                resetSlot(c, slot);
            }
        }
    }

    @Test
    void aColumnAddedWhileStreamingShowsUpInLaterEvents(PostgresServer postgres) throws Exception {
        String slot = "it_schema_slot";
        String table = "public.it_schema";
        try (Connection c = postgres.connect()) {
            resetSlot(c, slot);
            exec(
                    c,
                    "DROP TABLE IF EXISTS " + table,
                    "CREATE TABLE " + table + " (id int PRIMARY KEY, v text)",
                    "ALTER TABLE " + table + " REPLICA IDENTITY FULL",
                    "INSERT INTO " + table + " VALUES (1, 'one')");
        }
        try (RunningJob job = RunningJob.start(source(postgres, table, slot).build());
                Connection c = postgres.connect()) {
            assertThat(job.take(1, TIMEOUT))
                    .extracting(ChangeEvent::after)
                    .containsExactly(row(1, "one"));
            exec(c, "INSERT INTO " + table + " VALUES (2, 'two')");
            assertThat(job.take(1, TIMEOUT))
                    .extracting(ChangeEvent::after)
                    .containsExactly(row(2, "two"));

            exec(
                    c,
                    "ALTER TABLE " + table + " ADD COLUMN extra int",
                    "ALTER TABLE " + table + " ADD COLUMN tag text NOT NULL DEFAULT 'x'",
                    "INSERT INTO " + table + " VALUES (3, 'three', 33, 'y')",
                    "UPDATE " + table + " SET extra = 22 WHERE id = 2",
                    "DELETE FROM " + table + " WHERE id = 1");
            assertThat(job.take(3, TIMEOUT))
                    .extracting(ChangeEvent::op, ChangeEvent::before, ChangeEvent::after)
                    .containsExactly(
                            tuple(Op.CREATE, null, row(3, "three", 33, "y")),
                            tuple(Op.UPDATE, row(2, "two", null, "x"), row(2, "two", 22, "x")),
                            tuple(Op.DELETE, row(1, "one", null, "x"), null));
            assertThat(job.extra(QUIET)).isEmpty();
        } finally {
            try (Connection c = postgres.connect()) {
                resetSlot(c, slot);
            }
        }
    }

    private static Map<String, Object> row(Object... idValueExtraTag) {
        String[] names = {"id", "v", "extra", "tag"};
        Map<String, Object> row = new LinkedHashMap<>();
        for (int i = 0; i < idValueExtraTag.length; i++) {
            row.put(names[i], idValueExtraTag[i]);
        }
        return ColumnValues.toJsonRow(row);
    }

    private static org.assertj.core.groups.Tuple tuple(Object... values) {
        return org.assertj.core.groups.Tuple.tuple(values);
    }
}
