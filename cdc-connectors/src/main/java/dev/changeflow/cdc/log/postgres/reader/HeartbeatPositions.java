package dev.changeflow.cdc.log.postgres.reader;

import java.util.HashMap;
import java.util.Map;

/**
 * Where a stream split stands after a Debezium heartbeat: the workaround for FLINK-39265.
 *
 * <p>A heartbeat sent after a transaction committed carries Debezium's offset {@code lsn = lsn_proc
 * = lsn_commit = Y}, Y being the end of the commit record. Flink CDC 3.5.0 stores it as the split's
 * position; on restore, Debezium 1.9.8's {@code WalPositionLocator(lastCommit = Y, lastEvent = Y)}
 * treats the first message at LSN Y as already processed. But with pgoutput the BEGIN and the first
 * change of the next transaction have the LSN of that change, which is Y when it is the next WAL
 * record: the change is skipped and lost.
 *
 * <p>A commit boundary is better stored as just {@code lsn = Y}: Debezium then starts streaming at
 * Y without a last processed event, and resumes with the first message it receives, i.e. the first
 * transaction that committed after Y (PostgreSQL does not resend T1, whose commit record lies
 * before Y). The slot is still confirmed at {@code lsn} = Y, as before.
 *
 * <p>The same {@code lsn = lsn_proc = lsn_commit} also appears when the last emitted change was
 * itself at Y (a transaction's first change right after the previous commit); Debezium's locator
 * resumes correctly after such a change, so that position is kept as it is: a heartbeat is taken
 * for a commit boundary only if its {@code lsn_proc} lies beyond the split's current position.
 */
public final class HeartbeatPositions {

    /** Debezium's offset keys ({@code SourceInfo} and {@code PostgresOffsetContext}). */
    static final String LSN = "lsn";

    static final String LSN_PROC = "lsn_proc";
    static final String LSN_COMMIT = "lsn_commit";

    private HeartbeatPositions() {}

    /** What to do with a heartbeat's offset. */
    public sealed interface Decision {}

    /** Store the heartbeat's offset unchanged (what Flink CDC does). */
    public record Store() implements Decision {}

    /** Keep the split's current position: the heartbeat marks nothing new. */
    public record Keep() implements Decision {}

    /** Store this commit boundary instead of the heartbeat's offset. */
    public record StoreBoundary(Map<String, String> offset) implements Decision {}

    /**
     * Decides how a heartbeat moves a stream split's position.
     *
     * @param current the split's current offset (Flink CDC's string map), null if none
     * @param heartbeat the heartbeat record's source offset
     */
    public static Decision afterHeartbeat(Map<String, String> current, Map<String, ?> heartbeat) {
        Long proc = number(heartbeat.get(LSN_PROC));
        Long commit = number(heartbeat.get(LSN_COMMIT));
        if (proc == null || !proc.equals(commit) || current == null) {
            return new Store(); // inside a transaction, or nothing to compare with
        }
        Long currentProc = number(current.get(LSN_PROC));
        Long currentLsn = number(current.get(LSN));
        if (currentProc != null ? currentProc.equals(proc) : proc.equals(currentLsn)) {
            return new Keep(); // the same position: the last event, or this boundary, again
        }
        Long currentPosition = currentProc != null ? currentProc : currentLsn;
        if (currentPosition == null || Long.compareUnsigned(proc, currentPosition) < 0) {
            return new Store();
        }
        Map<String, String> boundary = new HashMap<>();
        for (Map.Entry<String, ?> entry : heartbeat.entrySet()) {
            if (entry.getValue() != null
                    && !entry.getKey().equals(LSN_PROC)
                    && !entry.getKey().equals(LSN_COMMIT)) {
                boundary.put(entry.getKey(), entry.getValue().toString());
            }
        }
        boundary.put(LSN, proc.toString());
        return new StoreBoundary(boundary);
    }

    private static Long number(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof Number n) {
            return n.longValue();
        }
        return Long.valueOf(value.toString());
    }
}
