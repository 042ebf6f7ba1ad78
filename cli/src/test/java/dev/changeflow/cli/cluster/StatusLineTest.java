package dev.changeflow.cli.cluster;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class StatusLineTest {

    @Test
    void oneLineWithEveryTableTheCheckpointAndTheDeadLetters() {
        long now = 1_000_000;
        JobStatus job =
                new JobStatus(
                        "id",
                        "ingest",
                        "RUNNING",
                        0,
                        5000,
                        1,
                        new JobStatus.Checkpoints(3, 1, 7, now - 4_000, 5000, 20, now - 60_000),
                        2,
                        List.of(
                                new JobStatus.TableStatus("public_orders", 200, 250, 3.5, 40, -1),
                                new JobStatus.TableStatus("public_items", 10, 10, 0, -1, -1)),
                        -1,
                        -1);
        assertThat(StatusLine.format(job, now))
                .isEqualTo(
                        "status: public_orders 200 snapshot rows, 250 changes, 3.5/s, lag 40 ms;"
                                + " public_items 10 snapshot rows, 10 changes, 0.0/s | checkpoint"
                                + " #7 4 s ago | restarts 1 | dead letters 2");
        // with the database's names and estimates; a metric name two tables map to stays as is
        JobStatus named =
                job.named(
                        Map.of(
                                "public.orders", 1000L,
                                "public.items", -1L,
                                "public_items", 5L,
                                "shop.public_orders", 7L));
        assertThat(StatusLine.format(named, now))
                .startsWith(
                        "status: public.orders 200/~1000 snapshot rows, 250 changes, 3.5/s, lag"
                                + " 40 ms; public_items 10 snapshot rows, 10 changes, 0.0/s |");
        assertThat(JobStatus.metricName("my db.a:b,c d")).isEqualTo("my_db_a_b_c_d");
    }

    @Test
    void binlogBytesBehindTheServerAcrossFiles() {
        var sizes = new java.util.TreeMap<Long, Long>(Map.of(3L, 1000L, 4L, 500L, 5L, 800L));
        var binlog = new DatabaseStatus.Binlog("mysql-bin.000005", 300, 3, 2300, sizes);
        assertThat(binlog.bytesAfter(5, 100)).isEqualTo(200);
        assertThat(binlog.bytesAfter(4, 200)).isEqualTo(300 + 300);
        assertThat(binlog.bytesAfter(3, 900)).isEqualTo(100 + 500 + 300);
        assertThat(binlog.bytesAfter(6, 10)).isZero();
    }

    @Test
    void sayWhenTheNewestCheckpointFailedOrNoneCompletedYet() {
        long now = 1_000_000;
        JobStatus failing =
                new JobStatus(
                        "id",
                        "ingest",
                        "RUNNING",
                        0,
                        5000,
                        0,
                        new JobStatus.Checkpoints(3, 2, 7, now - 90_000, 5000, 20, now - 1_000),
                        0,
                        List.of(),
                        -1,
                        -1);
        assertThat(StatusLine.format(failing, now))
                .isEqualTo(
                        "status: RUNNING | checkpoint #7 1 min 30 s ago (the newest attempt"
                                + " failed) | restarts 0 | dead letters 0");
        JobStatus starting =
                new JobStatus(
                        "id",
                        "ingest",
                        "RUNNING",
                        0,
                        500,
                        0,
                        new JobStatus.Checkpoints(0, 1, -1, -1, 0, 0, now - 100),
                        0,
                        List.of(),
                        -1,
                        -1);
        assertThat(StatusLine.format(starting, now)).contains("| no checkpoint yet |");
        assertThat(StatusCommand.bytes(5076)).isEqualTo("5.0 KB");
        assertThat(StatusCommand.duration(7_200_000 + 65_000)).isEqualTo("2 h 1 min");
    }
}
