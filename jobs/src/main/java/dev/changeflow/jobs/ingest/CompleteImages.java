package dev.changeflow.jobs.ingest;

import dev.changeflow.schemas.ChangeEvent;
import dev.changeflow.schemas.ChangeEventJson;
import dev.changeflow.schemas.ChangeEventTypeInfo;
import dev.changeflow.schemas.DeadLetter;
import dev.changeflow.schemas.Op;
import dev.changeflow.schemas.PrimaryKeyResolver;

import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.types.Either;
import org.apache.flink.util.Collector;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Query-based capture sees row states, not changes: a poll reads a row as it is now, so it cannot
 * tell an insert from an update, cannot give the old row, and reads a row again after a restart.
 * This keyed step (keyed by table and primary key, state = the row as last written downstream)
 * turns those states into the envelope the log and trigger methods write:
 *
 * <ul>
 *   <li>a row never seen before is a {@code c} (or the {@code r} of the snapshot);
 *   <li>a row seen before is a {@code u} with the previous row as {@code before};
 *   <li>a row read again unchanged (a replay, a snapshot overlapping a poll) is dropped;
 *   <li>a delete (soft-delete column or key scan) carries the last known full row as {@code
 *       before}, and clears the state.
 * </ul>
 *
 * <p>The state holds one row per live key (in RocksDB, checkpointed incrementally). Dead letters
 * pass through.
 */
public final class CompleteImages
        extends KeyedProcessFunction<
                String, Either<DeadLetter, ChangeEvent>, Either<DeadLetter, ChangeEvent>> {

    private static final long serialVersionUID = 1L;

    private transient ValueState<ChangeEvent> last;

    /** Keys changes by table and primary key, dead letters by origin. */
    public static KeySelector<Either<DeadLetter, ChangeEvent>, String> keys(
            PrimaryKeyResolver primaryKeys) {
        return value -> {
            if (value.isLeft()) {
                return "dead-letter:" + value.left().origin();
            }
            ChangeEvent event = value.right();
            return PrimaryKeyResolver.qualifiedName(event.source())
                    + ":"
                    + new String(
                            ChangeEventJson.keyToBytes(
                                    event.key(primaryKeys.primaryKeyColumns(event.source()))),
                            StandardCharsets.UTF_8);
        };
    }

    @Override
    public void open(Configuration parameters) {
        last =
                getRuntimeContext()
                        .getState(
                                new ValueStateDescriptor<>(
                                        "last-row", ChangeEventTypeInfo.INSTANCE));
    }

    @Override
    public void processElement(
            Either<DeadLetter, ChangeEvent> value,
            Context ctx,
            Collector<Either<DeadLetter, ChangeEvent>> out)
            throws Exception {
        if (value.isLeft()) {
            out.collect(value);
            return;
        }
        ChangeEvent event = value.right();
        ChangeEvent previous = last.value();
        Map<String, Object> before = previous == null ? null : previous.after();
        if (event.op() == Op.DELETE) {
            last.clear();
            out.collect(
                    Either.Right(
                            ChangeEvent.delete(
                                    event.source(),
                                    event.tsMs(),
                                    before == null ? event.before() : before)));
            return;
        }
        if (event.after().equals(before)) {
            return; // read again, unchanged
        }
        ChangeEvent completed;
        if (before != null) {
            completed = ChangeEvent.update(event.source(), event.tsMs(), before, event.after());
        } else if (event.op() == Op.READ) {
            completed = event;
        } else {
            completed = ChangeEvent.create(event.source(), event.tsMs(), event.after());
        }
        last.update(completed);
        out.collect(Either.Right(completed));
    }
}
