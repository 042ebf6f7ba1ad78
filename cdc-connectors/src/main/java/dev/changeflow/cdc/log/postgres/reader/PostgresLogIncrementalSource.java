package dev.changeflow.cdc.log.postgres.reader;

import org.apache.flink.cdc.connectors.base.config.SourceConfig;
import org.apache.flink.cdc.connectors.base.source.meta.split.SourceRecords;
import org.apache.flink.cdc.connectors.base.source.meta.split.SourceSplitState;
import org.apache.flink.cdc.connectors.base.source.metrics.SourceReaderMetrics;
import org.apache.flink.cdc.connectors.postgres.source.PostgresDialect;
import org.apache.flink.cdc.connectors.postgres.source.PostgresSourceBuilder;
import org.apache.flink.cdc.connectors.postgres.source.config.PostgresSourceConfigFactory;
import org.apache.flink.cdc.connectors.postgres.source.offset.PostgresOffsetFactory;
import org.apache.flink.cdc.debezium.DebeziumDeserializationSchema;
import org.apache.flink.connector.base.source.reader.RecordEmitter;

/**
 * Flink CDC 3.5.0's {@code PostgresIncrementalSource} with Changeflow's workarounds of upstream
 * bugs: heartbeats after a commit are stored as commit boundaries ({@link
 * CommitBoundaryRecordEmitter}, FLINK-39265).
 */
public class PostgresLogIncrementalSource<T>
        extends PostgresSourceBuilder.PostgresIncrementalSource<T> {

    private static final long serialVersionUID = 1L;

    /** The source Flink CDC's {@code builder} configured, with the workarounds. */
    public static <T> PostgresLogIncrementalSource<T> of(
            PostgresSourceBuilder<T> builder, DebeziumDeserializationSchema<T> deserializer) {
        PostgresSourceConfigFactory configFactory = builder.getConfigFactory();
        return new PostgresLogIncrementalSource<>(
                configFactory,
                deserializer,
                new PostgresOffsetFactory(),
                new PostgresDialect(configFactory.create(0)));
    }

    private PostgresLogIncrementalSource(
            PostgresSourceConfigFactory configFactory,
            DebeziumDeserializationSchema<T> deserializer,
            PostgresOffsetFactory offsetFactory,
            PostgresDialect dialect) {
        super(configFactory, deserializer, offsetFactory, dialect);
    }

    @Override
    protected RecordEmitter<SourceRecords, T, SourceSplitState> createRecordEmitter(
            SourceConfig sourceConfig, SourceReaderMetrics sourceReaderMetrics) {
        return new CommitBoundaryRecordEmitter<>(
                deserializationSchema,
                sourceReaderMetrics,
                sourceConfig.isIncludeSchemaChanges(),
                offsetFactory);
    }
}
