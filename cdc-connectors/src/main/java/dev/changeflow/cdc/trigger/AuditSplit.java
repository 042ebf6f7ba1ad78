package dev.changeflow.cdc.trigger;

import org.apache.flink.api.connector.source.SourceSplit;

import javax.annotation.Nullable;

/**
 * The one split of a trigger source: the audit table. Its state is the position up to which audit
 * rows have been emitted ({@code null} before the start position was taken) and whether the initial
 * snapshot is still to be read.
 *
 * @param position the dialect's position text (a {@code pg_snapshot}, or the last audit id)
 * @param snapshotPending whether the first poll reads the snapshot (startup mode initial)
 */
public record AuditSplit(@Nullable String position, boolean snapshotPending)
        implements SourceSplit {

    /** The id of the only split. */
    public static final String ID = "audit";

    @Override
    public String splitId() {
        return ID;
    }
}
