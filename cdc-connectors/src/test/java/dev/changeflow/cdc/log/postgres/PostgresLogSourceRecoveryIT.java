package dev.changeflow.cdc.log.postgres;

import dev.changeflow.cdc.log.RunningJob;
import dev.changeflow.localstack.Service;
import dev.changeflow.localstack.junit.LocalStackTest;
import dev.changeflow.localstack.server.PostgresServer;
import dev.changeflow.schemas.ChangeEvent;
import dev.changeflow.schemas.ColumnValues;
import dev.changeflow.schemas.Op;

import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.client.program.ClusterClient;
import org.apache.flink.core.execution.CheckpointType;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.shaded.guava31.com.google.common.util.concurrent.RateLimiter;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.test.junit5.InjectClusterClient;
import org.apache.flink.test.junit5.MiniClusterExtension;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import static dev.changeflow.cdc.log.postgres.PostgresItSupport.awaitSent;
import static dev.changeflow.cdc.log.postgres.PostgresItSupport.confirmedFlushLsn;
import static dev.changeflow.cdc.log.postgres.PostgresItSupport.exec;
import static dev.changeflow.cdc.log.postgres.PostgresItSupport.lsnOfPosition;
import static dev.changeflow.cdc.log.postgres.PostgresItSupport.lsnText;
import static dev.changeflow.cdc.log.postgres.PostgresItSupport.props;
import static dev.changeflow.cdc.log.postgres.PostgresItSupport.query;
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

    @RegisterExtension static final MiniClusterExtension MINI_CLUSTER = RunningJob.miniCluster();

    @BeforeEach
    void resetProbe() {
        Probe.reset();
        Probe.CHECKPOINTS.set(0);
    }

    /**
     * After a failure during the snapshot, Flink CDC 3.5.0 can leave a pooled snapshot connection
     * ({@code postgres-fetch-task-connection}; its pools live as long as the JVM, not the job) idle
     * in an open transaction after the job has ended. On a real server that holds back vacuum; on
     * the shared test server it would hold back every later test that waits for open transactions
     * (the query-based source's commit-safe horizon). End such leftovers here.
     */
    @AfterEach
    void endSnapshotTransactionsLeftOpen(PostgresServer postgres) throws SQLException {
        try (Connection c = postgres.connect();
                Statement s = c.createStatement();
                ResultSet left =
                        s.executeQuery(
                                "SELECT pid, pg_terminate_backend(pid) FROM pg_stat_activity"
                                        + " WHERE application_name = 'postgres-fetch-task-connection'"
                                        + " AND state LIKE 'idle in transaction%'"
                                        + " AND pid <> pg_backend_pid()")) {
            while (left.next()) {
                LOG.warn(
                        "ended snapshot connection {} that Flink CDC left idle in transaction",
                        left.getInt(1));
            }
        }
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
     * apache/flink-cdc#2538: a change that arrives between a checkpoint's snapshot and its
     * completion. Flink CDC before 3.1 confirmed Debezium's current LSN to the slot when the
     * checkpoint completed; that LSN could be past changes read after the checkpoint's snapshot, so
     * PostgreSQL no longer resent them after a restore from that checkpoint: lost. Fixed in 3.1.0
     * (#2539: the reader confirms the LSN recorded in the checkpoint, and since 3.2 only {@code
     * scan.lsn-commit.checkpoints-num-delay} = 3 checkpoints later), so it does not bite in 3.5.0;
     * this test keeps the guard. Checkpoints are triggered by the test; a gate after the source
     * holds checkpoint N open while rows A are written and read, so the source's snapshot of N lies
     * before A and N completes after A was read; then the job fails before another checkpoint,
     * restores from N, and must emit A (exactly once).
     */
    @Test
    void changesReadWhileACheckpointCompletesSurviveARestoreFromIt(
            PostgresServer postgres, @InjectClusterClient ClusterClient<?> cluster)
            throws Exception {
        String slot = "it_commit_window_slot";
        String table = "public.it_commit_window";
        try (Connection c = postgres.connect()) {
            resetSlot(c, slot);
            exec(
                    c,
                    "DROP TABLE IF EXISTS " + table,
                    "CREATE TABLE " + table + " (id int PRIMARY KEY, v text)",
                    "ALTER TABLE " + table + " REPLICA IDENTITY FULL",
                    "INSERT INTO " + table + " VALUES (1, 'snapshot')");
        }
        Gate.reset();
        try (RunningJob job =
                        RunningJob.with(
                                        source(postgres, table, slot)
                                                .debeziumProperties(
                                                        props("slot.drop.on.stop", "false"))
                                                .build())
                                .pipeline(s -> s.map(new Probe()).map(new Gate()).disableChaining())
                                .checkpointInterval(Duration.ofDays(365)) // the test triggers them
                                .restarts(1)
                                .start();
                Connection c = postgres.connect()) {
            Checkpoints checkpoints = new Checkpoints(cluster, job);
            assertThat(checkpoints.takeIds(job, 1)).containsExactly(1L);

            // rows B, read and confirmed to the slot
            exec(c, "INSERT INTO " + table + " VALUES (10, 'b'), (11, 'b')");
            assertThat(checkpoints.takeIds(job, 2)).containsExactly(10L, 11L);
            long afterB = walInsertLsn(c);
            checkpoints.until(() -> confirmedFlushLsn(c, slot) >= afterB);

            // checkpoint N: the source has snapshotted, the gate holds N open while A is read
            Gate.ARMED.set(true);
            CompletableFuture<Long> checkpointN = checkpoints.trigger();
            assertThat(Gate.IN_CHECKPOINT.await(30, TimeUnit.SECONDS)).isTrue();
            exec(c, "INSERT INTO " + table + " VALUES (20, 'a'), (21, 'a')");
            long afterA = walInsertLsn(c);
            awaitSent(c, slot, afterA);
            Gate.RELEASE.countDown();
            checkpointN.get(30, TimeUnit.SECONDS);
            // PostgreSQL resends a transaction whose commit lies after the confirmed LSN; the
            // driver may confirm keep-alive positions inside A (pgjdbc 42.7), never A's commit
            await("the slot stays before the end of A after checkpoint N completed")
                    .during(Duration.ofSeconds(1))
                    .atMost(Duration.ofSeconds(3))
                    .until(() -> confirmedFlushLsn(c, slot) < afterA);
            LOG.info(
                    "rows A ended at {}, confirmed_flush_lsn after checkpoint N: {}",
                    lsnText(afterA),
                    lsnText(confirmedFlushLsn(c, slot)));

            // fail before any later checkpoint: the job restores from N
            Probe.failOnce(e -> Long.valueOf(30).equals(e.row().get("id")));
            exec(c, "INSERT INTO " + table + " VALUES (30, 'poison')");
            await("injected failure").atMost(TIMEOUT).untilTrue(Probe.FAILED);
            assertThat(checkpoints.takeIds(job, 3)).containsExactly(20L, 21L, 30L);
            checkpoints.trigger().get(30, TimeUnit.SECONDS);
            assertThat(job.extra(QUIET)).isEmpty();
        } finally {
            Gate.RELEASE.countDown();
            try (Connection c = postgres.connect()) {
                resetSlot(c, slot);
            }
        }
    }

    /**
     * A failure while the snapshot is read, with several chunks and checkpoints every 200 ms during
     * it, and rows changing meanwhile: replaying the events gives the table's final content, and
     * every update and delete finds the row as the previous events left it, so no event was lost or
     * repeated; no row is read twice.
     */
    @Test
    void failureDuringTheSnapshotStillYieldsEveryRowOnce(PostgresServer postgres) throws Exception {
        String slot = "it_snapshot_failover_slot";
        String table = "public.it_snapshot_failover";
        int rows = 240;
        try (Connection c = postgres.connect()) {
            resetSlot(c, slot);
            exec(
                    c,
                    "DROP TABLE IF EXISTS " + table,
                    "CREATE TABLE " + table + " (id int PRIMARY KEY, v text, n int)",
                    "ALTER TABLE " + table + " REPLICA IDENTITY FULL",
                    "INSERT INTO "
                            + table
                            + " SELECT g, 'row ' || g, 0 FROM generate_series(1, "
                            + rows
                            + ") g");
        }
        AtomicLong reads = new AtomicLong();
        AtomicLong checkpointsAtFailure = new AtomicLong(-1);
        Probe.failOnce(
                e -> {
                    if (e.op() == Op.READ && reads.incrementAndGet() == rows / 2) {
                        checkpointsAtFailure.set(Probe.CHECKPOINTS.get());
                        return true;
                    }
                    return false;
                });
        List<ChangeEvent> events = new ArrayList<>();
        try (RunningJob job =
                        RunningJob.with(
                                        source(postgres, table, slot)
                                                .splitSize(20)
                                                .debeziumProperties(
                                                        props("slot.drop.on.stop", "false"))
                                                .build())
                                .pipeline(s -> s.map(new Probe()))
                                .checkpointInterval(Duration.ofMillis(200))
                                .restarts(2)
                                .start();
                Connection c = postgres.connect();
                ConcurrentWriter writer = new ConcurrentWriter(postgres, table, rows)) {
            await("injected failure").atMost(TIMEOUT).untilTrue(Probe.FAILED);
            await("the writer changed rows after the failure")
                    .atMost(TIMEOUT)
                    .until(() -> writer.changes() >= 30);
            writer.close();
            int expected = Integer.parseInt(query(c, "SELECT count(*) FROM " + table));
            await("every row's final state")
                    .atMost(TIMEOUT)
                    .pollInterval(Duration.ofMillis(200))
                    .until(
                            () -> {
                                events.addAll(job.available());
                                return replay(events).size() >= expected
                                        && replay(events).equals(tableContent(c, table));
                            });
            events.addAll(job.extra(QUIET));
            LOG.info(
                    "{} events, {} checkpoints completed before the failure at read {}",
                    events.size(),
                    checkpointsAtFailure.get(),
                    rows / 2);
            assertThat(checkpointsAtFailure.get())
                    .as("checkpoints before the failure")
                    .isPositive();
            assertThat(replay(events)).isEqualTo(tableContent(c, table));
            assertThat(events.stream().filter(e -> e.op() == Op.READ).map(e -> e.after().get("id")))
                    .doesNotHaveDuplicates();
        } finally {
            try (Connection c = postgres.connect()) {
                resetSlot(c, slot);
            }
        }
    }

    /**
     * Applies the events in order and checks each against the state so far: an {@code r} or {@code
     * c} must be new, an {@code u} or {@code d} must find its {@code before}.
     */
    private static Map<Object, Map<String, Object>> replay(List<ChangeEvent> events) {
        Map<Object, Map<String, Object>> state = new TreeMap<>();
        for (ChangeEvent e : events) {
            Object id = e.row().get("id");
            switch (e.op()) {
                case READ, CREATE -> {
                    assertThat(state).as("%s of a row already there", e).doesNotContainKey(id);
                    state.put(id, e.after());
                }
                case UPDATE -> {
                    assertThat(state.get(id)).as("before of %s", e).isEqualTo(e.before());
                    state.put(id, e.after());
                }
                case DELETE -> {
                    assertThat(state.get(id)).as("before of %s", e).isEqualTo(e.before());
                    state.remove(id);
                }
            }
        }
        return state;
    }

    private static Map<Object, Map<String, Object>> tableContent(Connection c, String table)
            throws SQLException {
        Map<Object, Map<String, Object>> content = new TreeMap<>();
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT id, v, n FROM " + table)) {
            while (rs.next()) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("id", rs.getInt(1));
                row.put("v", rs.getString(2));
                row.put("n", rs.getInt(3));
                content.put((long) rs.getInt(1), ColumnValues.toJsonRow(row));
            }
        }
        return content;
    }

    /**
     * Changes rows of the table (update, insert, delete in turn, one transaction each) until
     * closed.
     */
    static final class ConcurrentWriter implements AutoCloseable {
        private final Connection connection;
        private final Thread thread;
        private final AtomicLong changes = new AtomicLong();

        /** About 100 changes a second, so the snapshot and its restore overlap the writes. */
        private final RateLimiter pace = RateLimiter.create(100);

        private volatile boolean running = true;
        private volatile Exception failure;

        ConcurrentWriter(PostgresServer postgres, String table, int rows) throws SQLException {
            connection = postgres.connect();
            thread =
                    new Thread(
                            () -> {
                                int next = rows + 1;
                                try {
                                    for (int i = 1; running; i++) {
                                        int id = 1 + (i * 37) % rows;
                                        switch (i % 3) {
                                            case 0 ->
                                                    exec(
                                                            connection,
                                                            "UPDATE "
                                                                    + table
                                                                    + " SET n = n + 1 WHERE id = "
                                                                    + id);
                                            case 1 ->
                                                    exec(
                                                            connection,
                                                            "INSERT INTO "
                                                                    + table
                                                                    + " VALUES ("
                                                                    + next++
                                                                    + ", 'new', 0)");
                                            default ->
                                                    exec(
                                                            connection,
                                                            "DELETE FROM "
                                                                    + table
                                                                    + " WHERE id = "
                                                                    + id);
                                        }
                                        changes.incrementAndGet();
                                        pace.acquire();
                                    }
                                } catch (Exception e) {
                                    failure = e;
                                }
                            },
                            "concurrent-writer");
            thread.start();
        }

        long changes() {
            return changes.get();
        }

        @Override
        public void close() throws Exception {
            running = false;
            thread.join(10_000);
            connection.close();
            if (failure != null) {
                throw failure;
            }
        }
    }

    /** Checkpoints of a job that checkpoints only when the test asks. */
    static final class Checkpoints {
        private final ClusterClient<?> cluster;
        private final RunningJob job;

        Checkpoints(ClusterClient<?> cluster, RunningJob job) {
            this.cluster = cluster;
            this.job = job;
        }

        CompletableFuture<Long> trigger() {
            return cluster.triggerCheckpoint(job.client().getJobID(), CheckpointType.DEFAULT);
        }

        /** Checkpoints until the condition holds (the collect sink releases on checkpoints). */
        void until(Callable<Boolean> condition) {
            await().atMost(TIMEOUT)
                    .pollInterval(Duration.ofMillis(50))
                    .until(
                            () -> {
                                try {
                                    trigger().get(30, TimeUnit.SECONDS);
                                } catch (ExecutionException e) {
                                    return false; // e.g. not all tasks running yet
                                }
                                return condition.call();
                            });
        }

        /** Checkpoints until {@code n} events arrived; returns their ids. */
        List<Object> takeIds(RunningJob job, int n) {
            List<ChangeEvent> events = new ArrayList<>();
            until(
                    () -> {
                        events.addAll(job.available());
                        return events.size() >= n;
                    });
            return events.stream().map(e -> e.row().get("id")).collect(Collectors.toList());
        }
    }

    /**
     * Once armed, holds the first checkpoint it snapshots open (signalling {@link #IN_CHECKPOINT})
     * until {@link #RELEASE}.
     */
    static final class Gate implements MapFunction<ChangeEvent, ChangeEvent>, CheckpointedFunction {
        static final AtomicBoolean ARMED = new AtomicBoolean();
        static CountDownLatch IN_CHECKPOINT = new CountDownLatch(1);
        static CountDownLatch RELEASE = new CountDownLatch(1);

        static void reset() {
            ARMED.set(false);
            IN_CHECKPOINT = new CountDownLatch(1);
            RELEASE = new CountDownLatch(1);
        }

        @Override
        public ChangeEvent map(ChangeEvent event) {
            return event;
        }

        @Override
        public void snapshotState(FunctionSnapshotContext context) throws Exception {
            if (ARMED.compareAndSet(true, false)) {
                IN_CHECKPOINT.countDown();
                RELEASE.await(30, TimeUnit.SECONDS);
            }
        }

        @Override
        public void initializeState(FunctionInitializationContext context) {}
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
