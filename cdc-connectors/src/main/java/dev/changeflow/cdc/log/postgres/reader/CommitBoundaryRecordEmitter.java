package dev.changeflow.cdc.log.postgres.reader;

import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.cdc.connectors.base.source.meta.offset.Offset;
import org.apache.flink.cdc.connectors.base.source.meta.offset.OffsetFactory;
import org.apache.flink.cdc.connectors.base.source.meta.split.SourceSplitState;
import org.apache.flink.cdc.connectors.base.source.meta.split.StreamSplitState;
import org.apache.flink.cdc.connectors.base.source.metrics.SourceReaderMetrics;
import org.apache.flink.cdc.connectors.base.source.reader.IncrementalSourceRecordEmitter;
import org.apache.flink.cdc.debezium.DebeziumDeserializationSchema;

import org.apache.kafka.connect.source.SourceRecord;

import static org.apache.flink.cdc.connectors.base.utils.SourceRecordUtils.isHeartbeatEvent;

/**
 * Flink CDC's record emitter, except that a heartbeat after a commit moves the stream split to a
 * plain commit boundary (see {@link HeartbeatPositions}): the workaround for FLINK-39265.
 */
public class CommitBoundaryRecordEmitter<T> extends IncrementalSourceRecordEmitter<T> {

    public CommitBoundaryRecordEmitter(
            DebeziumDeserializationSchema<T> deserializationSchema,
            SourceReaderMetrics sourceReaderMetrics,
            boolean includeSchemaChanges,
            OffsetFactory offsetFactory) {
        super(deserializationSchema, sourceReaderMetrics, includeSchemaChanges, offsetFactory);
    }

    @Override
    protected void processElement(
            SourceRecord element, SourceOutput<T> output, SourceSplitState splitState)
            throws Exception {
        if (isHeartbeatEvent(element) && splitState.isStreamSplitState()) {
            StreamSplitState stream = splitState.asStreamSplitState();
            Offset current = stream.getStartingOffset();
            HeartbeatPositions.Decision decision =
                    HeartbeatPositions.afterHeartbeat(
                            current == null ? null : current.getOffset(), element.sourceOffset());
            if (decision instanceof HeartbeatPositions.Keep) {
                return;
            }
            if (decision instanceof HeartbeatPositions.StoreBoundary boundary) {
                stream.setStartingOffset(offsetFactory.newOffset(boundary.offset()));
                return;
            }
        }
        super.processElement(element, output, splitState);
    }
}
