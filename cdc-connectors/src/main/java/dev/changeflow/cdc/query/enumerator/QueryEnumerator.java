package dev.changeflow.cdc.query.enumerator;

import dev.changeflow.cdc.query.split.TableSplit;

import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;

import javax.annotation.Nullable;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Hands each table's split to one reader, chosen by the table name's hash, when that reader
 * registers; splits of a failed reader come back and go out again when it re-registers. The state
 * is the splits not assigned yet (their positions live in the readers' state once assigned).
 */
public final class QueryEnumerator implements SplitEnumerator<TableSplit, List<TableSplit>> {

    private final SplitEnumeratorContext<TableSplit> context;
    private final List<TableSplit> pending;

    public QueryEnumerator(SplitEnumeratorContext<TableSplit> context, List<TableSplit> pending) {
        this.context = context;
        this.pending = new ArrayList<>(pending);
    }

    @Override
    public void start() {}

    @Override
    public void handleSplitRequest(int subtaskId, @Nullable String requesterHostname) {}

    @Override
    public void addSplitsBack(List<TableSplit> splits, int subtaskId) {
        pending.addAll(splits);
        if (context.registeredReaders().containsKey(subtaskId)) {
            assign(subtaskId);
        }
    }

    @Override
    public void addReader(int subtaskId) {
        assign(subtaskId);
    }

    private void assign(int subtaskId) {
        int parallelism = context.currentParallelism();
        Iterator<TableSplit> it = pending.iterator();
        while (it.hasNext()) {
            TableSplit split = it.next();
            if (owner(split.table(), parallelism) == subtaskId) {
                context.assignSplit(split, subtaskId);
                it.remove();
            }
        }
    }

    /** The reader that polls {@code table}. */
    static int owner(String table, int parallelism) {
        return Math.floorMod(table.hashCode(), parallelism);
    }

    @Override
    public List<TableSplit> snapshotState(long checkpointId) {
        return new ArrayList<>(pending);
    }

    @Override
    public void close() {}
}
