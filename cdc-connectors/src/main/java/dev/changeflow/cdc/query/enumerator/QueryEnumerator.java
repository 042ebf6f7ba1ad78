package dev.changeflow.cdc.query.enumerator;

import dev.changeflow.cdc.query.split.TableSplit;

import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.annotation.Nullable;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Hands each table's split to one reader, chosen by the table name's hash, when that reader
 * registers; splits of a failed reader come back and go out again when it re-registers. The state
 * is the splits not assigned yet (their positions live in the readers' state once assigned) and the
 * tables known so far: a job restored with a table added to its options gets a new split for that
 * table (snapshot, then polling, as at a first start); the others go on from their positions.
 */
public final class QueryEnumerator implements SplitEnumerator<TableSplit, QueryEnumeratorState> {

    private static final Logger LOG = LoggerFactory.getLogger(QueryEnumerator.class);

    private final SplitEnumeratorContext<TableSplit> context;
    private final List<TableSplit> pending;
    private final Set<String> tables;

    private QueryEnumerator(
            SplitEnumeratorContext<TableSplit> context,
            List<TableSplit> pending,
            Set<String> tables) {
        this.context = context;
        this.pending = new ArrayList<>(pending);
        this.tables = new LinkedHashSet<>(tables);
    }

    /** A first start: one split per configured table. */
    public static QueryEnumerator create(
            SplitEnumeratorContext<TableSplit> context, Collection<String> configured) {
        List<TableSplit> splits = new ArrayList<>();
        for (String table : configured) {
            splits.add(TableSplit.start(table));
        }
        return new QueryEnumerator(context, splits, new LinkedHashSet<>(configured));
    }

    /**
     * A restore: the checkpoint's pending splits, plus a split for each configured table the
     * checkpoint does not know (none for a version-1 checkpoint, which kept no table list).
     */
    public static QueryEnumerator restore(
            SplitEnumeratorContext<TableSplit> context,
            QueryEnumeratorState state,
            Collection<String> configured) {
        List<TableSplit> splits = new ArrayList<>(state.pending());
        Set<String> known =
                new LinkedHashSet<>(state.tables() == null ? configured : state.tables());
        for (String table : configured) {
            if (known.add(table)) {
                LOG.info(
                        "query source: table {} is not in the checkpoint: it starts from its"
                                + " snapshot (scan.startup.mode) while the others resume",
                        table);
                splits.add(TableSplit.start(table));
            }
        }
        return new QueryEnumerator(context, splits, known);
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
    public QueryEnumeratorState snapshotState(long checkpointId) {
        return new QueryEnumeratorState(new ArrayList<>(pending), new LinkedHashSet<>(tables));
    }

    @Override
    public void close() {}
}
