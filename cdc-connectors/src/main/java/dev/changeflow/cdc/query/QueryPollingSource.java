package dev.changeflow.cdc.query;

import dev.changeflow.cdc.query.config.QuerySourceConfig;
import dev.changeflow.cdc.query.config.TablePlan;
import dev.changeflow.cdc.query.enumerator.QueryEnumerator;
import dev.changeflow.cdc.query.reader.EventEmitter;
import dev.changeflow.cdc.query.reader.QuerySourceReader;
import dev.changeflow.cdc.query.split.PendingSplitsSerializer;
import dev.changeflow.cdc.query.split.TableSplit;
import dev.changeflow.cdc.query.split.TableSplitSerializer;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.core.io.SimpleVersionedSerializer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The FLIP-27 source behind {@link QuerySource}: one {@link TableSplit} per table, handed by {@link
 * QueryEnumerator} to one {@link QuerySourceReader}, which polls it and keeps its position in the
 * split state. Unbounded.
 */
public final class QueryPollingSource<T>
        implements Source<T, TableSplit, List<TableSplit>>, ResultTypeQueryable<T> {

    private static final long serialVersionUID = 1L;

    private final QuerySourceConfig config;
    private final LinkedHashMap<String, TablePlan> plans;
    private final EventEmitter<T> emitter;

    QueryPollingSource(
            QuerySourceConfig config, Map<String, TablePlan> plans, EventEmitter<T> emitter) {
        this.config = config;
        this.plans = new LinkedHashMap<>(plans);
        this.emitter = emitter;
    }

    @Override
    public Boundedness getBoundedness() {
        return Boundedness.CONTINUOUS_UNBOUNDED;
    }

    @Override
    public SourceReader<T, TableSplit> createReader(SourceReaderContext context) {
        return new QuerySourceReader<>(context, config, plans, emitter);
    }

    @Override
    public SplitEnumerator<TableSplit, List<TableSplit>> createEnumerator(
            SplitEnumeratorContext<TableSplit> context) {
        List<TableSplit> splits = new ArrayList<>();
        for (String table : plans.keySet()) {
            splits.add(TableSplit.start(table));
        }
        return new QueryEnumerator(context, splits);
    }

    @Override
    public SplitEnumerator<TableSplit, List<TableSplit>> restoreEnumerator(
            SplitEnumeratorContext<TableSplit> context, List<TableSplit> checkpoint) {
        return new QueryEnumerator(context, checkpoint);
    }

    @Override
    public SimpleVersionedSerializer<TableSplit> getSplitSerializer() {
        return TableSplitSerializer.INSTANCE;
    }

    @Override
    public SimpleVersionedSerializer<List<TableSplit>> getEnumeratorCheckpointSerializer() {
        return PendingSplitsSerializer.INSTANCE;
    }

    @Override
    public TypeInformation<T> getProducedType() {
        return emitter.producedType();
    }

    /** The polled tables, as resolved by the preflight. */
    public Map<String, TablePlan> plans() {
        return new LinkedHashMap<>(plans);
    }
}
