package dev.changeflow.cdc.trigger;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.core.io.SimpleVersionedSerializer;

import java.util.List;

/**
 * The FLIP-27 source behind {@link TriggerSource}: one {@link AuditSplit} (the audit table), read
 * by {@link TriggerSourceReader}; {@code T} is {@code ChangeEvent} or {@code Either<DeadLetter,
 * ChangeEvent>}.
 */
final class AuditTableSource<T>
        implements Source<T, AuditSplit, List<AuditSplit>>, ResultTypeQueryable<T> {

    private static final long serialVersionUID = 1L;

    private final TriggerSourceConfig config;
    private final boolean deadLetters;
    private final TypeInformation<T> type;

    AuditTableSource(TriggerSourceConfig config, boolean deadLetters, TypeInformation<T> type) {
        this.config = config;
        this.deadLetters = deadLetters;
        this.type = type;
    }

    @Override
    public Boundedness getBoundedness() {
        return Boundedness.CONTINUOUS_UNBOUNDED;
    }

    @Override
    public SplitEnumerator<AuditSplit, List<AuditSplit>> createEnumerator(
            SplitEnumeratorContext<AuditSplit> context) {
        boolean snapshot = config.startupMode() == TriggerSourceOptions.StartupMode.INITIAL;
        return new AuditSplitEnumerator(context, List.of(new AuditSplit(null, snapshot)));
    }

    @Override
    public SplitEnumerator<AuditSplit, List<AuditSplit>> restoreEnumerator(
            SplitEnumeratorContext<AuditSplit> context, List<AuditSplit> checkpoint) {
        return new AuditSplitEnumerator(context, checkpoint);
    }

    @Override
    public SimpleVersionedSerializer<AuditSplit> getSplitSerializer() {
        return AuditSplitSerializer.INSTANCE;
    }

    @Override
    public SimpleVersionedSerializer<List<AuditSplit>> getEnumeratorCheckpointSerializer() {
        return AuditSplitSerializer.EnumeratorState.INSTANCE;
    }

    @Override
    public SourceReader<T, AuditSplit> createReader(SourceReaderContext context) {
        return new TriggerSourceReader<>(config, deadLetters);
    }

    @Override
    public TypeInformation<T> getProducedType() {
        return type;
    }
}
