package dev.changeflow.cdc.log.postgres;

import dev.changeflow.localstack.Service;
import dev.changeflow.localstack.junit.LocalStackTest;
import dev.changeflow.localstack.server.PostgresServer;
import dev.changeflow.schemas.ChangeEvent;
import dev.changeflow.schemas.Op;

import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

import static dev.changeflow.cdc.log.postgres.PostgresItSupport.exec;
import static dev.changeflow.cdc.log.postgres.PostgresItSupport.lsnOfPosition;
import static dev.changeflow.cdc.log.postgres.PostgresItSupport.lsnText;
import static dev.changeflow.cdc.log.postgres.PostgresItSupport.props;
import static dev.changeflow.cdc.log.postgres.PostgresItSupport.resetSlot;
import static dev.changeflow.cdc.log.postgres.PostgresItSupport.source;
import static dev.changeflow.cdc.log.postgres.PostgresItSupport.walInsertLsn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Failures and restarts of {@link PostgresLogSource} jobs: nothing lost, nothing twice, including
 * the recovery paths of known upstream bugs.
 */
@LocalStackTest(services = Service.POSTGRES)
class PostgresLogSourceRecoveryIT {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresLogSourceRecoveryIT.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final Duration QUIET = Duration.ofSeconds(2);

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER =
            new MiniClusterExtension(
                    new MiniClusterResourceConfiguration.Builder()
                            .setNumberTaskManagers(1)
                            .setNumberSlotsPerTaskManager(2)
                            .build());

    @BeforeEach
    void resetProbe() {
        Probe.reset();
        Probe.CHECKPOINTS.set(0);
    }

    /**
     * FLINK-39265 (open in Flink CDC 3.5.0 and later): after a restore, Debezium 1.9.8's {@code
     * WalPositionLocator} is built from the checkpointed offset. A heartbeat sent while the table
     * is idle after a transaction T1 leaves the offset {@code lsn = lsn_proc = lsn_commit = Y}, the
     * end of T1's commit record. If the next transaction T2's first change is the very next WAL
     * record, pgoutput reports T2's BEGIN and first change at LSN Y too; the locator takes them for
     * the already processed event at Y and skips T2's first change (all of T2 if it has one
     * change).
     *
     * <p>This bites with Changeflow's defaults (heartbeats on), so {@code PostgresLogSource} keeps
     * such heartbeat positions as a plain commit boundary ({@code lsn = Y}, no {@code lsn_proc} /
     * {@code lsn_commit}), from which Debezium resumes at the first transaction committed after Y.
     * The test repeats until T2 really started at Y (another WAL record in between, e.g. the
     * server's periodic running-transactions record, avoids the bug) and fails the job on T2.
     */
    @Test
    void restoreFromAnIdleHeartbeatOffsetKeepsTheNextTransaction(PostgresServer postgres)
            throws Exception {
        String slot = "it_flink39265_slot";
        try (Connection c = postgres.connect()) {
            resetSlot(c, slot);
            exec(
                    c,
                    "DROP TABLE IF EXISTS public.it_idle_restore",
                    "CREATE TABLE public.it_idle_restore (id int PRIMARY KEY, v text)",
                    "ALTER TABLE public.it_idle_restore REPLICA IDENTITY FULL",
                    "INSERT INTO public.it_idle_restore VALUES (0, 'snapshot')");
        }
        try (RunningJob job =
                        RunningJob.with(
                                        source(postgres, "public.it_idle_restore", slot)
                                                .heartbeatInterval(Duration.ofMillis(100))
                                                .debeziumProperties(
                                                        props("slot.drop.on.stop", "false"))
                                                .build())
                                .pipeline(s -> s.map(new Probe()))
                                .checkpointInterval(Duration.ofMillis(200))
                                .restarts(5)
                                .start();
                Connection c = postgres.connect()) {
            assertThat(job.take(1, TIMEOUT)).extracting(ChangeEvent::op).containsOnly(Op.READ);
            boolean triggered = false;
            for (int round = 0; round < 5 && !triggered; round++) {
                long t1 = 10L * round + 1;
                long t2 = t1 + 1;
                exec(c, "INSERT INTO public.it_idle_restore VALUES (" + t1 + ", 't1')");
                long t1CommitEnd = walInsertLsn(c);
                assertThat(job.take(1, TIMEOUT))
                        .extracting(e -> e.after().get("id"))
                        .containsExactly(t1);
                // idle: heartbeats carry T1's commit position into the next checkpoints
                long seen = Probe.CHECKPOINTS.get();
                await("three more checkpoints")
                        .atMost(TIMEOUT)
                        .until(() -> Probe.CHECKPOINTS.get() >= seen + 3);
                Probe.failOnce(e -> Long.valueOf(t2).equals(e.row().get("id")));
                exec(c, "INSERT INTO public.it_idle_restore VALUES (" + t2 + ", 't2')");
                await("injected failure").atMost(TIMEOUT).untilTrue(Probe.FAILED);

                List<ChangeEvent> restored = job.take(1, TIMEOUT);
                assertThat(restored).extracting(e -> e.after().get("id")).containsExactly(t2);
                long t2Start = lsnOfPosition(restored.get(0).source().position());
                triggered = t2Start == t1CommitEnd;
                LOG.info(
                        "round {}: T1's commit ended at {}, T2's first change at {}: {}",
                        round,
                        lsnText(t1CommitEnd),
                        lsnText(t2Start),
                        triggered ? "the FLINK-39265 trigger" : "no trigger, again");
                Probe.reset();
            }
            assertThat(triggered).as("T2 started right at T1's commit end once").isTrue();
            assertThat(job.extra(QUIET)).isEmpty();
        } finally {
            try (Connection c = postgres.connect()) {
                resetSlot(c, slot);
            }
        }
    }

    /**
     * Passes events through, counts completed checkpoints and throws once at the first event that
     * matches {@link #failOnce(Predicate)}.
     */
    static final class Probe implements MapFunction<ChangeEvent, ChangeEvent>, CheckpointListener {
        static final AtomicLong CHECKPOINTS = new AtomicLong();
        static final AtomicBoolean FAILED = new AtomicBoolean();
        private static volatile Predicate<ChangeEvent> failAt = e -> false;

        static void reset() {
            FAILED.set(false);
            failAt = e -> false;
        }

        static void failOnce(Predicate<ChangeEvent> when) {
            failAt = when;
        }

        @Override
        public ChangeEvent map(ChangeEvent event) {
            if (failAt.test(event) && FAILED.compareAndSet(false, true)) {
                throw new IllegalStateException("injected failure at " + event.row());
            }
            return event;
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            CHECKPOINTS.incrementAndGet();
        }
    }
}
