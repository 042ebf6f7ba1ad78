package dev.changeflow.jobs.sinks;

import dev.changeflow.schemas.ChangeEvent;
import dev.changeflow.schemas.Op;

/**
 * One record for a change topic: the change itself, or the tombstone (a record with the row's key
 * and a null value) that follows a delete so that log compaction can drop the row entirely.
 *
 * @param event the change; for a tombstone, the delete it follows
 * @param tombstone whether this is the tombstone after {@code event}
 */
public record ChangeRecord(ChangeEvent event, boolean tombstone) {

    /** The record carrying {@code event}. */
    public static ChangeRecord of(ChangeEvent event) {
        return new ChangeRecord(event, false);
    }

    /** The tombstone following the delete {@code event}. */
    public static ChangeRecord tombstoneAfter(ChangeEvent delete) {
        if (delete.op() != Op.DELETE) {
            throw new IllegalArgumentException("a tombstone follows a delete, not " + delete.op());
        }
        return new ChangeRecord(delete, true);
    }
}
