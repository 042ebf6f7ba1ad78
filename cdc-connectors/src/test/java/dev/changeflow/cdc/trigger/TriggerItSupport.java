package dev.changeflow.cdc.trigger;

import dev.changeflow.cdc.log.RunningJob;
import dev.changeflow.schemas.ChangeEvent;
import dev.changeflow.schemas.Op;

import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.client.program.ClusterClient;
import org.apache.flink.core.execution.CheckpointType;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** What the trigger source ITs share, including the scenarios both databases run alike. */
final class TriggerItSupport {

    static final Duration TIMEOUT = Duration.ofSeconds(30);
    static final Duration QUIET = Duration.ofSeconds(1);

    private TriggerItSupport() {}

    /** How a scenario reaches one database. */
    record Db(Connect connect, Sources source, Tables table) {}

    interface Connect {
        Connection open() throws Exception;
    }

    /** The source of one captured table through one audit table. */
    interface Sources {
        TriggerSource.Builder of(String audit, String table);
    }

    /** Creates a table {@code (id int primary key, v text)}, dropping an old one. */
    interface Tables {
        void create(Connection c, String table) throws Exception;
    }

    /**
     * Changes before a stop with savepoint, while stopped and after the restart: each once, in
     * order, nothing of the snapshot again.
     */
    static void restartFromASavepointLosesNothingAndRepeatsNothing(
            Db db, String table, String audit, Path dir) throws Exception {
        try (Connection c = db.connect().open()) {
            db.table().create(c, table);
            exec(c, "INSERT INTO " + table + " VALUES (0, 'snap')");
        }
        new TriggerInstaller(db.source().of(audit, table).config()).install();
        String savepoint;
        try (Connection c = db.connect().open()) {
            RunningJob job = RunningJob.start(db.source().of(audit, table).batchSize(2).build());
            try {
                assertThat(job.take(1, TIMEOUT))
                        .extracting(ChangeEvent::op)
                        .containsExactly(Op.READ);
                for (int i = 1; i <= 5; i++) {
                    exec(c, "INSERT INTO " + table + " VALUES (" + i + ", 'before')");
                }
                assertThat(job.take(5, TIMEOUT))
                        .extracting(e -> e.after().get("id"))
                        .containsExactly(1L, 2L, 3L, 4L, 5L);
                savepoint = job.stopWithSavepoint(dir);
            } finally {
                job.close();
            }
            for (int i = 6; i <= 10; i++) {
                exec(c, "INSERT INTO " + table + " VALUES (" + i + ", 'while stopped')");
            }
        }
        try (RunningJob job =
                        RunningJob.startFromSavepoint(
                                db.source().of(audit, table).batchSize(2).build(), savepoint);
                Connection c = db.connect().open()) {
            exec(c, "UPDATE " + table + " SET v = 'after' WHERE id = 1");
            List<ChangeEvent> events = job.take(6, TIMEOUT);
            assertThat(events)
                    .extracting(e -> e.op().code() + ":" + e.row().get("id"))
                    .containsExactly("c:6", "c:7", "c:8", "c:9", "c:10", "u:1");
            assertThat(job.extra(QUIET)).isEmpty();
        }
    }

    /** Rows read but not covered by a completed checkpoint stay; the checkpoint purges them. */
    static void auditRowsArePurgedOnlyAfterACheckpointCoversThem(
            Db db, String table, String audit, ClusterClient<?> cluster) throws Exception {
        try (Connection c = db.connect().open()) {
            db.table().create(c, table);
            exec(c, "INSERT INTO " + table + " VALUES (0, 'snapshot')");
        }
        new TriggerInstaller(db.source().of(audit, table).config()).install();
        Counter.SEEN.set(0);
        try (RunningJob job =
                        RunningJob.with(db.source().of(audit, table).build())
                                .pipeline(s -> s.map(new Counter()))
                                .checkpointInterval(Duration.ofHours(1))
                                .start();
                Connection c = db.connect().open()) {
            String pending = "SELECT COUNT(*) FROM " + audit;
            await("snapshot read").atMost(TIMEOUT).until(() -> Counter.SEEN.get() == 1);
            exec(c, "INSERT INTO " + table + " VALUES (1, 'a'), (2, 'b'), (3, 'c')");
            await("changes read").atMost(TIMEOUT).until(() -> Counter.SEEN.get() == 4);
            // read, but no checkpoint has covered them yet: nothing purged
            assertThat(count(c, pending)).isEqualTo(3);
            cluster.triggerCheckpoint(job.client().getJobID(), CheckpointType.DEFAULT)
                    .get(30, TimeUnit.SECONDS);
            await("purged after the checkpoint")
                    .atMost(TIMEOUT)
                    .until(() -> count(c, pending) == 0);
        }
    }

    static void exec(Connection c, String... sqls) throws SQLException {
        try (Statement st = c.createStatement()) {
            for (String sql : sqls) {
                st.execute(sql);
            }
        }
    }

    static long count(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** Counts the events that pass (a static counter: one probe per JVM at a time). */
    static final class Counter implements MapFunction<ChangeEvent, ChangeEvent> {
        static final AtomicInteger SEEN = new AtomicInteger();

        @Override
        public ChangeEvent map(ChangeEvent event) {
            SEEN.incrementAndGet();
            return event;
        }
    }
}
