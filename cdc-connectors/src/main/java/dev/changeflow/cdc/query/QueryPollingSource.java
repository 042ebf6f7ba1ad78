package dev.changeflow.cdc.query;

import dev.changeflow.cdc.query.config.QuerySourceConfig;
import dev.changeflow.cdc.query.config.TablePlan;
import dev.changeflow.cdc.query.enumerator.QueryEnumerator;
import dev.changeflow.cdc.query.enumerator.QueryEnumeratorState;
import dev.changeflow.cdc.query.enumerator.QueryEnumeratorStateSerializer;
import dev.changeflow.cdc.query.reader.EventEmitter;
import dev.changeflow.cdc.query.reader.QuerySourceReader;
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

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The FLIP-27 source behind {@link QuerySource}: one {@link TableSplit} per table, handed by {@link
 * QueryEnumerator} to one {@link QuerySourceReader}, which polls it and keeps its position in the
 * split state. Unbounded.
 */
public final class QueryPollingSource<T>
        implements Source<T, TableSplit, QueryEnumeratorState>, ResultTypeQueryable<T> {

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
    public SplitEnumerator<TableSplit, QueryEnumeratorState> createEnumerator(
            SplitEnumeratorContext<TableSplit> context) {
        return QueryEnumerator.create(context, plans.keySet());
    }

    @Override
    public SplitEnumerator<TableSplit, QueryEnumeratorState> restoreEnumerator(
            SplitEnumeratorContext<TableSplit> context, QueryEnumeratorState checkpoint) {
        return QueryEnumerator.restore(context, checkpoint, plans.keySet());
    }

    @Override
    public SimpleVersionedSerializer<TableSplit> getSplitSerializer() {
        return TableSplitSerializer.INSTANCE;
    }

    @Override
    public SimpleVersionedSerializer<QueryEnumeratorState> getEnumeratorCheckpointSerializer() {
        return QueryEnumeratorStateSerializer.INSTANCE;
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
