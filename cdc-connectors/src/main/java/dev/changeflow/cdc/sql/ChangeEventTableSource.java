package dev.changeflow.cdc.sql;

import dev.changeflow.schemas.ChangeEvent;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamSource;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.table.connector.ChangelogMode;
import org.apache.flink.table.connector.ProviderContext;
import org.apache.flink.table.connector.source.DataStreamScanProvider;
import org.apache.flink.table.connector.source.DynamicTableSource;
import org.apache.flink.table.connector.source.ScanTableSource;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.runtime.typeutils.InternalTypeInfo;
import org.apache.flink.table.types.DataType;
import org.apache.flink.table.types.logical.RowType;

import java.util.function.Supplier;

/**
 * A Flink SQL table over one of Changeflow's CDC sources: the source's {@link ChangeEvent}s become
 * a changelog ({@code +I}, {@code -U}/{@code +U}, {@code -D}) of the table's physical columns
 * through {@link ChangeEventRows}.
 */
public final class ChangeEventTableSource implements ScanTableSource {

    private final String name;
    private final Supplier<Source<ChangeEvent, ?, ?>> source;
    private final DataType physicalType;
    private final ChangelogMode changelogMode;

    /**
     * @param name the source's name in the job graph, e.g. {@code trigger-cdc}
     * @param source builds the source when the job is planned (runs its preflight then)
     * @param physicalType the table's physical row type
     * @param changelogMode {@link ChangelogMode#all()} when updates carry the old row, {@link
     *     ChangelogMode#upsert()} when they do not (the table then needs a primary key)
     */
    public ChangeEventTableSource(
            String name,
            Supplier<Source<ChangeEvent, ?, ?>> source,
            DataType physicalType,
            ChangelogMode changelogMode) {
        this.name = name;
        this.source = source;
        this.physicalType = physicalType;
        this.changelogMode = changelogMode;
    }

    @Override
    public ChangelogMode getChangelogMode() {
        return changelogMode;
    }

    @Override
    public ScanRuntimeProvider getScanRuntimeProvider(ScanContext context) {
        RowType rowType = (RowType) physicalType.getLogicalType();
        Source<ChangeEvent, ?, ?> built = source.get();
        return new DataStreamScanProvider() {
            @Override
            public DataStream<RowData> produceDataStream(
                    ProviderContext provider, StreamExecutionEnvironment env) {
                // uids only where the planner generates them (compiled plans): a fixed uid would
                // collide between two tables of the same connector in one job
                DataStreamSource<ChangeEvent> events =
                        env.fromSource(built, WatermarkStrategy.noWatermarks(), name);
                provider.generateUid(name).ifPresent(events::uid);
                SingleOutputStreamOperator<RowData> rows =
                        events.flatMap(new ChangeEventRows(rowType))
                                .name(name + " rows")
                                .returns(InternalTypeInfo.of(rowType));
                provider.generateUid(name + "-rows").ifPresent(rows::uid);
                return rows;
            }

            @Override
            public boolean isBounded() {
                return false;
            }
        };
    }

    @Override
    public DynamicTableSource copy() {
        return new ChangeEventTableSource(name, source, physicalType, changelogMode);
    }

    @Override
    public String asSummaryString() {
        return name;
    }
}
