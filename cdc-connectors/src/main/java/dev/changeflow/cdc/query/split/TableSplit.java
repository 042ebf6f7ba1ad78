package dev.changeflow.cdc.query.split;

import org.apache.flink.api.connector.source.SourceSplit;

import javax.annotation.Nullable;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One polled table and how far it has been read: the unit of work and of state. The reader keeps a
 * mutable copy and hands out immutable snapshots of it on every checkpoint.
 *
 * @see TableSplitSerializer
 */
public final class TableSplit implements SourceSplit {

    /** Where a table is in its life. */
    public enum Phase {
        /** Nothing read yet: the start position is taken first. */
        START,
        /** Reading the initial snapshot, by primary key. */
        SNAPSHOT,
        /** Polling changes after the stream position. */
        STREAM
    }

    private final String table;
    private final Phase phase;
    @Nullable private final List<String> snapshotKey;
    @Nullable private final String streamTimestamp;
    private final long streamId;
    @Nullable private final String lastPosition;
    private final Set<String> knownKeys;

    /**
     * @param table {@code schema.table} or {@code db.table}, the split id
     * @param phase where the table is
     * @param snapshotKey the last primary key read by the snapshot (as text), null before the first
     *     page
     * @param streamTimestamp the timestamp column's value (database text, UTC) of the stream
     *     position, null in incrementing mode
     * @param streamId the incrementing column or tie-breaker of the stream position
     * @param lastPosition the highest {@code source.position} emitted (snapshot reads included),
     *     the position of deletes found by the key scan; null before any
     * @param knownKeys the keys (JSON) of the rows emitted and not deleted; empty unless the delete
     *     scan is on
     */
    public TableSplit(
            String table,
            Phase phase,
            @Nullable List<String> snapshotKey,
            @Nullable String streamTimestamp,
            long streamId,
            @Nullable String lastPosition,
            Set<String> knownKeys) {
        this.table = Objects.requireNonNull(table);
        this.phase = Objects.requireNonNull(phase);
        this.snapshotKey =
                snapshotKey == null
                        ? null
                        : java.util.Collections.unmodifiableList(
                                new java.util.ArrayList<>(snapshotKey));
        this.streamTimestamp = streamTimestamp;
        this.streamId = streamId;
        this.lastPosition = lastPosition;
        this.knownKeys = new LinkedHashSet<>(knownKeys);
    }

    /** A table that has not been read yet. */
    public static TableSplit start(String table) {
        return new TableSplit(table, Phase.START, null, null, 0, null, Set.of());
    }

    @Override
    public String splitId() {
        return table;
    }

    public String table() {
        return table;
    }

    public Phase phase() {
        return phase;
    }

    @Nullable
    public List<String> snapshotKey() {
        return snapshotKey;
    }

    @Nullable
    public String streamTimestamp() {
        return streamTimestamp;
    }

    public long streamId() {
        return streamId;
    }

    @Nullable
    public String lastPosition() {
        return lastPosition;
    }

    /** A copy of the known keys. */
    public Set<String> knownKeys() {
        return new LinkedHashSet<>(knownKeys);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof TableSplit)) {
            return false;
        }
        TableSplit that = (TableSplit) o;
        return table.equals(that.table)
                && phase == that.phase
                && Objects.equals(snapshotKey, that.snapshotKey)
                && Objects.equals(streamTimestamp, that.streamTimestamp)
                && streamId == that.streamId
                && Objects.equals(lastPosition, that.lastPosition)
                && knownKeys.equals(that.knownKeys);
    }

    @Override
    public int hashCode() {
        return Objects.hash(
                table, phase, snapshotKey, streamTimestamp, streamId, lastPosition, knownKeys);
    }

    @Override
    public String toString() {
        return "TableSplit{"
                + table
                + " "
                + phase
                + " snapshotKey="
                + snapshotKey
                + " stream=("
                + streamTimestamp
                + ", "
                + streamId
                + ") knownKeys="
                + knownKeys.size()
                + "}";
    }
}
