package dev.changeflow.cdc.trigger;

import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;

import javax.annotation.Nullable;

import java.util.ArrayList;
import java.util.List;

/**
 * Hands the one {@link AuditSplit} to subtask 0 (other subtasks stay idle: the audit table is read
 * in id order by one reader). A split given back after a failure is handed out again.
 */
final class AuditSplitEnumerator implements SplitEnumerator<AuditSplit, List<AuditSplit>> {

    private final SplitEnumeratorContext<AuditSplit> context;
    private final List<AuditSplit> unassigned;

    AuditSplitEnumerator(SplitEnumeratorContext<AuditSplit> context, List<AuditSplit> unassigned) {
        this.context = context;
        this.unassigned = new ArrayList<>(unassigned);
    }

    @Override
    public void start() {}

    @Override
    public void handleSplitRequest(int subtaskId, @Nullable String requesterHostname) {}

    @Override
    public void addSplitsBack(List<AuditSplit> splits, int subtaskId) {
        unassigned.addAll(splits);
        assign();
    }

    @Override
    public void addReader(int subtaskId) {
        assign();
    }

    private void assign() {
        if (!unassigned.isEmpty() && context.registeredReaders().containsKey(0)) {
            for (AuditSplit split : unassigned) {
                context.assignSplit(split, 0);
            }
            unassigned.clear();
        }
    }

    @Override
    public List<AuditSplit> snapshotState(long checkpointId) {
        return new ArrayList<>(unassigned);
    }

    @Override
    public void close() {}
}
