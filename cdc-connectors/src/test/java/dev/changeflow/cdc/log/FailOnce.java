package dev.changeflow.cdc.log;

import dev.changeflow.schemas.ChangeEvent;

import org.apache.flink.api.common.functions.MapFunction;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Fails the job once, the first time it sees the row with the given id: the failover tests' way to
 * restart a MiniCluster job from its last checkpoint mid-stream. {@link #FAILED} is shared by the
 * JVM's tests, which run one at a time: reset it before the job starts.
 */
public final class FailOnce implements MapFunction<ChangeEvent, ChangeEvent> {

    private static final long serialVersionUID = 1L;

    public static final AtomicBoolean FAILED = new AtomicBoolean();

    private final long failAtId;

    public FailOnce(long failAtId) {
        this.failAtId = failAtId;
    }

    @Override
    public ChangeEvent map(ChangeEvent event) {
        if (Long.valueOf(failAtId).equals(event.row().get("id"))
                && FAILED.compareAndSet(false, true)) {
            throw new IllegalStateException("injected failure at id " + failAtId);
        }
        return event;
    }
}
