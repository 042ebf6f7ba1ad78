package dev.changeflow.jobs.ingest;

import dev.changeflow.schemas.ChangeEvent;

import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamSink;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The ingest job: change events from a CDC source (log, trigger or query based) into Kafka, one
 * topic per table, keyed by primary key. The source and the sink are given, so that {@code main}
 * wires the real connectors and tests wire their own.
 *
 * <p>Order per key holds end to end: the source emits a table's changes in commit order, the sink
 * is chained to it (no shuffle), and the record key puts every change of a row in one partition.
 */
public final class IngestJob {

    /** Stable operator ids: a job upgraded across a savepoint finds its state by them. */
    public static final String SOURCE_UID = "cdc-source";

    public static final String SINK_UID = "kafka-sink";

    private final Source<ChangeEvent, ?, ?> source;
    private final Sink<ChangeEvent> sink;

    public IngestJob(Source<ChangeEvent, ?, ?> source, Sink<ChangeEvent> sink) {
        this.source = source;
        this.sink = sink;
    }

    /** Adds the pipeline to {@code env}. */
    public DataStreamSink<ChangeEvent> build(StreamExecutionEnvironment env) {
        DataStream<ChangeEvent> changes =
                env.fromSource(source, WatermarkStrategy.noWatermarks(), "CDC source")
                        .uid(SOURCE_UID)
                        .name("CDC source");
        return changes.sinkTo(sink).uid(SINK_UID).name("Kafka change topics");
    }
}
