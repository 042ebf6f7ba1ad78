package dev.changeflow.cdc.log.mysql;

import dev.changeflow.cdc.log.mysql.config.ServerIdRange;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.cdc.connectors.mysql.source.MySqlSource;
import org.apache.flink.cdc.connectors.mysql.source.assigners.state.PendingSplitsState;
import org.apache.flink.cdc.connectors.mysql.source.split.MySqlSplit;
import org.apache.flink.core.io.SimpleVersionedSerializer;

import javax.annotation.Nullable;

/**
 * Flink CDC's {@link MySqlSource}, unchanged, except that the job fails at its start with a {@link
 * dev.changeflow.cdc.log.CdcSetupException} naming option {@code server-id} when the configured
 * range holds fewer ids than the source's parallelism (Flink CDC itself only fails the reader whose
 * subtask index is out of the range, after the others started).
 */
final class ServerIdCheckedSource<T>
        implements Source<T, MySqlSplit, PendingSplitsState>, ResultTypeQueryable<T> {

    private static final long serialVersionUID = 1L;

    private final MySqlSource<T> delegate;
    @Nullable private final ServerIdRange serverIds;

    ServerIdCheckedSource(MySqlSource<T> delegate, @Nullable ServerIdRange serverIds) {
        this.delegate = delegate;
        this.serverIds = serverIds;
    }

    @Override
    public Boundedness getBoundedness() {
        return delegate.getBoundedness();
    }

    @Override
    public SourceReader<T, MySqlSplit> createReader(SourceReaderContext context) throws Exception {
        check(context.currentParallelism());
        return delegate.createReader(context);
    }

    @Override
    public SplitEnumerator<MySqlSplit, PendingSplitsState> createEnumerator(
            SplitEnumeratorContext<MySqlSplit> context) throws Exception {
        check(context.currentParallelism());
        return delegate.createEnumerator(context);
    }

    @Override
    public SplitEnumerator<MySqlSplit, PendingSplitsState> restoreEnumerator(
            SplitEnumeratorContext<MySqlSplit> context, PendingSplitsState state) throws Exception {
        check(context.currentParallelism());
        return delegate.restoreEnumerator(context, state);
    }

    @Override
    public SimpleVersionedSerializer<MySqlSplit> getSplitSerializer() {
        return delegate.getSplitSerializer();
    }

    @Override
    public SimpleVersionedSerializer<PendingSplitsState> getEnumeratorCheckpointSerializer() {
        return delegate.getEnumeratorCheckpointSerializer();
    }

    @Override
    public TypeInformation<T> getProducedType() {
        return delegate.getProducedType();
    }

    private void check(int parallelism) {
        if (serverIds != null) {
            serverIds.checkParallelism(parallelism);
        }
    }
}
