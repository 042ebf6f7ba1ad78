package dev.changeflow.cdc.log.postgres.reader;

import dev.changeflow.cdc.log.postgres.reader.HeartbeatPositions.Decision;
import dev.changeflow.cdc.log.postgres.reader.HeartbeatPositions.Keep;
import dev.changeflow.cdc.log.postgres.reader.HeartbeatPositions.Store;
import dev.changeflow.cdc.log.postgres.reader.HeartbeatPositions.StoreBoundary;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class HeartbeatPositionsTest {

    /** A DML event's offset: lsn = lsn_proc = its LSN, lsn_commit = the previous commit. */
    private static Map<String, String> change(long lsn, long previousCommit, long txId) {
        Map<String, String> m = new HashMap<>();
        m.put("lsn", Long.toString(lsn));
        m.put("lsn_proc", Long.toString(lsn));
        m.put("lsn_commit", Long.toString(previousCommit));
        m.put("txId", Long.toString(txId));
        m.put("ts_usec", "1700000000000000");
        return m;
    }

    /** A heartbeat's offset after the commit of transaction {@code txId} ended at {@code end}. */
    private static Map<String, Object> heartbeatAfterCommit(long end, long txId) {
        Map<String, Object> m = new HashMap<>();
        m.put("lsn", end);
        m.put("lsn_proc", end);
        m.put("lsn_commit", end);
        m.put("txId", txId);
        m.put("ts_usec", 1700000000000001L);
        return m;
    }

    @Test
    void aHeartbeatAfterACommitBecomesAPlainCommitBoundary() {
        Decision d =
                HeartbeatPositions.afterHeartbeat(change(100, 50, 7), heartbeatAfterCommit(180, 7));
        assertThat(d).isInstanceOf(StoreBoundary.class);
        assertThat(((StoreBoundary) d).offset())
                .containsOnly(
                        Map.entry("lsn", "180"),
                        Map.entry("txId", "7"),
                        Map.entry("ts_usec", "1700000000000001"));
    }

    @Test
    void furtherHeartbeatsAtTheSameBoundaryKeepIt() {
        Map<String, String> boundary = Map.of("lsn", "180", "txId", "7");
        assertThat(HeartbeatPositions.afterHeartbeat(boundary, heartbeatAfterCommit(180, 7)))
                .isInstanceOf(Keep.class);
    }

    @Test
    void aHeartbeatAfterAChangeAtTheCommitLsnKeepsThatChangesPosition() {
        // T2's first change is the WAL record right after T1's commit (ended at 180): Debezium's
        // locator resumes correctly after such a change, so its position must stay
        Map<String, String> firstChangeOfT2 = change(180, 180, 8);
        assertThat(HeartbeatPositions.afterHeartbeat(firstChangeOfT2, heartbeatAfterCommit(180, 8)))
                .isInstanceOf(Keep.class);
    }

    @Test
    void aHeartbeatInsideATransactionIsStoredAsItIs() {
        Map<String, Object> midTransaction = new HashMap<>(heartbeatAfterCommit(180, 8));
        midTransaction.put("lsn", 200L);
        midTransaction.put("lsn_proc", 200L);
        assertThat(HeartbeatPositions.afterHeartbeat(change(190, 180, 8), midTransaction))
                .isInstanceOf(Store.class);
    }

    @Test
    void aHeartbeatWithoutProcessedPositionOrWithoutCurrentPositionIsStoredAsItIs() {
        assertThat(HeartbeatPositions.afterHeartbeat(change(100, 50, 7), Map.of("lsn", 100L)))
                .isInstanceOf(Store.class);
        assertThat(HeartbeatPositions.afterHeartbeat(null, heartbeatAfterCommit(180, 7)))
                .isInstanceOf(Store.class);
    }

    @Test
    void theFirstCommitAfterTheStartingPositionOfTheStreamBecomesABoundary() {
        // the stream split starts at an LSN only (after the snapshot, or a restored boundary)
        assertThat(
                        HeartbeatPositions.afterHeartbeat(
                                Map.of("lsn", "90"), heartbeatAfterCommit(180, 7)))
                .isInstanceOf(StoreBoundary.class);
    }
}
