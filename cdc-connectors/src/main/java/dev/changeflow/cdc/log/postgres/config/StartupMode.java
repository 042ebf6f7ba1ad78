package dev.changeflow.cdc.log.postgres.config;

/** Where a log-based source starts reading. */
public enum StartupMode {
    /** Snapshot the captured tables ({@code r} events), then stream changes from the slot. */
    INITIAL,
    /** Skip the snapshot and stream changes from the slot's current position. */
    LATEST,
    /** Snapshot the captured tables and finish (a bounded source). */
    SNAPSHOT_ONLY
}
