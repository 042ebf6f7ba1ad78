package dev.changeflow.cli.cluster;

import org.junit.jupiter.api.Test;

import java.util.List;

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
                                new JobStatus.TableStatus("public_orders", 200, 250, 3.5, 40),
                                new JobStatus.TableStatus("public_items", 10, 10, 0, -1)));
        assertThat(StatusLine.format(job, now))
                .isEqualTo(
                        "status: public_orders 200 snapshot rows, 250 changes, 3.5/s, lag 40 ms;"
                                + " public_items 10 snapshot rows, 10 changes, 0.0/s | checkpoint"
                                + " #7 4 s ago | restarts 1 | dead letters 2");
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
                        List.of());
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
                        List.of());
        assertThat(StatusLine.format(starting, now)).contains("| no checkpoint yet |");
        assertThat(StatusCommand.bytes(5076)).isEqualTo("5.0 KB");
        assertThat(StatusCommand.duration(7_200_000 + 65_000)).isEqualTo("2 h 1 min");
    }
}
