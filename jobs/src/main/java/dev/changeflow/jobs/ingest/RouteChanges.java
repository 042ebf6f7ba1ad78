package dev.changeflow.jobs.ingest;

import dev.changeflow.jobs.sinks.ChangeRecord;
import dev.changeflow.schemas.ChangeEvent;
import dev.changeflow.schemas.DeadLetter;
import dev.changeflow.schemas.Op;
import dev.changeflow.schemas.Positions;
import dev.changeflow.schemas.PrimaryKeyResolver;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MeterView;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.types.Either;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import java.util.HashMap;
import java.util.Map;

/**
 * Sends each captured change on to its Kafka topic and each dead letter to the dead-letter side
 * output, adds a tombstone after every delete when asked, and measures per table.
 *
 * <p>Metrics, under the operator's group and then {@code table=<schema or db>.<table>}:
 *
 * <ul>
 *   <li>{@code changes} (counter) and {@code changesPerSecond} (meter): every change, snapshot
 *       reads included;
 *   <li>{@code snapshotRecords} (counter): the {@code r} events, i.e. snapshot progress per table;
 *   <li>{@code captureLagMs} (gauge): now minus the source timestamp of the table's last streamed
 *       change (snapshot reads carry the snapshot time and are left out);
 * </ul>
 *
 * and for the whole operator {@code deadLetters} (counter) and {@code binlogPosition} (gauge): the
 * binlog coordinate of the last streamed change, {@code file sequence << 32 | offset} (so the
 * maximum over subtasks is the furthest), -1 before one or for a source without a binlog; {@code
 * changeflow status} measures how far behind the server's binlog that is.
 */
public final class RouteChanges
        extends ProcessFunction<Either<DeadLetter, ChangeEvent>, ChangeRecord> {

    private static final long serialVersionUID = 1L;

    /** Records that could not be converted, with the reason. */
    public static final OutputTag<DeadLetter> DEAD_LETTERS =
            new OutputTag<>("dead-letters", TypeInformation.of(DeadLetter.class));

    private final boolean tombstones;

    private transient Map<String, TableMetrics> tables;
    private transient Counter deadLetters;
    // read by the metric reporter's thread: a stale value only delays the gauge
    private transient String lastStreamedPosition;

    /**
     * @param tombstones whether a tombstone follows every delete
     */
    public RouteChanges(boolean tombstones) {
        this.tombstones = tombstones;
    }

    @Override
    public void open(Configuration parameters) {
        tables = new HashMap<>();
        deadLetters = getRuntimeContext().getMetricGroup().counter("deadLetters");
        getRuntimeContext()
                .getMetricGroup()
                .gauge("binlogPosition", () -> binlogPosition(lastStreamedPosition));
    }

    /** {@code sequence << 32 | offset} of a binlog position, -1 for any other. */
    static long binlogPosition(String position) {
        long[] coordinate = Positions.binlogCoordinate(position);
        return coordinate == null ? -1 : coordinate[0] << 32 | coordinate[1];
    }

    @Override
    public void processElement(
            Either<DeadLetter, ChangeEvent> value, Context ctx, Collector<ChangeRecord> out) {
        if (value.isLeft()) {
            deadLetters.inc();
            ctx.output(DEAD_LETTERS, value.left());
            return;
        }
        ChangeEvent event = value.right();
        if (event.op() != Op.READ) {
            // parsed only when the gauge is read
            lastStreamedPosition = event.source().position();
        }
        tables.computeIfAbsent(
                        PrimaryKeyResolver.qualifiedName(event.source()),
                        table ->
                                new TableMetrics(
                                        getRuntimeContext()
                                                .getMetricGroup()
                                                .addGroup("table", table)))
                .record(event);
        out.collect(ChangeRecord.of(event));
        if (tombstones && event.op() == Op.DELETE) {
            out.collect(ChangeRecord.tombstoneAfter(event));
        }
    }

    /** The metrics of one table. */
    static final class TableMetrics {
        private final Counter changes;
        private final Counter snapshotRecords;
        private volatile long captureLagMs;

        TableMetrics(MetricGroup group) {
            changes = group.counter("changes");
            group.meter("changesPerSecond", new MeterView(changes));
            snapshotRecords = group.counter("snapshotRecords");
            group.gauge("captureLagMs", () -> captureLagMs);
        }

        void record(ChangeEvent event) {
            changes.inc();
            if (event.op() == Op.READ) {
                snapshotRecords.inc();
            } else if (event.source().tsMs() > 0) {
                captureLagMs = Math.max(0, System.currentTimeMillis() - event.source().tsMs());
            }
        }
    }
}
