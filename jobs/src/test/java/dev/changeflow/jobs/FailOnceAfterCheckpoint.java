package dev.changeflow.jobs;

import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Passes elements through and fails the job once, mid-stream: in the first subtask that has seen
 * {@code minElements}, once a checkpoint has completed and {@code afterBarrier} elements followed
 * the last barrier. Chained in front of a sink, it guarantees that the sink committed data before
 * the failure and wrote more after the checkpoint the job will restore, so the restore has
 * something to replay.
 */
public final class FailOnceAfterCheckpoint<T>
        implements MapFunction<T, T>, CheckpointedFunction, CheckpointListener {

    private static final Set<String> FAILED = ConcurrentHashMap.newKeySet();

    private final String name;
    private final int minElements;
    private final int afterBarrier;
    private transient int seen;
    private transient int sinceBarrier;
    private transient int barriers;
    private transient int completed;

    public FailOnceAfterCheckpoint(String name, int minElements, int afterBarrier) {
        this.name = name;
        this.minElements = minElements;
        this.afterBarrier = afterBarrier;
    }

    /** Whether the failure named {@code name} happened. */
    public static boolean failed(String name) {
        return FAILED.contains(name);
    }

    @Override
    public T map(T value) {
        seen++;
        sinceBarrier++;
        if (completed > 0
                && seen >= minElements
                && sinceBarrier >= afterBarrier
                && FAILED.add(name)) {
            throw new IllegalStateException(
                    "injected failure '"
                            + name
                            + "' after "
                            + seen
                            + " elements, "
                            + sinceBarrier
                            + " since checkpoint barrier "
                            + barriers
                            + ", "
                            + completed
                            + " checkpoints completed");
        }
        return value;
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) {
        barriers++;
        sinceBarrier = 0;
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) {
        completed++;
    }

    @Override
    public void initializeState(FunctionInitializationContext context) {}
}
